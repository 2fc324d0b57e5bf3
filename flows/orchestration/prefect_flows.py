"""Prefect flows: thin tasks around the plain stages in ``mediawatch.flows.orchestration.ingest``, ``mediawatch.flows.orchestration.retrain``, and the
digest/forecast issue's ``mediawatch.flows.reports.digest`` / ``mediawatch.flows.forecast.series``.

The ingest flow is the parallel executor of the ingest plan (``plan.py``): each politeness group
(a host, a platform's API, an import file) is one task whose sources run one after the other,
exactly as in the sequential ``run_ingest``; groups run in parallel on the configured task runner:
threads on one machine, or a Dask cluster (``flows.task_runner = "dask"``, ``flows.dask_address``).
A failing group never fails the flow: its sources get a failure record and the run goes on. The
summary is the same as the sequential executor's (records in plan order).

Tasks take the Settings object and open their own store connection, so they also run on remote
Dask workers (which then need the same store URL reachable: Elasticsearch in production).
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from mediawatch.errors import TimedOut
from mediawatch.settings import Settings, SourceSettings
from mediawatch.store import open_store
from mediawatch.store.base import RunRecord

from mediawatch.flows.orchestration import ingest as stages
from mediawatch.flows.orchestration.plan import plan_ingest
from mediawatch.flows.orchestration.settings_checks import load_checked

log = logging.getLogger("mediawatch.flows")

HOST_TIMEOUT_S = 1800  # one group's sources; a hung group is abandoned, the others finish
MAX_THREADS = 8  # parallel groups on one machine (I/O bound: fetches wait on the network)

_PROGRESS: dict[str, Callable[[RunRecord], None]] = {}
_PROGRESS_LOCK = threading.Lock()


def task_runner_for(settings: Settings, hosts: int = MAX_THREADS):
    """The task runner the settings ask for."""
    if settings.flows.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.flows.dask_address:
            return DaskTaskRunner(address=settings.flows.dask_address)
        # No cluster given: a small in-process one (threads), enough to try the Dask path.
        return DaskTaskRunner(cluster_kwargs={"n_workers": 1, "processes": False,
                                              "threads_per_worker": max(2, min(hosts, MAX_THREADS)),
                                              "dashboard_address": None})
    return ThreadPoolTaskRunner(max_workers=max(1, min(hosts, MAX_THREADS)))


def _settings(settings: Settings | None, config: str | None) -> Settings:
    return settings if settings is not None else load_checked(config)


# No task-level timeout_seconds: in worker threads Prefect cannot interrupt blocking I/O (it says
# so in a warning on every run). Fetches have their own timeouts (crawl.timeout_s), and the flow
# stops waiting for a group after HOST_TIMEOUT_S, recording its sources as timed out.
@task(name="ingest-host", retries=1, retry_delay_seconds=10, cache_policy=NO_CACHE)
def ingest_host_task(settings: Settings, sources: list[SourceSettings], run_id: str,
                     enrich: bool) -> tuple[list[stages.SourceOutcome], str | None]:
    """Crawl, extract, dedupe, classify, filter and index one politeness group's sources."""
    with open_store(settings) as opened:
        store = stages.guard(settings, opened)
        classify = stages.default_enricher(settings, store) if enrich else None
        outcomes = stages.ingest_group(sources, settings, store, run_id, classify)
        return outcomes, store.unreachable


@task(name="alerts", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def alerts_task(settings: Settings, summary: stages.IngestSummary) -> stages.IngestSummary:
    """Evaluate the alert rules and hand alerts to the webhook outbox (bounded wait)."""
    with open_store(settings) as store:
        stages.evaluate_and_deliver(settings, store, summary)
    return summary


@task(name="save-summary", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def save_summary_task(settings: Settings, summary: stages.IngestSummary) -> stages.IngestSummary:
    with open_store(settings) as store:
        stages.save_summary(stages.guard(settings, store), summary)
    return summary


@flow(name="ingest", validate_parameters=False, log_prints=False)
def ingest_flow(config: str | None = None, sources: list[str] | None = None, alerts: bool = True,
                enrich: bool = True, settings: Settings | None = None,
                progress: str | None = None) -> stages.IngestSummary:
    """One ingest: politeness groups in parallel, then alerts and webhooks, then the run summary."""
    settings = _settings(settings, config)
    plan = plan_ingest(settings, [s for s in settings.sources if s.id in sources] if sources is not None else None)
    with open_store(settings) as store:
        stages.start_run(settings, stages.guard(settings, store))
    summary = stages.IngestSummary(run_id=stages.new_run_id(), engine="prefect")
    futures = {ingest_host_task.submit(settings, list(group.sources), summary.run_id, enrich): group
               for group in plan.groups}
    callback = _PROGRESS.get(progress or "")
    done = set()

    def collect(future, group, exc: BaseException | None = None) -> None:
        outcomes: list[stages.SourceOutcome] = []
        if exc is None:
            try:
                outcomes, unreachable = future.result()
                summary.store_unreachable = summary.store_unreachable or unreachable
            except Exception as failure:  # retries exhausted: record it, keep the others
                exc = failure
        if exc is not None:
            log.error("ingest of %s failed: %r", ", ".join(s.id for s in group.sources), exc)
            outcomes = [stages.SourceOutcome(stages.crashed_record(s, summary.run_id, summary.started_at, exc))
                        for s in group.sources]
            with open_store(settings) as store:
                stages.guard(settings, store).record_run([o.record for o in outcomes])
        for outcome in outcomes:
            summary.add(outcome)
            if callback:
                callback(outcome.record)

    try:
        for future in as_completed(list(futures), timeout=HOST_TIMEOUT_S):
            done.add(future)
            collect(future, futures[future])
    except TimeoutError:  # hung groups: stop waiting, report them, finish the run
        for future, group in futures.items():
            if future not in done:
                collect(future, group, TimedOut(f"no result after {HOST_TIMEOUT_S} s"))
    summary.order_by(plan)
    if alerts and summary.store_unreachable is None:
        try:
            summary = alerts_task(settings, summary)
        except Exception as exc:  # documents are safely stored; report and finish the run
            summary.alert_errors["task"] = f"{type(exc).__name__}: {exc}"
    summary.finished_at = stages.utcnow()
    return save_summary_task(settings, summary)


def run_ingest_flow(settings: Settings, *, sources: list[SourceSettings] | None = None, enrich: bool = True,
                    alerts: bool = True, on_source_done: Callable[[RunRecord], None] | None = None
                    ) -> stages.IngestSummary:
    """Run the ingest flow now, in this process, on the configured task runner."""
    ids = [s.id for s in sources] if sources is not None else None
    token = None
    if on_source_done is not None:
        token = f"p{id(on_source_done)}-{threading.get_ident()}"
        with _PROGRESS_LOCK:
            _PROGRESS[token] = on_source_done
    groups = len(plan_ingest(settings, sources).groups) or 1
    try:
        return ingest_flow.with_options(task_runner=task_runner_for(settings, groups))(
            settings=settings, sources=ids, alerts=alerts, enrich=enrich, progress=token)
    finally:
        if token:
            with _PROGRESS_LOCK:
                _PROGRESS.pop(token, None)


@task(name="retrain-model", timeout_seconds=6 * 3600, cache_policy=NO_CACHE)
def retrain_model_task(settings: Settings, name: str, datasets_dir: str | None) -> dict[str, Any]:
    from .retrain import retrain_model

    return retrain_model(settings, name, datasets_dir=datasets_dir).as_dict()


@flow(name="retrain", validate_parameters=False)
def retrain_flow(config: str | None = None, models: list[str] | None = None, datasets_dir: str | None = None,
                 settings: Settings | None = None) -> list[dict[str, Any]]:
    """Retrain each model; swap it in only if its evaluation does not drop (see mediawatch.flows.orchestration.retrain)."""
    from mediawatch.classifiers.registry import trainable_names

    settings = _settings(settings, config)
    out = []
    for name in models or trainable_names():
        try:
            out.append(retrain_model_task(settings, name, datasets_dir))
        except Exception as exc:  # one model's failure leaves the others (and the current model) alone
            log.error("retraining %s failed: %r", name, exc)
            out.append({"model": name, "swapped": False, "reasons": [f"failed: {exc!r}"]})
    return out


@flow(name="digest", validate_parameters=False)
def digest_flow(config: str | None = None, send: bool = True, settings: Settings | None = None) -> Any:
    """The daily digest (built by the digest issue's ``mediawatch.flows.reports.digest.run_digest``)."""
    from mediawatch.flows.reports.digest import run_digest

    settings = _settings(settings, config)
    with open_store(settings) as store:
        result = run_digest(settings, store, send=send)
    return {"day": str(result.digest.day), "status": str(result.status),
            "outbox_sent": result.outbox_sent, "outbox_waiting": result.outbox_waiting}


@flow(name="forecast", validate_parameters=False)
def forecast_flow(config: str | None = None, settings: Settings | None = None) -> Any:
    """The nightly forecasts (``mediawatch.flows.forecast.series.run_forecast``)."""
    from mediawatch.flows.forecast.series import run_forecast

    settings = _settings(settings, config)
    with open_store(settings) as store:
        results = run_forecast(settings, store)
    # Flow results stay small (the API records them): the series themselves are in the store.
    return {"series": len(results), "rising": sorted(k for k, v in results.items() if v.trend in ("new", "rising"))}
