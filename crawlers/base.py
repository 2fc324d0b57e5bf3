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
    """Per-source, per-run figures; becomes a RunRecord in the store.

    Each failure is counted once by reason (``errors``: 'timeout', 'http_404', 'bad_row', ...) and
    once by kind (``error_kinds``: temporary, permanent, bad_input).
    """

    source_id: str
    started_at: datetime = field(default_factory=utcnow)
    fetched: int = 0
    not_modified: int = 0
    skipped_known: int = 0  # links already stored and not updated: counted as unchanged, not fetched
    errors: Counter = field(default_factory=Counter)
    error_kinds: Counter = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)
    last_published_at: datetime | None = None
    aborted: bool = False  # the source stopped part-way (crash, store failure)

    def error(self, reason: str, message: str, *, kind: ErrorKind | None = None) -> None:
        """Count a failure by reason (e.g. 'timeout', 'http_404', 'parse', 'robots') and kind, and log it once.

        Without a kind, a failure counts as permanent.
        """
        self.count(reason, kind)
        self.note(message)

    def count(self, reason: str, kind: ErrorKind | None = None) -> None:
        """Count a failure without a message of its own (a summary line follows)."""
        self.errors[reason] += 1
        self.error_kinds[(kind or ErrorKind.PERMANENT).value] += 1

    def note(self, message: str) -> None:
        """Log a line about this source and keep it for ``status`` (the first MAX_MESSAGES)."""
        text = scrub(f"[{self.source_id}] {message}", MAX_MESSAGE)
        log.warning(text)
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(text)

    def failure(self, exc: MediawatchError, reason: str | None = None) -> None:
        """A failure with no finer reason is counted under its kind's name."""
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
                         messages=list(self.messages), last_published_at=self.last_published_at,
                         error_kinds=dict(self.error_kinds), aborted=self.aborted)


@dataclass
class CollectContext:
    """What a collector may use: settings, the store, its report, and per-run extras.

    Cursors and validators written with :meth:`save_state` (and any :meth:`after_commit` action)
    must never run ahead of the documents they cover. Inside an ingest (``deferred``), they wait
    until every document yielded before them is committed to the store; the ingest calls
    :meth:`before_write` hooks before each store write and :meth:`committed` after it. Outside an
    ingest (a collector called directly), they run at once.
    """

    settings: Settings
    store: Store
    report: SourceReport
    extras: dict[str, Any] = field(default_factory=dict)
    deferred: bool = False
    _pending: list[Callable[[], None]] = field(default_factory=list, repr=False)
    _hooks: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def state(self, key: str) -> dict[str, Any]:
        return self.store.get_state(f"source:{self.report.source_id}", key) or {}

    def save_state(self, key: str, value: dict[str, Any]) -> None:
        namespace, value = f"source:{self.report.source_id}", dict(value)
        self.after_commit(lambda: self.store.set_state(namespace, key, value))

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the documents yielded so far are committed."""
        if self.deferred:
            self._pending.append(action)
        else:
            action()

    def on_write(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` before each store write of this source's documents (e.g. save fingerprints)."""
        self._hooks.append(hook)

    def before_write(self) -> None:
        for hook in self._hooks:
            hook()

    def committed(self) -> int:
        """The documents yielded so far are committed: run the actions that waited for them, in order."""
        actions, self._pending = self._pending, []
        for action in actions:
            action()
        return len(actions)

    def discard_pending(self) -> int:
        """The documents were not committed: their cursors must not move (the next run redoes them)."""
        count, self._pending = len(self._pending), []
        return count


Collector = Callable[[SourceSettings, CollectContext], Iterable[Document]]
