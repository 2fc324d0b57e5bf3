"""Credentials stay with the origin they were meant for.

An API key or token sent to ``https://api.example:443`` must never reach another origin (scheme,
host or port) because a server answered with a redirect. requests only drops ``Authorization`` and
only when the host changes; :class:`CredentialSafeSession` also drops the custom credential headers
platforms use (``X-Goog-Api-Key``, Zalo's ``access_token``, ...) and credential query parameters,
on every redirect that leaves the origin, a change of port or scheme included.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "x-goog-api-key", "x-api-key",
                                "api-key", "access_token", "cookie", "x-auth-token"})
CREDENTIAL_PARAMS = frozenset({"access_token", "token", "key", "api_key", "apikey", "password", "secret",
                               "client_secret", "sig", "signature", "auth", "jwt"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def same_origin(a: str, b: str) -> bool:
    return origin(a) == origin(b)


def strip_credential_params(url: str) -> str:
    """The URL without query parameters that carry credentials."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() not in CREDENTIAL_PARAMS]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment))


def strip_credential_headers(headers, extra: frozenset[str] = frozenset()) -> None:
    for name in list(headers):
        if name.lower() in CREDENTIAL_HEADERS or name.lower() in extra:
            del headers[name]


class CredentialSafeSession(requests.Session):
    """A requests session that forwards no credential across origins when following redirects."""

    def __init__(self, extra_credential_headers: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.extra_credential_headers = frozenset(h.lower() for h in extra_credential_headers)

    def rebuild_auth(self, prepared_request, response) -> None:
        if not same_origin(response.request.url, prepared_request.url):
            strip_credential_headers(prepared_request.headers, self.extra_credential_headers)
            prepared_request.prepare_url(strip_credential_params(prepared_request.url), None)
        super().rebuild_auth(prepared_request, response)
