"""The words `mediawatch run` and `mediawatch status` use about ingest runs (Vietnamese first, English
on request). The flows produce figures; only this module turns them into sentences."""

from __future__ import annotations

from typing import Any

from mediawatch.i18n import label, t
from mediawatch.store.base import RunRecord

from .common import EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE


def counts(values: dict[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(values.items()))


def source_line(record: RunRecord, lang: str = "vi") -> str:
    """One line per source after `run`: its figures, errors by reason [and by kind]."""
    errors = counts(record.errors) or "-"
    if record.error_kinds:
        errors += f" [{counts(record.error_kinds)}]"
    line = t("cli.run.source", lang, source=record.source_id, fetched=record.fetched, new=record.new,
             updated=record.updated, unchanged=record.unchanged, errors=errors)
    return line + (t("cli.run.aborted", lang) if record.aborted else "")


def run_lines(summary: Any, lang: str = "vi") -> list[str]:
    """The closing lines of `run`: totals, and the store outage if there was one."""
    totals = summary.totals
    lines = [t("cli.run.total", lang, run_id=summary.run_id, new=totals.inserted, updated=totals.updated,
               unchanged=totals.unchanged, spooled=totals.spooled, failed=len(summary.failed_sources))]
    if summary.store_unreachable:
        waiting = (t("cli.run.spool_waiting", lang, n=summary.spool_pending) if summary.waiting
                   else t("cli.run.spool_written", lang))
        lines.append(t("cli.run.store_unreachable", lang, error=summary.store_unreachable, waiting=waiting))
    return lines


def run_exit_code(summary: Any, sends_failed: bool = False) -> int:
    """3 when work still waits on disk for an unreachable store; 1 when a source failed, the store
    failed part of the run, or alerts could not be delivered; else 0."""
    if summary.waiting:
        return EXIT_UNAVAILABLE
    if summary.failed_sources or summary.store_unreachable or sends_failed:
        return EXIT_FAILED
    return EXIT_OK


def describe_summary(state: dict[str, Any], lang: str = "vi") -> str:
    """One or two lines about a stored run summary, for `mediawatch status`."""
    alerts = state.get("alerts") or {}
    deliveries = state.get("deliveries") or {}
    failed = state.get("failed_sources") or []
    line = t("run.summary", lang, run_id=state.get("run_id"), engine=label("run_engine", state.get("engine"), lang),
             sources=state.get("sources", 0), new=state.get("new", 0), updated=state.get("updated", 0),
             filtered_out=state.get("filtered_out", 0), failed=len(failed), alerts_new=alerts.get("new", 0),
             alerts_update=alerts.get("update", 0), delivered=deliveries.get("delivered", 0),
             pending=deliveries.get("pending", 0), refused=deliveries.get("failed", 0))
    if state.get("store_unreachable"):
        line += "\n  " + t("run.store_unreachable", lang, error=state["store_unreachable"])
    rule_errors = state.get("alert_errors") or {}
    if rule_errors:
        line += "\n  " + "; ".join(f"{name}: {problem}" for name, problem in rule_errors.items())
    return line
