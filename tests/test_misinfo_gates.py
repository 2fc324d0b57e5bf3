"""Evaluation gates of misinformation triage, on the shipped model and the shipped test sets.

- the ReINTEL model's held-out ROC-AUC stays at or above its floor in classifiers/models/floors.json;
- opinion is not misinformation: at most 2% of classifiers/data/opinions_vi.txt is flagged;
- every known rumour in classifiers/data/rumours_vi.txt is flagged and linked to its register entry.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import DATASETS
from mediawatch.classifiers.misinfo.claims import example_register
from mediawatch.classifiers.misinfo.model import load_model
from mediawatch.classifiers.misinfo.training import evaluate
from mediawatch.classifiers.misinfo.scorer import NO_CLAIM_CAP, MisinfoScorer
from mediawatch.classifiers.modelio import read_floors
from mediawatch.document import Document, Engagement, Source

DATA = Path(__file__).resolve().parents[1] / "classifiers" / "data"


def _lines(name: str) -> list[str]:
    return [line.strip() for line in (DATA / name).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def model():
    return load_model()


@pytest.fixture(scope="module")
def scorer(model) -> MisinfoScorer:
    return MisinfoScorer(example_register(), model=model)


def _docs(texts: list[str]) -> list[Document]:
    return [Document(id=str(i), url="", source=Source(id="t", kind="social"), text=t,
                     engagement=Engagement(likes=40, comments=12, shares=5)) for i, t in enumerate(texts)]


def test_model_meets_its_floor() -> None:
    floors = read_floors()["misinfo"]
    scores = evaluate(DATASETS)
    for key, floor in floors.items():
        assert scores[key] >= floor, (key, scores[key], floor)


def test_opinion_is_not_misinformation(scorer: MisinfoScorer) -> None:
    texts = _lines("opinions_vi.txt")
    assert len(texts) >= 100
    results = scorer.score_documents(_docs(texts))
    flagged = [(t, m.score, m.reasons) for t, m in zip(texts, results) if m.flagged]
    assert len(flagged) / len(texts) <= 0.02, flagged


def test_known_rumours_are_flagged_and_linked(scorer: MisinfoScorer) -> None:
    rows = [line.split("\t", 1) for line in _lines("rumours_vi.txt")]
    results = scorer.score_documents(_docs([text for _, text in rows]))
    for (claim_id, text), m in zip(rows, results):
        assert m.flagged, (text, m)
        assert m.matched_claim_id == claim_id, (text, m)
        assert m.evidence_url and m.evidence_url.startswith("https://example.com/")
        assert m.claim and m.reasons
        assert 0.0 <= m.score <= 1.0 and m.review_status == "pending"


def test_verified_information_and_no_claim_are_not_flagged(scorer: MisinfoScorer) -> None:
    verified, opinion, news = scorer.score_documents(_docs([
        "Quốc lộ 4D qua Sa Pa tạm cấm phương tiện do sạt lở taluy dương",
        "Chia sẻ gấp: tôi thấy quy định này vô lý quá, bức xúc thật sự!",
        "Theo Ban Chỉ huy phòng chống thiên tai tỉnh, mưa lớn làm 2 người bị thương ở xã Bảo Hà.",
    ]))
    assert not verified.flagged and verified.score <= 0.3
    assert any("xác thực" in r for r in verified.reasons)
    assert not opinion.flagged and opinion.score <= NO_CLAIM_CAP
    assert opinion.claim is None and any("không có nhận định" in r for r in opinion.reasons)
    assert not news.flagged and news.claim


def test_english_reasons(model) -> None:
    scorer = MisinfoScorer(example_register(), model=model, lang="en")
    m = scorer.score_documents(_docs(["Nghe nói đập thủy điện ở Bắc Hà đã bị vỡ, chia sẻ gấp"]))[0]
    assert m.flagged and any("a claim judged fake" in r for r in m.reasons)
    assert 'urges people to share urgently: "chia sẻ gấp"' in m.reasons


def test_the_flag_threshold_is_the_models_operating_point(model) -> None:
    from mediawatch.classifiers.misinfo.scorer import Thresholds, model_flag_threshold
    from mediawatch.classifiers.pipeline import Enricher
    from mediawatch.settings import ClassifierSettings, Settings

    point = model["operating_point"]
    assert point["precision_target"] == 0.8 and 0.5 <= point["threshold"] <= 0.9
    assert point["precision_calibration"] >= 0.8 and point["recall_calibration"] > 0
    assert MisinfoScorer([], model=model).flag == model_flag_threshold(model) == point["threshold"]
    assert MisinfoScorer([], model=model, thresholds=Thresholds(flag=0.7)).flag == 0.7
    assert Enricher.from_settings(Settings()).misinfo.flag == point["threshold"]
    overridden = Settings(classifiers=ClassifierSettings(misinfo_flag_threshold=0.75))
    assert Enricher.from_settings(overridden).misinfo.flag == 0.75
