"""The HTTP fetch policy, shared by the feed/article path (requests) and the Scrapy path.

One place decides what a polite, safe fetch is: identifying User-Agent, robots.txt, a per-host
delay and concurrency cap, retries with backoff on 429/5xx (Retry-After honoured), a streamed size
cap, a total deadline, and refusal of private/loopback/link-local addresses (checked on every
redirect hop) unless the host is allowed in ``crawl.allow_private_hosts``.

Failures become :class:`FetchError` with a short ``reason`` ('dns', 'connect', 'timeout',
'http_404', 'too_large', 'private_address', 'robots', ...) that source health counts.
"""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import threading
import time
import urllib.robotparser
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import urljoin, urlsplit

import requests

from mediawatch.errors import ErrorKind, MediawatchError
from mediawatch.safe_http import CREDENTIAL_HEADERS, same_origin
from mediawatch.settings import Settings

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# robots.txt answers shared by the fetchers of one process (one per source and run), so a site with
# many feeds is asked once an hour, not once per feed.
ROBOTS_TTL_S = 3600.0
_ROBOTS_CACHE: dict[tuple[str, str], tuple[float, urllib.robotparser.RobotFileParser | None]] = {}
_ROBOTS_LOCK = threading.Lock()
MAX_REDIRECTS = 5
CHUNK = 65536


@dataclass(frozen=True)
class FetchPolicy:
    user_agent: str
    timeout_s: float = 20.0
    max_bytes: int = 5_000_000
    per_host_delay_s: float = 1.0
    concurrency_per_host: int = 2
    allow_private_hosts: frozenset[str] = frozenset()
    obey_robots: bool = True
    retries: int = 2
    backoff_s: float = 1.0
    max_retry_after_s: float = 120.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "FetchPolicy":
        crawl = settings.crawl
        return cls(user_agent=settings.user_agent(), timeout_s=crawl.timeout_s, max_bytes=crawl.max_bytes,
                   per_host_delay_s=crawl.per_host_delay_s, concurrency_per_host=crawl.concurrency_per_host,
                   allow_private_hosts=frozenset(h.lower() for h in crawl.allow_private_hosts),
                   obey_robots=crawl.obey_robots, retries=crawl.retries, backoff_s=crawl.backoff_s)


class FetchError(MediawatchError):
    """A fetch that failed; ``reason`` is the health counter, ``status`` the HTTP status if any."""

    def __init__(self, reason: str, message: str, *, url: str, kind: ErrorKind,
                 status: int | None = None, fix: str | None = None):
        super().__init__(message, data=url, kind=kind, fix=fix)
        self.reason = reason
        self.url = url
        self.status = status


@dataclass
class FetchResult:
    url: str  # after redirects
    status: int
    headers: dict[str, str]
    body: bytes = b""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def charset(self) -> str | None:
        ctype = self.headers.get("content-type", "")
        for part in ctype.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip("\"' ").lower()
        return None


# --- address safety -------------------------------------------------------------------------------

def is_public_ip(value: str) -> bool:
    ip = ipaddress.ip_address(value.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
                or ip.is_multicast or ip.is_unspecified)


def resolve(host: str) -> list[str]:
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({info[4][0] for info in infos})


def check_address(url: str, allowed: frozenset[str]) -> None:
    """Refuse URLs whose host resolves to a non-public address, unless the host is allowed.

    Checked before each request and each redirect hop. (DNS can change between this check and the
    connection; the refusal is a guard against mistakes and hostile links, not a sandbox.)
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError("bad_url", f"{url}: only http and https are fetched", url=url, kind=ErrorKind.BAD_INPUT)
    host = (parts.hostname or "").lower()
    if not host:
        raise FetchError("bad_url", f"{url}: no host in URL", url=url, kind=ErrorKind.BAD_INPUT)
    if host in allowed:
        return
    try:
        addresses = resolve(host)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("dns", f"{url}: cannot resolve {host} ({exc})", url=url, kind=ErrorKind.TEMPORARY,
                         fix="check the host name and the machine's DNS") from None
    bad = [a for a in addresses if not is_public_ip(a)]
    if bad and not any(a in allowed for a in bad):
        raise FetchError("private_address", f"{url}: refused, {host} resolves to non-public address "
                         f"{bad[0]}", url=url, kind=ErrorKind.PERMANENT,
                         fix=f"add {host!r} to crawl.allow_private_hosts only if this host is trusted")


# --- per-host politeness -------------------------------------------------------------------------

class HostLimiter:
    """Per-host minimum delay between request starts and a cap on concurrent requests."""

    def __init__(self, delay_s: float, concurrency: int):
        self.delay_s = delay_s
        self.concurrency = concurrency
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._delays: dict[str, float] = {}

    def set_delay(self, host: str, delay_s: float) -> None:
        with self._lock:
            self._delays[host] = max(self.delay_s, delay_s)

    def acquire(self, host: str) -> None:
        with self._lock:
            slot = self._slots.setdefault(host, threading.BoundedSemaphore(self.concurrency))
        slot.acquire()
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, 0.0))
            self._next[host] = start + self._delays.get(host, self.delay_s)
        if start > now:
            time.sleep(start - now)

    def release(self, host: str) -> None:
        self._slots[host].release()


# --- the fetcher -------------------------------------------------------------------------------

def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


@dataclass
class Fetcher:
    """A polite HTTP client for one run. Not shared between threads running different runs."""

    policy: FetchPolicy
    sleep: Callable[[float], None] = time.sleep
    session: requests.Session = field(default_factory=requests.Session)
    limiter: HostLimiter | None = None
    _robots: dict[str, urllib.robotparser.RobotFileParser | None] = field(default_factory=dict)
    # Why an origin's robots.txt could not be read, so the refusal names the real cause.
    _robots_errors: dict[str, FetchError] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.limiter is None:
            self.limiter = HostLimiter(self.policy.per_host_delay_s, self.policy.concurrency_per_host)
        self.session.headers["User-Agent"] = self.policy.user_agent
        self.session.trust_env = False  # no proxies from the environment: the address check must hold

    def close(self) -> None:
        self.session.close()

    # robots.txt -------------------------------------------------------------------------------
    def allowed(self, url: str) -> bool:
        if not self.policy.obey_robots:
            return True
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            key = (origin, self.policy.user_agent)
            with _ROBOTS_LOCK:
                cached = _ROBOTS_CACHE.get(key)
            if cached is not None and cached[0] > time.monotonic():
                self._robots[origin] = cached[1]
            else:
                parser = self._load_robots(origin)
                self._robots[origin] = parser
                if parser is None or not parser.disallow_all:  # an unreachable robots.txt is asked again
                    with _ROBOTS_LOCK:
                        _ROBOTS_CACHE[key] = (time.monotonic() + ROBOTS_TTL_S, parser)
        parser = self._robots[origin]
        return True if parser is None else parser.can_fetch(self.policy.user_agent, url)

    def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        try:
            result = self._get(origin + "/robots.txt", {}, robots=False)
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                return None  # RFC 9309: an unavailable robots.txt allows everything
            parser.disallow_all = True  # unreachable: assume disallowed until it answers (RFC 9309)
            self._robots_errors[origin] = exc
            return parser
        parser.parse(result.body.decode("utf-8", "replace").splitlines())
        delay = parser.crawl_delay(self.policy.user_agent)
        if delay:
            self.limiter.set_delay(urlsplit(origin).hostname or "", float(delay))
        return parser

    # fetching ---------------------------------------------------------------------------------
    def get(self, url: str, headers: dict[str, str] | None = None) -> FetchResult:
        """GET with robots, address checks, retries, size cap and deadline. 304 is returned, not raised."""
        return self._get(url, headers or {}, robots=True)

    def _get(self, url: str, headers: dict[str, str], *, robots: bool) -> FetchResult:
        check_address(url, self.policy.allow_private_hosts)  # before robots: the clearer refusal
        if robots and not self.allowed(url):
            parts = urlsplit(url)
            cause = self._robots_errors.get(f"{parts.scheme}://{parts.netloc}")
            if cause is not None:
                raise FetchError(cause.reason, f"{url}: robots.txt could not be read ({cause.message}); "
                                 "nothing is fetched from this site until it answers (RFC 9309)",
                                 url=url, kind=ErrorKind.TEMPORARY, status=cause.status,
                                 fix="check that the site is up and the URL is right")
            raise FetchError("robots", f"{url}: disallowed by robots.txt", url=url, kind=ErrorKind.PERMANENT)
        attempt = 0
        while True:
            try:
                return self._follow(url, headers, robots=robots)
            except FetchError as exc:
                if attempt >= self.policy.retries or not self._retryable(exc):
                    raise
                wait = self.policy.backoff_s * (2 ** attempt)
                retry_after = getattr(exc, "retry_after", None)
                if retry_after is not None:
                    if retry_after > self.policy.max_retry_after_s:
                        raise
                    wait = retry_after
                attempt += 1
                self.sleep(wait)

    @staticmethod
    def _retryable(exc: FetchError) -> bool:
        return exc.reason in ("timeout", "connect") or (exc.status in RETRY_STATUSES)

    def _follow(self, url: str, headers: dict[str, str], *, robots: bool) -> FetchResult:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            check_address(current, self.policy.allow_private_hosts)
            result = self._once(current, headers)
            if result.status in (301, 302, 303, 307, 308) and "location" in result.headers:
                target = urljoin(current, result.headers["location"])
                check_address(target, self.policy.allow_private_hosts)
                if robots and not self.allowed(target):
                    raise FetchError("robots", f"{url}: redirect to {target} disallowed by robots.txt",
                                     url=url, kind=ErrorKind.PERMANENT)
                if not same_origin(current, target):
                    # Validators and any credential were meant for the first origin only.
                    headers = {k: v for k, v in headers.items()
                               if k.lower() not in CREDENTIAL_HEADERS and not k.lower().startswith("if-")}
                current = target
                continue
            return result
        raise FetchError("redirects", f"{url}: more than {MAX_REDIRECTS} redirects", url=url,
                         kind=ErrorKind.PERMANENT)

    def _once(self, url: str, headers: dict[str, str]) -> FetchResult:
        host = urlsplit(url).hostname or ""
        policy = self.policy
        self.limiter.acquire(host)
        try:
            deadline = time.monotonic() + policy.timeout_s
            try:
                response = self.session.get(url, headers=headers, stream=True, allow_redirects=False,
                                            timeout=(min(10.0, policy.timeout_s), policy.timeout_s))
            except requests.Timeout:
                raise FetchError("timeout", f"{url}: no answer within {policy.timeout_s:g}s", url=url,
                                 kind=ErrorKind.TEMPORARY) from None
            except requests.ConnectionError as exc:
                raise FetchError("connect", f"{url}: cannot connect ({exc.__class__.__name__})", url=url,
                                 kind=ErrorKind.TEMPORARY, fix="check that the site is up") from None
            with response:
                result_headers = {k.lower(): v for k, v in response.headers.items()}
                status = response.status_code
                if status >= 400:
                    error = FetchError(f"http_{status}", f"{url}: HTTP {status}", url=url, status=status,
                                       kind=ErrorKind.TEMPORARY if status in RETRY_STATUSES
                                       else ErrorKind.PERMANENT)
                    error.retry_after = retry_after_seconds(result_headers.get("retry-after"))
                    raise error
                if status in (304,) or 300 <= status < 400:
                    return FetchResult(url=url, status=status, headers=result_headers)
                declared = result_headers.get("content-length", "")
                if declared.isdigit() and int(declared) > policy.max_bytes:
                    raise self._too_large(url, int(declared))
                body = bytearray()
                try:
                    for chunk in response.iter_content(CHUNK):
                        body += chunk
                        if len(body) > policy.max_bytes:
                            raise self._too_large(url, len(body))
                        if time.monotonic() > deadline:
                            raise FetchError("timeout", f"{url}: not finished within {policy.timeout_s:g}s",
                                             url=url, kind=ErrorKind.TEMPORARY)
                except (requests.ConnectionError, requests.Timeout) as exc:
                    raise FetchError("timeout", f"{url}: body stalled ({exc.__class__.__name__})", url=url,
                                     kind=ErrorKind.TEMPORARY) from None
                return FetchResult(url=url, status=status, headers=result_headers, body=bytes(body))
        finally:
            self.limiter.release(host)

    def _too_large(self, url: str, size: int) -> FetchError:
        return FetchError("too_large", f"{url}: larger than crawl.max_bytes ({size} > "
                          f"{self.policy.max_bytes} bytes); not read further", url=url,
                          kind=ErrorKind.PERMANENT, fix="raise crawl.max_bytes if this page is legitimate")
