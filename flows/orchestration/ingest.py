"""One ingest cycle as plain functions: collect each source, classify, filter to the province, store,
record health, evaluate alert rules and deliver alerts, save the run summary.

The plan (``plan.py``) says which sources run and groups them by politeness key. This module is
the sequential executor (``mediawatch run``: groups one after the other) and holds the stages the
Prefect executor (``prefect_flows.py``: groups in parallel) wraps in tasks, so both do the same
work with the same semantics and produce the same summary.

Nothing is lost: a batch's cursors and validators are saved only after the batch is committed
(``CollectContext`` defers them), a collector that crashes keeps what it collected, a document the
store refuses is skipped with its reason instead of losing its batch, and an unreachable store
(``outage.py``) sends documents to the spool and run records to disk while the run goes on.
Commit points are named (``mediawatch.faults``) for the fault-injection suite.
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Protocol

from mediawatch.crawlers.base import CollectContext, SourceReport
from mediawatch.crawlers.registry import collector_for
from mediawatch.document import Document, format_ts, utcnow
from mediawatch.errors import ErrorKind, MediawatchError, TemporaryError, TimedOut
from mediawatch.faults import crash_point
from mediawatch.redact import scrub, scrub_data
from mediawatch.settings import Settings, SourceSettings
from mediawatch.store.base import RunRecord, SearchQuery, Store, UpsertResult

from .outage import OutageGuard, RecordSpool
from .plan import IngestPlan, SourceGroup, plan_ingest

log = logging.getLogger("mediawatch.ingest")

BATCH = 500
WEBHOOK_WAIT_S = 10.0  # how long a run waits for webhook receivers before leaving the rest in the outbox
STORY_WARM_LIMIT = 50_000  # stored documents read at start to continue recent stories
# A document the store refuses for its values (an integer too large, text that is not valid
# Unicode) is skipped alone; a store that fails for other reasons fails the source.
_BAD_DOCUMENT = (OverflowError, ValueError, TypeError)


class Classify(Protocol):
    """What the ingest needs from the classifiers (``mediawatch.classifiers.pipeline.Enricher``)."""

    def enrich(self, documents: list[Document]) -> list[Document]: ...

    def keep(self, doc: Document, *, local_source: bool = False) -> bool: ...


class _FunctionStage:
    """A bare enrichment function (tests, tools) with the classifiers' own province filter."""

    def __init__(self, function: Callable[[list[Document]], list[Document]], settings: Settings):
        self.enrich = function
        self.filter_to_province = settings.classifiers.filter_to_province

    def keep(self, doc: Document, *, local_source: bool = False) -> bool:
        from mediawatch.classifiers.relevance import keep_document

        return keep_document(doc, filter_to_province=self.filter_to_province, local_source=local_source)


def as_stage(enrich: Any, settings: Settings) -> Classify | None:
    if enrich is None or (hasattr(enrich, "enrich") and hasattr(enrich, "keep")):
        return enrich
    return _FunctionStage(enrich, settings)


@dataclass
class SourceOutcome:
    """One source's result: its run record plus what the run summary counts besides."""

    record: RunRecord
    filtered_out: int = 0  # documents judged not about the province and dropped
    spooled: int = 0  # documents kept in the store's spool (store unreachable)


@dataclass
class IngestSummary:
    run_id: str
    records: list[RunRecord] = field(default_factory=list)
    totals: UpsertResult = field(default_factory=UpsertResult)
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None
    engine: str = "plain"  # plain | prefect
    filtered_out: dict[str, int] = field(default_factory=dict)  # source -> documents not about the province
    alerts: dict[str, int] = field(default_factory=dict)  # new / update
    alert_errors: dict[str, str] = field(default_factory=dict)
    deliveries: dict[str, Any] = field(default_factory=dict)
    store_unreachable: str | None = None  # what failed, when the store could not be reached during the run
    spool_pending: int = 0  # documents still in the store's spool at the end of the run
    records_pending: int = 0  # run-record segments still on disk at the end of the run

    @property
    def failed_sources(self) -> list[str]:
        return [r.source_id for r in self.records if r.failed]

    @property
    def waiting(self) -> bool:
        """Work kept on disk because the store is unreachable: written by a later run."""
        return bool(self.spool_pending or self.records_pending)

    def add(self, outcome: SourceOutcome) -> None:
        record = outcome.record
        self.records.append(record)
        self.totals += UpsertResult(record.new, record.updated, record.unchanged, outcome.spooled)
        if outcome.filtered_out:
            self.filtered_out[record.source_id] = outcome.filtered_out

    def order_by(self, plan: IngestPlan) -> None:
        """Records in plan order, whatever order the executor finished them in."""
        position = plan.position()
        self.records.sort(key=lambda r: position.get(r.source_id, len(position)))

    def as_state(self) -> dict[str, Any]:
        """The run-level summary kept in the store (one row per run), read by ``status``."""
        return {
            "run_id": self.run_id, "engine": self.engine,
            "started_at": format_ts(self.started_at), "finished_at": format_ts(self.finished_at),
            "sources": len(self.records), "failed_sources": self.failed_sources,
            "fetched": sum(r.fetched for r in self.records),
            "new": self.totals.inserted, "updated": self.totals.updated, "unchanged": self.totals.unchanged,
            "spooled": self.totals.spooled, "filtered_out": sum(self.filtered_out.values()),
            "errors": {r.source_id: r.errors for r in self.records if r.errors},
            "error_kinds": {r.source_id: r.error_kinds for r in self.records if r.error_kinds},
            "per_source": {r.source_id: {"fetched": r.fetched, "new": r.new, "updated": r.updated,
                                         "unchanged": r.unchanged,
                                         "filtered_out": self.filtered_out.get(r.source_id, 0),
                                         "errors": sum(r.errors.values()), "aborted": r.aborted}
                           for r in self.records},
            "alerts": self.alerts, "alert_errors": self.alert_errors, "deliveries": self.deliveries,
            "store_unreachable": self.store_unreachable, "spool_pending": self.spool_pending,
        }


class _StageFailed(Exception):
    """Classification or the store failed for a batch: the source stops, its cursors stay."""

    def __init__(self, reason: str, exc: BaseException):
        super().__init__(reason)
        self.reason = reason
        self.exc = exc


def write_documents(store: Store, documents: list[Document], report: SourceReport) -> UpsertResult:
    """Upsert a batch; a document whose values the store refuses is skipped with its reason, alone."""
    try:
        return store.upsert(documents)
    except _BAD_DOCUMENT as exc:
        if len(documents) == 1:
            doc = documents[0]
            report.error("unstorable", f"document {doc.url} cannot be stored ({type(exc).__name__}: "
                         f"{str(exc)[:200]}); skipped", kind=ErrorKind.BAD_INPUT)
            return UpsertResult()
        half = len(documents) // 2
        result = write_documents(store, documents[:half], report)
        result += write_documents(store, documents[half:], report)
        return result


class _BatchWriter:
    """Batches of one source: classify, filter, write, then let the cursors covering them move."""

    def __init__(self, source: SourceSettings, store: Store, ctx: CollectContext, classify: Classify | None):
        self.source, self.store, self.ctx, self.classify = source, store, ctx, classify
        self.batch: list[Document] = []
        self.result = UpsertResult()
        self.filtered_out = 0

    def add(self, doc: Document) -> None:
        self.batch.append(doc)
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        docs, self.batch = self.batch, []
        crash_point("ingest.collected")
        if docs and self.classify is not None:
            try:
                _warm_for_batch(self.classify, self.store, docs)
                docs = self.classify.enrich(docs)
            except Exception as exc:
                raise _StageFailed("classify", exc) from exc
            kept = [d for d in docs if self.classify.keep(d, local_source=self.source.local)]
            self.filtered_out += len(docs) - len(kept)
            docs = kept
        try:
            self.ctx.before_write()
            crash_point("ingest.fingerprints")
            if docs:
                self.result += write_documents(self.store, docs, self.ctx.report)
            crash_point("ingest.upserted")
            self.ctx.committed()
        except Exception as exc:
            raise _StageFailed("store", exc) from exc
        crash_point("ingest.cursors")


def ingest_source(source: SourceSettings, settings: Settings, store: Store, run_id: str,
                  classify: Classify | None = None) -> SourceOutcome:
    """Collect one source into the store. Never raises for the source's own failures."""
    report = SourceReport(source_id=source.id)
    ctx = CollectContext(settings=settings, store=store, report=report, deferred=True)
    writer = _BatchWriter(source, store, ctx, classify)
    documents: Any = None
    try:
        documents = iter(collector_for(source)(source, ctx))
        while True:
            try:
                doc = next(documents)
            except StopIteration:
                break
            except MediawatchError as exc:  # the collector gave up part-way: keep what it collected
                report.failure(exc)
                report.aborted = True
            except Exception as exc:  # a collector bug must not take the other sources down
                log.exception("[%s] collector crashed", source.id)
                report.error("crash", f"collector crashed: {exc!r}; what it collected before is stored",
                             kind=ErrorKind.PERMANENT)
                report.aborted = True
            if report.aborted:
                # Cursors it saved may cover documents it never handed over: the next run redoes them.
                ctx.discard_pending()
                break
            writer.add(doc)
        writer.flush()
    except MediawatchError as exc:  # e.g. an unknown source type
        report.failure(exc)
    except _StageFailed as failed:
        ctx.discard_pending()  # the documents were not stored: their cursors must not move
        exc = failed.exc
        kind = exc.kind if isinstance(exc, MediawatchError) else ErrorKind.PERMANENT
        if failed.reason == "classify":
            log.error("[%s] classification failed", source.id, exc_info=exc)
        report.error(failed.reason, f"{'classification' if failed.reason == 'classify' else 'the store'} "
                     f"failed: {exc!r}; this batch is retried by the next run", kind=kind)
        report.aborted = True
    finally:
        _close(source, documents)
    result = writer.result
    record = report.to_record(run_id, new=result.inserted, updated=result.updated, unchanged=result.unchanged)
    return SourceOutcome(record, writer.filtered_out, result.spooled)


def _close(source: SourceSettings, documents: Any) -> None:
    """A collector left part-way (its batch failed) still closes its connections and pools."""
    close = getattr(documents, "close", None)
    if close is None:
        return
    try:
        close()
    except Exception:  # already failing; the source's report says why
        log.warning("[%s] collector did not close cleanly", source.id, exc_info=True)


def ingest_group(group: SourceGroup | Iterable[SourceSettings], settings: Settings, store: OutageGuard,
                 run_id: str, classify: Classify | None,
                 on_source_done: Callable[[RunRecord], None] | None = None) -> list[SourceOutcome]:
    """One politeness group: its sources one after the other, each recorded as it finishes."""
    out = []
    for source in (group.sources if isinstance(group, SourceGroup) else group):
        failures_before = store.failures
        outcome = ingest_source(source, settings, store, run_id, classify)
        if outcome.spooled or store.failures > failures_before:
            _note_outage(outcome, store)
        store.record_run([outcome.record])
        crash_point("ingest.recorded")
        out.append(outcome)
        if on_source_done:
            on_source_done(outcome.record)
    return out


def _note_outage(outcome: SourceOutcome, store: OutageGuard) -> None:
    record = outcome.record
    store.unreachable = store.unreachable or "it did not take the documents"
    record.errors["store_unavailable"] = record.errors.get("store_unavailable", 0) + 1
    record.error_kinds[ErrorKind.TEMPORARY.value] = record.error_kinds.get(ErrorKind.TEMPORARY.value, 0) + 1
    kept = f"{outcome.spooled} document(s) kept in the spool, written by a later run; " if outcome.spooled else ""
    record.messages.append(f"[{record.source_id}] the store is unreachable ({store.unreachable or 'writes refused'}): "
                           f"{kept}cursors stay where they were")


def crashed_record(source: SourceSettings, run_id: str, started_at: datetime, exc: BaseException) -> RunRecord:
    """The record of a source whose whole task failed (time limit, store outage after retries)."""
    if isinstance(exc, (TimedOut, TimeoutError)):
        reason, kind = "timeout", ErrorKind.TEMPORARY
    elif isinstance(exc, MediawatchError):
        reason, kind = "task_failed", exc.kind
    else:
        reason, kind = "crash", ErrorKind.PERMANENT
    return RunRecord(run_id=run_id, source_id=source.id, started_at=started_at, finished_at=utcnow(),
                     errors={reason: 1}, error_kinds={kind.value: 1}, aborted=True,
                     # Scrubbed before it is cut: a secret cut in half would no longer be recognised.
                     messages=[scrub(f"[{source.id}] ingest task failed: {exc!r}", 300)])


def records_spool(settings: Settings) -> RecordSpool:
    return RecordSpool(settings.data_path("spool", "runs"))


def guard(settings: Settings, store: Store) -> OutageGuard:
    """The store as an ingest sees it (outages noted, not raised)."""
    return store if isinstance(store, OutageGuard) else OutageGuard(store, records_spool(settings))


def start_run(settings: Settings, store: OutageGuard) -> None:
    """Write what earlier runs left on disk while the store was down (documents replay on first write)."""
    if store.records.pending():
        written = store.records.replay(store.store)
        if written:
            log.info("wrote %d run record(s) left by earlier runs while the store was unreachable", written)
    if store.spool_pending():
        store.flush_spool()  # raises nothing while the store is still down


def warm_stories(classify: Any, store: Store, since: datetime, until: datetime, *,
                 limit: int = STORY_WARM_LIMIT) -> int:
    """Hand the story tracker the stored documents it has not seen for [since, until): those of the
    range, and the earlier members of the stories found there (a story's centroid is all its
    members). Returns how many documents were read. Stories thus continue across restarts and
    crashes, also in a backfill whose documents are weeks old."""
    tracker = getattr(classify, "stories", None)
    if tracker is None or not hasattr(tracker, "unwarmed"):
        return 0
    read = 0
    for start, end in tracker.unwarmed(since, until):
        documents = list(itertools.islice(store.iter_documents(SearchQuery(since=start, until=end)), limit))
        found = sorted({d.story_id for d in documents if d.story_id})
        for i in range(0, len(found), 500):
            documents += itertools.islice(store.iter_documents(SearchQuery(story_ids=found[i:i + 500], until=start)),
                                          limit)
        # While the store is unreachable nothing came back: the range is asked for again later.
        complete = getattr(store, "unreachable", None) is None
        read += tracker.warm(documents, covering=(start, end) if complete else None)
        if len(documents) >= limit:
            log.info("stories continue from the %d most recent documents of %s-%s", limit, start, end)
    return read


def _warm_for_batch(classify: Any, store: Store, documents: list[Document]) -> None:
    tracker = getattr(classify, "stories", None)
    if tracker is None or not documents:
        return
    times = [d.when for d in documents]
    warm_stories(classify, store, min(times) - tracker.window, max(times) + timedelta(milliseconds=1))


_ENRICHERS: dict[str, Any] = {}
_ENRICHERS_LOCK = threading.Lock()


def default_enricher(settings: Settings, store: Store | None = None) -> Classify:
    """The classifier pipeline, built once per process per configuration (models load once).

    With the store, stories continue from the stored recent documents (handed to the tracker:
    classifiers never read the store) and each call re-reads the claims register, so reviewers'
    new verdicts are matched from the next cycle on without a restart.
    """
    key = settings.model_dump_json(include={"classifiers", "topics", "province", "language"})
    with _ENRICHERS_LOCK:
        enricher = _ENRICHERS.get(key)
        if enricher is None:
            from mediawatch.classifiers.pipeline import Enricher

            enricher = _ENRICHERS[key] = Enricher.from_settings(settings, store=store)
            if store is not None:
                try:
                    now = utcnow()
                    warm_stories(enricher, store, now - enricher.stories.window, now)
                except TemporaryError as exc:  # stories start empty rather than stop the ingest
                    log.warning("stories start empty: %s", exc.message)
        elif store is not None:
            enricher.refresh_claims(store)
        return enricher


def evaluate_and_deliver(settings: Settings, store: Store, summary: IngestSummary, *,
                         wait_s: float = WEBHOOK_WAIT_S) -> None:
    """Alert rules over the store, then webhooks. Failures are recorded, never raised."""
    from mediawatch.flows.alerts import evaluate_alerts
    from mediawatch.flows.delivery.webhooks import deliver

    to_deliver = []
    try:
        run = evaluate_alerts(settings, store)
        summary.alerts, summary.alert_errors = run.counts(), run.errors
        to_deliver = run.to_deliver
    except TemporaryError as exc:  # the store is down: rules run again next cycle
        log.warning("alert rules not evaluated: %s", exc.message)
        summary.alert_errors["engine"] = exc.message
    except Exception as exc:  # the documents are stored; a rule-engine fault must not fail the run
        log.exception("alert evaluation failed")
        summary.alert_errors["engine"] = f"{type(exc).__name__}: {exc}"
    try:
        summary.deliveries = deliver(settings, to_deliver, wait_s=wait_s).as_dict()
    except Exception as exc:  # e.g. an unwritable outbox folder: say so in the summary
        log.exception("webhook delivery failed")
        summary.deliveries = {"error": f"{type(exc).__name__}: {exc}"}
    crash_point("ingest.alerts")


def save_summary(store: Store, summary: IngestSummary) -> None:
    """Close the run: what still waits on disk, then the summary row (spooled too if the store is down)."""
    guarded = store if isinstance(store, OutageGuard) else None
    summary.finished_at = summary.finished_at or utcnow()
    summary.store_unreachable = summary.store_unreachable or (guarded.unreachable if guarded else None)
    summary.spool_pending = store.spool_pending()
    state = scrub_data(summary.as_state())  # shown by `status` and the dashboards: no secrets
    store.save_run_summary(summary.run_id, state)
    if guarded is not None:
        summary.records_pending = guarded.records.pending()
    crash_point("ingest.summary")


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def run_ingest(settings: Settings, store: Store, *, sources: list[SourceSettings] | None = None,
               enrich: Any = None, on_source_done: Callable[[RunRecord], None] | None = None,
               alerts: bool = True) -> IngestSummary:
    """The sequential executor: the plan's groups one after the other, then alerts, then the summary."""
    plan = plan_ingest(settings, sources)
    store = guard(settings, store)
    start_run(settings, store)
    summary = IngestSummary(run_id=new_run_id())
    classify = as_stage(enrich, settings)
    for group in plan.groups:
        for outcome in ingest_group(group, settings, store, summary.run_id, classify, on_source_done):
            summary.add(outcome)
    summary.order_by(plan)
    if alerts and store.unreachable is None:
        evaluate_and_deliver(settings, store, summary)
    save_summary(store, summary)
    return summary
