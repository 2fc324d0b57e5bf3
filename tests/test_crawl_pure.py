"""Pure crawling logic: dates, canonical URLs, address checks, health, without servers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mediawatch.crawlers.dates import parse_date
from mediawatch.crawlers.fetch import FetchError, check_address, is_public_ip
from mediawatch.crawlers.health import silent_sources, summarise
from mediawatch.crawlers.urls import canonical_url, url_doc_id
from mediawatch.store.base import RunRecord

UTC = timezone.utc


@pytest.mark.parametrize("text, expected", [
    ("Thứ hai, 23/3/2015, 10:05 (GMT+7)", datetime(2015, 3, 23, 3, 5, tzinfo=UTC)),
    ("23/03/2015 10:05", datetime(2015, 3, 23, 3, 5, tzinfo=UTC)),
    ("10:05 23/03/2015", datetime(2015, 3, 23, 3, 5, tzinfo=UTC)),
    ("23-03-2015 - 10:05:00 PM", datetime(2015, 3, 23, 15, 5, tzinfo=UTC)),
    ("Cập nhật: 08:30 ngày 12/07/2025", datetime(2025, 7, 12, 1, 30, tzinfo=UTC)),
    ("Thứ Hai, 23/03/2015 10:05 AM GMT+7", datetime(2015, 3, 23, 3, 5, tzinfo=UTC)),
    ("Sat, 25 Mar 2017 19:40:38 +0700", datetime(2017, 3, 25, 12, 40, 38, tzinfo=UTC)),
    ("Sat, 25 Mar 2017 12:40:38 GMT", datetime(2017, 3, 25, 12, 40, 38, tzinfo=UTC)),
    ("2025-07-12T08:30:00+07:00", datetime(2025, 7, 12, 1, 30, tzinfo=UTC)),
    ("2025-07-12T01:30:00Z", datetime(2025, 7, 12, 1, 30, tzinfo=UTC)),
    ("2025-07-12", datetime(2025, 7, 11, 17, 0, tzinfo=UTC)),
    ("23/3/2015", datetime(2015, 3, 22, 17, 0, tzinfo=UTC)),
])
def test_vietnamese_date_formats(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "hôm qua", "32/13/2015 10:00", None])
def test_unreadable_dates_are_none(text):
    assert parse_date(text) is None


def test_canonical_url_strips_tracking_and_normalises():
    messy = "HTTPS://VnExpress.NET:443/thoi-su//bai-viet-123.html/?utm_source=fb&b=2&fbclid=x&a=1&gclid=y#binh-luan"
    assert canonical_url(messy) == "https://vnexpress.net/thoi-su/bai-viet-123.html?a=1&b=2"
    assert canonical_url("http://example.vn") == "http://example.vn/"
    assert canonical_url("http://example.vn:8080/a/") == "http://example.vn:8080/a"
    assert canonical_url("../b.html?id=5", base="http://example.vn/a/c/") == "http://example.vn/a/b.html?id=5"
    assert url_doc_id("http://Example.vn/a?utm_medium=x") == url_doc_id("http://example.vn/a/")
    assert url_doc_id("http://example.vn/a?id=1") != url_doc_id("http://example.vn/a?id=2")


@pytest.mark.parametrize("ip, public", [("8.8.8.8", True), ("127.0.0.1", False), ("10.1.2.3", False),
                                        ("192.168.1.1", False), ("169.254.169.254", False), ("::1", False),
                                        ("fe80::1", False), ("::ffff:127.0.0.1", False), ("0.0.0.0", False)])
def test_public_ip(ip, public):
    assert is_public_ip(ip) is public


def test_private_addresses_refused_unless_allowed():
    with pytest.raises(FetchError) as info:
        check_address("http://127.0.0.1:8000/x", frozenset())
    assert info.value.reason == "private_address" and "allow_private_hosts" in info.value.fix
    with pytest.raises(FetchError) as info:
        check_address("http://169.254.169.254/latest/meta-data", frozenset({"127.0.0.1"}))
    assert info.value.reason == "private_address"
    check_address("http://127.0.0.1:8000/x", frozenset({"127.0.0.1"}))
    with pytest.raises(FetchError) as info:
        check_address("file:///etc/passwd", frozenset())
    assert info.value.reason == "bad_url"
    with pytest.raises(FetchError) as info:
        check_address("http://localhost/", frozenset())
    assert info.value.reason == "private_address"


def _run(source, hours_ago_published, now, *, errors=None, fetched=1):
    published = now - timedelta(hours=hours_ago_published) if hours_ago_published is not None else None
    return RunRecord(run_id="r", source_id=source, started_at=now, finished_at=now, fetched=fetched,
                     errors=errors or {}, last_published_at=published)


def test_silent_source_after_longer_than_usual_gap():
    now = datetime(2026, 7, 20, 12, tzinfo=UTC)
    # 'daily' published every 2 hours until 30 hours ago; 'steady' published an hour ago.
    runs = [_run("daily", 30 + 2 * k, now) for k in range(8)] + [_run("steady", 1 + 2 * k, now) for k in range(8)]
    runs += [_run("new", 50, now)]  # too little history to judge
    silent = silent_sources(runs, now)
    assert [s.source_id for s in silent] == ["daily"]
    assert silent[0].typical_gap == timedelta(hours=2)
    assert silent[0].silent_for == timedelta(hours=30)
    # Same history judged 3 hours after its last item: not yet silent (min_silence 6h).
    assert silent_sources([_run("daily", 3 + 2 * k, now) for k in range(8)], now) == []


def test_summarise_counts_failures_by_group():
    now = datetime(2026, 7, 20, 12, tzinfo=UTC)
    runs = [_run("a", 5, now - timedelta(hours=1), errors={"timeout": 2, "http_404": 1, "extraction": 1}),
            _run("a", 2, now, errors={"robots": 1}, fetched=0)]
    health = summarise(runs)["a"]
    assert health.runs == 2
    assert health.failures == {"network": 2, "http": 1, "extraction": 1, "robots": 1}
    assert health.last_published_at == now - timedelta(hours=2)
    assert health.last_success_at == now - timedelta(hours=1)


def test_scrapy_failures_are_sorted_by_their_type_not_their_name():
    from twisted.internet import defer, error
    from twisted.python.failure import Failure

    from mediawatch.crawlers.scrapy_runner import failure_reason

    class Request:
        url = "http://bao.test/a.html"

    def reason(exc: Exception) -> str:
        failure = Failure(exc)
        failure.request = Request()
        return failure_reason(failure)[0]

    from scrapy.exceptions import CannotResolveHostError, DownloadCancelledError, DownloadTimeoutError

    assert reason(CannotResolveHostError("bao.test")) == "dns" == reason(error.DNSLookupError("bao.test"))
    assert reason(DownloadTimeoutError("took longer than 1.0 seconds")) == "timeout"
    assert reason(error.TimeoutError()) == "timeout" and reason(error.TCPTimedOutError()) == "timeout"
    assert reason(DownloadCancelledError("max size")) == "too_large" == reason(defer.CancelledError())

    class TimeoutishButNot(Exception):
        pass

    assert reason(TimeoutishButNot("timed out resolving dns")) == "connect"
