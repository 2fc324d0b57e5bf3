"""The fast feature paths give the same matrices as scikit-learn's TfidfVectorizer."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from mediawatch.classifiers.features import (TOKEN_PATTERN, CharNgramFeatures, CompactTfidfVectorizer, LexiconFeatures,
                                  mark_negation, prepare)

DOCS = [prepare(t) for t in [
    "Sản phẩm rất tốt, giao hàng nhanh 👍", "", "ko tốt chút nào, thất vọng", "hàng đẹp đẹp đẹp",
    "Lũ quét gây thiệt hại nặng ở huyện miền núi", "tốt", "giao hàng chậm, đóng gói kém",
]]


def test_word_fast_path_matches_sklearn():
    vec = CompactTfidfVectorizer(token_pattern=TOKEN_PATTERN, ngram_range=(1, 3), min_df=1,
                                 sublinear_tf=True, lowercase=False, dtype=np.float32).fit(DOCS)
    fast = vec.transform(DOCS + ["một câu mới hoàn toàn tốt"]).toarray()
    slow = TfidfVectorizer.transform(vec, DOCS + ["một câu mới hoàn toàn tốt"]).toarray()
    assert np.abs(fast - slow).max() < 1e-6


def test_char_ngrams_match_sklearn_tfidf_of_the_same_grams():
    feats = CharNgramFeatures(ngram_range=(2, 4), min_df=1).fit(DOCS)
    ref = TfidfVectorizer(analyzer=lambda text: [g for tok in text.split() for g in feats._grams(tok)],
                          sublinear_tf=True).fit(DOCS)
    columns = [ref.vocabulary_[g] for g, _ in sorted(feats.vocabulary_.items(), key=lambda item: item[1])]
    ours, theirs = feats.transform(DOCS).toarray(), ref.transform(DOCS).toarray()[:, columns]
    assert np.abs(ours - theirs).max() < 1e-6
    assert np.allclose(np.linalg.norm(ours, axis=1)[[0, 2]], 1.0, atol=1e-5)
    assert not feats.transform([""]).toarray().any()  # an empty document stays empty


def test_saved_state_round_trips_without_the_cache():
    feats = CharNgramFeatures(ngram_range=(1, 3), min_df=1).fit(DOCS)
    before = feats.transform(DOCS).toarray()
    state = feats.__getstate__()
    assert "_cache" not in state and "vocabulary_" not in state and isinstance(state["terms_"], str)
    clone = CharNgramFeatures.__new__(CharNgramFeatures)
    clone.__setstate__(state)
    assert np.array_equal(clone.transform(DOCS).toarray(), before)


def test_negation_scope_and_lexicon():
    assert mark_negation("không tốt lắm, nhưng rẻ") == "không neg_tốt neg_lắm | nhưng rẻ |"
    lex = LexiconFeatures().fit([])
    pos, neg = lex.transform(["rất tốt emopos", "không neg_tốt"]).toarray()
    assert pos[0] > 0 and pos[2] > 0 and pos[1] == 0
    assert neg[1] > 0 and neg[0] == 0
