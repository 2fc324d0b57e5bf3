"""Pure helpers shared by the social connectors."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from mediawatch.crawlers.social.common import parse_time, title_from, to_int
from mediawatch.crawlers.social.facebook import inspect as graph_inspect, usage_pct
from mediawatch.crawlers.social.http import Response, parse_wait, platform_message, redact
from mediawatch.crawlers.social.youtube import error_reason, video_document


def test_parse_wait_forms():
    now = 1_800_000_000.0
    assert parse_wait("30", now) == 30
    assert parse_wait(str(int(now) + 12), now) == 12  # Bluesky ratelimit-reset: epoch seconds
    assert parse_wait("2027-01-15T08:00:12Z", datetime(2027, 1, 15, 8, 0, tzinfo=timezone.utc).timestamp()) == 12
    assert parse_wait("Fri, 15 Jan 2027 08:00:05 GMT",
                      datetime(2027, 1, 15, 8, 0, tzinfo=timezone.utc).timestamp()) == 5
    assert parse_wait("soon", now) is None and parse_wait(None) is None
    assert parse_wait("1999-01-01T00:00:00Z") == 0  # in the past: no wait


def test_counts_times_titles():
    assert to_int("1.2K") == 1200 and to_int("3,4 N") == 3400 and to_int("2 Tr") == 2_000_000
    assert to_int("12 345") == 12345 and to_int("1,234") == 1234 and to_int(None) == 0 and to_int(7.9) == 7
    assert parse_time("2026-11-20T08:00:00+0000") == datetime(2026, 11, 20, 8, tzinfo=timezone.utc)
    assert parse_time("2026-11-20 15:00:00+07:00") == datetime(2026, 11, 20, 8, tzinfo=timezone.utc)
    assert parse_time(1_700_000_000) == datetime.fromtimestamp(1_700_000_000, tz=timezone.utc)
    assert parse_time("hôm qua") is None
    assert title_from("Dòng một\nDòng hai") == "Dòng một"
    assert title_from("từ " * 80).endswith("…") and len(title_from("từ " * 80)) <= 121


def test_redact_and_platform_messages_keep_secrets_out():
    assert redact("https://graph.facebook.com/v21.0/p/posts?access_token=SECRET&after=x") == \
        "https://graph.facebook.com/v21.0/p/posts"
    assert platform_message({"error": {"message": "The <code>videoId</code> is bad"}}) == ": The videoId is bad"
    assert platform_message(None) == ""


def test_graph_usage_headers():
    def response(status=200, body=b"{}", **headers):
        return Response(status, headers, body, "http://x/")

    assert usage_pct(response(**{"X-App-Usage": json.dumps({"call_count": 42, "total_time": 7})})) == 42
    assert graph_inspect(response(**{"X-App-Usage": json.dumps({"call_count": 96})})) == 60.0
    assert graph_inspect(response(**{"X-App-Usage": "not json"})) is None
    throttled = response(400, json.dumps({"error": {"code": 613}}).encode(), **{"Retry-After": "7"})
    assert graph_inspect(throttled) == 7
    assert graph_inspect(response(400, json.dumps({"error": {"code": 100}}).encode())) is None


def test_youtube_shapes():
    assert error_reason({"error": {"errors": [{"reason": "quotaExceeded"}]}}) == "quotaExceeded"
    assert error_reason({"error": "x"}) is None
    assert video_document(None, {"id": "abc"}) is None  # no snippet: skipped
