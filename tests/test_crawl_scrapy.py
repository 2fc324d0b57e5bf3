"""Scrapy discovery (news sitemap behind an index, paginated listing) on the shared reactor thread."""

from __future__ import annotations

import pytest

from mediawatch.crawlers.fetch import FetchPolicy
from mediawatch.crawlers.listing import ListingSpider
from mediawatch.crawlers.scrapy_runner import crawl
from mediawatch.crawlers.sitemaps import SitemapLinksSpider, parse_sitemap
from mediawatch.flows.orchestration.ingest import run_ingest
from mediawatch.errors import BadInputError
from mediawatch.settings import Settings, SourceSettings
from mediawatch.store import SearchQuery, open_store
from tests.site.fixtures import settings_for, site  # noqa: F401 - fixture

ARTICLES_ON_A = 5


def _policy(**crawl) -> FetchPolicy:
    return FetchPolicy.from_settings(settings_for(**crawl))


def test_three_crawls_in_one_process(site):
    # A second CrawlerProcess would raise ReactorNotRestartable; the reactor thread runs once.
    for _ in range(3):
        items = list(crawl(SitemapLinksSpider, _policy(), url=site.urls["sitemap_index"], since_days=0))
        links = [i for i in items if i["type"] == "link"]
        errors = [i for i in items if i["type"] == "error"]
        assert len(links) == ARTICLES_ON_A
        assert all(link["published"] and link["title"] for link in links)
        assert [e["reason"] for e in errors] == ["http_404"] and "sitemap-missing.xml" in errors[0]["message"]


def test_listing_follows_pagination(site):
    items = list(crawl(ListingSpider, _policy(), url=site.urls["listing"], max_pages=5))
    urls = [i["loc"] for i in items if i["type"] == "link"]
    assert len(urls) == ARTICLES_ON_A and all(u.endswith(".html") and "/thoi-su/" not in u for u in urls)
    limited = list(crawl(ListingSpider, _policy(), url=site.urls["listing"], max_pages=1))
    assert len(limited) == 2


def test_scrapy_refuses_private_redirect_and_respects_robots(site):
    items = list(crawl(ListingSpider, _policy(), url=site.base + "/redirect-private"))
    assert [i["reason"] for i in items] == ["private_address"]
    items = list(crawl(ListingSpider, _policy(), url=site.urls["a"] + "private/bao-cao-noi-bo-100150.html"))
    assert [i["reason"] for i in items] == ["robots"]
    items = list(crawl(ListingSpider, _policy(allow_private_hosts=[]), url=site.urls["listing"]))
    assert [i["reason"] for i in items] == ["private_address"]


def test_scrapy_timeout_and_size_cap(site):
    items = list(crawl(ListingSpider, _policy(timeout_s=1.0, retries=0), url=site.base + "/slow.html"))
    assert [i["reason"] for i in items] == ["timeout"]
    items = list(crawl(ListingSpider, _policy(max_bytes=1_000_000), url=site.base + "/huge.html"))
    assert [i["reason"] for i in items] == ["too_large"]


def test_sitemap_and_listing_sources_end_to_end(site, tmp_path):
    settings = Settings(crawl=settings_for().crawl, sources=[
        SourceSettings(id="sm", type="sitemap", url=site.urls["sitemap_index"], options={"since_days": 0}),
        SourceSettings(id="ls", type="listing", url=site.urls["listing"])])
    with open_store(f"sqlite:///{tmp_path / 'mw.db'}") as store:
        sitemap, listing = run_ingest(settings, store, enrich=None).records
        assert (sitemap.new, sitemap.errors, sitemap.error_kinds) == (ARTICLES_ON_A, {"http_404": 1},
                                                                      {"permanent": 1})
        assert (listing.new, listing.unchanged, listing.errors) == (0, ARTICLES_ON_A, {})
        assert store.count(SearchQuery(source_ids=["sm"])) == ARTICLES_ON_A


def test_parse_sitemap_rejects_non_sitemaps():
    with pytest.raises(BadInputError):
        parse_sitemap(b"<html><body>no</body></html>")
    kind, entries = parse_sitemap(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                                  b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                  b"<url><loc>http://bao.test/a-1.html&e;</loc></url></urlset>")
    assert kind == "urlset" and "root:" not in entries[0]["loc"]


def test_503_with_retry_after_is_retried_by_scrapy(site):
    items = list(crawl(ListingSpider, _policy(), url=site.urls["a"] + "flaky-thoi-su/index.html", max_pages=1))
    assert [i["type"] for i in items] == ["link", "link"]
    assert site.server.hits["/a/flaky-thoi-su/index.html"] == 2
