"""The likely-misinformation model, trained on ReINTEL (VLSP 2020): text plus engagement metadata.

Two linear text models (word 1-2 grams; character 2-4 grams of the folded text, so posts typed
without diacritics score alike) give out-of-fold probabilities that a gradient-boosted model
combines with engagement and timing features (likes, comments, shares, hour, weekday, month,
shape of the text). The saved object is a plain dict of scikit-learn parts, so skops loads it
without trusting any class of ours. Author names are deliberately not a feature (no profiling).
"""

from __future__ import annotations

import csv
import json
import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from mediawatch.errors import ConfigError
from mediawatch.text import fold

from .. import modelio
from ..datasets import datasets_dir, in_held_out
from ..features import CharNgramFeatures, CompactTfidfVectorizer, shrink_linear

MODEL_FILE = "misinfo.skops"
CARD_FILE = "misinfo.md"
HELD_OUT_PER_MILLE = 200
FEATURE_VERSION = 1


@dataclass(slots=True)
class Post:
    """What the model reads of a document."""

    text: str
    likes: float | None = None
    comments: float | None = None
    shares: float | None = None
    timestamp: float | None = None  # seconds since the epoch, UTC


def _num(value: str | None) -> float | None:
    if value is None:
        return None
    digits = "".join(ch for ch in str(value) if ch.isdigit() or ch == ".")
    try:
        return float(digits) if digits else None
    except ValueError:
        return None


def read_reintel(root: str | Path | None = None) -> tuple[list[Post], np.ndarray, list[str]]:
    path = datasets_dir(root) / "reintel" / "train.csv"
    if not path.is_file():
        raise ConfigError(f"ReINTEL data not found at {path}. Fix: pass --datasets pointing at the folder "
                          "that holds reintel/train.csv")
    posts, labels, ids = [], [], []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            posts.append(Post(text=row["post_message"] or "", likes=_num(row["num_like_post"]),
                              comments=_num(row["num_comment_post"]), shares=_num(row["num_share_post"]),
                              timestamp=_num(row["timestamp_post"])))
            labels.append(int(row["label"]))
            ids.append(row["id"])
    return posts, np.asarray(labels), ids


def meta_features(posts: Sequence[Post]) -> np.ndarray:
    rows = []
    for p in posts:
        text = p.text
        likes, comments, shares = (math.log1p(v) if v is not None else 0.0
                                   for v in (p.likes, p.comments, p.shares))
        if p.timestamp:
            dt = datetime.fromtimestamp(p.timestamp, tz=timezone.utc)
            hour, weekday, day, month = dt.hour, dt.weekday(), dt.day, dt.month
        else:
            hour = weekday = day = month = -1
        n = len(text) + 1
        rows.append([
            likes, comments, shares,
            p.likes is None, p.comments is None, p.shares is None, p.timestamp is None,
            hour, weekday, day, month,
            math.log1p(len(text)), text.count("http"), text.count("!"), sum(map(str.isdigit, text)),
            text.count("#"), shares - likes, comments - likes,
            sum(map(str.isupper, text)) / n, text.count("\n"),
        ])
    return np.asarray(rows, dtype=np.float64)


def _vectorizers():
    # CompactTfidfVectorizer (mediawatch.classifiers.features) saves its vocabulary as one string: a small file.
    word = CompactTfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=200_000, dtype=np.float32)
    # Same features as TfidfVectorizer(analyzer="char_wb"), computed once per distinct syllable: fast.
    char = CharNgramFeatures(ngram_range=(2, 4), min_df=2, max_features=150_000)
    return word, char


def _text_columns(posts: Sequence[Post]) -> tuple[list[str], list[str]]:
    return [p.text.lower() for p in posts], [fold(p.text) for p in posts]


def _lr():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=10.0, max_iter=3000, class_weight="balanced")


def fit(posts: Sequence[Post], y: np.ndarray, *, folds: int = 5, seed: int = 0) -> dict[str, Any]:
    """Fit the stacked model; out-of-fold text scores train the combiner without leakage."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold

    low, folded = _text_columns(posts)
    low_a, folded_a = np.asarray(low, dtype=object), np.asarray(folded, dtype=object)
    oof = np.zeros((len(y), 2))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(low_a, y):
        for col, (vec, texts) in enumerate(zip(_vectorizers(), (low_a, folded_a))):
            X = vec.fit_transform(texts[tr])
            oof[te, col] = _lr().fit(X, y[tr]).predict_proba(vec.transform(texts[te]))[:, 1]
    word, char = _vectorizers()
    lr_word = _lr().fit(word.fit_transform(low), y)
    lr_char = _lr().fit(char.fit_transform(folded), y)
    shrink_linear(lr_word)
    shrink_linear(lr_char)
    gbm = HistGradientBoostingClassifier(max_iter=400, learning_rate=0.03, max_leaf_nodes=15,
                                         l2_regularization=1.0, random_state=seed)
    gbm.fit(np.c_[meta_features(posts), oof], y)
    return {"word": word, "char": char, "lr_word": lr_word, "lr_char": lr_char, "gbm": gbm,
            "feature_version": FEATURE_VERSION}


def predict(model: dict[str, Any], posts: Sequence[Post]) -> np.ndarray:
    if not posts:
        return np.zeros(0)
    low, folded = _text_columns(posts)
    p_word = model["lr_word"].predict_proba(model["word"].transform(low))[:, 1]
    p_char = model["lr_char"].predict_proba(model["char"].transform(folded))[:, 1]
    return model["gbm"].predict_proba(np.c_[meta_features(posts), p_word, p_char])[:, 1]


def split(posts: list[Post], y: np.ndarray, ids: list[str]):
    held = np.asarray([in_held_out(f"reintel:{i}", HELD_OUT_PER_MILLE) for i in ids])
    keep = ~held
    return ([p for p, k in zip(posts, keep) if k], y[keep]), ([p for p, h in zip(posts, held) if h], y[held])


def cross_validate(posts: list[Post], y: np.ndarray, folds: int = 5) -> float:
    """Nested: each outer fold refits the whole stack (inner out-of-fold scores included)."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    scores = np.zeros(len(y))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=42).split(np.zeros(len(y)), y):
        model = fit([posts[i] for i in tr], y[tr])
        scores[te] = predict(model, [posts[i] for i in te])
    return float(roc_auc_score(y, scores))


# Beyond the types modelio trusts: the gradient-boosting trees' predictor (scikit-learn's own).
EXTRA_TRUSTED = ["sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"]
_CACHE: dict[Path, dict[str, Any]] = {}
_LOCK = threading.Lock()


def load_model(models_dir: str | Path | None = None) -> dict[str, Any]:
    """The trained model (default: the shipped classifiers/models), loaded once per process."""
    path = (modelio.models_dir(models_dir) / MODEL_FILE).resolve()
    with _LOCK:
        if path not in _CACHE:
            _CACHE[path] = modelio.load(path, extra_trusted=EXTRA_TRUSTED)
        return _CACHE[path]


def train(datasets: str | Path | None = None, out_dir: str | Path | None = None, *, cv: bool = True,
          reviewed: Sequence[tuple[Post, int]] | None = None) -> dict[str, float]:
    """Train on ReINTEL (minus the fixed held-out fifth) plus reviewers' verdicts; write model and card.

    ``reviewed`` are the reviewers' verdicts as (post, label), gathered by the caller from the store
    (``mediawatch triage review``); this module never opens a store or reads the configuration.
    """
    from sklearn.metrics import average_precision_score, roc_auc_score

    reviewed = list(reviewed or [])
    started = time.time()
    posts, y, ids = read_reintel(datasets)
    (train_posts, train_y), (held_posts, held_y) = split(posts, y, ids)
    if reviewed:
        train_posts = train_posts + [p for p, _ in reviewed]
        train_y = np.concatenate([train_y, np.asarray([label for _, label in reviewed])])
    model = fit(train_posts, train_y)
    held_scores = predict(model, held_posts)
    scores = {"roc_auc_held_out": round(float(roc_auc_score(held_y, held_scores)), 4),
              "average_precision_held_out": round(float(average_precision_score(held_y, held_scores)), 4)}
    out = modelio.models_dir(out_dir)
    if cv:
        scores["roc_auc_cv5"] = round(cross_validate(posts, y), 4)
    else:
        previous = _read_card_scores(out)
        if "roc_auc_cv5" in previous:
            scores["roc_auc_cv5"] = previous["roc_auc_cv5"]
    size = modelio.dump(model, out / MODEL_FILE)
    _CACHE.pop((out / MODEL_FILE).resolve(), None)
    _write_card(out, scores, len(train_posts), len(held_posts), len(reviewed), size, time.time() - started)
    return scores


def evaluate(datasets: str | Path | None = None, models_dir: str | Path | None = None) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, roc_auc_score

    posts, y, ids = read_reintel(datasets)
    _, (held_posts, held_y) = split(posts, y, ids)
    scores = predict(load_model(models_dir), held_posts)
    return {"roc_auc_held_out": round(float(roc_auc_score(held_y, scores)), 4),
            "average_precision_held_out": round(float(average_precision_score(held_y, scores)), 4)}


def _read_card_scores(out: Path) -> dict[str, float]:
    path = out / CARD_FILE
    if not path.is_file():
        return {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("<!-- scores "):
            return json.loads(line[len("<!-- scores "):-len(" -->")])
    return {}


def _write_card(out: Path, scores: dict[str, float], n_train: int, n_held: int, n_reviewed: int, size: int,
                seconds: float) -> None:
    today = datetime.now(timezone.utc).strftime("%d/%m/%Y")
    cv = scores.get("roc_auc_cv5")
    text = f"""# Model card: misinfo (likely-misinformation score)

<!-- scores {json.dumps(scores, sort_keys=True)} -->

- **What it does**: the probability that a social post is unreliable, one input of the triage score
  (with check-worthiness cues, the claims register and the opinion gate: see docs/triage.md). It
  never flags alone and never decides: reviewers do.
- **Trained**: {today}, in {seconds:.0f} s, on {n_train} posts ({n_reviewed} of them reviewers' verdicts).
- **Data**: ReINTEL (VLSP 2020 shared task), Vietnamese social-network posts, mostly 2020 and
  COVID-heavy, 1 = unreliable (17%). Terms: research use, as distributed by the VLSP organisers;
  the data is not in this repository. Author names (hashed in the data) are NOT used.
- **Model**: TF-IDF word 1-2 grams + logistic regression; TF-IDF character 2-4 grams of the
  folded text + logistic regression; their out-of-fold scores with 20 engagement/timing/shape
  features into a histogram gradient-boosting classifier. File {MODEL_FILE}, {size / 1e6:.1f} MB (skops).

## Scores

| metric | value |
|---|---|
| ROC-AUC, fixed held-out fifth (hash of the post id, {n_held} posts) | {scores['roc_auc_held_out']:.4f} |
| average precision, held-out fifth | {scores['average_precision_held_out']:.4f} |
| ROC-AUC, nested 5-fold cross-validation on all 3,280 posts | {f'{cv:.4f}' if cv is not None else 'not run'} |

Published systems reach ROC-AUC 0.952-0.958 on the shared task's private test set (PhoBERT /
vELECTRA with metadata; SVM + LightGBM ensemble 0.952). This linear + boosting model is below
that bar; the gap is mostly the pretrained language models and, for some teams, author features
that we leave out on purpose.

## Limits

The data is 2020 national social media, dominated by COVID-19; provincial disaster rumours look
different. The score is therefore weighted against cues and the claims register, and an opinion
gate caps posts without a checkable claim. Floors in floors.json guard the held-out score.
"""
    (out / CARD_FILE).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    print(json.dumps(train(cv="--no-cv" not in args), indent=2))


if __name__ == "__main__":
    main()
