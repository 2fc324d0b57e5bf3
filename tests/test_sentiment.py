"""Sentiment: the API on its own, and the evaluation gate on the committed model file."""

from __future__ import annotations

import pytest

from mediawatch.classifiers import train_sentiment
from tests.support.paths import DATASETS as DEFAULT_DATASETS
from mediawatch.classifiers.modelio import MODELS_DIR, dump, load, read_floors
from mediawatch.classifiers.sentiment import SentimentModel, english_sentiment, load_sentiment
from mediawatch.classifiers.sentiment_domain import read_domain_set
from mediawatch.document import Sentiment
from mediawatch.errors import ConfigError


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return load_sentiment()


def test_predict_returns_sentiments_in_range(model):
    texts = ["Sản phẩm tuyệt vời, giao hàng nhanh, rất hài lòng 👍",
             "Hàng kém chất lượng, shop lừa đảo, thất vọng quá 😡",
             "", "The new road is great, thanks!", "洪水"]
    out = model.predict(texts)
    assert len(out) == len(texts)
    assert all(isinstance(s, Sentiment) and -1.0 <= s.score <= 1.0 for s in out)
    assert out[0].label == "positive" and out[0].score > 0.3
    assert out[1].label == "negative" and out[1].score < -0.3
    assert out[3].label == "positive"  # English goes to the lexicon


def test_known_languages_are_not_detected_again(model):
    # "bad" alone would be too short to call English; the caller's language decides the route.
    out = model.predict(["bad", "rất tệ"], langs=["en", None])
    assert out[0] == Sentiment("negative", -0.5)
    assert out[1].label == "negative"
    assert model.predict([]) == []


def test_negation_and_short_forms_flip_the_reading(model):
    good, not_good = model.predict(["Sản phẩm dùng rất tốt", "Sản phẩm dùng ko tốt chút nào"])
    assert good.label == "positive"
    assert not_good.label == "negative"


def test_english_lexicon_handles_negation():
    assert english_sentiment("The staff were helpful").label == "positive"
    assert english_sentiment("The staff were not helpful at all").label == "negative"
    assert english_sentiment("The council meets on Monday").label == "neutral"


def test_fit_returns_self_and_refuses_unknown_labels():
    texts = ["tốt lắm", "rất tốt", "tệ quá", "quá tệ", "bình thường", "cũng bình thường"] * 3
    labels = ["positive", "positive", "negative", "negative", "neutral", "neutral"] * 3
    est = SentimentModel(char_max_features=500, word_max_features=500)
    assert est.fit(texts, labels) is est
    assert est.predict_proba(["tốt"]).shape == (1, 3)
    with pytest.raises(ValueError, match="unknown sentiment labels"):
        SentimentModel().fit(["a", "b"], ["good", "bad"])


def test_loading_refuses_untrusted_types(tmp_path):
    path = tmp_path / "sentiment.skops"
    dump({"payload": _Untrusted()}, path)
    with pytest.raises(ConfigError, match="does not trust"):
        load(path)
    with pytest.raises(ConfigError, match="mediawatch train"):
        load(tmp_path / "missing.skops")


class _Untrusted:
    pass


def test_model_file_is_small():
    assert (MODELS_DIR / "sentiment.skops").stat().st_size < 10_000_000


def test_gate_held_out_scores_stay_above_floors(model):
    """The evaluation gate: held-out public rows and the domain set's test part vs floors.json."""
    floors = read_floors()["sentiment"]
    scores = train_sentiment.score_sets(model, train_sentiment.held_out_sets(DEFAULT_DATASETS))
    assert set(floors) <= set(scores)
    below = {k: (scores[k], floor) for k, floor in floors.items() if scores[k] < floor}
    assert not below, f"scores below floors: {below}"


# The four sentences seen in the demo (issue 11), labelled by docs/sentiment-labelling.md. They are
# not in the labelled set, so the model never trained on them.
DEMO = [("Vỡ đập thủy điện Nậm Chăn 2, nước đang tràn về rất nhanh, ai ở gần sông di chuyển ngay đi", "negative"),
        ("Đại xòe ở Nghĩa Lộ tối qua vui quá", "positive"),
        ("Quốc lộ 4D đã thông xe hoàn toàn sau sạt lở", "positive"),
        ("vận hành xả tràn theo quy trình", "neutral")]


def test_demo_sentences_come_out_right(model):
    out = model.predict([text for text, _ in DEMO])
    assert [s.label for s in out] == [label for _, label in DEMO], out
    assert out[0].score < -0.3 and out[1].score > 0.3 and out[2].score > 0
    assert abs(out[3].score) < 0.5  # a procedural statement is not read as strongly negative
    domain_texts = {item.text for item in read_domain_set(DEFAULT_DATASETS).items}
    assert not domain_texts & {text for text, _ in DEMO}


def test_vlsp_held_out_rows_are_never_trained_on():
    # The folder's dev file is a subset of its train file: both the dev rows and the hashed 10% stay out.
    train_rows, held, dev = train_sentiment.vlsp_split(DEFAULT_DATASETS)
    assert set(dev.texts) <= set(held.texts)
    assert not set(train_rows.texts) & set(held.texts)
    assert len(held) == len(set(held.texts)) > 500
