"""Claims from fact-checkers' pages: schema.org ClaimReview in JSON-LD, as fact-checkers publish it.

A fact-check page carries ``<script type="application/ld+json">`` blocks; a ClaimReview may stand
alone, sit in a list, in an ``@graph``, or inside another object (``mainEntity``, ``review``). Each
becomes a register :class:`~.claims.Claim`: ``claimReviewed`` (else the reviewed item's text or
name) is the claim; ``reviewRating`` (its ``alternateName`` in Vietnamese or English, else
``ratingValue`` between ``worstRating`` and ``bestRating``) is mapped to the register's verdicts;
the review's ``url`` is the evidence; ``datePublished`` the date; the ``author`` (or
``publisher``) the publisher. The claim id is the hash of the folded claim text, so importing the
same claim twice stores it once.

Parsing only: fetching a URL is the caller's (the crawlers' fetch policy).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Iterator

from mediawatch.text import fold

from .claims import Claim, RegisterRead, claim_id, read_register

REGISTER_SUFFIXES = (".csv", ".yaml", ".yml")

# alternateName wordings -> register verdicts; the more specific wordings first ("mostly true"
# before "true", "sai mot phan" before "sai").
_VERDICT_WORDS: tuple[tuple[str, str], ...] = (
    ("not true", "tin giả"), ("untrue", "tin giả"), ("khong dung su that", "tin giả"), ("khong dung", "tin giả"),
    ("khong co that", "tin giả"), ("khong phai su that", "tin giả"),
    ("mostly false", "tin sai sự thật"), ("mostly true", "tin xác thực"), ("half true", "tin sai sự thật"),
    ("partly false", "tin sai sự thật"), ("partially false", "tin sai sự thật"), ("partly true", "tin sai sự thật"),
    ("missing context", "tin sai sự thật"), ("out of context", "tin sai sự thật"), ("misleading", "tin sai sự thật"),
    ("exaggerat", "tin sai sự thật"), ("unproven", "tin sai sự thật"), ("unverified", "tin sai sự thật"),
    ("no evidence", "tin sai sự thật"), ("inaccurate", "tin sai sự thật"), ("altered", "tin giả"),
    ("pants on fire", "tin giả"), ("fabricated", "tin giả"), ("fake", "tin giả"), ("hoax", "tin giả"),
    ("scam", "tin giả"), ("satire", "tin sai sự thật"), ("false", "tin giả"), ("incorrect", "tin giả"),
    ("accurate", "tin xác thực"), ("correct", "tin xác thực"), ("true", "tin xác thực"),
    ("sai mot phan", "tin sai sự thật"), ("dung mot phan", "tin sai sự thật"), ("gay hieu lam", "tin sai sự thật"),
    ("thieu boi canh", "tin sai sự thật"), ("sai boi canh", "tin sai sự thật"), ("phong dai", "tin sai sự thật"),
    ("chua duoc kiem chung", "tin sai sự thật"), ("chua kiem chung", "tin sai sự thật"),
    ("khong co can cu", "tin sai sự thật"), ("chua chinh xac", "tin sai sự thật"),
    ("khong chinh xac", "tin sai sự thật"), ("sai su that", "tin sai sự thật"), ("tin sai", "tin sai sự thật"),
    ("bia dat", "tin giả"), ("tin gia", "tin giả"), ("gia mao", "tin giả"), ("lua dao", "tin giả"), ("sai", "tin giả"),
    ("xac thuc", "tin xác thực"), ("chinh xac", "tin xác thực"), ("dung su that", "tin xác thực"),
    ("dung", "tin xác thực"), ("that", "tin xác thực"),
)
_SCRIPT_TYPE = re.compile(r"application/(?:ld\+)?json", re.I)


@dataclass(slots=True)
class ReviewsRead:
    claims: list[Claim] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    reviews: int = 0  # ClaimReview objects seen, usable or not
    unreadable: int = 0  # JSON-LD blocks that did not parse

    @property
    def nothing_found(self) -> bool:
        """Readable, but no ClaimReview in it (as opposed to broken markup)."""
        return not self.reviews and not self.unreadable


class _JsonLdScripts(HTMLParser):
    """The text of every ``<script type="application/ld+json">`` of a page, with its line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.blocks: list[tuple[int, str]] = []
        self._current: list[str] | None = None
        self._line = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and _SCRIPT_TYPE.search(dict(attrs).get("type") or ""):
            self._current = []
            self._line = self.getpos()[0]

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._current is not None:
            self.blocks.append((self._line, "".join(self._current)))
            self._current = None


def json_ld_blocks(html: str) -> list[tuple[int, str]]:
    parser = _JsonLdScripts()
    parser.feed(html)
    parser.close()
    return parser.blocks


def _loads(block: str) -> Any:
    text = block.strip()
    for wrapper in (("<!--", "-->"), ("//<![CDATA[", "//]]>"), ("<![CDATA[", "]]>")):
        if text.startswith(wrapper[0]) and text.endswith(wrapper[1]):
            text = text[len(wrapper[0]):-len(wrapper[1])].strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        # Trailing commas are the commonest hand-written mistake in JSON-LD.
        return json.loads(re.sub(r",\s*([}\]])", r"\1", text))


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type") or []
    values = value if isinstance(value, list) else [value]
    return {str(v).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for v in values}


def claim_reviews(data: Any) -> Iterator[dict[str, Any]]:
    """Every ClaimReview object in a JSON-LD value, wherever it is nested."""
    if isinstance(data, list):
        for item in data:
            yield from claim_reviews(item)
    elif isinstance(data, dict):
        if "ClaimReview" in _types(data):
            yield data
            return
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from claim_reviews(value)


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = next((v for v in value if v), "")
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or value.get("text") or ""
    return " ".join(str(value or "").split())


def _url(value: Any) -> str:
    if isinstance(value, list):
        value = next((v for v in value if v), "")
    if isinstance(value, dict):
        value = value.get("url") or value.get("@id") or ""
    value = str(value or "").strip()
    return value if value.startswith(("http://", "https://")) else ""


def verdict_of(rating: Any) -> tuple[str | None, str]:
    """(register verdict or None, the fact-checker's own wording) of a ``reviewRating``."""
    if isinstance(rating, list):
        rating = next((r for r in rating if isinstance(r, dict)), {})
    if not isinstance(rating, dict):
        return None, ""
    label = _text(rating.get("alternateName") or rating.get("name") or rating.get("ratingExplanation"))
    folded = fold(label)
    for words, verdict in _VERDICT_WORDS:
        if re.search(rf"(?<![0-9a-z]){re.escape(words)}", folded):
            return verdict, label
    try:
        value = float(rating.get("ratingValue"))
        best = float(rating.get("bestRating", 5))
        worst = float(rating.get("worstRating", 1))
    except (TypeError, ValueError):
        return None, label
    if best == worst:
        return None, label
    share = (value - worst) / (best - worst)
    if share <= 0.25:
        return "tin giả", label or f"{value:g}/{best:g}"
    if share < 0.75:
        return "tin sai sự thật", label or f"{value:g}/{best:g}"
    return "tin xác thực", label or f"{value:g}/{best:g}"


def claim_from_review(review: dict[str, Any], page_url: str = "") -> tuple[Claim | None, str]:
    """A register entry for one ClaimReview, or (None, why not)."""
    item = review.get("itemReviewed")
    item = item[0] if isinstance(item, list) and item else item
    item = item if isinstance(item, dict) else {}
    text = _text(review.get("claimReviewed")) or _text(item.get("text")) or _text(item.get("name")) \
        or _text(review.get("name")) or _text(review.get("headline"))
    if not text:
        return None, "no claimReviewed (nor a reviewed item's text)"
    verdict, label = verdict_of(review.get("reviewRating"))
    if verdict is None:
        return None, f"reviewRating {label!r} cannot be read as tin giả, tin sai sự thật or tin xác thực"
    publisher = _text(review.get("author")) or _text(review.get("publisher"))
    url = _url(review.get("url")) or _url(review.get("@id")) or page_url
    when = _text(review.get("datePublished") or review.get("dateCreated"))[:10]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", when):
        when = ""
    correction = f"{publisher}: {label}" if publisher and label else label or publisher
    body = _text(review.get("description") or review.get("reviewBody"))
    if body:
        correction = f"{correction}. {body}" if correction else body
    return Claim(id=claim_id(text), text=text, verdict=verdict, correction=correction[:500], source_url=url,
                 date=when, publisher=publisher, origin="claimreview"), ""


def read_claim_reviews(content: str, name: str, *, page_url: str = "") -> ReviewsRead:
    """The claims of an HTML page (its JSON-LD blocks) or of a JSON / JSON-LD document.

    Unreadable blocks and unusable reviews are reported as ``name:line: reason`` (the line of
    the script block); the others are read. A claim reviewed twice is kept once (the last review).
    """
    out = ReviewsRead()
    stripped = content.lstrip()
    blocks = [(1, content)] if stripped.startswith(("{", "[")) else json_ld_blocks(content)
    found: dict[str, Claim] = {}
    reviews = 0
    for line, block in blocks:
        try:
            data = _loads(block)
        except json.JSONDecodeError as exc:
            out.problems.append(f"{name}:{line}: JSON-LD block is not valid JSON ({exc.msg})")
            out.unreadable += 1
            continue
        for review in claim_reviews(data):
            reviews += 1
            claim, why = claim_from_review(review, page_url)
            if claim is None:
                out.problems.append(f"{name}:{line}: ClaimReview {reviews} skipped: {why}")
            else:
                found[claim.id] = claim
    if not reviews and not out.problems:
        out.problems.append(f"{name}: no schema.org ClaimReview found (JSON-LD with \"@type\": \"ClaimReview\")")
    out.claims = list(found.values())
    out.reviews = reviews
    return out


def read_claims_file(content: str, name: str, *, page_url: str = "") -> "ReviewsRead | RegisterRead":
    """A register (CSV/YAML, by its name) or fact-checkers' ClaimReview (HTML page, JSON, JSON-LD):
    what `mediawatch claims import` and the desk's import both read."""
    if name.lower().endswith(REGISTER_SUFFIXES):
        return read_register(content, name)
    return read_claim_reviews(content, name, page_url=page_url)
