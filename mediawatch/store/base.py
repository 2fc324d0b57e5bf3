"""The store interface. SQLite (embedded default) and Elasticsearch (production) implement it with
the same query semantics; both pass ``tests/store_contract.py``.

Query semantics, shared by both backends:
- ``text`` is a user query: words are ANDed; ``"quoted phrases"``; ``OR`` between terms; a leading
  ``-`` or ``NOT`` excludes; matching is case- and diacritic-insensitive (``da nang`` finds Đà Nẵng)
  over title and text. Prefix with ``*`` at the end of a word (``lu*``).
- Filters combine with AND; each list filter matches any of its values.
- Time filters use ``published_at`` falling back to ``fetched_at`` (``Document.when``);
  ``since`` inclusive, ``until`` exclusive.
- Results are sorted newest first by that time, ties broken by id descending; paging is keyset
  paging on (time, id) so inserts never shift or repeat a page.
"""

from __future__ import annotations

import abc
import base64
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Iterator, Literal

from ..document import Document
from ..redact import MAX_MESSAGE, scrub
from .desk_base import DeskStore
from .forecasts import ForecastRecord

# search() totals are exact up to this many (Elasticsearch's default track_total_hits); count() is exact.
TOTAL_CAP = 10_000

FACET_FIELDS = ("source_id", "source_kind", "platform", "topics", "places", "sentiment", "misinfo_status",
                "lang", "story_id", "section")


@dataclass(slots=True)
class SearchQuery:
    text: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    source_ids: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    sentiments: list[str] = field(default_factory=list)
    misinfo_statuses: list[str] = field(default_factory=list)  # review statuses; combine with flagged_only
    flagged_only: bool = False  # only documents with misinfo.flagged
    story_ids: list[str] = field(default_factory=list)
    include_duplicates: bool = True  # False hides documents with duplicate_of set
    duplicate_of: list[str] = field(default_factory=list)  # copies of these documents


@dataclass(slots=True)
class Page:
    documents: list[Document]
    total: int  # exact up to 10,000; beyond, 10,000 with total_exact False (count() is always exact)
    next_cursor: str | None
    total_exact: bool = True


@dataclass(slots=True)
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    spooled: int = 0  # kept in the backend's disk spool, written when it is reachable again

    def __iadd__(self, other: "UpsertResult") -> "UpsertResult":
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.spooled += other.spooled
        return self

    @property
    def written(self) -> int:
        return self.inserted + self.updated


@dataclass(slots=True)
class Bucket:
    start: datetime  # bucket start, in the requested time zone
    count: int
    avg_sentiment: float | None  # mean sentiment score of the documents that have one
    negative: int = 0  # documents labelled negative (for negative-share series)


@dataclass(slots=True)
class RunRecord:
    """One source's figures for one ingest run (source health)."""

    run_id: str
    source_id: str
    started_at: datetime
    finished_at: datetime
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # by reason ('timeout', 'http_404', 'bad_row')
    messages: list[str] = field(default_factory=list)  # a few clear reasons, for status
    last_published_at: datetime | None = None
    # The same failures by kind (ErrorKind values: temporary, permanent, bad_input). Every failure
    # is counted once here and once in ``errors``, so both maps sum to the same total.
    error_kinds: dict[str, int] = field(default_factory=dict)
    aborted: bool = False  # the source stopped part-way: collector crash, store failure, time limit

    def __post_init__(self) -> None:
        # Stored and shown by `status` and the dashboards: no secrets, no megabyte messages.
        self.messages = [scrub(m, MAX_MESSAGE) for m in self.messages]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def failed(self) -> bool:
        """The source did not do its work: it stopped part-way, or it failed and fetched nothing."""
        return self.aborted or (bool(self.errors) and not self.fetched)


@dataclass(slots=True, frozen=True)
class Fingerprint:
    """A near-duplicate fingerprint of an original document (one row per document)."""

    doc_id: str
    value: int  # 64-bit SimHash
    seen_at: datetime  # the document's time: the index keeps the most recent fingerprints


@dataclass(slots=True)
class ReviewDecision:
    """An audited reviewer decision on a flagged document."""

    doc_id: str
    verdict: str  # false | misleading | true | not-a-claim
    reviewer: str
    note: str
    decided_at: datetime
    previous_status: str | None = None


@dataclass(slots=True)
class AlertRecord:
    """An alert as fired (stored for dashboards, digests and cool-downs)."""

    alert_id: str
    rule: str
    dedup_key: str
    fired_at: datetime
    updated_at: datetime
    severity: str
    title: str
    payload: dict[str, Any]


def encode_cursor(when_ms: int, doc_id: str) -> str:
    raw = json.dumps([when_ms, doc_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        when_ms, doc_id = json.loads(base64.urlsafe_b64decode(padded))
        return int(when_ms), str(doc_id)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"invalid paging cursor {cursor!r}") from exc


class Store(DeskStore, abc.ABC):
    """What every stage uses to read and write persisted state (the desk's part: DeskStore)."""

    # --- documents ---------------------------------------------------------------------------
    @abc.abstractmethod
    def upsert(self, documents: Iterable[Document]) -> UpsertResult:
        """Insert new documents, update changed ones, leave identical ones alone (idempotent by id)."""

    @abc.abstractmethod
    def get(self, doc_id: str) -> Document | None: ...

    @abc.abstractmethod
    def search(self, query: SearchQuery, *, size: int = 20, cursor: str | None = None) -> Page: ...

    @abc.abstractmethod
    def count(self, query: SearchQuery) -> int: ...

    @abc.abstractmethod
    def facets(self, query: SearchQuery, fields: Iterable[str], *, size: int = 10
               ) -> dict[str, list[tuple[str, int]]]:
        """Top values with counts per field (see FACET_FIELDS), most frequent first, ties by value."""

    @abc.abstractmethod
    def histogram(self, query: SearchQuery, *, interval: Literal["hour", "day"] = "day",
                  tz: str = "Asia/Ho_Chi_Minh") -> list[Bucket]:
        """Buckets in time order; empty buckets between the first and last are included."""

    @abc.abstractmethod
    def iter_documents(self, query: SearchQuery | None = None, *, batch_size: int = 1000
                       ) -> Iterator[Document]:
        """Every matching document, newest first, in bounded memory."""

    @abc.abstractmethod
    def purge(self, older_than: datetime) -> int:
        """Delete documents whose time is before ``older_than``; returns how many."""

    # --- source health -----------------------------------------------------------------------
    @abc.abstractmethod
    def record_run(self, records: Iterable[RunRecord]) -> None: ...

    @abc.abstractmethod
    def runs(self, *, source_id: str | None = None, limit: int = 100) -> list[RunRecord]:
        """Most recent first."""

    # --- misinformation review -----------------------------------------------------------------
    @abc.abstractmethod
    def review(self, decision: ReviewDecision) -> Document:
        """Apply a reviewer's verdict to a flagged document and append it to the review log and the
        audit log (``review``)."""

    @abc.abstractmethod
    def reviews(self, *, doc_id: str | None = None, limit: int = 1000) -> list[ReviewDecision]:
        """The audit log, most recent first."""

    # --- alerts --------------------------------------------------------------------------------
    @abc.abstractmethod
    def save_alert(self, alert: AlertRecord) -> None:
        """Insert or update (by alert_id) an alert."""

    @abc.abstractmethod
    def alerts(self, *, since: datetime | None = None, dedup_key: str | None = None,
               limit: int = 1000) -> list[AlertRecord]:
        """Most recently updated first."""

    # --- forecasts: one row per series (topic, place) ------------------------------------------
    @abc.abstractmethod
    def save_forecast(self, record: ForecastRecord) -> bool:
        """Store the series' forecast in its own row; a row holding a newer forecast (later
        ``generated_at``) is kept. Returns whether this record was written."""

    @abc.abstractmethod
    def forecasts(self, *, topic: str | None = None, place: str | None = None,
                  generated_since: datetime | None = None) -> list[ForecastRecord]:
        """Stored forecasts (``ALL`` = "*" selects the every-topic / every-place series), by topic
        then place."""

    # --- small state: crawler ETags, social cursors, dedup indexes ----------------------------------
    @abc.abstractmethod
    def get_state(self, namespace: str, key: str) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    def set_state(self, namespace: str, key: str, value: dict[str, Any]) -> None: ...

    # --- near-duplicate fingerprints: one row per original document ----------------------------
    # Rows, not one shared value: two hosts ingesting at once each add theirs and lose nothing.
    @abc.abstractmethod
    def add_fingerprints(self, rows: Iterable[Fingerprint]) -> None:
        """Insert or replace (by document id) fingerprint rows."""

    @abc.abstractmethod
    def fingerprints(self, *, limit: int = 20_000) -> list[Fingerprint]:
        """The most recently seen fingerprints, newest first (ties by document id)."""

    @abc.abstractmethod
    def trim_fingerprints(self, older_than: datetime) -> int:
        """Delete fingerprints seen before ``older_than``; returns how many."""

    # --- run summaries: one row per ingest run ----------------------------------------------------
    @abc.abstractmethod
    def save_run_summary(self, run_id: str, summary: dict[str, Any]) -> None:
        """Insert or replace the summary of one run (``started_at``/``finished_at`` ISO strings inside)."""

    @abc.abstractmethod
    def run_summaries(self, *, limit: int = 20) -> list[dict[str, Any]]:
        """Run summaries, the most recently finished first (unfinished ones by start time)."""

    # --- the write spool (backends that have one) --------------------------------------------------
    def spool_pending(self) -> int:
        """Documents waiting in a disk spool for the backend to come back (0 without a spool)."""
        return 0

    def flush_spool(self) -> UpsertResult:
        """Write what waits in the spool now (upserts also do, first thing); raises nothing if still down."""
        return UpsertResult()

    # --- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:  # noqa: B027 - optional for backends without resources
        pass

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
