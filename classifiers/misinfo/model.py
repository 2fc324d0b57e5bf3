"""The likely-misinformation model, trained on ReINTEL (VLSP 2020): text plus engagement metadata.

Two linear text models (word 1-2 grams; character 2-4 grams of the folded text, so posts typed
without diacritics score alike) give out-of-fold probabilities that a gradient-boosted model
combines with engagement and timing features (likes, comments, shares, hour, weekday, month,
shape of the text). The saved object is a plain dict of scikit-learn parts, so skops loads it
without trusting any class of ours. Author names are deliberately not a feature (no profiling).
"""

from __future__ import annotations

import csv
import math
import threading
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
GBM_ITER, GBM_LEAVES = 600, 7
FEATURE_VERSION = 2


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
            days = p.timestamp / 86400.0  # when it was posted: rumours come in waves
        else:
            hour = weekday = day = month = days = -1
        n = len(text) + 1
        rows.append([
            likes, comments, shares,
            p.likes is None, p.comments is None, p.shares is None, p.timestamp is None,
            hour, weekday, day, month,
            math.log1p(len(text)), text.count("http"), text.count("!"), sum(map(str.isdigit, text)),
            text.count("#"), shares - likes, comments - likes,
            sum(map(str.isupper, text)) / n, text.count("\n"), days,
        ])
    return np.asarray(rows, dtype=np.float64)


def _vectorizers():
    # CompactTfidfVectorizer (mediawatch.classifiers.features) saves its vocabulary as one string: a small file.
    word = CompactTfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=200_000, dtype=np.float32)
    # Same features as TfidfVectorizer(analyzer="char_wb"), computed once per distinct syllable: fast.
    char = CharNgramFeatures(ngram_range=(2, 4), min_df=2, max_features=150_000)
    return word, char


def _text_columns(posts: Sequence[Post], folded: Sequence[str] | None = None) -> tuple[list[str], list[str]]:
    return [p.text.lower() for p in posts], list(folded) if folded is not None else [fold(p.text) for p in posts]


def _lr():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=10.0, max_iter=3000, class_weight="balanced")


def _gbm(seed: int = 0):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=GBM_ITER, learning_rate=0.03, max_leaf_nodes=GBM_LEAVES,
                                          l2_regularization=1.0, random_state=seed)


def _stack(posts: Sequence[Post], y: np.ndarray, folds: int, seed: int) -> tuple[np.ndarray, dict[str, Any]]:
    """Out-of-fold text scores with the metadata (the combiner's training rows), and the text models."""
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
    parts = {"word": word, "char": char, "lr_word": lr_word, "lr_char": lr_char}
    return np.c_[meta_features(posts), oof], parts


def fit(posts: Sequence[Post], y: np.ndarray, *, folds: int = 5, seed: int = 0,
        calibrate: bool = False) -> dict[str, Any]:
    """Fit the stacked model; out-of-fold text scores train the combiner without leakage.

    ``calibrate``: also return ``model["calibration"]``, out-of-fold probabilities of the whole
    stack on ``posts`` (for choosing the operating point on data the final model did not see).
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    X, parts = _stack(posts, y, folds, seed)
    gbm = _gbm(seed).fit(X, y)
    model = {**parts, "gbm": gbm, "feature_version": FEATURE_VERSION}
    if calibrate:
        model["calibration"] = cross_val_predict(_gbm(seed), X, y, method="predict_proba",
                                                 cv=StratifiedKFold(folds, shuffle=True, random_state=seed + 1))[:, 1]
    return model


def predict(model: dict[str, Any], posts: Sequence[Post], *, folded: Sequence[str] | None = None) -> np.ndarray:
    """Probability that each post is unreliable; ``folded``: ``fold`` of each post's text, when known."""
    if not posts:
        return np.zeros(0)
    low, folded = _text_columns(posts, folded)
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
