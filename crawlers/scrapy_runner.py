"""Run Scrapy crawls repeatedly inside a long-running process (Prefect worker, `mediawatch run`).

Choice: the asyncio Twisted reactor is installed once and runs for the life of the process in a
daemon thread; each crawl is an ``AsyncCrawlerRunner`` job scheduled onto it, and items flow back
to the calling thread through a queue. Why not the reactor-less mode (``TWISTED_REACTOR_ENABLED =
False`` with the aiohttp handler): in Scrapy 2.19 that handler is marked experimental and the mode
refuses to start once anything in the process has installed a reactor; the reactor thread keeps
Scrapy's mature HTTP/1.1 handler (streamed DOWNLOAD_MAXSIZE, timeouts) and never needs a restart,
so ReactorNotRestartable cannot happen.

The politeness settings come from the same :class:`~mediawatch.crawlers.fetch.FetchPolicy` as the requests
path; :class:`PrivateAddressMiddleware` applies the same address check to every request,
redirects included (Scrapy reschedules redirects through the downloader middlewares), and
:class:`RetryAfterMiddleware` makes Scrapy's retries respect Retry-After.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Iterator

from scrapy.exceptions import CannotResolveHostError, DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from twisted.internet import defer
from twisted.internet import error as net_error

from .fetch import FetchError, FetchPolicy, check_address, retry_after_seconds

log = logging.getLogger("mediawatch.crawl")

_lock = threading.Lock()
_reactor: Any = None
_DONE = object()
CRAWL_TIMEOUT_S = 900


class RefusedAddress(IgnoreRequest):
    def __init__(self, error: FetchError):
        super().__init__(str(error))
        self.error = error


class PrivateAddressMiddleware:
    """Downloader middleware: refuse private/loopback/link-local targets unless allowed."""

    def __init__(self, allowed: frozenset[str]):
        self.allowed = allowed

    @classmethod
    def from_crawler(cls, crawler):
        return cls(frozenset(h.lower() for h in crawler.settings.getlist("MEDIAWATCH_ALLOW_PRIVATE_HOSTS")))

    def process_request(self, request, spider=None):
        try:
            check_address(request.url, self.allowed)
        except FetchError as exc:
            raise RefusedAddress(exc) from None
        return None


class RetryAfterMiddleware:
    """Downloader middleware: a 429/503 with Retry-After slows that host's download slot to at least
    the asked delay before Scrapy's RetryMiddleware (which does not read the header) retries it.
    A Retry-After above the cap is not waited for: the retry budget decides."""

    def __init__(self, crawler, cap_s: float):
        self.crawler = crawler
        self.cap_s = cap_s

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.getfloat("MEDIAWATCH_MAX_RETRY_AFTER_S", 120.0))

    def process_response(self, request, response, spider=None):
        if response.status in (429, 503):
            raw = response.headers.get(b"Retry-After")
            wait = retry_after_seconds(raw.decode("latin-1") if raw else None)
            downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
            if wait is not None and wait <= self.cap_s and downloader is not None:
                key = downloader.get_slot_key(request)
                slot = downloader.slots.get(key)
                if slot is not None:
                    slot.delay = max(slot.delay, wait)
        return response


def scrapy_settings(policy: FetchPolicy) -> dict[str, Any]:
    return {
        "USER_AGENT": policy.user_agent,
        "ROBOTSTXT_OBEY": policy.obey_robots,
        "ROBOTSTXT_USER_AGENT": policy.user_agent,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": max(policy.per_host_delay_s, 0.01),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(policy.concurrency_per_host),
        "DOWNLOAD_DELAY": policy.per_host_delay_s,
        "CONCURRENT_REQUESTS_PER_DOMAIN": policy.concurrency_per_host,
        "CONCURRENT_REQUESTS": 16,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": policy.retries,
        "RETRY_HTTP_CODES": [429, 500, 502, 503, 504],
        "DOWNLOAD_TIMEOUT": policy.timeout_s,
        "DOWNLOAD_MAXSIZE": policy.max_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "CLOSESPIDER_TIMEOUT": CRAWL_TIMEOUT_S,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        # Retry (550) sees the response after RetryAfter (560) has slowed the slot.
        "DOWNLOADER_MIDDLEWARES": {"mediawatch.crawlers.scrapy_runner.PrivateAddressMiddleware": 50,
                                   "mediawatch.crawlers.scrapy_runner.RetryAfterMiddleware": 560},
        "MEDIAWATCH_MAX_RETRY_AFTER_S": policy.max_retry_after_s,
        "MEDIAWATCH_ALLOW_PRIVATE_HOSTS": sorted(policy.allow_private_hosts),
    }


def _ensure_reactor():
    global _reactor
    with _lock:
        if _reactor is not None:
            return _reactor
        ready = threading.Event()
        box: dict[str, Any] = {}

        def run() -> None:
            try:
                from scrapy.utils.reactor import install_reactor

                install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
                from twisted.internet import reactor

                box["reactor"] = reactor
                reactor.callWhenRunning(ready.set)
                reactor.run(installSignalHandlers=False)
            except BaseException as exc:  # reported to the caller below
                box["error"] = exc
                ready.set()

        threading.Thread(target=run, name="mediawatch-scrapy-reactor", daemon=True).start()
        ready.wait(30)
        if "error" in box or "reactor" not in box:
            raise RuntimeError(f"cannot start the Scrapy reactor thread: {box.get('error')!r}")
        _reactor = box["reactor"]
        return _reactor


def failure_reason(failure) -> tuple[str, str]:
    """A Twisted failure from a request -> (health reason, message)."""
    exc = failure.value
    if isinstance(exc, RefusedAddress):
        return exc.error.reason, str(exc.error)
    name = type(exc).__name__
    text = str(exc)
    response = getattr(exc, "response", None)
    url = getattr(getattr(failure, "request", None), "url", "") or (response.url if response is not None else "")
    if response is not None and getattr(response, "status", None):
        return f"http_{response.status}", f"{response.url}: HTTP {response.status}"
    if isinstance(exc, IgnoreRequest):
        if "robots" in text.lower():
            return "robots", f"{url}: disallowed by robots.txt"
        return "ignored", f"{url}: {text}"
    # Typed, never guessed from class names: Scrapy wraps Twisted's errors in its own types.
    if isinstance(exc, (CannotResolveHostError, net_error.DNSLookupError)):
        return "dns", f"{url}: cannot resolve host ({name})"
    if isinstance(exc, (DownloadTimeoutError, net_error.TimeoutError, net_error.TCPTimedOutError,
                        defer.TimeoutError)):
        return "timeout", f"{url}: timed out ({name})"
    if isinstance(exc, (DownloadCancelledError, defer.CancelledError)):  # past DOWNLOAD_MAXSIZE
        return "too_large", f"{url}: larger than crawl.max_bytes ({name})"
    return "connect", f"{url}: {name}: {text}"


def crawl(spidercls, policy: FetchPolicy, **spider_kwargs: Any) -> Iterator[dict[str, Any]]:
    """Run one crawl on the shared reactor and yield the dicts the spider sends to its ``sink``."""
    reactor = _ensure_reactor()
    items: queue.Queue = queue.Queue()
    handle: dict[str, Any] = {}

    def start() -> None:
        from scrapy.crawler import AsyncCrawlerRunner

        try:
            runner = AsyncCrawlerRunner(scrapy_settings(policy))
            handle["runner"] = runner
            task = runner.crawl(spidercls, sink=items.put, **spider_kwargs)
            task.add_done_callback(lambda t: items.put((_DONE, t.exception() if not t.cancelled() else None)))
        except Exception as exc:  # reported to the calling thread
            items.put((_DONE, exc))

    reactor.callFromThread(start)
    finished = False
    try:
        while True:
            item = items.get(timeout=CRAWL_TIMEOUT_S + 60)
            if isinstance(item, tuple) and item and item[0] is _DONE:
                finished = True
                if item[1] is not None:
                    raise RuntimeError(f"crawl failed: {item[1]!r}") from item[1]
                return
            yield item
    finally:
        if not finished and "runner" in handle:
            import asyncio

            runner = handle["runner"]
            reactor.callFromThread(lambda: asyncio.ensure_future(runner.stop()))
