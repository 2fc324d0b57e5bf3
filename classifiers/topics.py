"""Topics: named boolean queries evaluated on a document's title and text.

The query language (documented in ``docs/topics-places.md``)::

    bão OR "áp thấp nhiệt đới"          either
    lũ AND (quét OR ống)                 both; adjacent terms are ANDed too: ``lũ quét``
    sạt* NOT "sạt giá"                   trailing ``*`` is a prefix; NOT excludes
    "vỡ đập" NEAR/5 (thủy điện OR hồ)    within 5 words of each other, in either order

Operators are upper-case (``AND OR NOT NEAR/n``) so the ordinary Vietnamese words never clash
with them. Matching is diacritic- and case-insensitive through :func:`mediawatch.text.fold`, so
``lu quet`` finds "lũ quét". Queries are parsed once into an AST of frozen dataclasses; a bad
query raises :class:`TopicQueryError` naming the topic, the position and the fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Callable, Iterable, Union

from mediawatch.text import fold

DEFAULT_TOPICS_FILE = "default_topics.toml"

# Words are runs of letters/digits; fold() has already removed the diacritics.
_WORD = re.compile(r"[0-9a-z]+")


class TopicQueryError(ValueError):
    """A topic query that cannot be parsed; the message names the topic and the fix."""

    def __init__(self, topic: str, query: str, position: int, problem: str):
        self.topic, self.query, self.position, self.problem = topic, query, position, problem
        pointer = f"{query}\n{' ' * position}^"
        super().__init__(f"topic {topic!r}: {problem} at character {position + 1} of the query:\n{pointer}\n"
                         "Fix: use AND, OR, NOT, NEAR/n in capitals, close every ( and \", "
                         "and put * only at the end of a word (see docs/topics-places.md)")


# --- the AST --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Term:
    word: str  # folded


@dataclass(frozen=True, slots=True)
class Prefix:
    stem: str  # folded, without the '*'


@dataclass(frozen=True, slots=True)
class Phrase:
    words: tuple[str, ...]  # folded; the last may be a prefix when ``last_prefix``
    last_prefix: bool = False


@dataclass(frozen=True, slots=True)
class And:
    items: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: "Node"


@dataclass(frozen=True, slots=True)
class Near:
    left: "Node"
    right: "Node"
    distance: int


Node = Union[Term, Prefix, Phrase, And, Or, Not, Near]
_POSITIONAL = (Term, Prefix, Phrase)


# --- tokenizer and parser -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # WORD PHRASE AND OR NOT NEAR LP RP
    value: str
    pos: int
    distance: int = 0


_TOKEN = re.compile(r'\s*(?:(?P<lp>\()|(?P<rp>\))|"(?P<phrase>[^"]*)"|(?P<quote>")|'
                    r'(?P<near>NEAR/(?P<n>\d*))|(?P<word>[^\s()"]+))')


def _lex(topic: str, query: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(query):
        if query[pos:].strip() == "":
            break
        m = _TOKEN.match(query, pos)
        assert m is not None  # every non-space character starts one of the alternatives
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        if m.group("lp"):
            tokens.append(_Tok("LP", "(", start))
        elif m.group("rp"):
            tokens.append(_Tok("RP", ")", start))
        elif m.group("quote"):
            raise TopicQueryError(topic, query, start, "unclosed quotation mark")
        elif m.group("phrase") is not None:
            tokens.append(_Tok("PHRASE", m.group("phrase"), start))
        elif m.group("near") is not None:
            n = m.group("n")
            if not n or int(n) < 1:
                raise TopicQueryError(topic, query, start, "NEAR needs a distance, e.g. NEAR/5")
            tokens.append(_Tok("NEAR", "NEAR", start, int(n)))
        else:
            word = m.group("word")
            if word in ("AND", "OR", "NOT"):
                tokens.append(_Tok(word, word, start))
            else:
                tokens.append(_Tok("WORD", word, start))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, topic: str, query: str):
        self.topic, self.query = topic, query
        self.tokens = _lex(topic, query)
        self.i = 0

    def fail(self, problem: str, pos: int | None = None) -> TopicQueryError:
        if pos is None:
            pos = self.tokens[self.i].pos if self.i < len(self.tokens) else len(self.query)
        return TopicQueryError(self.topic, self.query, pos, problem)

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> Node:
        if not self.tokens:
            raise self.fail("the query is empty", 0)
        node = self.parse_or()
        tok = self.peek()
        if tok is not None:
            raise self.fail("unexpected ')'" if tok.kind == "RP" else f"unexpected {tok.value!r}")
        return node

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.i += 1
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self) -> Node:
        items = [self.parse_not()]
        while (tok := self.peek()) is not None and tok.kind in ("AND", "NOT", "WORD", "PHRASE", "LP"):
            if tok.kind == "AND":
                self.i += 1
            items.append(self.parse_not())
        if all(isinstance(item, Not) for item in items):
            raise self.fail("a query cannot be only NOT terms; say what to match first", self.tokens[0].pos)
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_not(self) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind == "NOT":
            self.i += 1
            return Not(self.parse_not())
        return self.parse_near()

    def parse_near(self) -> Node:
        left = self.parse_primary()
        while (tok := self.peek()) is not None and tok.kind == "NEAR":
            self.i += 1
            right = self.parse_primary()
            for side in (left, right):
                if not _positional(side):
                    raise self.fail("NEAR joins words, phrases or (a OR b) groups of them", tok.pos)
            left = Near(left, right, tok.distance)
        return left

    def parse_primary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise self.fail("the query ends where a word was expected")
        self.i += 1
        if tok.kind == "LP":
            node = self.parse_or()
            close = self.peek()
            if close is None or close.kind != "RP":
                raise self.fail("unclosed '('", tok.pos)
            self.i += 1
            return node
        if tok.kind == "WORD":
            return self.word(tok)
        if tok.kind == "PHRASE":
            return self.phrase(tok)
        if tok.kind == "RP":
            raise self.fail("unexpected ')'", tok.pos)
        raise self.fail(f"{tok.value} needs a word before and after it", tok.pos)

    def word(self, tok: _Tok) -> Node:
        raw = tok.value
        star = raw.endswith("*")
        core = raw[:-1] if star else raw
        if "*" in core:
            raise self.fail("'*' is allowed only at the end of a word", tok.pos + core.index("*"))
        words = _WORD.findall(fold(core))
        if not words:
            raise self.fail(f"{raw!r} has no letters or digits to match", tok.pos)
        if len(words) > 1:  # "covid-19" or "tp.hcm": the document tokenizer splits them the same way
            return Phrase(tuple(words), last_prefix=star)
        return Prefix(words[0]) if star else Term(words[0])

    def phrase(self, tok: _Tok) -> Node:
        raw = tok.value.strip()
        star = raw.endswith("*")
        core = raw[:-1] if star else raw
        if "*" in core:
            raise self.fail("'*' is allowed only at the end of a phrase", tok.pos)
        words = _WORD.findall(fold(core))
        if not words:
            raise self.fail("empty phrase \"\"", tok.pos)
        if len(words) == 1:
            return Prefix(words[0]) if star else Term(words[0])
        return Phrase(tuple(words), last_prefix=star)


def _positional(node: Node) -> bool:
    if isinstance(node, _POSITIONAL):
        return True
    return isinstance(node, Or) and all(_positional(item) for item in node.items)


def parse_query(query: str, topic: str = "?") -> Node:
    """Parse a query into its AST; raises :class:`TopicQueryError`."""
    return _Parser(topic, query).parse()


# --- evaluation -----------------------------------------------------------------------------------

class TokenIndex:
    """A document's folded words and their positions, built once and shared by every topic."""

    __slots__ = ("positions", "words")

    def __init__(self, text: str, *, folded: bool = False):
        self.words = _WORD.findall(text if folded else fold(text))
        positions: dict[str, list[int]] = {}
        for i, word in enumerate(self.words):
            positions.setdefault(word, []).append(i)
        self.positions = positions

    def prefixed(self, stem: str) -> list[str]:
        return [w for w in self.positions if w.startswith(stem)]


def _starts(node: Node, index: TokenIndex) -> list[tuple[int, int]]:
    """(first, last) word positions of every occurrence of a positional node."""
    if isinstance(node, Term):
        return [(p, p) for p in index.positions.get(node.word, ())]
    if isinstance(node, Prefix):
        return [(p, p) for w in index.prefixed(node.stem) for p in index.positions[w]]
    if isinstance(node, Phrase):
        words, n = index.words, len(node.words)
        out = []
        for p in index.positions.get(node.words[0], ()):
            tail = words[p:p + n]
            if len(tail) < n or list(tail[:-1]) != list(node.words[:-1]):
                continue
            last_ok = tail[-1].startswith(node.words[-1]) if node.last_prefix else tail[-1] == node.words[-1]
            if last_ok:
                out.append((p, p + n - 1))
        return out
    if isinstance(node, Or):
        return [span for item in node.items for span in _starts(item, index)]
    raise TypeError(f"not a positional node: {node!r}")


def matches(node: Node, index: TokenIndex) -> bool:
    if isinstance(node, Term):
        return node.word in index.positions
    if isinstance(node, Prefix):
        return any(w.startswith(node.stem) for w in index.positions)
    if isinstance(node, Phrase):
        return bool(_starts(node, index))
    if isinstance(node, And):
        return all(matches(item, index) for item in node.items)
    if isinstance(node, Or):
        return any(matches(item, index) for item in node.items)
    if isinstance(node, Not):
        return not matches(node.item, index)
    if isinstance(node, Near):
        left, right = _starts(node.left, index), _starts(node.right, index)
        if not left or not right:
            return False
        # Distance counts the words between the two occurrences, in either order.
        return any(max(r0 - l1, l0 - r1) - 1 <= node.distance for l0, l1 in left for r0, r1 in right)
    raise TypeError(f"unknown node {node!r}")


def compile_node(node: Node) -> Callable[[TokenIndex], bool]:
    """The AST as nested closures: the same answers as :func:`matches`, without per-node dispatch.

    Every document is checked against every topic, so this is the hot loop of topic matching.
    """
    if isinstance(node, Term):
        word = node.word
        return lambda index: word in index.positions
    if isinstance(node, Prefix):
        stem = node.stem
        return lambda index: any(w.startswith(stem) for w in index.positions)
    if isinstance(node, Phrase):
        first = node.words[0]
        return lambda index: first in index.positions and bool(_starts(node, index))
    if isinstance(node, And):
        parts = [compile_node(item) for item in node.items]
        return lambda index: all(part(index) for part in parts)
    if isinstance(node, Or):
        parts = [compile_node(item) for item in node.items]
        return lambda index: any(part(index) for part in parts)
    if isinstance(node, Not):
        inner = compile_node(node.item)
        return lambda index: not inner(index)
    if isinstance(node, Near):
        return lambda index: matches(node, index)
    raise TypeError(f"unknown node {node!r}")


# --- topic sets -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    label: str
    query: str
    urgent: bool
    ast: Node
    test: Callable[[TokenIndex], bool]


def compile_topic(name: str, query: str, label: str = "", urgent: bool = False) -> Topic:
    ast = parse_query(query, name)
    return Topic(name=name, label=label or name, query=query, urgent=urgent, ast=ast, test=compile_node(ast))


def load_default_topics() -> list[Topic]:
    raw = resources.files("mediawatch.classifiers").joinpath(DEFAULT_TOPICS_FILE).read_text(encoding="utf-8")
    data = tomllib.loads(raw)
    return [compile_topic(t["name"], t["query"], t.get("label", ""), bool(t.get("urgent", False)))
            for t in data.get("topics", [])]


class TopicMatcher:
    """The default crisis topics, overridden (same name) or extended by the configured ones."""

    def __init__(self, topics: Iterable[Topic]):
        self.topics = list(topics)

    @classmethod
    def from_settings(cls, settings) -> "TopicMatcher":
        by_name = {t.name: t for t in load_default_topics()}
        for ts in settings.topics:
            by_name[ts.name] = compile_topic(ts.name, ts.query, ts.label, ts.urgent)
        return cls(by_name.values())

    def match(self, title: str, text: str, *, index: TokenIndex | None = None) -> list[str]:
        index = index or TokenIndex(f"{title}\n{text}")
        return [t.name for t in self.topics if t.test(index)]

    def labels(self) -> dict[str, str]:
        return {t.name: t.label for t in self.topics}
