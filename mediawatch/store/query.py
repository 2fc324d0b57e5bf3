"""The user search syntax, parsed once and translated by each backend.

``lũ quét "Yên Bái" OR "Lào Cai" -"diễn tập" lu* title:bão`` means: (lũ AND quét) AND ("yen bai"
OR "lao cai") AND NOT "dien tap" AND a word starting with "lu" AND "bao" in the title. Terms are
folded (case and diacritics) here, so the backends compare folded text with folded terms.

:func:`validate_user_query` is what a person's query goes through first (``mediawatch search``):
an unbalanced quote, ``NEAR/n``, an unknown ``field:`` or a dangling OR/NOT is an error that says
where, never a silent zero. The stores themselves parse leniently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..text import fold

_TOKEN = re.compile(r'(?P<neg>-)?(?:(?P<field>[^\W\d]\w*):)?"(?P<phrase>[^"]*)(?P<close>")?'
                    r'|(?P<word>[^\s"]+)')
_FIELD_WORD = re.compile(r"^(-?)([^\W\d]\w*):(?!//)(.*)$")
_NEAR = re.compile(r"^NEAR(/\d*)?$")
_WORD = re.compile(r"\w+", re.UNICODE)
FIELDS = ("title",)  # field: restricts a term to that field; without one, title and text


class QuerySyntaxError(ValueError):
    """A search query that cannot mean what its author wanted; ``position`` is the 0-based offset."""

    def __init__(self, problem: str, position: int, query: str):
        super().__init__(f"{problem} (at character {position + 1})")
        self.problem = problem
        self.position = position
        self.query = query


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]  # folded words; more than one means a phrase
    prefix: bool = False  # the last word is a prefix
    field: str | None = None  # "title", or None for title and text


@dataclass(slots=True)
class UserQuery:
    # Conjunction of disjunctions: every group must match, any term within a group.
    must: list[list[Term]] = field(default_factory=list)
    must_not: list[Term] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.must and not self.must_not


def _term(raw: str, phrase: bool, field_name: str | None = None) -> Term | None:
    prefix = raw.endswith("*") and not phrase
    words = tuple(_WORD.findall(fold(raw.rstrip("*"))))
    if not words:
        return None
    return Term(words=words, prefix=prefix, field=field_name)


def validate_user_query(text: str | None) -> UserQuery:
    """Parse strictly: unbalanced quotes, NEAR, unknown ``field:`` and a dangling OR/NOT raise
    :class:`QuerySyntaxError` naming the place, instead of silently matching nothing."""
    return parse_user_query(text, strict=True)


def parse_user_query(text: str | None, *, strict: bool = False) -> UserQuery:
    """The query as groups of terms. Lenient by default (the stores and dashboards never fail on a
    query: an open quote runs to the end, unknown ``x:`` is a word); ``strict`` reports problems."""
    query = UserQuery()
    if not text or not text.strip():
        return query
    pending_or: int | None = None  # position of an OR waiting for its right-hand term
    negate_next: int | None = None
    for match in _TOKEN.finditer(text):
        pos = match.start()
        neg_mark, field_name, phrase, word = match.group("neg"), match.group("field"), match.group("phrase"), \
            match.group("word")
        if word is not None and word == "OR":
            if strict and (not query.must or pending_or is not None or negate_next is not None):
                raise QuerySyntaxError("OR needs a term on its left", pos, text)
            pending_or = pos if query.must else None
            continue
        if word is not None and word in ("AND", "&&"):
            continue
        if word is not None and word == "NOT":
            negate_next = pos
            continue
        if word is not None and strict and _NEAR.match(word):
            raise QuerySyntaxError("NEAR/n is not supported in search (only in topic queries); search for "
                                   "both words, or a \"phrase\"", pos, text)
        negative = negate_next is not None
        negate_next = None
        term_field = None
        if phrase is not None:
            if match.group("close") is None and strict:
                raise QuerySyntaxError('unbalanced quote: a "phrase" needs a closing "', pos + (neg_mark is not None)
                                       + (len(field_name) + 1 if field_name else 0), text)
            negative = negative or neg_mark == "-"
            if field_name is not None:
                term_field = _field(field_name, pos, text, strict)
            term = _term(phrase, phrase=True, field_name=term_field)
        else:
            if word.startswith("-") and len(word) > 1:
                negative, word = True, word[1:]
            found = _FIELD_WORD.match(word)
            if found is not None:
                name, rest = found.group(2), found.group(3)
                term_field = _field(name, pos, text, strict)
                if term_field is not None:
                    if not rest and strict:
                        raise QuerySyntaxError(f"{name}: needs a word or a \"phrase\" right after it", pos, text)
                    word = rest
            term = _term(word, phrase=False, field_name=term_field)
        if term is None:
            continue
        if negative:
            query.must_not.append(term)
            pending_or = None
        elif pending_or is not None:
            query.must[-1].append(term)
            pending_or = None
        else:
            # A plain multi-word token such as "Đà-Nẵng" folds to several words: keep it a phrase.
            query.must.append([term])
    if strict and pending_or is not None:
        raise QuerySyntaxError("OR needs a term on its right", pending_or, text)
    if strict and negate_next is not None:
        raise QuerySyntaxError("NOT needs a term after it", negate_next, text)
    return query


def _field(name: str, pos: int, text: str, strict: bool) -> str | None:
    lowered = name.lower()
    if lowered in FIELDS:
        return lowered
    if strict:
        raise QuerySyntaxError(f"unknown field \"{name}:\"; search knows title: only (to search the word "
                               f"itself, leave out the colon)", pos, text)
    return None


def _fts_term(term: Term) -> str:
    quoted = '"' + " ".join(term.words).replace('"', '""') + '"' + ("*" if term.prefix else "")
    # FTS5 column filter: the index has the columns title and text.
    return f"({term.field} : {quoted})" if term.field else quoted


def to_fts5(query: UserQuery) -> tuple[str | None, str | None]:
    """(positive MATCH expression, negative MATCH expression) for SQLite FTS5 over folded text.

    FTS5's NOT is binary, so exclusions become a separate NOT IN sub-select.
    """
    positive = " AND ".join("(" + " OR ".join(_fts_term(t) for t in group) + ")" for group in query.must)
    negative = " OR ".join(_fts_term(t) for t in query.must_not)
    return positive or None, negative or None


def matches_folded(query: UserQuery, folded_text: str, folded_title: str | None = None) -> bool:
    """Reference semantics in plain Python (used by tests as the brute-force oracle). ``title:``
    terms look at ``folded_title`` (the start of ``folded_text`` is not enough to tell)."""
    all_words = _WORD.findall(folded_text)
    title_words = _WORD.findall(folded_title) if folded_title is not None else all_words

    def has(term: Term) -> bool:
        words = title_words if term.field == "title" else all_words
        n = len(term.words)
        for i in range(len(words) - n + 1):
            window = words[i:i + n]
            if window[:-1] == list(term.words[:-1]) and (
                    window[-1].startswith(term.words[-1]) if term.prefix else window[-1] == term.words[-1]):
                return True
        return False

    return all(any(has(t) for t in group) for group in query.must) and not any(
        has(t) for t in query.must_not)
