"""Stance (repeats / questions / refutes a claim), its effect on the queue, and reasons in the post's words."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from mediawatch.classifiers.misinfo.claims import example_register
from mediawatch.classifiers.misinfo.model import load_model
from mediawatch.classifiers.misinfo.scorer import MisinfoScorer, Thresholds
from mediawatch.classifiers.misinfo.stance import stance
from mediawatch.classifiers.misinfo.stance_set import (DEVELOPMENT, HELD_OUT, accuracy_per_class,
                                                       read_stance_set)
from mediawatch.document import Document, Engagement, Misinfo, Source
from tests.support.paths import DATASETS

DAM = "Đập thủy điện Nậm Chăn 2 bị vỡ"


@pytest.mark.parametrize("text,label", [
    ("Thông tin vỡ đập thủy điện Nậm Chăn 2 là sai sự thật", "refutes"),
    ("Sở Công Thương đã khẳng định thông tin vỡ đập thủy điện Nậm Chăn 2 là sai sự thật. Đập vẫn an toàn.",
     "refutes"),
    ("Bác bỏ tin đồn vỡ đập Nậm Chăn 2, UBND tỉnh khẳng định đập an toàn.", "refutes"),
    ("Công an tỉnh cho biết đập Nậm Chăn 2 không bị vỡ", "refutes"),
    ("Vỡ đập thủy điện Nậm Chăn 2 thật à? Nhà em ở hạ du, sợ quá.", "questions"),
    ("Thực hư thông tin vỡ đập thủy điện Nậm Chăn 2", "questions"),
    ("vo dap nam chan 2 co that khong moi nguoi?", "questions"),
    ("KHẨN CẤP: Đập thủy điện Nậm Chăn 2 bị vỡ rồi, bà con sơ tán gấp!!!", "repeats"),
    ("Vỡ đập thủy điện Nậm Chăn 2 rồi, sao chưa thấy chính quyền thông báo gì?", "repeats"),
    ("Đây không phải tin giả đâu, đập Nậm Chăn 2 vỡ thật rồi, chia sẻ gấp", "repeats"),
    ("Hãng bay hủy chuyến, không có chuyến nào về Lào Cai hôm nay", "repeats"),  # "chuyến", not "chuyện"
])
def test_stance_cues(text: str, label: str) -> None:
    result = stance("", text, DAM)
    assert result.label == label, result
    for cue in result.cues:  # the cues are the post's own words
        assert cue in text


def test_stance_of_a_press_reassurance() -> None:
    text = "Đập Nậm Chăn 2 vẫn an toàn, nhà máy vận hành xả tràn theo quy trình."
    assert stance("", text, DAM).label == "repeats"  # a person saying it proves nothing
    press = stance("", text, DAM, press=True)
    assert press.label == "refutes" and press.official


def test_stance_accuracy_per_class_held_out() -> None:
    held = accuracy_per_class(read_stance_set(HELD_OUT, DATASETS))
    dev = accuracy_per_class(read_stance_set(DEVELOPMENT, DATASETS))
    print("stance held out:", held, "development:", dev)
    assert len(read_stance_set(HELD_OUT, DATASETS)) >= 30
    for label in ("repeats", "questions", "refutes"):
        assert held[f"stance_accuracy_{label}"] >= 0.8, held
        assert dev[f"stance_accuracy_{label}"] >= 0.85, dev


@pytest.fixture(scope="module")
def scorer() -> MisinfoScorer:
    return MisinfoScorer(example_register(), model=load_model(), thresholds=Thresholds(flag=0.6))


def _doc(i: int, text: str, kind: str = "social", title: str = "") -> Document:
    return Document(id=f"s{i}", url=f"https://example.vn/{i}", source=Source(id=kind, kind=kind), title=title,
                    text=text, engagement=Engagement(likes=40, comments=12, shares=60))


def test_a_correction_is_not_a_rumour(scorer: MisinfoScorer) -> None:
    press = _doc(1, "Chiều nay, trên mạng xã hội lan truyền thông tin đập thủy điện Nậm Chăn 2 bị vỡ, kêu gọi người "
                    "dân vùng hạ du sơ tán gấp. Sở Công Thương tỉnh Lào Cai khẳng định đây là thông tin sai sự thật.",
                 kind="press", title="Thông tin vỡ đập thủy điện Nậm Chăn 2 là sai sự thật")
    rumour = _doc(2, "Nghe nói vỡ đập thủy điện Nậm Chăn 2, nước lũ sắp về tới xã. Mọi người chia sẻ gấp để bà con sơ tán.")
    asks = _doc(3, "Vỡ đập thủy điện Nậm Chăn 2 thật à? Nhà em ở hạ du, cả xóm đang chạy lên đồi, sợ quá.")
    linked_denial = _doc(4, "Đập thủy điện Bắc Hà đã bị vỡ là tin đồn thất thiệt, UBND huyện khẳng định đập an toàn.")
    rumour_linked = _doc(5, "NÓNG: Đập thủy điện Bắc Hà vỡ rồi, nước lũ đang tràn về, bà con sơ tán ngay!!!")
    asks_linked = _doc(6, "Đập thủy điện ở Bắc Hà đã bị vỡ, nước lũ đang tràn về, có thật không mọi người?")
    m_press, m_rumour, m_asks, m_denial, m_linked, m_asks_linked = scorer.score_documents(
        [press, rumour, asks, linked_denial, rumour_linked, asks_linked])
    assert not m_press.flagged and m_press.stance == "refutes" and m_press.score <= 0.2
    assert any(r.startswith("bác bỏ/đính chính") for r in m_press.reasons)
    assert m_rumour.flagged and m_rumour.stance == "repeats"
    assert m_asks.stance == "questions" and any("đặt câu hỏi" in r for r in m_asks.reasons)
    # A denial of a registered claim is not queued but stays linked to the claim it corrects.
    assert not m_denial.flagged and m_denial.stance == "refutes"
    assert m_denial.matched_claim_id == "vd-dap-thuy-dien-vo" and m_denial.evidence_url
    # Questioning a known false claim is still queued, behind those repeating it.
    assert m_linked.flagged and m_asks_linked.flagged and m_asks_linked.stance == "questions"
    assert m_asks_linked.score < m_linked.score


_QUOTED = re.compile(r'"([^"]+)"')


def test_reasons_quote_only_words_of_the_post(scorer: MisinfoScorer) -> None:
    from pathlib import Path

    from mediawatch.classifiers.misinfo.model import read_reintel

    data = Path(__file__).resolve().parents[1] / "classifiers" / "data"
    texts = [line.split("\t")[-1] for name in ("opinions_vi.txt", "rumours_vi.txt")
             for line in (data / name).read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    texts += [row.text for row in read_stance_set(HELD_OUT, DATASETS) + read_stance_set(DEVELOPMENT, DATASETS)]
    posts, _, _ = read_reintel(DATASETS)
    texts += [p.text for p in posts[::8]]  # about 400 real posts
    docs = [_doc(i, t, title="Tin nóng: cầu Kim Tân" if i % 7 == 0 else "") for i, t in enumerate(texts)]
    quoted = 0
    for doc, m in zip(docs, scorer.score_documents(docs)):
        body = f"{doc.title}\n{doc.text}" if doc.title else doc.text
        for reason in m.reasons:
            for piece in _QUOTED.findall(reason):
                quoted += 1
                assert piece in body, (piece, reason, body[:200])
    assert quoted > 200


def test_refuting_items_are_not_counted_by_the_misinformation_alert(tmp_path) -> None:
    from mediawatch.flows.alerts.rules import misinfo
    from mediawatch.settings import AlertRuleSettings, Settings
    from mediawatch.store.sqlite import SQLiteStore

    now = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
    docs = []
    for i in range(6):
        stance_label = "refutes" if i % 2 else "repeats"
        docs.append(Document(id=f"a{i}", url=f"https://example.vn/a{i}", source=Source(id="fb", kind="social"),
                             text=f"bài {i}", published_at=now - timedelta(minutes=10 + i),
                             misinfo=Misinfo(score=0.9, matched_claim_id="c-1", matched_claim="Đập vỡ",
                                             flagged=True, stance=stance_label)))
    rule = AlertRuleSettings(name="tin sai", type="misinfo", min_count=3)
    with SQLiteStore(str(tmp_path / "a.db")) as store:
        store.upsert(docs)
        fired = misinfo(rule, Settings(), store, now)
    assert len(fired) == 1 and fired[0].count == 3
    assert set(fired[0].stats["doc_ids"]) == {"a0", "a2", "a4"}


def test_corrections_spreading_in_the_summary(tmp_path) -> None:
    from mediawatch.flows.reports.summary import build_summary
    from mediawatch.flows.reports.summary_render import render_text
    from mediawatch.store.sqlite import SQLiteStore

    now = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
    docs = []
    for i in range(5):
        refutes = i < 3
        docs.append(Document(id=f"c{i}", url=f"https://example.vn/c{i}", source=Source(id="s", kind="social"),
                             title="", text=f"Đập Nậm Chăn 2 bài {i}", published_at=now - timedelta(hours=i + 1),
                             misinfo=Misinfo(score=0.1 if refutes else 0.8, matched_claim_id="c-dam",
                                             matched_claim="Đập thủy điện Nậm Chăn 2 bị vỡ", flagged=not refutes,
                                             stance="refutes" if refutes else "repeats")))
    with SQLiteStore(str(tmp_path / "s.db")) as store:
        store.upsert(docs)
        summary = build_summary(store, now - timedelta(days=1), now)
    [item] = summary.corrections
    assert (item.claim_id, item.corrections, item.rumours, item.spreading) == ("c-dam", 3, 2, True)
    assert item.urls == ["https://example.vn/c2", "https://example.vn/c1", "https://example.vn/c0"]  # earliest first
    assert summary.to_dict()["corrections"][0]["corrections"] == 3
    text = render_text(summary, lang="vi")
    assert "Đính chính đang lan tỏa:" in text and "3 tin đính chính, 2 tin lặp lại nhận định" in text
