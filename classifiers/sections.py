"""News-section classifier (the ten VNTC sections): which part of a newspaper an article belongs in.

TF-IDF over syllable uni/bigrams of the normalised, lower-cased text and a linear SVM, trained on
the VNTC sample (see ``classifiers/models/sections.md``). ``predict`` returns section names such as
"The thao"; :data:`SECTION_NAMES_VI` gives the Vietnamese display names.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from .features import TOKEN_PATTERN, CompactTfidfVectorizer, shrink_linear as _shrink
from .modelio import load
from .modelio import models_dir as _models_dir
from .normalize import normalize

__all__ = ["SectionModel", "load_sections", "MODEL_FILE", "SECTION_NAMES_VI"]

MODEL_FILE = "sections.skops"
SECTION_NAMES_VI = {
    "Chinh tri Xa hoi": "Chính trị - Xã hội", "Doi song": "Đời sống", "Khoa hoc": "Khoa học",
    "Kinh doanh": "Kinh doanh", "Phap luat": "Pháp luật", "Suc khoe": "Sức khỏe", "The gioi": "Thế giới",
    "The thao": "Thể thao", "Van hoa": "Văn hóa", "Vi tinh": "Vi tính",
}
# Articles are long; the opening (title and lead) carries the section and keeps prediction fast.
MAX_CHARS = 3000


class SectionModel(BaseEstimator, ClassifierMixin):
    def __init__(self, C: float = 0.5, ngrams: int = 2, max_features: int = 30_000, min_df: int = 2):
        self.C = C
        self.ngrams = ngrams
        self.max_features = max_features
        self.min_df = min_df

    @staticmethod
    def _prepare(texts) -> list[str]:
        return [normalize((t or "")[:MAX_CHARS]).lower() for t in texts]

    def fit(self, X, y):  # noqa: N803 - scikit-learn's names
        from sklearn.pipeline import Pipeline
        from sklearn.svm import LinearSVC

        self.pipeline_ = Pipeline([
            ("words", CompactTfidfVectorizer(token_pattern=TOKEN_PATTERN, ngram_range=(1, self.ngrams), min_df=self.min_df,
                                      max_features=self.max_features, sublinear_tf=True, lowercase=False,
                                      dtype=np.float32)),
            ("clf", LinearSVC(C=self.C)),
        ]).fit(self._prepare(X), list(y))
        _shrink(self.pipeline_.named_steps["clf"])
        self.classes_ = self.pipeline_.classes_
        return self

    def predict(self, X) -> list[str]:  # noqa: N803
        return [str(label) for label in self.pipeline_.predict(self._prepare(X))]


_CACHE: dict[Path, SectionModel] = {}
_LOCK = threading.Lock()


def load_sections(models_dir: str | Path | None = None) -> SectionModel:
    """The trained model from ``models_dir`` (default: the shipped ``classifiers/models``), cached."""
    path = (_models_dir(models_dir) / MODEL_FILE).resolve()
    with _LOCK:
        if path not in _CACHE:
            _CACHE[path] = load(path)
        return _CACHE[path]
