"""Source health from stored RunRecords: per-source summaries and the silent-source warning.

Pure functions over ``store.runs()`` output, so `mediawatch sources check`, `mediawatch status` and
the alert rule for silent sources (flows/alerts) all read the same figures.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable

from mediawatch.store.base import RunRecord

# Failure reasons grouped into the kinds an operator reads.
REASON_GROUPS = {
    "dns": "network", "connect": "network", "timeout": "network",
    "robots": "robots", "private_address": "refused", "too_large": "refused", "redirects": "refused",
    "parse": "parse", "extraction": "extraction",
}


def reason_group(reason: str) -> str | None:
    if reason.startswith("http_"):
        return "http"
    return REASON_GROUPS.get(reason)


@dataclass
class SourceHealth:
    source_id: str
    runs: int = 0
    last_run_at: datetime | None = None
    last_success_at: datetime | None = None  # last run that fetched, found nothing changed, or had no errors
    last_published_at: datetime | None = None
    last: RunRecord | None = None
    failures: dict[str, int] = field(default_factory=dict)  # over the runs seen, by group


def summarise(runs: Iterable[RunRecord]) -> dict[str, SourceHealth]:
    health: dict[str, SourceHealth] = {}
    for run in sorted(runs, key=lambda r: r.started_at):
        item = health.setdefault(run.source_id, SourceHealth(run.source_id))
        item.runs += 1
        item.last = run
        item.last_run_at = run.finished_at
        if run.fetched or run.unchanged or not run.errors:
            item.last_success_at = run.finished_at
        if run.last_published_at and (item.last_published_at is None
                                      or run.last_published_at > item.last_published_at):
            item.last_published_at = run.last_published_at
        for reason, count in run.errors.items():
            group = reason_group(reason)
            if group:
                item.failures[group] = item.failures.get(group, 0) + count
    return health


@dataclass(frozen=True)
class SilentSource:
    source_id: str
    last_published_at: datetime
    silent_for: timedelta
    typical_gap: timedelta


def silent_sources(runs: Iterable[RunRecord], now: datetime, *, factor: float = 3.0, min_history: int = 4,
                   min_silence: timedelta = timedelta(hours=6)) -> list[SilentSource]:
    """Sources that used to publish but have been quiet for longer than usual.

    The typical gap is the median gap between the distinct "latest publication" times the runs
    saw (at least ``min_history`` of them, so new or rarely-seen sources are not judged). A source
    is silent when the time since its latest publication exceeds ``factor`` times that gap and
    ``min_silence``. Most silent first.
    """
    published: dict[str, set[datetime]] = {}
    for run in runs:
        if run.last_published_at is not None:
            published.setdefault(run.source_id, set()).add(run.last_published_at)
    silent = []
    for source_id, times in published.items():
        ordered = sorted(times)
        if len(ordered) < min_history:
            continue
        gaps = [b - a for a, b in zip(ordered, ordered[1:]) if b > a]
        if not gaps:
            continue
        typical = statistics.median(gaps)
        quiet = now - ordered[-1]
        if quiet > max(typical * factor, min_silence):
            silent.append(SilentSource(source_id, ordered[-1], quiet, typical))
    return sorted(silent, key=lambda s: s.silent_for / max(s.typical_gap, timedelta(seconds=1)), reverse=True)
