"""The whole enrichment: every field filled, order kept, reviewer verdicts kept, province decision exposed."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mediawatch.classifiers.pipeline import ABOUT_PROVINCE, Enricher
from mediawatch.document import Document, Engagement, Misinfo, Source
from mediawatch.settings import ClassifierSettings, Settings, TopicSettings

WHEN = datetime(2025, 9, 10, 8, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    from importlib import resources

    # The demo's example register, named explicitly: a real install has no fallback to it.
    example = resources.files("mediawatch.classifiers.misinfo").joinpath("example_claims.yaml")
    return Enricher.from_settings(Settings(classifiers=ClassifierSettings(claims_register=str(example))))


def make(i: int, text: str, title: str = "", kind: str = "social") -> Document:
    return Document(id=f"d{i}", url=f"https://example.com/{i}", source=Source(id="s", kind=kind), title=title,
                    text=text, published_at=WHEN, engagement=Engagement(likes=10, comments=2, shares=1))


def test_enrich_fills_every_field_in_order(enricher: Enricher) -> None:
    docs = [
        make(1, "NÓNG: Đập thủy điện Bắc Hà vỡ rồi, nước lũ đang tràn về, bà con sơ tán ngay!!! Chia sẻ gấp"),
        make(2, "Mưa lớn gây sạt lở đất tại xã Mường Hum, huyện Bát Xát, giao thông bị chia cắt.",
             title="Sạt lở ở Bát Xát"),
        make(3, "Hà Nội khai mạc hội chợ sách mùa thu với hàng trăm gian hàng."),
        make(4, "The flood in Lao Cai damaged many houses, residents were evacuated."),
    ]
    out = enricher.enrich(docs)
    assert [d.id for d in out] == ["d1", "d2", "d3", "d4"]
    rumour, landslide, hanoi, english = out
    assert rumour.lang == "vi" and english.lang == "en"
    assert rumour.misinfo.flagged and rumour.misinfo.matched_claim_id == "vd-dap-thuy-dien-vo"
    assert "dam" in rumour.topics and "flood" in rumour.topics
    assert landslide.topics == ["landslide"] and landslide.places[0] == "Lào Cai"
    assert landslide.extra[ABOUT_PROVINCE] is True and "Bát Xát" in landslide.places
    assert hanoi.extra[ABOUT_PROVINCE] is False and hanoi.places == ["Hà Nội"]
    assert not hanoi.misinfo.flagged
    assert all(d.sentiment is not None and d.story_id for d in out)
    assert landslide.sentiment.label == "negative"
    assert out[0].extra["story_headline"]
    assert enricher.keep(landslide) and not enricher.keep(hanoi)
    assert enricher.enrich([]) == []


def test_reviewer_verdict_survives_re_enrichment(enricher: Enricher) -> None:
    doc = make(9, "Nghe nói đập thủy điện ở Bắc Hà đã bị vỡ, chia sẻ gấp")
    doc.misinfo = Misinfo(score=0.9, review_status="false", flagged=True)
    assert enricher.enrich([doc])[0].misinfo.review_status == "false"


def test_section_for_press_articles(enricher: Enricher) -> None:
    article = make(5, "Đội tuyển bóng đá giành chiến thắng 3-0 trong trận đấu vòng loại, huấn luyện viên "
                      "khen ngợi các cầu thủ đã thi đấu xuất sắc. Tiền đạo ghi hai bàn thắng và được bầu là "
                      "cầu thủ hay nhất trận. Người hâm mộ ăn mừng trên sân vận động.", title="Thắng đậm",
                   kind="press")
    post = make(6, "Đội tuyển thắng rồi!")
    enricher.enrich([article, post])
    assert article.section and post.section is None


def test_settings_topics_filter_and_register(tmp_path) -> None:
    register = tmp_path / "claims.csv"
    register.write_text("text,verdict,source_url\nCầu Kim Tân bị sập hoàn toàn,tin giả,https://example.com/k\n",
                        encoding="utf-8")
    settings = Settings(topics=[TopicSettings(name="bridge", query='"cầu Kim Tân"')],
                        classifiers=ClassifierSettings(claims_register=str(register), filter_to_province=False))
    enricher = Enricher.from_settings(settings)
    doc = enricher.enrich([make(1, "Nghe nói cầu Kim Tân bị sập hoàn toàn rồi, chia sẻ gấp!")])[0]
    assert "bridge" in doc.topics
    assert doc.misinfo.flagged and doc.misinfo.evidence_url == "https://example.com/k"
    hanoi = enricher.enrich([make(2, "Hà Nội mưa lớn")])[0]
    assert enricher.keep(hanoi)  # filter_to_province off
