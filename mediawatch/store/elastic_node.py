"""An HTTP node for the official Elasticsearch client that speaks plain JSON.

The 8.x/9.x clients send ``application/vnd.elasticsearch+json; compatible-with=N``. OpenSearch-
compatible servers (and Elasticsearch servers one major behind the client) refuse that media type;
plain ``application/json`` is accepted by all of them, so the client works unchanged against
Elasticsearch 8 and 9, OpenSearch and osmem.
"""

from __future__ import annotations

from typing import Any

from elastic_transport import HttpHeaders, Urllib3HttpNode

_VENDOR = "application/vnd.elasticsearch+"


def plain_json_headers(headers: HttpHeaders | dict[str, str] | None) -> HttpHeaders | None:
    """The same headers with vendor media types replaced by their plain equivalents."""
    if headers is None:
        return None
    out = HttpHeaders(headers)
    for name in ("accept", "content-type"):
        value = out.get(name)
        if value and value.startswith(_VENDOR):
            kind = value[len(_VENDOR):].split(";")[0].strip()  # json | x-ndjson
            out[name] = f"application/{kind}"
    return out


class PlainJsonNode(Urllib3HttpNode):
    """``Urllib3HttpNode`` that rewrites Accept/Content-Type to plain JSON before sending."""

    def __init__(self, config: Any):
        super().__init__(config)
        self._headers = plain_json_headers(self._headers)

    def perform_request(self, method: str, target: str, body: bytes | None = None,
                        headers: HttpHeaders | None = None, **kwargs: Any):  # type: ignore[override]
        return super().perform_request(method, target, body=body, headers=plain_json_headers(headers),
                                       **kwargs)
