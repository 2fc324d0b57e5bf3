"""Feed parsing: real VnExpress feeds, malformed feeds, windows-1258, Vietnamese dates, 304."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from mediawatch.crawlers.feeds import parse_feed
from mediawatch.errors import BadInputError
from tests.site.build import to_cp1258

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "crawl" / "feeds"


@pytest.mark.parametrize("name", ["vnexpress_2", "vnexpress_3", "vnexpress_4", "vnexpress_5"])
def test_real_vnexpress_feeds(name):
    feed = parse_feed((SHARED / f"{name}.xml").read_bytes())
    assert feed.links and feed.title.endswith("VnExpress RSS")
    for link in feed.links:
        assert link.url.startswith("http://") and ".vnexpress.net/" in link.url.replace("//vnexpress", "//.vnexpress")
        assert "\n" not in link.url
        assert link.title and link.title == link.title.strip()
        assert link.published_at is not None and link.published_at.tzinfo is not None


def test_vnexpress_feed_dates_and_summary():
    feed = parse_feed((SHARED / "vnexpress_3.xml").read_bytes())
    first = feed.links[0]
    assert first.title == "Bộ Nông nghiệp kiểm tra vết rạn nứt trên thân đập dâng ở Hà Tĩnh"
    assert first.published_at == datetime(2017, 3, 25, 12, 40, 38, tzinfo=timezone.utc)
    assert first.summary.startswith("Sau khi thân đập dâng Vũ Quang (Hà Tĩnh) xuất hiện nhiều vết rạn nứt")
    assert "<img" not in first.summary


def _rss(items: str, encoding: str = "utf-8") -> str:
    return (f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>Báo thử</title>'
            f"{items}</channel></rss>")


def test_vietnamese_pubdate_forms():
    body = _rss("<item><title>A</title><link>http://bao.test/a-1.html</link>"
                "<pubDate>Thứ hai, 23/3/2015, 10:05 (GMT+7)</pubDate></item>"
                "<item><title>B</title><link>http://bao.test/b-2.html</link><pubDate>23/03/2015 10:05</pubDate>"
                "<updated>2015-03-24T08:00:00+07:00</updated></item>").encode()
    links = parse_feed(body).links
    assert [link.published_at for link in links] == [datetime(2015, 3, 23, 3, 5, tzinfo=timezone.utc)] * 2


def test_windows_1258_feed_is_nfc():
    body = to_cp1258(_rss("<item><title>Mưa lũ ở Sa Pa, Lào Cai</title><link>http://bao.test/m-1.html</link>"
                          "<description>Sạt lở trên Quốc lộ 4D</description></item>", "windows-1258"))
    assert "lu\u0303".encode("cp1258") in body  # "lũ" written as u + combining tilde
    feed = parse_feed(body)
    assert feed.title == "Báo thử" and feed.problem is None
    assert feed.links[0].title == "Mưa lũ ở Sa Pa, Lào Cai"
    assert feed.links[0].summary == "Sạt lở trên Quốc lộ 4D"


def test_malformed_feed_keeps_entries_that_parse():
    body = _rss("<item><title>Tốt</title><link>http://bao.test/t-1.html</link></item>"
                "<item><title>Hỏng & thiếu</title><link>http://bao.test/h-2.html</link></item>"
                "<item><title>Cắt cụt").encode()
    feed = parse_feed(body)
    assert feed.problem and [link.url for link in feed.links][:1] == ["http://bao.test/t-1.html"]


def test_unreadable_feed_is_bad_input():
    with pytest.raises(BadInputError) as info:
        parse_feed(b"<html><body>Trang bao tri</body></html>")
    assert "RSS/Atom" in info.value.fix
