"""A small HTTP client for platform APIs: retries, Retry-After and quota headers, no secret leaks.

Messages and exceptions name only scheme, host and path: query strings carry access tokens and API
keys, and a platform's paging URL may carry anything, so they never reach a log line.
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

import requests

from mediawatch.errors import BadInputError, PermanentError, TemporaryError
from mediawatch.redact import scrub
from mediawatch.safe_http import CredentialSafeSession

log = logging.getLogger("mediawatch.social")


def redact(url: str) -> str:
    """The URL without query and fragment: safe to log."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def parse_wait(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After or rate-limit reset header.

    Accepts delta seconds (``Retry-After: 30``), epoch seconds (Bluesky ``ratelimit-reset``),
    an HTTP date (``Retry-After``) or ISO 8601 (Mastodon ``X-RateLimit-Reset``).
    """
    if value is None or not value.strip():
        return None
    now = time.time() if now is None else now
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        # A number this large is a point in time, not a delay.
        return max(0.0, number - now) if number > 1_000_000_000 else max(0.0, number)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        when = None
    if when is None:
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - now)


def platform_message(payload: Any) -> str:
    """The platform's own error text (Graph, YouTube, XRPC, Mastodon shapes), short and tag-free."""
    text = None
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict):
            text = error.get("message")
        elif isinstance(payload.get("message"), str):
            text = payload["message"]
        elif isinstance(error, str):
            text = error
    if not isinstance(text, str) or not text.strip():
        return ""
    # Scrubbed before it is cut: a token cut in half no longer looks like the token.
    text = scrub(" ".join(re.sub(r"<[^>]+>", "", text[:4000]).split()), limit=160)
    return f": {text}"


@dataclass(slots=True)
class Response:
    status: int
    headers: Mapping[str, str]  # case-insensitive (requests' CaseInsensitiveDict)
    body: bytes
    url: str

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadInputError(f"{redact(self.url)} did not answer JSON ({exc.__class__.__name__})",
                                data=redact(self.url)) from None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class RateLimited(TemporaryError):
    """The platform asked us to wait longer than ``social.max_retry_wait_s``: stop for this run."""


class ApiError(PermanentError):
    """An HTTP error the caller may want to inspect (YouTube's reason codes, Graph's error codes)."""

    def __init__(self, message: str, *, status: int, payload: Any = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.status = status
        self.payload = payload


# Decides from a response whether to wait (seconds), give up (raise) or accept it (None).
Inspector = Callable[[Response], float | None]


class ApiClient:
    def __init__(self, *, source_id: str, user_agent: str, timeout_s: float, max_bytes: int,
                 max_wait_s: float, max_retries: int, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, inspect: Inspector | None = None):
        self.source_id = source_id
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.max_wait_s = max_wait_s
        self.max_retries = max_retries
        # Redirects are followed, but an API key or token never goes to another origin.
        self.session = session or CredentialSafeSession()
        self.session.headers["User-Agent"] = user_agent
        self.sleep = sleep
        self.inspect = inspect
        self.requests = 0
        self.waited_s = 0.0

    @classmethod
    def for_context(cls, ctx, **kwargs: Any) -> "ApiClient":
        settings = ctx.settings
        return cls(source_id=ctx.report.source_id, user_agent=settings.user_agent(),
                   timeout_s=settings.crawl.timeout_s, max_bytes=settings.crawl.max_bytes,
                   max_wait_s=settings.social.max_retry_wait_s, max_retries=settings.social.max_retries,
                   sleep=ctx.extras.get("sleep", time.sleep), **kwargs)

    def close(self) -> None:
        self.session.close()

    def _wait(self, seconds: float, why: str, url: str) -> None:
        if seconds > self.max_wait_s:
            raise RateLimited(f"{why} at {redact(url)}: asked to wait {seconds:.0f} s, more than "
                              f"social.max_retry_wait_s ({self.max_wait_s:g} s); the next run resumes "
                              "from the saved cursor", data=redact(url))
        log.info("[%s] %s at %s: waiting %.1f s", self.source_id, why, redact(url), seconds)
        self.waited_s += seconds
        self.sleep(seconds)

    def _fetch(self, method: str, url: str, **kwargs: Any) -> Response:
        self.requests += 1
        try:
            raw = self.session.request(method, url, timeout=self.timeout_s, stream=True, **kwargs)
        except requests.Timeout:
            raise TemporaryError(f"timed out fetching {redact(url)}",
                                 data=redact(url)) from None
        except requests.RequestException as exc:
            # The exception text embeds the full URL (and its token): keep only the class name.
            raise TemporaryError(f"cannot fetch {redact(url)}: {exc.__class__.__name__}",
                                 data=redact(url),
                                 fix="check the API base URL in settings.social and that the host is up"
                                 ) from None
        with raw:
            body = bytearray()
            for chunk in raw.iter_content(65536):
                body += chunk
                if len(body) > self.max_bytes:
                    raise PermanentError(f"{redact(url)} answered more than crawl.max_bytes",
                                         data=redact(url))
            return Response(raw.status_code, raw.headers, bytes(body), url)

    def request(self, url: str, *, params: dict[str, Any] | None = None, method: str = "GET",
                headers: dict[str, str] | None = None, json_body: Any = None) -> Response:
        """One API call with retries. Raises ApiError (4xx), TemporaryError or RateLimited.

        A wait the platform names (Retry-After, reset headers, quota headers via ``inspect``) is
        honoured exactly or, when longer than ``max_wait_s``, ends the run (RateLimited). Our own
        backoff after a 5xx without such a header is capped at ``max_wait_s``.
        """
        attempt = 0
        while True:
            response = self._fetch(method, url, params=params, headers=headers, json=json_body)
            told = self.inspect(response) if self.inspect else None
            if response.status < 400:
                if told:  # the quota header says slow down: pause before the next call
                    self._wait(told, "quota nearly used", url)
                return response
            if response.status != 429 and response.status < 500 and told is None:
                try:
                    payload = json.loads(response.body)
                except (ValueError, UnicodeDecodeError):
                    payload = None
                raise ApiError(f"HTTP {response.status} from {redact(url)}{platform_message(payload)}",
                               status=response.status, payload=payload, data=redact(url))
            if told is None:
                for name in ("Retry-After", "ratelimit-reset", "X-RateLimit-Reset"):
                    told = parse_wait(response.headers.get(name))
                    if told is not None:
                        break
            if attempt >= self.max_retries:
                raise TemporaryError(f"HTTP {response.status} from {redact(url)} after "
                                     f"{attempt + 1} attempts", data=redact(url))
            attempt += 1
            why = {429: "rate limited (HTTP 429)"}.get(
                response.status, f"quota or rate limit reached (HTTP {response.status})"
                if response.status < 500 else f"HTTP {response.status}")
            if told is None:
                backoff = min(2.0 ** (attempt - 1), self.max_wait_s)
                log.info("[%s] %s at %s: retrying in %.1f s", self.source_id, why, redact(url), backoff)
                self.sleep(backoff)
            else:
                self._wait(told, why, url)

    def get_json(self, url: str, params: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> tuple[Any, Response]:
        response = self.request(url, params=params, headers=headers)
        return response.json(), response
