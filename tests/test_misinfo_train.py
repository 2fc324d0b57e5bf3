"""The misinformation trainer end to end on a small ReINTEL-shaped file: model, card, reviewers' data."""

from __future__ import annotations

import csv
import random

from mediawatch.classifiers.misinfo.model import CARD_FILE, MODEL_FILE, Post, load_model, predict
from mediawatch.classifiers.misinfo.training import evaluate, train


def _write_reintel(root, n: int = 120) -> None:
    rng = random.Random(7)
    folder = root / "reintel"
    folder.mkdir(parents=True)
    with (folder / "train.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "user_name", "post_message", "timestamp_post", "num_like_post", "num_comment_post",
                      "num_share_post", "label"])
        for i in range(n):
            bad = i % 4 == 0
            words = (["nghe", "nói", "chia", "sẻ", "gấp", "sốc"] if bad else ["theo", "sở", "y", "tế", "cho", "biết"])
            text = " ".join(rng.choice(words) for _ in range(12)) + f" số {i}"
            out.writerow([i, "x", text, 1_590_000_000 + 3600 * i, rng.randint(0, 50), "" if i % 7 == 0 else 3,
                          rng.randint(0, 9), int(bad)])


def test_train_writes_model_card_and_uses_reviewed_posts(tmp_path, monkeypatch) -> None:
    from mediawatch.classifiers.misinfo import model as model_module

    monkeypatch.setattr(model_module, "GBM_ITER", 60)  # the mechanism, not the model's quality, is tested here
    _write_reintel(tmp_path / "data")
    out = tmp_path / "models"
    reviewed = [(Post(text="nghe nói chia sẻ gấp đập vỡ"), 1), (Post(text="theo sở y tế cho biết"), 0)]
    scores = train(tmp_path / "data", out, cv=True, reviewed=reviewed)
    assert 0.5 <= scores["roc_auc_cv5"] <= 1.0
    assert scores["roc_auc_held_out"] >= 0.9  # the synthetic classes are easy
    assert (out / MODEL_FILE).is_file()
    card = (out / CARD_FILE).read_text(encoding="utf-8")
    assert "(2 of them reviewers' verdicts)" in card and "research use" in card
    assert "## Operating point" in card and f"| flag threshold | {scores['flag_threshold']:.3f} |" in card
    assert 0.5 <= scores["flag_threshold"] <= 0.9 and "recall_held_out" in scores
    assert load_model(out)["operating_point"]["threshold"] == scores["flag_threshold"]
    assert evaluate(tmp_path / "data", out) == {k: v for k, v in scores.items() if k != "roc_auc_cv5"}
    model = load_model(out)
    probs = predict(model, [Post(text="nghe nói chia sẻ gấp sốc", likes=3, shares=1), Post(text="theo sở y tế")])
    assert probs[0] > probs[1]
    assert len(predict(model, [])) == 0
