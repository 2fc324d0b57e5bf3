"""Hostile input: gzip bombs and corrupt sitemaps, pathological HTML, non-web links, impossible dates."""

from __future__ import annotations

import gzip
import zlib

import pytest
from typer.testing import CliRunner

from mediawatch.app.cli import app
from mediawatch.crawlers.base import CollectContext, SourceReport
from mediawatch.crawlers.extract import MAX_DEPTH, MAX_ELEMENTS, ExtractionError, extract_article
from mediawatch.crawlers.feeds import collect_feed, parse_feed
from mediawatch.crawlers.sitemaps import SitemapError, collect_sitemap, gunzip_capped, parse_sitemap
from mediawatch.dashboards.serve import newest_ms
from mediawatch.document import utcnow
from mediawatch.settings import Settings, SourceSettings
from mediawatch.store.sqlite import SQLiteStore
from tests.support.httpserver import StaticSite

CRAWL = {"allow_private_hosts": ["127.0.0.1"], "per_host_delay_s": 0, "retries": 0, "timeout_s": 5,
         "obey_robots": False}
GZIP = {"Content-Type": "application/x-gzip"}


def _collect(collector, source, settings, store):
    report = SourceReport(source_id=source.id)
    docs = list(collector(source, CollectContext(settings=settings, store=store, report=report)))
    return docs, report


def bomb(size: int) -> bytes:
    """A gzip sitemap whose single <loc> unpacks to ``size`` bytes (about 1,000:1)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [compressor.compress(b'<?xml version="1.0"?><urlset><url><loc>http://x.vn/')]
    chunk = b"a" * 1_000_000
    for _ in range(size // len(chunk)):
        parts.append(compressor.compress(chunk))
    parts.append(compressor.compress(b"</loc></url></urlset>"))
    parts.append(compressor.flush())
    return b"".join(parts)


def test_gzip_is_decompressed_in_a_stream_and_capped():
    body = bomb(20_000_000)
    assert len(body) < 100_000
    with pytest.raises(SitemapError) as info:
        gunzip_capped(body, 1_000_000)
    assert info.value.reason == "too_large" and "crawl.max_bytes" in info.value.message
    small = gzip.compress(b'<urlset><url><loc>https://x.vn/a.html</loc></url></urlset>')
    assert parse_sitemap(small, 1_000) == ("urlset", [{"loc": "https://x.vn/a.html"}])
    for broken in (b"\x1f\x8b\x08\x00garbage-not-deflate", small[:-12]):
        with pytest.raises(SitemapError) as info:
            parse_sitemap(broken, 1_000_000)
        assert info.value.reason == "parse" and "corrupt gzip" in info.value.message


def test_gzip_bomb_sitemap_is_a_short_too_large_failure(tmp_path):
    with StaticSite({"/sitemap.xml.gz": (200, GZIP, bomb(30_000_000))}) as site:
        settings = Settings(crawl={**CRAWL, "max_bytes": 500_000})
        source = SourceSettings(id="sm", type="sitemap", url=site.url + "/sitemap.xml.gz")
        with SQLiteStore(tmp_path / "s.db") as store:
            docs, report = _collect(collect_sitemap, source, settings, store)
    assert docs == [] and report.errors["too_large"] == 1
    assert all(len(m) <= 500 for m in report.messages)


def test_corrupt_gzip_sitemap_fails_the_source_with_exit_1(tmp_path):
    with StaticSite({"/sitemap.xml.gz": (200, GZIP, b"\x1f\x8b\x08\x00" + b"\x00garbage" * 50)}) as site:
        (tmp_path / "mediawatch.toml").write_text(f'''data_dir = "data"
[store]
url = "sqlite:///mw.db"
[crawl]
allow_private_hosts = ["127.0.0.1"]
per_host_delay_s = 0
retries = 0
obey_robots = false
[alerts]
enabled = false
[[sources]]
id = "sm"
type = "sitemap"
url = "{site.url}/sitemap.xml.gz"
''', encoding="utf-8")
        result = CliRunner().invoke(app, ["-c", str(tmp_path / "mediawatch.toml"), "run", "--no-classify"])
    assert result.exit_code == 1, result.output
    assert "sm: lấy 0," in result.output and "parse=1" in result.output
    with SQLiteStore(tmp_path / "mw.db") as store:
        (record,) = store.runs(source_id="sm")
    assert "corrupt gzip" in record.messages[0] and "Fix:" in record.messages[0]


def _nested(depth: int, blocks: int) -> str:
    block = "<div>" * depth + "Chữ trong khối lồng nhau. " * 3 + "</div>" * depth
    return "<html><body><h1>Tiêu đề</h1>" + block * blocks + "</body></html>"


@pytest.mark.parametrize("html", [_nested(MAX_DEPTH + 50, 2), _nested(3, MAX_ELEMENTS // 3 + 10),
                                  "<html><body>" + "<p>đoạn</p>" * (MAX_ELEMENTS + 5) + "</body></html>"],
                         ids=["deep", "many-nested", "many-flat"])
def test_pathological_html_is_refused_before_extraction(html):
    with pytest.raises(ExtractionError) as info:
        extract_article(html.encode(), "https://tin.vn/a.html")
    assert info.value.reason == "too_complex"


def test_ordinary_deep_page_still_extracts():
    text = "Người dân Văn Chấn đã được sơ tán an toàn trước khi lũ về. " * 10
    html = f"<html><body><h1>Lũ về</h1>{'<div>' * 30}<article><p>{text}</p></article>{'</div>' * 30}</body></html>"
    assert extract_article(html.encode(), "https://tin.vn/a.html").text.startswith("Người dân")


RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Báo thử</title>
<item><title>Bình thường</title><link>https://bao.test/tin-1.html</link><description>Tin một</description>
<pubDate>Mon, 01 Dec 2025 08:00:00 +0700</pubDate></item>
<item><title>Tương đối</title><link>/tin-2.html</link><description>Tin hai</description></item>
<item><title>JS</title><link>javascript:alert(document.cookie)</link><description>Tin ba</description></item>
<item><title>Data</title><link>data:text/html;base64,PHNjcmlwdD4=</link><description>Tin bốn</description></item>
<item><title>Năm 5138</title><link>https://bao.test/tin-5.html</link><description>Tin năm</description>
<pubDate>Sat, 01 Jan 5138 00:00:00 +0000</pubDate></item>
<item><title>Năm 1970</title><link>https://bao.test/tin-6.html</link><description>Tin sáu</description>
<pubDate>Thu, 01 Jan 1970 00:00:00 +0000</pubDate></item>
</channel></rss>"""


def test_feed_keeps_only_web_links_and_resolves_relative_ones():
    feed = parse_feed(RSS.encode(), base="https://bao.test/rss/home.rss")
    assert [link.url for link in feed.links] == ["https://bao.test/tin-1.html", "https://bao.test/tin-2.html",
                                                 "https://bao.test/tin-5.html", "https://bao.test/tin-6.html"]
    assert feed.not_web == 2


def test_feed_documents_have_web_urls_and_plausible_dates(tmp_path):
    with StaticSite({"/rss": (200, {"Content-Type": "application/rss+xml"}, RSS.encode())}) as site:
        settings = Settings(crawl=CRAWL)
        source = SourceSettings(id="rss", url=site.url + "/rss", options={"fetch_articles": False})
        with SQLiteStore(tmp_path / "s.db") as store:
            docs, report = _collect(collect_feed, source, settings, store)
            store.upsert(docs)
            newest = newest_ms(tmp_path / "s.db")
    assert sorted(d.url for d in docs) == sorted(["https://bao.test/tin-1.html", "https://bao.test/tin-5.html",
                                                  "https://bao.test/tin-6.html", site.url + "/tin-2.html"])
    assert report.errors["bad_url"] == 1 and "javascript:" in report.messages[0]
    by_title = {d.title: d for d in docs}
    future, epoch = by_title["Năm 5138"], by_title["Năm 1970"]
    assert future.published_at is None and future.extra["published_at_raw"] == "5138-01-01T00:00:00Z"
    assert epoch.published_at is None and epoch.extra["published_at_raw"] == "1970-01-01T00:00:00Z"
    assert by_title["Bình thường"].published_at is not None
    # The dashboards' default range ends at the newest document: now, not the year 5138.
    assert newest / 1000 <= utcnow().timestamp() + 60
    assert report.last_published_at.year == 2025


def test_non_web_canonical_is_ignored():
    body = ("<html><head><link rel='canonical' href='javascript:alert(1)'></head><body><h1>Tin</h1><article><p>"
            + "Nội dung bài báo đủ dài để trích xuất. " * 10 + "</p></article></body></html>")
    assert extract_article(body.encode(), "https://tin.vn/bai-1.html").url == "https://tin.vn/bai-1.html"
