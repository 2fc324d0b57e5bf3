"""Sentiment of news and social posts: negative / neutral / positive with a score in [-1, 1].

One model for every document. Vietnamese goes through a linear model over syllable n-grams,
character n-grams and lexicon counts, trained on VLSP 2016, UIT-VSFC, AIVIVN 2019 and the project's
labelled provincial news and public posts (see ``classifiers/models/sentiment.md``). English has no labelled training data here, so English text
(as :func:`mediawatch.classifiers.language.detect_language` says) is scored by a small negation-aware lexicon
written for this project; its accuracy is measured on a hand-written set and reported as such.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin

from mediawatch.document import SENTIMENT_LABELS, Sentiment

from .features import TOKEN_PATTERN, CharNgramFeatures, CompactTfidfVectorizer, LexiconFeatures, prepare
from .features import shrink_linear as _shrink
from .language import detect_language
from .modelio import load
from .modelio import models_dir as _models_dir

__all__ = ["SentimentModel", "load_sentiment", "english_sentiment", "MODEL_FILE"]

MODEL_FILE = "sentiment.skops"
LABELS = SENTIMENT_LABELS  # ("negative", "neutral", "positive")
MAX_CHARS = 2000


class SentimentModel(BaseEstimator, ClassifierMixin):
    """A scikit-learn estimator over raw texts; ``predict`` returns :class:`Sentiment` objects.

    ``fit(texts, labels)`` with labels among negative/neutral/positive. ``predict_proba`` gives the
    class probabilities in :data:`LABELS` order; ``score`` on a document is P(positive) - P(negative).
    """

    def __init__(self, C: float = 4.0, word_ngrams: int = 3, word_max_features: int = 150_000,
                 char_ngrams: tuple[int, int] = (1, 5), char_max_features: int = 150_000,
                 min_df: int = 2, negation: bool = True, lexicon: bool = True,
                 english_lexicon: bool = True, neutral_margin: float = 0.0, classifier: str = "logreg"):
        self.C = C
        self.word_ngrams = word_ngrams
        self.word_max_features = word_max_features
        self.char_ngrams = char_ngrams
        self.char_max_features = char_max_features
        self.min_df = min_df
        self.negation = negation
        self.lexicon = lexicon
        self.english_lexicon = english_lexicon
        self.neutral_margin = neutral_margin
        self.classifier = classifier

    def _parts(self) -> list:
        parts = [CompactTfidfVectorizer(token_pattern=TOKEN_PATTERN, ngram_range=(1, self.word_ngrams),
                                        min_df=self.min_df, max_features=self.word_max_features,
                                        sublinear_tf=True, lowercase=False, dtype=np.float32)]
        if self.char_max_features:
            parts.append(CharNgramFeatures(ngram_range=tuple(self.char_ngrams), min_df=self.min_df,
                                           max_features=self.char_max_features))
        if self.lexicon:
            parts.append(LexiconFeatures())
        return parts

    def _classifier(self):
        if self.classifier == "svm":
            # A linear SVM with probabilities from sigmoid calibration on 3-fold out-of-fold scores;
            # ensemble=False keeps a single SVM (one weight matrix in the file).
            from sklearn.calibration import CalibratedClassifierCV
            from sklearn.svm import LinearSVC

            return CalibratedClassifierCV(LinearSVC(C=self.C), cv=3, method="sigmoid", ensemble=False)
        if self.classifier == "logreg":
            from sklearn.linear_model import LogisticRegression

            return LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced")
        raise ValueError(f"classifier {self.classifier!r}: use 'logreg' or 'svm'")

    def _prepare(self, texts) -> list[str]:
        # A long article's tone is set in its title and opening; the cut keeps the cost per document bounded.
        return [prepare((t or "")[:MAX_CHARS], negation=self.negation) for t in texts]

    def features(self, X):  # noqa: N803
        """The feature matrix of raw texts (what the classifier sees)."""
        prepared = self._prepare(X)
        return sparse.hstack([part.transform(prepared) for part in self.parts_], format="csr")

    def fit(self, X, y, sample_weight=None):  # noqa: N803 - scikit-learn's names
        """``sample_weight`` (one per text) lets a small in-domain set count for more than its rows."""
        labels = list(y)
        unknown = sorted(set(labels) - set(LABELS))
        if unknown:
            raise ValueError(f"unknown sentiment labels {unknown}; use {LABELS}")
        prepared = self._prepare(X)
        self.parts_ = self._parts()
        matrix = sparse.hstack([part.fit_transform(prepared) for part in self.parts_], format="csr")
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        self.clf_ = self._classifier().fit(matrix, labels, sample_weight=weights)
        for linear in [c.estimator for c in getattr(self.clf_, "calibrated_classifiers_", [])] or [self.clf_]:
            _shrink(linear)
        self.classes_ = np.array(LABELS)
        self.order_ = [list(self.clf_.classes_).index(c) if c in self.clf_.classes_ else -1 for c in LABELS]
        return self

    def predict_proba(self, X):  # noqa: N803
        """Probabilities per class in LABELS order (a class absent from training gets 0)."""
        X = list(X)  # noqa: N806
        if not X:
            return np.zeros((0, len(LABELS)))
        raw = _proba(self.clf_, self.features(X))
        out = np.zeros((len(raw), len(LABELS)))
        for j, col in enumerate(self.order_):
            if col >= 0:
                out[:, j] = raw[:, col]
        return out

    def predict_labels(self, X) -> list[str]:  # noqa: N803
        return [s.label for s in self.predict(X)]

    def predict(self, X, langs: list[str | None] | None = None) -> list[Sentiment]:  # noqa: N803
        """One :class:`Sentiment` per text. ``langs`` (e.g. ``Document.lang``) saves detecting them again."""
        texts = list(X)
        results: list[Sentiment | None] = [None] * len(texts)
        model_idx = []
        for i, text in enumerate(texts):
            lang = langs[i] if langs is not None and langs[i] else detect_language(text or "")
            if self.english_lexicon and lang == "en":
                results[i] = english_sentiment(text or "")
            else:
                model_idx.append(i)
        if model_idx:
            proba = self.predict_proba([texts[i] for i in model_idx])
            for i, row in zip(model_idx, proba):
                results[i] = _from_proba(row, self.neutral_margin)
        return results  # type: ignore[return-value]

    def score(self, X, y, sample_weight=None):  # noqa: N803 - macro-F1, the metric we publish
        from sklearn.metrics import f1_score

        return f1_score(list(y), self.predict_labels(X), average="macro")


def _proba(clf, matrix) -> np.ndarray:
    """predict_proba without scikit-learn's per-call validation for the logistic model (a few ms a call)."""
    from sklearn.linear_model import LogisticRegression

    if type(clf) is not LogisticRegression:
        return clf.predict_proba(matrix)
    scores = np.asarray(matrix @ clf.coef_.T, dtype=np.float64) + clf.intercept_
    if scores.shape[1] == 1:  # two classes: a sigmoid
        pos = 1.0 / (1.0 + np.exp(-scores[:, 0]))
        return np.column_stack([1.0 - pos, pos])
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    return scores / scores.sum(axis=1, keepdims=True)


def _from_proba(row: np.ndarray, neutral_margin: float) -> Sentiment:
    neg, neu, pos = (float(v) for v in row)
    score = max(-1.0, min(1.0, pos - neg))
    label = LABELS[int(np.argmax(row))]
    if label != "neutral" and abs(score) < neutral_margin:
        label = "neutral"
    return Sentiment(label=label, score=round(score, 4))


# English: a small lexicon written for this project (no English training data is available offline).
_EN_POS = frozenset("""good great excellent happy glad love loved like liked nice best better helpful
thanks thank grateful wonderful amazing awesome success successful safe improve improved improving
recovery recovered support supported praise praised efficient fast reliable fine pleased win won
welcome resolved restored proud beautiful clean progress growth rescued calm""".split())
_EN_NEG = frozenset("""bad worse worst terrible awful horrible hate hated poor angry upset sad
disappointed disappointing slow broken fail failed failure problem problems complaint complain
complained dead died death deaths killed injured flood flooding flooded landslide storm damage damaged
destroyed loss losses missing crisis danger dangerous corruption fraud scam fake polluted pollution
outbreak fire collapse collapsed delay delayed unsafe shortage protest victims worried fear
disaster emergency evacuated stranded cut""".split())
_EN_NEGATORS = frozenset({"not", "no", "never", "isn", "aren", "wasn", "weren", "don", "doesn", "didn",
                          "cannot", "can't", "won", "nothing", "hardly"})
_EN_WORD = re.compile(r"[a-z']+")


def english_sentiment(text: str) -> Sentiment:
    """Lexicon score with a two-word negation scope; neutral when nothing sentiment-bearing is found."""
    pos = neg = 0.0
    scope = 0
    for word in _EN_WORD.findall(text.lower()):
        word = word.replace("n't", "").strip("'")
        if word in _EN_NEGATORS:
            scope = 3
            continue
        flip = scope > 0
        scope = max(0, scope - 1)
        if word in _EN_POS:
            neg, pos = (neg + 1, pos) if flip else (neg, pos + 1)
        elif word in _EN_NEG:
            neg, pos = (neg, pos + 0.5) if flip else (neg + 1, pos)
    if pos == neg:
        return Sentiment("neutral", 0.0)
    score = (pos - neg) / (pos + neg + 1)
    return Sentiment("positive" if score > 0 else "negative", round(score, 4))


_CACHE: dict[Path, SentimentModel] = {}
_LOCK = threading.Lock()


def load_sentiment(models_dir: str | Path | None = None) -> SentimentModel:
    """The trained model from ``models_dir`` (default: the shipped ``classifiers/models``), cached."""
    path = (_models_dir(models_dir) / MODEL_FILE).resolve()
    with _LOCK:
        if path not in _CACHE:
            _CACHE[path] = load(path)
        return _CACHE[path]
