"""One ingest cycle as plain functions: collect each source, enrich, filter to the province, store,
record health, evaluate alert rules and deliver alerts.

Prefect tasks in ``flows/orchestration/prefect_flows.py`` wrap these; ``mediawatch run`` calls :func:`run_ingest`
directly (or the Prefect flow with ``--prefect``). Every stage here runs without Prefect.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from mediawatch.crawlers.base import CollectContext, SourceReport
from mediawatch.crawlers.registry import collector_for
from mediawatch.document import Document, format_ts, utcnow
from mediawatch.errors import ErrorKind, MediawatchError
from mediawatch.redact import scrub_data
from mediawatch.settings import Settings, SourceSettings
from mediawatch.store.base import RunRecord, Store, UpsertResult

log = logging.getLogger("mediawatch.ingest")

BATCH = 500
WEBHOOK_WAIT_S = 10.0  # how long a run waits for webhook receivers before leaving the rest in the outbox
RUNS_NAMESPACE = "runs"

Enrich = Callable[[list[Document]], list[Document]]


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

    @property
    def failed_sources(self) -> list[str]:
        return [r.source_id for r in self.records if r.errors and not r.fetched]

    def add(self, record: RunRecord, filtered: int = 0) -> None:
        self.records.append(record)
        self.totals += UpsertResult(record.new, record.updated, record.unchanged)
        if filtered:
            self.filtered_out[record.source_id] = filtered

    def as_state(self) -> dict[str, Any]:
        """The run-level summary kept in the store (state namespace ``runs``), read by ``status``."""
        return {
            "run_id": self.run_id, "engine": self.engine,
            "started_at": format_ts(self.started_at), "finished_at": format_ts(self.finished_at),
            "sources": len(self.records), "failed_sources": self.failed_sources,
            "fetched": sum(r.fetched for r in self.records),
            "new": self.totals.inserted, "updated": self.totals.updated, "unchanged": self.totals.unchanged,
            "filtered_out": sum(self.filtered_out.values()),
            "errors": {r.source_id: r.errors for r in self.records if r.errors},
            "per_source": {r.source_id: {"fetched": r.fetched, "new": r.new, "updated": r.updated,
                                         "unchanged": r.unchanged,
                                         "filtered_out": self.filtered_out.get(r.source_id, 0),
                                         "errors": sum(r.errors.values())} for r in self.records},
            "alerts": self.alerts, "alert_errors": self.alert_errors, "deliveries": self.deliveries,
        }


def _batched(items: Iterable[Document], size: int) -> Iterable[list[Document]]:
    batch: list[Document] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class ProvinceFilter:
    """Enrich, then keep only documents about the province when the settings ask for it.

    The classifiers put ``extra['about_province']`` on each document; documents without the key
    are kept (not judged is not the same as judged irrelevant). One instance per source, so the
    count of dropped documents is that source's.
    """

    def __init__(self, enrich: Enrich | None, drop: bool):
        self.enrich = enrich
        self.drop = drop
        self.dropped = 0

    def __call__(self, batch: list[Document]) -> list[Document]:
        if self.enrich is not None:
            batch = self.enrich(batch)
        if not self.drop:
            return batch
        kept = [d for d in batch if d.extra.get("about_province", True) is not False]
        self.dropped += len(batch) - len(kept)
        return kept


def ingest_source(source: SourceSettings, settings: Settings, store: Store, run_id: str,
                  enrich: Enrich | None = None) -> RunRecord:
    """Collect one source into the store. Never raises for the source's own failures."""
    report = SourceReport(source_id=source.id)
    ctx = CollectContext(settings=settings, store=store, report=report)
    result = UpsertResult()
    try:
        collector = collector_for(source)
        for batch in _batched(collector(source, ctx), BATCH):
            if enrich is not None:
                batch = enrich(batch)
            if batch:
                result += store.upsert(batch)
    except MediawatchError as exc:
        report.failure(exc)
    except Exception as exc:  # a collector bug must not take the other sources down
        log.exception("[%s] collector crashed", source.id)
        report.error("crash", f"collector crashed: {exc!r}", kind=ErrorKind.PERMANENT)
    return report.to_record(run_id, new=result.inserted, updated=result.updated, unchanged=result.unchanged)


def ingest_sources(sources: list[SourceSettings], settings: Settings, store: Store, run_id: str,
                   enrich: Enrich | None) -> list[tuple[RunRecord, int]]:
    """Sources one after the other (one host's sources, politely), each recorded as it finishes."""
    out = []
    for source in sources:
        # The province's own media are about the province even when an item names no place.
        stage = ProvinceFilter(enrich, settings.classifiers.filter_to_province and not source.local)
        record = ingest_source(source, settings, store, run_id, stage)
        store.record_run([record])
        out.append((record, stage.dropped))
    return out


def crashed_record(source: SourceSettings, run_id: str, started_at: datetime, exc: BaseException) -> RunRecord:
    """The record of a source whose whole task failed (timeout, store outage after retries)."""
    reason = "timeout" if "timeout" in type(exc).__name__.lower() or "TimedOut" in repr(exc) else "crash"
    return RunRecord(run_id=run_id, source_id=source.id, started_at=started_at, finished_at=utcnow(),
                     errors={reason: 1, ErrorKind.TEMPORARY.value: 1},
                     messages=[f"[{source.id}] ingest task failed: {exc!r}"[:300]])


def host_of(source: SourceSettings) -> str:
    """The politeness unit: sources on one host run one after the other, hosts run in parallel.

    Social connectors share their platform's API (and its rate limit), so they group by type.
    """
    if source.kind == "social" or source.type in ("facebook", "youtube", "telegram", "mastodon", "bluesky"):
        host = urlsplit(source.url).hostname if source.type == "mastodon" and source.url else None
        return f"{source.type}:{host}" if host else source.type
    if source.url:
        host = urlsplit(source.url).hostname
        if host:
            return host.lower()
    return f"{source.type}:{source.id}"


def group_by_host(sources: Iterable[SourceSettings]) -> "OrderedDict[str, list[SourceSettings]]":
    groups: OrderedDict[str, list[SourceSettings]] = OrderedDict()
    for source in sources:
        groups.setdefault(host_of(source), []).append(source)
    return groups


def chosen_sources(settings: Settings, sources: list[SourceSettings] | None) -> list[SourceSettings]:
    chosen = [s for s in (sources if sources is not None else settings.sources) if s.enabled]
    if not chosen:
        log.warning("no enabled sources in the configuration: nothing to ingest "
                    "(add [[sources]] entries, see docs/configuration.md)")
    return chosen


_ENRICHERS: dict[str, Any] = {}
_ENRICHERS_LOCK = threading.Lock()


def default_enricher(settings: Settings, store: Store | None = None) -> Enrich:
    """The classifier pipeline, built once per process per configuration (models load once).

    With the store, stories resume from recent ones and each call re-reads the claims register,
    so reviewers' new verdicts are matched from the next cycle on without a restart.
    """
    key = settings.model_dump_json(include={"classifiers", "topics", "province", "language"})
    with _ENRICHERS_LOCK:
        enricher = _ENRICHERS.get(key)
        if enricher is None:
            from mediawatch.classifiers.pipeline import Enricher

            enricher = _ENRICHERS[key] = Enricher.from_settings(settings, store=store)
        elif store is not None:
            enricher.refresh_claims(store)
        return enricher.enrich


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
    except Exception as exc:  # the documents are stored; a rule-engine fault must not fail the run
        log.exception("alert evaluation failed")
        summary.alert_errors["engine"] = f"{type(exc).__name__}: {exc}"
    try:
        summary.deliveries = deliver(settings, to_deliver, wait_s=wait_s).as_dict()
    except Exception as exc:  # e.g. an unwritable outbox folder: say so in the summary
        log.exception("webhook delivery failed")
        summary.deliveries = {"error": f"{type(exc).__name__}: {exc}"}


def save_summary(store: Store, summary: IngestSummary) -> None:
    summary.finished_at = summary.finished_at or utcnow()
    state = scrub_data(summary.as_state())  # shown by `status` and the dashboards: no secrets
    store.set_state(RUNS_NAMESPACE, summary.run_id, state)
    store.set_state(RUNS_NAMESPACE, "latest", state)


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def run_ingest(settings: Settings, store: Store, *, sources: list[SourceSettings] | None = None,
               enrich: Enrich | None = None,
               on_source_done: Callable[[RunRecord], None] | None = None,
               alerts: bool = True) -> IngestSummary:
    """One ingest without Prefect: sources in turn, then alerts and webhooks, then the summary."""
    summary = IngestSummary(run_id=new_run_id())
    for source in chosen_sources(settings, sources):
        ((record, dropped),) = ingest_sources([source], settings, store, summary.run_id, enrich)
        summary.add(record, dropped)
        if on_source_done:
            on_source_done(record)
    if alerts:
        evaluate_and_deliver(settings, store, summary)
    save_summary(store, summary)
    return summary


def describe_summary(state: dict[str, Any], lang: str = "vi") -> str:
    """One or two lines about a stored run summary, for `mediawatch status`."""
    alerts = state.get("alerts") or {}
    deliveries = state.get("deliveries") or {}
    failed = state.get("failed_sources") or []
    from mediawatch.i18n import label, t

    line = t("run.summary", lang, run_id=state.get("run_id"), engine=label("run_engine", state.get("engine"), lang),
             sources=state.get("sources", 0), new=state.get("new", 0), updated=state.get("updated", 0),
             filtered_out=state.get("filtered_out", 0), failed=len(failed), alerts_new=alerts.get("new", 0),
             alerts_update=alerts.get("update", 0), delivered=deliveries.get("delivered", 0),
             pending=deliveries.get("pending", 0), refused=deliveries.get("failed", 0))
    rule_errors = state.get("alert_errors") or {}
    if rule_errors:
        line += "\n  " + "; ".join(f"{name}: {problem}" for name, problem in rule_errors.items())
    return line
