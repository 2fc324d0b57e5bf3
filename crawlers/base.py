"""What every collector (feeds, sitemaps, listing pages, social connectors, file import) shares.

A collector is a function ``collect(source, ctx) -> Iterable[Document]``. It reports what went
wrong through ``ctx.report`` and keeps going: one bad item or page never stops a source, and one
bad source never stops a run. Cursors and conditional-GET validators live in the store's state
(``ctx.state``/``ctx.save_state``) so each run fetches only what is new.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable

from mediawatch.document import Document, clamp_published, utcnow
from mediawatch.errors import ErrorKind, MediawatchError
from mediawatch.redact import MAX_MESSAGE, scrub
from mediawatch.settings import Settings, SourceSettings
from mediawatch.store.base import RunRecord, Store

log = logging.getLogger("mediawatch.crawl")

MAX_MESSAGES = 20


@dataclass
class SourceReport:
    """Per-source, per-run figures; becomes a RunRecord in the store."""

    source_id: str
    started_at: datetime = field(default_factory=utcnow)
    fetched: int = 0
    not_modified: int = 0
    skipped_known: int = 0  # links already stored and not updated: counted as unchanged, not fetched
    errors: Counter = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)
    last_published_at: datetime | None = None

    def error(self, reason: str, message: str, *, kind: ErrorKind | None = None) -> None:
        """Count a failure by reason (e.g. 'timeout', 'http_404', 'parse', 'robots') and log it once."""
        self.errors[reason] += 1
        if kind is not None and kind.value != reason:
            self.errors[kind.value] += 1
        text = scrub(f"[{self.source_id}] {message}", MAX_MESSAGE)
        log.warning(text)
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(text)

    def failure(self, exc: MediawatchError, reason: str | None = None) -> None:
        self.error(reason or exc.kind.value, str(exc), kind=exc.kind)

    def saw(self, document: Document) -> None:
        """Count a collected document; every collector calls this before yielding one."""
        self.fetched += 1
        if clamp_published(document):
            log.debug("[%s] %s: implausible publication date %s ignored", self.source_id, document.id,
                      document.extra["published_at_raw"])
        if document.published_at and (self.last_published_at is None
                                      or document.published_at > self.last_published_at):
            self.last_published_at = document.published_at

    def to_record(self, run_id: str, *, new: int, updated: int, unchanged: int) -> RunRecord:
        return RunRecord(run_id=run_id, source_id=self.source_id, started_at=self.started_at,
                         finished_at=utcnow(), fetched=self.fetched, new=new, updated=updated,
                         unchanged=unchanged + self.not_modified + self.skipped_known, errors=dict(self.errors),
                         messages=list(self.messages), last_published_at=self.last_published_at)


@dataclass
class CollectContext:
    settings: Settings
    store: Store
    report: SourceReport
    extras: dict[str, Any] = field(default_factory=dict)

    def state(self, key: str) -> dict[str, Any]:
        return self.store.get_state(f"source:{self.report.source_id}", key) or {}

    def save_state(self, key: str, value: dict[str, Any]) -> None:
        self.store.set_state(f"source:{self.report.source_id}", key, value)


Collector = Callable[[SourceSettings, CollectContext], Iterable[Document]]
