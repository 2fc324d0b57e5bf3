"""The polite fetcher against the real test server: each misbehaving page fails with a clear reason."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from mediawatch.crawlers.fetch import Fetcher, FetchError, FetchPolicy
from tests.site.fixtures import settings_for, site  # noqa: F401 - fixture


def _fetcher(**crawl) -> Fetcher:
    return Fetcher(FetchPolicy.from_settings(settings_for(**crawl)))


def _reason(fetcher: Fetcher, url: str) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetcher.get(url)
    return info.value


def test_fetch_sends_identifying_user_agent(site):
    result = _fetcher().get(site.urls["a"] + "thoi-su/")
    assert result.status == 200 and b"Trang sau" in result.body
    assert any("mediawatch" in ua and "+https://" in ua for ua in site.server.user_agents)


def test_404_is_permanent_http_404(site):
    error = _reason(_fetcher(), site.urls["a"] + "khong-co-100000.html")
    assert error.reason == "http_404" and error.kind.value == "permanent" and error.status == 404


def test_page_that_never_finishes_times_out(site):
    started = time.monotonic()
    error = _reason(_fetcher(timeout_s=1.0, retries=0), site.base + "/slow.html")
    assert error.reason == "timeout" and error.kind.value == "temporary"
    assert time.monotonic() - started < 5


def test_20mb_page_is_cut_at_max_bytes_without_reading_it_whole(site):
    tracemalloc.start()
    try:
        error = _reason(_fetcher(max_bytes=1_000_000), site.base + "/huge.html")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.reason == "too_large" and "crawl.max_bytes" in str(error)
    assert peak < 5_000_000  # streamed: far below the 20 MB the server would send


def test_redirect_to_private_address_is_refused(site):
    error = _reason(_fetcher(), site.base + "/redirect-private")
    assert error.reason == "private_address" and "10.255.255.1" in str(error)


def test_loopback_refused_when_not_allowed(site):
    error = _reason(_fetcher(allow_private_hosts=[]), site.urls["feed"])
    assert error.reason == "private_address" and "allow_private_hosts" in str(error)


def test_robots_disallowed_page_is_not_fetched(site):
    url = site.urls["a"] + "private/bao-cao-noi-bo-100150.html"
    before = site.server.hits["/a/private/bao-cao-noi-bo-100150.html"]
    error = _reason(_fetcher(), url)
    assert error.reason == "robots"
    assert site.server.hits["/a/private/bao-cao-noi-bo-100150.html"] == before
    assert _fetcher(obey_robots=False).get(url).status == 200


def test_503_with_retry_after_is_retried(site):
    slept = []
    fetcher = Fetcher(FetchPolicy.from_settings(settings_for()), sleep=slept.append)
    result = fetcher.get(site.urls["a"] + "flaky-le-hoi-den-thuong-thu-hut-hang-nghin-du-khach-100103.html")
    assert result.status == 200 and slept == [0.0]


def test_conditional_get_returns_304(site):
    fetcher = _fetcher()
    first = fetcher.get(site.urls["feed_b"])
    again = fetcher.get(site.urls["feed_b"], {"If-None-Match": first.headers["etag"]})
    assert again.not_modified and again.body == b""


def test_per_host_delay_spaces_requests(site):
    fetcher = _fetcher(per_host_delay_s=0.2)
    fetcher.get(site.urls["feed_b"])  # robots.txt and the first request
    started = time.monotonic()
    fetcher.get(site.urls["feed_b"])
    fetcher.get(site.urls["feed_b"])
    assert time.monotonic() - started >= 0.35


def test_robots_txt_is_shared_between_fetchers(site):
    _fetcher().get(site.urls["feed_b"])
    before = site.server.hits["/robots.txt"]
    for _ in range(3):
        _fetcher().get(site.urls["feed_b"])
    assert site.server.hits["/robots.txt"] == before
