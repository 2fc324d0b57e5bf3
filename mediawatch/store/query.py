"""The user search syntax, parsed once and translated by each backend.

``lũ quét "Yên Bái" OR "Lào Cai" -"diễn tập" lu*`` means: (lũ AND quét) AND ("yen bai" OR "lao cai")
AND NOT "dien tap" AND a word starting with "lu". Terms are folded (case and diacritics) here, so
the backends compare folded text with folded terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..text import fold

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]  # folded words; more than one means a phrase
    prefix: bool = False  # the last word is a prefix


@dataclass(slots=True)
class UserQuery:
    # Conjunction of disjunctions: every group must match, any term within a group.
    must: list[list[Term]] = field(default_factory=list)
    must_not: list[Term] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.must and not self.must_not


def _term(raw: str, phrase: bool) -> Term | None:
    prefix = raw.endswith("*") and not phrase
    words = tuple(_WORD.findall(fold(raw.rstrip("*"))))
    if not words:
        return None
    return Term(words=words, prefix=prefix)


def parse_user_query(text: str | None) -> UserQuery:
    query = UserQuery()
    if not text or not text.strip():
        return query
    pending_or = False
    negate_next = False
    for match in _TOKEN.finditer(text):
        neg_mark, phrase, word = match.groups()
        if word is not None and word == "OR":
            pending_or = bool(query.must)
            continue
        if word is not None and word in ("AND", "&&"):
            continue
        if word is not None and word == "NOT":
            negate_next = True
            continue
        negative = negate_next
        negate_next = False
        if phrase is not None:
            negative = negative or neg_mark == "-"
            term = _term(phrase, phrase=True)
        else:
            if word.startswith("-") and len(word) > 1:
                negative, word = True, word[1:]
            term = _term(word, phrase=False)
        if term is None:
            continue
        if negative:
            query.must_not.append(term)
            pending_or = False
        elif pending_or:
            query.must[-1].append(term)
            pending_or = False
        else:
            # A plain multi-word token such as "Đà-Nẵng" folds to several words: keep it a phrase.
            query.must.append([term])
    return query


def _fts_term(term: Term) -> str:
    quoted = '"' + " ".join(term.words).replace('"', '""') + '"'
    return quoted + ("*" if term.prefix else "")


def to_fts5(query: UserQuery) -> tuple[str | None, str | None]:
    """(positive MATCH expression, negative MATCH expression) for SQLite FTS5 over folded text.

    FTS5's NOT is binary, so exclusions become a separate NOT IN sub-select.
    """
    positive = " AND ".join("(" + " OR ".join(_fts_term(t) for t in group) + ")" for group in query.must)
    negative = " OR ".join(_fts_term(t) for t in query.must_not)
    return positive or None, negative or None


def matches_folded(query: UserQuery, folded_text: str) -> bool:
    """Reference semantics in plain Python (used by tests as the brute-force oracle)."""
    words = _WORD.findall(folded_text)

    def has(term: Term) -> bool:
        n = len(term.words)
        for i in range(len(words) - n + 1):
            window = words[i:i + n]
            if window[:-1] == list(term.words[:-1]) and (
                    window[-1].startswith(term.words[-1]) if term.prefix else window[-1] == term.words[-1]):
                return True
        return False

    return all(any(has(t) for t in group) for group in query.must) and not any(
        has(t) for t in query.must_not)
