"""Text features shared by the sentiment and news-section models.

Everything here is plain scikit-learn parts plus one small transformer, so a trained model saves
with skops and loads with an explicit list of trusted types (see ``mediawatch.classifiers.modelio``).
"""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from .normalize import EMO_NEG, EMO_POS, normalize

__all__ = ["prepare", "mark_negation", "LexiconFeatures", "CompactTfidfVectorizer", "shrink_linear", "NEGATIONS", "TOKEN_PATTERN"]

# Syllables and words (single letters kept: "k", "j" survive normalisation rarely, digits matter).
TOKEN_PATTERN = r"(?u)\b\w+\b"
_TOKEN_RE = re.compile(TOKEN_PATTERN)

# Negators: the following syllables get a "neg_" prefix so "không tốt" and "tốt" differ even for
# the unigram and character features. A comma or full stop ends the scope.
NEGATIONS = frozenset({"không", "chẳng", "chả", "chưa", "đừng", "chớ", "hổng", "not", "no", "never",
                       "isn", "don", "doesn", "didn", "wasn", "aren", "won", "cannot"})
_SCOPE = 2
_CLAUSE_END = re.compile(r"[.,;!?\n]")


def mark_negation(text: str) -> str:
    """'không tốt lắm, nhưng rẻ' -> 'không neg_tốt neg_lắm nhưng rẻ' (lower-cased tokens)."""
    out: list[str] = []
    for clause in _CLAUSE_END.split(text):
        left = 0
        for token in _TOKEN_RE.findall(clause):
            if token in NEGATIONS:
                out.append(token)
                left = _SCOPE
            elif left:
                out.append("neg_" + token)
                left -= 1
            else:
                out.append(token)
        out.append("|")  # keeps n-grams from spanning clauses
    return " ".join(out)


def prepare(text: str, *, negation: bool = True) -> str:
    """normalize -> lower case -> (negation scopes marked)."""
    text = normalize(text).lower()
    return mark_negation(text) if negation else text


# A small sentiment lexicon written for this project (not copied from any corpus): words of
# provincial news and complaints that the product-review corpora rarely contain.
NEGATIVE_TERMS = """
thiệt hại thương vong tử vong thiệt mạng chết mất tích bị thương tai nạn sạt lở ngập lụt lũ quét
lũ lụt ngập úng hỏa hoạn cháy nổ ô nhiễm dịch bệnh ngộ độc bức xúc khiếu nại khiếu kiện tố cáo
phản đối chậm trễ nhũng nhiễu tham nhũng sai phạm vi phạm lừa đảo gian lận thất vọng tồi tệ kém
xuống cấp hư hỏng ách tắc kẹt xe mất điện mất nước thiếu nước hạn hán xâm nhập mặn thất thu
thua lỗ nợ đọng bỏ hoang lãng phí chây ì bất cập khó khăn lo lắng lo ngại hoang mang bất an
nguy hiểm nghiêm trọng cảnh báo khẩn cấp tồi dở tệ chán ghét bực kém chất lượng quá tệ lừa
""".split("\n")
POSITIVE_TERMS = """
hiệu quả thành công hoàn thành vượt kế hoạch tăng trưởng khởi sắc phát triển cải thiện
hài lòng tuyệt vời xuất sắc tốt đẹp ủng hộ cảm ơn biểu dương khen thưởng hỗ trợ kịp thời
an toàn ổn định thuận lợi bội thu được mùa khang trang sạch đẹp nhiệt tình chu đáo tận tình
vui mừng phấn khởi tự hào yên tâm đoàn kết chung tay thiết thực nhanh chóng đáng khen
tốt hay đẹp thích yêu rẻ nhanh chuẩn ưng ổn
""".split("\n")


def lexicon_terms(block: list[str]) -> list[str]:
    return [t for line in block for t in line.split()]



def pack_vocabulary(state: dict) -> dict:
    """A fitted vocabulary as one newline-joined string of terms in index order: skops stores a
    string compactly, while a dict of a hundred thousand terms bloats the model file."""
    vocab = state.pop("vocabulary_", None)
    if vocab is not None:
        terms = [""] * len(vocab)
        for term, index in vocab.items():
            terms[index] = term
        state["terms_"] = "\n".join(terms)
    return state


def unpack_vocabulary(state: dict) -> dict:
    state = dict(state)
    terms = state.pop("terms_", None)
    if terms is not None:
        state["vocabulary_"] = {t: i for i, t in enumerate(terms.split("\n"))} if terms else {}
    return state

class LexiconFeatures(BaseEstimator, TransformerMixin):
    """Counts of positive and negative lexicon syllables and emoji tokens, negation-aware.

    Works on :func:`prepare` output: a negated positive word ("neg_tốt") counts as negative.
    Output columns: pos, neg, emopos, emoneg, (pos - neg) / (pos + neg + 1); log-damped.
    """

    def fit(self, X, y=None):  # noqa: N803 - scikit-learn's names
        self.positive_ = sorted(set(lexicon_terms(POSITIVE_TERMS)))
        self.negative_ = sorted(set(lexicon_terms(NEGATIVE_TERMS)))
        return self

    def transform(self, X):  # noqa: N803
        pos_set, neg_set = frozenset(self.positive_), frozenset(self.negative_)
        rows = np.zeros((len(X), 5), dtype=np.float64)
        for i, text in enumerate(X):
            pos = neg = ep = en = 0
            for token in text.split():
                negated = token.startswith("neg_")
                word = token[4:] if negated else token
                if word in pos_set:
                    if negated:
                        neg += 1
                    else:
                        pos += 1
                elif word in neg_set:
                    if negated:
                        pos += 0.5
                    else:
                        neg += 1
                elif word == EMO_POS:
                    ep += 1
                elif word == EMO_NEG:
                    en += 1
            rows[i] = (pos, neg, ep, en, (pos - neg) / (pos + neg + 1))
        rows[:, :4] = np.log1p(rows[:, :4])
        return sparse.csr_matrix(rows)


def shrink_linear(clf) -> None:
    """Store a fitted linear model's weights as float32: half the file, same predictions to 1e-6."""
    clf.coef_ = np.ascontiguousarray(clf.coef_, dtype=np.float32)
    clf.intercept_ = np.asarray(clf.intercept_, dtype=np.float32)


class CompactTfidfVectorizer(TfidfVectorizer):
    """TfidfVectorizer whose saved form is small and quick to write.

    skops writes a dict entry by entry, so a 100,000-term ``vocabulary_`` becomes 100,000 nodes;
    here it is saved as one newline-joined string of the terms in column order. ``stop_words_`` (the
    terms pruned by min_df/max_features, only kept for inspection) is not saved at all.
    """

    def _fast_path(self) -> bool:
        return (self.analyzer == "word" and not self.lowercase and self.stop_words is None
                and self.preprocessor is None and self.tokenizer is None and self.strip_accents is None
                and self.sublinear_tf and self.use_idf and self.norm == "l2" and not self.binary)

    def transform(self, raw_documents):
        """Same matrix as TfidfVectorizer.transform for our settings, without its per-call overhead."""
        if not self._fast_path():
            return super().transform(raw_documents)
        fast = self.__dict__.get("_fast")
        if fast is None:
            fast = self._fast = (re.compile(self.token_pattern), np.asarray(self.idf_, dtype=np.float32))
        pattern, idf = fast
        lo, hi = self.ngram_range
        get = self.vocabulary_.get
        indptr = [0]
        cols: list[int] = []
        for doc in raw_documents:
            tokens = pattern.findall(doc)
            for n in range(lo, hi + 1):
                if n == 1:
                    grams = tokens
                elif n == 2:
                    grams = [a + " " + b for a, b in zip(tokens, tokens[1:])]
                elif n == 3:
                    grams = [a + " " + b + " " + c for a, b, c in zip(tokens, tokens[1:], tokens[2:])]
                else:
                    grams = [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
                cols.extend([j for j in map(get, grams) if j is not None])
            indptr.append(len(cols))
        counts = sparse.csr_matrix((np.ones(len(cols), dtype=np.float32), np.asarray(cols, dtype=np.int32),
                                    np.asarray(indptr, dtype=np.int32)), shape=(len(indptr) - 1, len(self.vocabulary_)))
        counts.sum_duplicates()
        return sublinear_tfidf_l2(counts, idf)

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_fast", None)
        state.pop("stop_words_", None)
        return pack_vocabulary(state)

    def __setstate__(self, state):
        super().__setstate__(unpack_vocabulary(state))


def sublinear_tfidf_l2(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """(1 + log tf) * idf, rows scaled to unit length, in place on a CSR matrix of counts."""
    data = counts.data
    np.log(data, out=data)
    data += 1
    data *= idf[counts.indices]
    lengths = np.diff(counts.indptr)
    nonempty = lengths > 0
    sums = np.zeros(counts.shape[0], dtype=np.float64)
    if data.size:  # the starts of non-empty rows are increasing, so each segment is exactly one row
        sums[nonempty] = np.add.reduceat((data * data).astype(np.float64), counts.indptr[:-1][nonempty])
    row_norm = np.sqrt(sums)
    row_norm[row_norm == 0] = 1.0
    data /= np.repeat(row_norm, lengths).astype(data.dtype)
    return counts


class CharNgramFeatures(BaseEstimator, TransformerMixin):
    """TF-IDF of character n-grams inside each whitespace token (padded with spaces), fast.

    Same idea as ``TfidfVectorizer(analyzer="char_wb")``, but the n-gram columns of a token are
    computed once and cached: a Vietnamese text is a few thousand distinct syllables over and
    over, so after warm-up a document costs a dictionary look-up per token instead of a few
    hundred n-gram strings. sublinear tf, smooth idf, L2-normalised rows, like the sklearn one.
    """

    _CACHE_LIMIT = 200_000

    def __init__(self, ngram_range: tuple[int, int] = (1, 5), min_df: int = 2, max_features: int | None = None):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features

    def _grams(self, token: str) -> list[str]:
        padded = f" {token} "
        lo, hi = self.ngram_range
        return [padded[i:i + n] for n in range(lo, hi + 1) for i in range(len(padded) - n + 1)]

    def fit(self, X, y=None):  # noqa: N803
        from collections import Counter

        df: Counter[str] = Counter()
        grams: dict[str, list[str]] = {}
        for text in X:
            seen: set[str] = set()
            for token in set(text.split()):
                if token not in grams:
                    grams[token] = self._grams(token)
                seen.update(grams[token])
            df.update(seen)
        kept = [(g, c) for g, c in df.items() if c >= self.min_df]
        kept.sort(key=lambda item: (-item[1], item[0]))
        if self.max_features:
            kept = kept[:self.max_features]
        kept.sort()
        self.vocabulary_ = {g: i for i, (g, _) in enumerate(kept)}
        n_docs = len(X)
        counts = np.array([c for _, c in kept], dtype=np.float64)
        self.idf_ = (np.log((1 + n_docs) / (1 + counts)) + 1).astype(np.float32)
        return self

    def _columns(self, token: str) -> list[int]:
        cache = self.__dict__.setdefault("_cache", {})
        cols = cache.get(token)
        if cols is None:
            if len(cache) > self._CACHE_LIMIT:
                cache.clear()
            vocab = self.vocabulary_
            cols = cache[token] = [vocab[g] for g in self._grams(token) if g in vocab]
        return cols

    def transform(self, X):  # noqa: N803
        indptr = [0]
        cols: list[int] = []
        cache = self.__dict__.setdefault("_cache", {})
        for text in X:
            for token in text.split():
                found = cache.get(token)
                cols.extend(found if found is not None else self._columns(token))
            indptr.append(len(cols))
        matrix = sparse.csr_matrix((np.ones(len(cols), dtype=np.float32), np.asarray(cols, dtype=np.int32),
                                    np.asarray(indptr, dtype=np.int32)),
                                   shape=(len(indptr) - 1, len(self.vocabulary_)))
        matrix.sum_duplicates()
        return sublinear_tfidf_l2(matrix, self.idf_)

    def __getstate__(self):
        return pack_vocabulary({k: v for k, v in self.__dict__.items() if k != "_cache"})

    def __setstate__(self, state):
        self.__dict__.update(unpack_vocabulary(state))
