"""Public-opinion summaries over a real SQLite store."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from mediawatch.flows.reports.summary import build_summary, day_period, topic_trends, week_period
from mediawatch.flows.reports.summary_phrases import distinctive_phrases, document_ngrams, log_odds
from mediawatch.flows.reports.summary_render import render_html, render_json, render_text
from mediawatch.document import Document, Engagement, Misinfo, Sentiment, Source, doc_id_for_url
from mediawatch.store.base import AlertRecord, ReviewDecision
from mediawatch.store.sqlite import SQLiteStore
from tests.support.osmem import osmem_server  # noqa: F401 (fixture: the session's osmem server)

DAY = date(2026, 11, 20)
NOON = datetime(2026, 11, 20, 5, 0, tzinfo=timezone.utc)  # 12:00 in Hà Nội


def make_doc(n: int, title: str, text: str = "", *, kind: str = "press", when: datetime = NOON,
             sentiment: str | None = None, story: str | None = None, topics: list[str] | None = None,
             places: list[str] | None = None, misinfo: Misinfo | None = None, source: str | None = None,
             author: str | None = None) -> Document:
    url = f"https://example.vn/{kind}/{n}"
    score = {"negative": -0.7, "neutral": 0.0, "positive": 0.6}
    return Document(id=doc_id_for_url(url), url=url,
                    source=Source(id=source or f"{kind}-{n % 3}", kind=kind, name="Nguồn"),
                    title=title, text=text, published_at=when,
                    sentiment=Sentiment(sentiment, score[sentiment]) if sentiment else None,
                    story_id=story, topics=topics or [], places=places or ["Lào Cai"], misinfo=misinfo,
                    author_key=author, engagement=Engagement(likes=n))


def populate(s) -> None:
    docs = []
    # Background: the previous days talk about the harvest and tourism.
    for i in range(12):
        when = NOON - timedelta(days=1 + i % 4, hours=i)
        docs.append(make_doc(100 + i, f"Mùa lúa chín ở Mù Cang Chải {i}",
                             "Du khách đến ngắm ruộng bậc thang, mùa lúa chín vàng.", kind="social",
                             when=when, sentiment="positive", topics=["du-lich"]))
    docs.append(make_doc(200, "Giá vé tham quan", "Vé tham quan tăng.", when=NOON - timedelta(days=1),
                         sentiment="neutral", topics=["du-lich"]))
    # The day: flooding, a rumour and its correction, complaints about a fee.
    for i in range(6):
        docs.append(make_doc(i, f"Mưa lũ gây sạt lở đất tại Văn Bàn <script>alert({i})</script>",
                             "Mưa lớn kéo dài gây sạt lở đất, nhiều tuyến đường bị chia cắt.",
                             kind="press" if i < 3 else "social", sentiment="negative", story="lu",
                             topics=["thien-tai"], source=f"bao-{i}"))
    for i in range(4):
        docs.append(make_doc(10 + i, "", f"Nghe nói sắp vỡ đập thủy điện Thác Bà, bà con sơ tán ngay! @hoang{i} "
                             f"gọi 0912345678", kind="social", sentiment="negative", story="dap",
                             topics=["thien-tai"], author=f"k{i}",
                             misinfo=Misinfo(score=0.9, claim="Đập thủy điện Thác Bà sắp vỡ", flagged=True,
                                             evidence_url="https://laocai.gov.vn/dinh-chinh",
                                             reasons=["unverified claim"])))
    docs.append(make_doc(20, "Bác bỏ tin đồn vỡ đập thủy điện Thác Bà",
                         "UBND tỉnh khẳng định thông tin vỡ đập thủy điện Thác Bà là sai sự thật.",
                         sentiment="neutral", story="dap", topics=["thien-tai"]))
    for i in range(2):  # another claim, still pending; and a denial the classifier also flagged
        docs.append(make_doc(40 + i, "", "Lũ quét ở Bát Xát làm hơn 100 người chết, chính quyền giấu số liệu.",
                             kind="social", sentiment="negative",
                             misinfo=Misinfo(score=0.7 + i / 10, claim="Lũ quét Bát Xát làm 100 người chết",
                                             flagged=True, matched_claim_id="lu-100")))
    docs.append(make_doc(42, "Thông tin lũ quét làm 100 người chết là sai sự thật", "Bác bỏ tin đồn.",
                         sentiment="neutral", misinfo=Misinfo(score=0.65, claim="Lũ quét làm 100 người chết",
                                                              flagged=True, matched_claim_id="lu-100")))
    for i in range(4):
        docs.append(make_doc(30 + i, "", "Phí gửi xe ở chợ tăng gấp đôi, người dân bức xúc vì phí gửi xe quá cao.",
                             kind="social", sentiment="negative", topics=["phi-dich-vu"]))
    s.upsert(docs)
    s.review(ReviewDecision(doc_id=doc_id_for_url("https://example.vn/social/10"), verdict="false",
                            reviewer="bientap", note="UBND tỉnh đã bác bỏ",
                            decided_at=NOON + timedelta(hours=1)))
    s.save_alert(AlertRecord(alert_id="a1", rule="misinfo", dedup_key="misinfo:dap",
                             fired_at=NOON + timedelta(minutes=5), updated_at=NOON + timedelta(minutes=5),
                             severity="high", title="Tin đồn vỡ đập lan nhanh", payload={}))


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "mw.db")
    populate(s)
    yield s
    s.close()


def test_summary_of_a_day(store):
    period = day_period(DAY)
    summary = build_summary(store, period.since, period.until)
    assert summary.volume == 18
    assert summary.previous_volume >= 1
    assert summary.sentiment["negative"] > 0.6
    assert summary.sentiment_change("negative") > 0
    heads = [s.headline for s in summary.stories]
    assert heads[0].startswith("Mưa lũ gây sạt lở")  # six sources
    flood = summary.stories[0]
    assert (flood.sources, flood.press, flood.social) == (6, 3, 3)
    rumour = next(s for s in summary.stories if s.story_id == "dap")
    assert rumour.headline.startswith("Bác bỏ")  # the press article heads the story
    phrases = [p.phrase for p in summary.phrases]
    assert any("đập thủy điện" in p for p in phrases), phrases
    # One phrase per thing being said: the fee complaint's trigrams collapse into one entry.
    assert sum("Phí gửi xe" in q for p in summary.phrases for q in p.quotes) == 1
    quotes = [q for p in summary.phrases for q in p.quotes]
    assert quotes and not any("@hoang" in q or "0912345678" in q for q in quotes)
    assert {t.topic for t in summary.topics} >= {"thien-tai", "phi-dich-vu"}
    # The dam rumour is under "confirmed"; the other claim is one line for its two posts, and the
    # flagged denial is left out of the digest's list.
    (flag,) = summary.new_flags
    assert (flag.claim, flag.count, flag.score) == ("Lũ quét Bát Xát làm 100 người chết", 2, 0.8)
    (claim,) = summary.confirmed
    assert claim.verdict == "false" and claim.corrections == 1 and claim.rumours == 4
    assert claim.spreading is False
    assert [a.title for a in summary.alerts] == ["Tin đồn vỡ đập lan nhanh"]


def test_filters_by_topic_and_place(store):
    period = week_period(DAY)
    summary = build_summary(store, period.since, period.until, topic="phi-dich-vu")
    assert summary.volume == 4
    assert summary.new_flags == []
    assert build_summary(store, period.since, period.until, place="Hà Giang").volume == 0


def test_renderings_escape_document_text(store):
    period = day_period(DAY)
    summary = build_summary(store, period.since, period.until)
    html = render_html(summary, "vi")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Tổng hợp dư luận ngày 20/11/2026" in html
    text = render_text(summary, "en", markdown=True)
    assert text.startswith("# Public-opinion summary 20/11/2026")
    data = json.loads(render_json(summary))
    assert data["volume"] == 18 and "author_key" not in json.dumps(data)


def test_log_odds_prefers_frequent_distinctive_terms():
    from collections import Counter

    scores = log_odds(Counter({"vo dap": 8, "mua lu": 5, "le hoi": 1}),
                      Counter({"mua lu": 5, "le hoi": 9}), 14, 14)
    assert scores["vo dap"] > scores["mua lu"] > scores["le hoi"]


def test_ngrams_skip_stopword_edges_and_personal_data():
    grams = document_ngrams("Người dân và chính quyền @nguyenvan https://x.vn/a đang lo lắng.")
    assert "dan va chinh" in grams and "va chinh" not in grams and "chinh" not in grams
    assert not any("nguyenvan" in g or "x vn" in g for g in grams)


def test_phrases_and_trends_on_plain_lists():
    fg = [make_doc(i, "", "Phí gửi xe tăng quá cao.", kind="social") for i in range(4)]
    bg = [make_doc(50 + i, "", "Lúa chín vàng trên ruộng bậc thang.", kind="social") for i in range(4)]
    phrases = distinctive_phrases(fg, bg)
    assert phrases[0].phrase in "phí gửi xe tăng quá cao" and "gửi xe" in phrases[0].phrase
    assert len([p for p in phrases if "gửi xe" in p.phrase]) == 1
    assert phrases[0].quotes == ["Phí gửi xe tăng quá cao."]
    assert topic_trends([("a", 5), ("b", 2), ("c", 3)], [("a", 1), ("c", 3)])[0].topic == "b"


def test_summary_is_the_same_on_elasticsearch(store, osmem_clone, tmp_path):
    """Pure functions over the Store interface: both backends give the same summary."""
    from mediawatch.store.elastic import ElasticStore

    period = day_period(DAY)
    with ElasticStore(osmem_clone.url, spool_path=tmp_path / "spool", index_prefix="summary") as elastic:
        populate(elastic)
        elastic.refresh_indices()
        on_elastic = build_summary(elastic, period.since, period.until).to_dict()
    on_sqlite = build_summary(store, period.since, period.until).to_dict()
    assert on_elastic == on_sqlite


def test_phrases_without_background_fall_back_to_frequency():
    fg = [make_doc(i, "", "Vỡ đập thủy điện, bà con sơ tán.", kind="social") for i in range(3)]
    phrases = distinctive_phrases(fg, [])
    assert phrases and phrases[0].count == 3 and "đập thủy điện" in "vỡ đập thủy điện"


def test_a_topic_outside_the_previous_top_values_is_counted_not_new(tmp_path):
    """The old digest read the previous period's top 50 topics and called anything else 'new, 0 before'."""
    from mediawatch.flows.reports.summary import Period, topic_counts

    day, before = day_period(DAY), day_period(DAY - timedelta(days=1))
    docs = [make_doc(1000 + 10 * k + i, f"Tin {k}", when=NOON - timedelta(days=1), topics=[f"chu-de-{k}"])
            for k in range(10) for i in range(5)]
    docs += [make_doc(2000, "Phí gửi xe", when=NOON - timedelta(days=1), topics=["phi-gui-xe"])]
    docs += [make_doc(2001 + i, "Phí gửi xe tăng", when=NOON, topics=["phi-gui-xe"]) for i in range(6)]
    with SQLiteStore(tmp_path / "mw.db") as s:
        s.upsert(docs)
        now, previous = topic_counts(s, day, Period(before.since, before.until), None, None, size=2)
        assert now == [("phi-gui-xe", 6)] and dict(previous)["phi-gui-xe"] == 1
        (trend,) = [tr for tr in topic_trends(now, previous) if tr.topic == "phi-gui-xe"]
        assert (trend.status, trend.count, trend.previous) == ("rising", 6, 1)
        assert {tr.status for tr in topic_trends(now, previous) if tr.topic.startswith("chu-de")} <= {"falling"}
