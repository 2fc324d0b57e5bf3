"""The Document: the one currency every stage takes and returns.

Its JSON form (``to_dict``/``from_dict``) is stable and documented in ``docs/document.md``;
timestamps are ISO 8601 in UTC with a trailing ``Z``.
"""

from __future__ import annotations

import hashlib

import orjson
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

SourceKind = Literal["press", "social", "web"]
SOURCE_KINDS: tuple[str, ...] = ("press", "social", "web")
SENTIMENT_LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
# pending: waiting for a reviewer; the rest are reviewers' verdicts (never set by a model).
REVIEW_STATUSES: tuple[str, ...] = ("pending", "false", "misleading", "true", "not-a-claim")
SCHEMA_VERSION = 1


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def doc_id_for_url(canonical_url: str) -> str:
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:32]


def doc_id_for_post(platform: str, post_id: str) -> str:
    return hashlib.sha256(f"{platform.lower()}:{post_id}".encode("utf-8")).hexdigest()[:32]


def is_web_url(url: str | None) -> bool:
    """An http(s) URL with a host: the only kind stored as a document link or sent in an alert
    (``javascript:``, ``data:``, ``file:`` links from feeds and posts are attacks or noise)."""
    if not url or not isinstance(url, str):
        return False
    head = url.strip()[:8].lower()
    if not (head.startswith("http://") or head.startswith("https://")):
        return False
    from urllib.parse import urlsplit

    try:
        return bool(urlsplit(url.strip()).hostname)
    except ValueError:
        return False


def is_opaque_url(url: str | None) -> bool:
    """The handle-free identifier given to posts that have no person-free public URL."""
    return bool(url) and url.startswith("urn:mediawatch:")


# A publication date outside these bounds is a broken or hostile value (a post "from year 5138"
# would move every "latest" view); it is kept in extra["published_at_raw"] and not used.
EARLIEST_PUBLISHED = datetime(1990, 1, 1, tzinfo=timezone.utc)
FUTURE_TOLERANCE = timedelta(days=1)


def clamp_published(document: "Document", now: datetime | None = None) -> bool:
    """Drop an implausible ``published_at`` (before 1990, or more than a day ahead of ``now``):
    the document then belongs to its fetch time. Returns True when it was changed."""
    value = document.published_at
    if value is None:
        return False
    now = now or utcnow()
    if EARLIEST_PUBLISHED <= value <= now + FUTURE_TOLERANCE:
        return False
    document.extra["published_at_raw"] = format_ts(value)
    document.published_at = None
    return True


def to_utc(value: datetime | None) -> datetime | None:
    """Timezone-aware UTC; naive datetimes are refused because their zone is unknowable."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()}: attach a timezone before storing")
    return value.astimezone(timezone.utc)


def _whole_seconds(value: datetime | None) -> datetime | None:
    return value.replace(microsecond=0) if value is not None and value.microsecond else value


def format_ts(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not timezone.utc:
        value = to_utc(value)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_utc(value)
    text = value.strip().replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


@dataclass(slots=True)
class Source:
    id: str
    kind: str = "press"
    name: str = ""
    platform: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise ValueError(f"source kind {self.kind!r} is not one of {', '.join(SOURCE_KINDS)}")


@dataclass(slots=True)
class Engagement:
    likes: int = 0
    comments: int = 0
    shares: int = 0
    views: int = 0

    @property
    def total(self) -> int:
        return self.likes + self.comments + self.shares


@dataclass(slots=True)
class Sentiment:
    label: str
    score: float  # in [-1, 1]: negative below zero

    def __post_init__(self) -> None:
        if self.label not in SENTIMENT_LABELS:
            raise ValueError(f"sentiment label {self.label!r} is not one of {SENTIMENT_LABELS}")


@dataclass(slots=True)
class Misinfo:
    """A triage flag. The model proposes; only a reviewer sets ``review_status`` past pending."""

    score: float
    claim: str | None = None
    matched_claim: str | None = None
    matched_claim_id: str | None = None
    evidence_url: str | None = None
    reasons: list[str] = field(default_factory=list)
    review_status: str = "pending"
    flagged: bool = False  # score at or above the flag threshold: in the review queue
    stance: str | None = None  # towards its claim: repeats | questions | refutes (None: no claim seen)

    def __post_init__(self) -> None:
        if self.review_status not in REVIEW_STATUSES:
            raise ValueError(f"review status {self.review_status!r} is not one of {REVIEW_STATUSES}")


@dataclass(slots=True)
class Document:
    id: str
    url: str
    source: Source
    title: str = ""
    text: str = ""
    lang: str | None = None
    published_at: datetime | None = None
    fetched_at: datetime = field(default_factory=utcnow)
    author_key: str | None = None
    engagement: Engagement = field(default_factory=Engagement)
    places: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    sentiment: Sentiment | None = None
    misinfo: Misinfo | None = None
    story_id: str | None = None
    duplicate_of: str | None = None
    parent_id: str | None = None  # a comment's post
    section: str | None = None
    fingerprint: str | None = None  # near-duplicate hash (hex), set by the crawlers
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Whole seconds: the JSON form carries seconds, so every backend sees the same instant.
        self.published_at = _whole_seconds(to_utc(self.published_at))
        self.fetched_at = _whole_seconds(to_utc(self.fetched_at))

    @property
    def when(self) -> datetime:
        """The time the document belongs to in series: publication, else fetch time."""
        return self.published_at or self.fetched_at

    def to_dict(self) -> dict[str, Any]:
        # Written out by hand: dataclasses.asdict deep-copies and is the store's hottest path.
        src, eng, sen, mis = self.source, self.engagement, self.sentiment, self.misinfo
        return {
            "id": self.id, "url": self.url,
            "source": {"id": src.id, "kind": src.kind, "name": src.name, "platform": src.platform},
            "title": self.title, "text": self.text, "lang": self.lang,
            "published_at": format_ts(self.published_at), "fetched_at": format_ts(self.fetched_at),
            "author_key": self.author_key,
            "engagement": {"likes": eng.likes, "comments": eng.comments, "shares": eng.shares,
                           "views": eng.views},
            "places": list(self.places), "topics": list(self.topics),
            "sentiment": {"label": sen.label, "score": sen.score} if sen else None,
            "misinfo": {"score": mis.score, "claim": mis.claim, "matched_claim": mis.matched_claim,
                        "matched_claim_id": mis.matched_claim_id, "evidence_url": mis.evidence_url,
                        "reasons": list(mis.reasons), "review_status": mis.review_status,
                        "flagged": mis.flagged, "stance": mis.stance} if mis else None,
            "story_id": self.story_id, "duplicate_of": self.duplicate_of, "parent_id": self.parent_id,
            "section": self.section, "fingerprint": self.fingerprint, "extra": dict(self.extra),
        }

    def to_json(self) -> str:
        return orjson.dumps(self.to_dict(), option=orjson.OPT_SORT_KEYS).decode("utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown document fields: {', '.join(sorted(unknown))}")
        if "id" not in data or "url" not in data or "source" not in data:
            raise ValueError("a document needs at least id, url and source")
        values = dict(data)
        src = values["source"]
        values["source"] = Source(**src) if isinstance(src, dict) else src
        values["engagement"] = Engagement(**(values.get("engagement") or {}))
        if values.get("sentiment"):
            values["sentiment"] = Sentiment(**values["sentiment"])
        if values.get("misinfo"):
            values["misinfo"] = Misinfo(**values["misinfo"])
        values["published_at"] = parse_ts(values.get("published_at"))
        fetched = parse_ts(values.get("fetched_at"))
        if fetched is None:
            values.pop("fetched_at", None)
        else:
            values["fetched_at"] = fetched
        for key in ("places", "topics"):
            values[key] = list(values.get(key) or [])
        values["extra"] = dict(values.get("extra") or {})
        return cls(**values)

    @classmethod
    def from_json(cls, line: str) -> "Document":
        return cls.from_dict(orjson.loads(line))

    def content_hash(self) -> str:
        """What a re-ingest compares to decide between 'unchanged' and 'updated'.

        ``fetched_at`` is left out: fetching the same article again does not change it.
        """
        return content_hash_of(self.to_dict())


def content_hash_of(data: dict[str, Any]) -> str:
    """Hash of a document's dict form, ignoring ``fetched_at`` (see Document.content_hash)."""
    fetched = data.pop("fetched_at", None)
    try:
        return hashlib.sha1(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()
    finally:
        data["fetched_at"] = fetched
