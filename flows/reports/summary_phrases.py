"""What people are saying: distinctive phrases of a period and short quotes, without authors.

Vietnamese writes one syllable per token, so phrases are folded syllable n-grams (2-3), never
crossing punctuation and never starting or ending with a function word. Each is scored by the
log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008) against a
background period; n-grams used by the same posts are one phrase. Quotes are scrubbed of
@handles, links, e-mail addresses and phone numbers.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from mediawatch.document import Document
from mediawatch.privacy import PERSONAL
from mediawatch.text import fold

TOP_PHRASES = 8

# Folded function words: an n-gram may not start or end with one, and none stands alone.
STOPWORDS = frozenset("""
va la cua co cac nhung duoc cho trong voi mot nay da den khong thi o tai ve de nhu khi cung con
se dang tu ra vao len bi boi nen ma hay hoac thanh theo sau truoc tren duoi giua nhieu it rat
lai roi van chi moi ai gi nao day do kia thi nhe a oi a ha u e the nhe vay qua luc ngay nam thang
ong ba anh chi em toi chung ta ho minh nguoi viec su cai con tren hon cho nay nua phai can
vi sap nghe noi rang thay biet
mot hai ba bon http https www com vn
""".split())

_TOKEN = re.compile(r"\w+", re.UNICODE)
_CLAUSE = re.compile(r"[.!?;:,\n\"“”()\[\]…]+")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
_PERSONAL = PERSONAL  # one definition, shared with the alerts (mediawatch.privacy)


@dataclass(slots=True)
class Phrase:
    phrase: str
    score: float  # z-score of the log-odds ratio against the background
    count: int  # documents that use it in the period
    background: int
    quotes: list[str] = field(default_factory=list)


def _clauses(text: str) -> list[list[tuple[str, str]]]:
    """Clauses as lists of (folded, surface) tokens; n-grams never cross punctuation."""
    out = []
    for clause in _CLAUSE.split(_PERSONAL.sub(" ", text)):
        tokens = [(fold(tok), tok) for tok in _TOKEN.findall(clause)]
        tokens = [(f, s) for f, s in tokens if f and not f.isdigit() and f != "_"]
        if tokens:
            out.append(tokens)
    return out


def document_ngrams(text: str, max_n: int = 3, surfaces: dict[str, Counter] | None = None,
                    min_n: int = 2) -> set[str]:
    """The set of folded n-grams (min_n..max_n) in a text, without stop-word edges.

    Vietnamese writes one syllable per token and most words have two, so single syllables
    ("đập", "thông") say little alone: phrases start at two tokens.
    """
    grams: set[str] = set()
    for tokens in _clauses(text):
        for n in range(min_n, max_n + 1):
            for i in range(len(tokens) - n + 1):
                window = tokens[i:i + n]
                if window[0][0] in STOPWORDS or window[-1][0] in STOPWORDS:
                    continue
                if n == 1 and len(window[0][0]) < 3:
                    continue
                key = " ".join(f for f, _ in window)
                grams.add(key)
                if surfaces is not None:
                    surfaces[key][" ".join(s.lower() for _, s in window)] += 1
    return grams


def log_odds(foreground: Counter, background: Counter, n_fg: int, n_bg: int) -> dict[str, float]:
    """z-scores of the log-odds ratio with an informative Dirichlet prior (Monroe et al. 2008).

    ``n_fg``/``n_bg`` are the corpus sizes (sum of counts). The prior is the pooled count of each
    n-gram, so rare n-grams are shrunk towards "no difference" instead of topping the list on one
    lucky mention.
    """
    pooled = foreground + background
    a0 = float(sum(pooled.values())) or 1.0
    scores = {}
    for gram, y_fg in foreground.items():
        y_bg = background.get(gram, 0)
        alpha = float(pooled[gram])
        fg_odds = math.log((y_fg + alpha) / max(1e-9, n_fg + a0 - y_fg - alpha))
        bg_odds = math.log((y_bg + alpha) / max(1e-9, n_bg + a0 - y_bg - alpha))
        variance = 1.0 / (y_fg + alpha) + 1.0 / (y_bg + alpha)
        scores[gram] = (fg_odds - bg_odds) / math.sqrt(variance)
    return scores


def distinctive_phrases(foreground: list[Document], background: list[Document], *,
                        limit: int = TOP_PHRASES, min_docs: int = 2, min_z: float = 0.5) -> list[Phrase]:
    surfaces: dict[str, Counter] = defaultdict(Counter)
    fg_counts: Counter = Counter()
    members: dict[str, set[int]] = defaultdict(set)
    for index, doc in enumerate(foreground):
        grams = document_ngrams(f"{doc.title}\n{doc.text}", surfaces=surfaces)
        fg_counts.update(grams)
        for gram in grams:
            members[gram].add(index)
    bg_counts: Counter = Counter()
    for doc in background:
        bg_counts.update(document_ngrams(f"{doc.title}\n{doc.text}"))
    if bg_counts:
        scores = log_odds(fg_counts, bg_counts, sum(fg_counts.values()), sum(bg_counts.values()))
    else:
        # Nothing to compare with (a new store): the most widely used phrases, longest first.
        scores = {g: float(c) for g, c in fg_counts.items()}
    ranked = sorted((g for g in scores if fg_counts[g] >= min_docs and scores[g] >= min_z),
                    key=lambda g: (-round(scores[g], 6), -len(g.split()), g))
    chosen: list[str] = []
    for gram in ranked:
        # n-grams used by (nearly) the same posts are one thing being said, not several: keep
        # the best-scoring one of each family ("phi gui xe", "tang gap doi", "buc xuc").
        if any(_jaccard(members[gram], members[c]) >= 0.6 for c in chosen):
            continue
        chosen.append(gram)
        if len(chosen) >= limit:
            break
    phrases = []
    for gram in chosen:
        surface = surfaces[gram].most_common(1)[0][0] if surfaces[gram] else gram
        phrases.append(Phrase(surface, round(scores[gram], 2), fg_counts[gram], bg_counts.get(gram, 0),
                              quotes_for(gram, foreground)))
    return phrases


def _jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def quotes_for(folded_phrase: str, docs: list[Document], limit: int = 2, width: int = 160) -> list[str]:
    """Short sentences that use the phrase, most-engaged posts first, without personal data."""
    ranked = sorted(docs, key=lambda d: (-(d.engagement.total if d.engagement else 0), d.id))
    quotes: list[str] = []
    for doc in ranked:
        for sentence in [*_SENTENCE.split(doc.text or ""), doc.title or ""]:
            clean = " ".join(scrub(sentence).split())
            tokens = f" {' '.join(fold(tok) for tok in _TOKEN.findall(clean))} "
            if f" {folded_phrase} " in tokens and clean not in quotes:
                quotes.append(shorten(clean, width))
                break
        if len(quotes) >= limit:
            break
    return quotes


def scrub(text: str) -> str:
    return _PERSONAL.sub("", text or "")


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"
