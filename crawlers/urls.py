"""Canonical URLs: one article, one URL, one document id, however the link was decorated."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from mediawatch.document import doc_id_for_url

# Tracking and session parameters that never change what a page shows.
_TRACKING_EXACT = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid", "mc_cid",
    "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "ref", "ref_src", "ref_url", "zarsrc", "zaloapp", "vn_source",
    "vn_medium", "vn_campaign", "vn_content", "vn_term", "s_cid", "icid", "cmpid", "_ga", "_gl", "spm",
    "share", "from", "sessionid", "phpsessid", "jsessionid", "sid",
})
_TRACKING_PREFIX = ("utm_", "pk_", "mtm_", "hsa_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_CHARS = 2048  # longer "URLs" are junk or attacks; browsers and servers refuse them too
_SLASHES = re.compile(r"/{2,}")


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIX)


def canonical_url(url: str, base: str | None = None) -> str:
    """Normalise scheme/host case, default ports, empty path, duplicate and trailing slashes,
    fragments and tracking parameters; remaining query parameters are sorted."""
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "http"
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = _SLASHES.sub("/", parts.path or "/")
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def url_doc_id(url: str) -> str:
    return doc_id_for_url(canonical_url(url))


def host_key(url: str | None) -> str | None:
    """The lower-cased host of a URL (the unit of per-host politeness), or None."""
    if not url:
        return None
    host = urlsplit(url).hostname
    return host.lower() if host else None
