"""End to end through mediawatch.flows.orchestration.ingest.run_ingest into SQLite: every bad case is counted with a clear
reason and the run goes on; re-runs give 304/unchanged/updated, never duplicates."""

from __future__ import annotations

import logging

import pytest

from mediawatch.flows.orchestration.ingest import run_ingest
from mediawatch.settings import Settings, SourceSettings
from mediawatch.store import SearchQuery, open_store
from tests.site.build import SITE_A, render_article, render_feed
from tests.site.fixtures import site  # noqa: F401 - fixture
from tests.site.stories import STORIES

CRAWL = {"allow_private_hosts": ["127.0.0.1"], "per_host_delay_s": 0.0, "timeout_s": 2.0, "backoff_s": 0.01}


def _settings(sources: list[dict]) -> Settings:
    return Settings(crawl=CRAWL, sources=[SourceSettings(**s) for s in sources])


@pytest.fixture
def store(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'mw.db'}") as opened:
        yield opened


def test_feed_cases_end_to_end(site, store, caplog):
    settings = _settings([
        {"id": "baolaocai", "url": site.urls["feed"]},
        {"id": "baolaocai-loi", "url": site.urls["feed_broken"]},
        {"id": "baolaocai-dulich", "url": site.urls["feed_cp1258"]},
        {"id": "taybac", "url": site.urls["feed_b"]},
        {"id": "khong-ton-tai", "url": site.base + "/khong-co.rss"},
    ])
    with caplog.at_level(logging.WARNING, logger="mediawatch.crawl"):
        first = {r.source_id: r for r in run_ingest(settings, store, enrich=None).records}

    main = first["baolaocai"]
    assert (main.fetched, main.new) == (5, 5)
    assert main.errors["http_404"] == 1 and main.errors["robots"] == 1 and main.errors["extraction"] == 1
    assert any("disallowed by robots.txt" in m for m in main.messages)
    assert any("too short" in m and "not stored" in m for m in main.messages)
    broken = first["baolaocai-loi"]
    assert broken.errors["parse"] == 1 and "kept the 2 entries" in broken.messages[0]
    assert broken.new == 0 and broken.unchanged == 2  # both already stored from the main feed
    assert first["baolaocai-dulich"].new == 1
    assert first["khong-ton-tai"].errors == {"http_404": 1}  # each failure once by reason...
    assert first["khong-ton-tai"].error_kinds == {"permanent": 1}  # ...and once by kind
    assert "HTTP 404" in caplog.text

    docs = {d.title: d for d in store.iter_documents(SearchQuery())}
    assert len(docs) == 7
    cp = docs["Chợ phiên Bắc Hà rộn ràng vào mùa du lịch"]
    assert "thắng cố, phở chua" in cp.text and cp.lang == "vi"
    original = docs["Mưa lũ gây sạt lở nghiêm trọng trên Quốc lộ 4D qua Sa Pa"]
    copy = docs["Sạt lở ở Sa Pa, giao thông tê liệt nhiều giờ"]
    assert copy.duplicate_of == original.id and original.duplicate_of is None
    assert copy.fingerprint and len(copy.fingerprint) == 16
    assert "utm_" not in original.url and original.url.endswith("100101.html")
    assert store.count(SearchQuery(include_duplicates=False)) == 6
    assert store.count(SearchQuery()) == 7
    # Article pages were each fetched once (the broken feed's entries were known already).
    assert site.server.hits["/a/khoi-cong-cau-moi-noi-phuong-coc-leu-voi-xa-van-ban-100102.html"] >= 1

    hits_before = dict(site.server.hits)
    second = {r.source_id: r for r in run_ingest(settings, store, enrich=None).records}
    for source_id in ("baolaocai", "baolaocai-dulich", "taybac"):
        assert second[source_id].new == 0 and second[source_id].unchanged == 1 and not second[source_id].errors
    assert site.server.hits["304:/a/rss/tin-moi-nhat.rss"] >= 1
    article = "/a/khoi-cong-cau-moi-noi-phuong-coc-leu-voi-xa-van-ban-100102.html"
    assert site.server.hits[article] == hits_before[article]  # not fetched again
    assert store.count(SearchQuery()) == 7
    assert [r.source_id for r in store.runs(limit=20)].count("baolaocai") == 2


def test_updated_article_is_updated_not_duplicated(site, store):
    folder = site.root / "u"
    folder.mkdir(exist_ok=True)
    story = dict(STORIES[2], slug="le-hoi-cap-nhat-300301")
    base = site.base + "/u/"

    def publish(paragraph: str, updated: str | None) -> None:
        page = dict(story, paragraphs=story["paragraphs"] + [paragraph])
        (folder / f"{story['slug']}.html").write_text(
            render_article(page, base=base, home="/u/", site_name=SITE_A), encoding="utf-8")
        feed = render_feed("Cập nhật", base, [story], base=base)
        if updated:
            feed = feed.replace("</pubDate>", f"</pubDate><atom:updated xmlns:atom=\"http://www.w3.org/2005/Atom\">"
                                              f"{updated}</atom:updated>")
        (folder / "feed.rss").write_text(feed, encoding="utf-8")

    settings = _settings([{"id": "capnhat", "url": base + "feed.rss"}])
    publish("Ban tổ chức cho biết lễ hội năm nay có thêm chương trình bắn pháo hoa.", None)
    first = run_ingest(settings, store, enrich=None).records[0]
    assert first.new == 1
    publish("Ban tổ chức thông báo hủy chương trình bắn pháo hoa do thời tiết xấu.", "2026-07-11T09:00:00+07:00")
    second = run_ingest(settings, store, enrich=None).records[0]
    assert (second.new, second.updated) == (0, 1)
    docs = list(store.iter_documents(SearchQuery(source_ids=["capnhat"])))
    assert len(docs) == 1 and "hủy chương trình bắn pháo hoa" in docs[0].text and docs[0].duplicate_of is None
    assert docs[0].extra["updated_at"] == "2026-07-11T02:00:00Z"


def test_loopback_refused_when_not_allowed_and_run_goes_on(site, store):
    settings = Settings(crawl=dict(CRAWL, allow_private_hosts=[]),
                        sources=[SourceSettings(id="a", url=site.urls["feed_b"]),
                                 SourceSettings(id="b", url=site.urls["feed_cp1258"])])
    records = run_ingest(settings, store, enrich=None).records
    assert [r.errors.get("private_address") for r in records] == [1, 1]
    assert "allow_private_hosts" in records[0].messages[0]


def test_feed_summaries_only_when_articles_are_not_fetched(site, store):
    settings = _settings([{"id": "tom-tat", "url": site.urls["feed_b"], "options": {"fetch_articles": False}}])
    before = site.server.hits["/b/sat-lo-nghiem-trong-o-sa-pa-giao-thong-te-liet-200201.html"]
    record = run_ingest(settings, store, enrich=None).records[0]
    assert record.new == 1
    doc = next(store.iter_documents(SearchQuery(source_ids=["tom-tat"])))
    assert doc.text.startswith("Theo báo Lào Cai") and doc.fingerprint
    assert site.server.hits["/b/sat-lo-nghiem-trong-o-sa-pa-giao-thong-te-liet-200201.html"] == before


def test_slow_huge_and_private_redirect_articles_fail_clearly_and_run_goes_on(site, store, caplog):
    folder = site.root / "d"
    folder.mkdir(exist_ok=True)
    good = STORIES[4]
    items = [{"title": "Chậm", "url": site.base + "/slow.html", "published": good["published"]},
             {"title": "Quá lớn", "url": site.base + "/huge.html", "published": good["published"]},
             {"title": "Chuyển hướng", "url": site.base + "/redirect-private", "published": good["published"]},
             dict(good, url=site.urls["a"] + good["slug"] + ".html")]
    (folder / "feed.rss").write_text(render_feed("Hỗn hợp", site.base, items, base=site.base), encoding="utf-8")
    settings = Settings(crawl=dict(CRAWL, timeout_s=1.0, retries=0, max_bytes=1_000_000),
                        sources=[SourceSettings(id="hon-hop", url=site.base + "/d/feed.rss")])
    with caplog.at_level(logging.WARNING, logger="mediawatch.crawl"):
        record = run_ingest(settings, store, enrich=None).records[0]
    assert record.errors == {"timeout": 1, "too_large": 1, "private_address": 1}
    assert record.error_kinds == {"temporary": 1, "permanent": 2}
    assert record.new == 1 and record.fetched == 1
    assert "not finished within" in caplog.text or "stalled" in caplog.text
    assert "larger than crawl.max_bytes" in caplog.text and "non-public address 10.255.255.1" in caplog.text
