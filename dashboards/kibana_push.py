"""Push saved objects to Kibana through its import API (``POST /api/saved_objects/_import``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mediawatch.errors import BadInputError, PermanentError, TemporaryError

from .kibana_validate import validate_ndjson


@dataclass(slots=True)
class ImportResult:
    success: bool
    success_count: int
    errors: list[dict[str, Any]] = field(default_factory=list)


def import_url(kibana_url: str, space: str | None = None) -> str:
    """The import endpoint; a non-default space lives under ``/s/<space>``."""
    base = kibana_url.rstrip("/")
    if space and space != "default":
        base += f"/s/{space}"
    return f"{base}/api/saved_objects/_import"


def push_ndjson(ndjson: str, kibana_url: str, *, space: str | None = None, api_key: str | None = None,
                username: str | None = None, password: str | None = None, ca_file: str | None = None,
                timeout: float = 30.0) -> ImportResult:
    """Import (overwriting objects with the same ids). Refuses a file that fails validation."""
    import requests

    problems = validate_ndjson(ndjson)
    if problems:
        raise BadInputError("the saved objects are not valid: " + "; ".join(problems[:5]),
                            data=problems, fix="regenerate them with `mediawatch dashboards export`")
    headers = {"kbn-xsrf": "mediawatch"}
    auth = None
    if api_key:
        headers["Authorization"] = f"ApiKey {api_key}"
    elif username:
        auth = (username, password or "")
    url = import_url(kibana_url, space)
    try:
        response = requests.post(url, params={"overwrite": "true"}, headers=headers, auth=auth, timeout=timeout,
                                 files={"file": ("mediawatch.ndjson", ndjson.encode("utf-8"), "application/ndjson")},
                                 verify=ca_file or True)
    except requests.RequestException as exc:
        raise TemporaryError(f"cannot reach Kibana at {kibana_url}: {exc}", source="kibana",
                             fix="check the --kibana URL and that Kibana is up") from exc
    if response.status_code in (401, 403):
        raise PermanentError(f"Kibana refused the import ({response.status_code}): {response.text[:300]}",
                             source="kibana", fix="pass --api-key with a key allowed to manage saved objects")
    if response.status_code == 404 and space:
        raise PermanentError(f"Kibana has no space {space!r} (404)", source="kibana",
                             fix="create the space first or leave out --space")
    if response.status_code >= 500:
        raise TemporaryError(f"Kibana failed ({response.status_code}): {response.text[:300]}", source="kibana")
    if response.status_code != 200:
        raise PermanentError(f"Kibana answered {response.status_code}: {response.text[:300]}", source="kibana")
    body = response.json()
    return ImportResult(success=bool(body.get("success")), success_count=int(body.get("successCount", 0)),
                        errors=list(body.get("errors") or []))
