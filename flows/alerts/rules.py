"""Alert rules evaluated over the store at a given moment: each returns the candidates that fire.

A rule only reads the store (counts, facets, flagged documents, source runs) and the clock it is
given, so the same code runs after each ingest and replays history in ``alerts backtest``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from mediawatch.settings import AlertRuleSettings, Settings
from mediawatch.store.base import SearchQuery, Store
from mediawatch.text import fold

from .maths import severity_for, share_surge_test, spike_test

log = logging.getLogger("mediawatch.alerts")

CLEARED = ("true", "not-a-claim")  # reviewers' verdicts that take a document out of misinfo counts


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass
class Candidate:
    """A rule that fired, with the figures that explain why."""

    rule: AlertRuleSettings
    dedup_key: str
    severity: str
    window: Window
    count: int
    query: SearchQuery  # the documents the alert is about (for terms, sources, examples)
    subject: dict[str, Any] = field(default_factory=dict)  # topic/place/kind/claim/source
    stats: dict[str, Any] = field(default_factory=dict)  # baseline, threshold, shares, ...


def windows_for(rule: AlertRuleSettings) -> tuple[timedelta, int]:
    """Current window length and number of baseline windows.

    Social moves in hours (last hour against the previous 12); press in days (last day against the
    previous 14). ``options.window_hours`` / ``options.baseline_windows`` override.
    """
    if rule.source_kind == "social":
        hours, n = 1.0, 12
    else:
        hours, n = 24.0, 14
    hours = rule.options.window_hours or hours
    n = rule.options.baseline_windows or n
    return timedelta(hours=hours), max(n, 1)


def base_query(rule: AlertRuleSettings, window: Window | None = None) -> SearchQuery:
    query = SearchQuery(include_duplicates=False)
    if rule.topic:
        query.topics = [rule.topic]
    if rule.place:
        query.places = [rule.place]
    if rule.source_kind:
        query.kinds = [rule.source_kind]
    if window is not None:
        query.since, query.until = window.start, window.end
    return query


def _in(query: SearchQuery, window: Window, **changes: Any) -> SearchQuery:
    return dataclasses.replace(query, since=window.start, until=window.end, **changes)


def _subject(rule: AlertRuleSettings) -> dict[str, Any]:
    return {k: v for k, v in (("topic", rule.topic), ("place", rule.place),
                              ("source_kind", rule.source_kind)) if v}


def _key(rule: AlertRuleSettings, *parts: str | None) -> str:
    scope = [rule.topic or "*", rule.place or "*", rule.source_kind or "*"]
    return "|".join([rule.type, rule.name, *scope, *[p or "*" for p in parts]])


def spike(rule: AlertRuleSettings, settings: Settings, store: Store, now: datetime) -> list[Candidate]:
    length, n = windows_for(rule)
    query = base_query(rule)
    current_w = Window(now - length, now)
    current = store.count(_in(query, current_w))
    if current < rule.min_count:  # cheap exit: most evaluations of most rules end here
        return []
    baseline = [store.count(_in(query, Window(now - (i + 1) * length, now - i * length)))
                for i in range(1, n + 1)]
    result = spike_test(current, baseline, rule.sensitivity, rule.min_count)
    if not result.fired:
        return []
    return [Candidate(rule=rule, dedup_key=_key(rule), severity=severity_for(result.z, rule.sensitivity),
                      window=current_w, count=current, query=_in(query, current_w), subject=_subject(rule),
                      stats={"baseline_mean": round(result.mean, 2), "baseline_sigma": round(result.sigma, 2),
                             "threshold": round(result.threshold, 2), "z": round(result.z, 2),
                             "baseline_windows": n, "window_hours": current_w.hours})]


def negativity(rule: AlertRuleSettings, settings: Settings, store: Store, now: datetime) -> list[Candidate]:
    length, n = windows_for(rule)
    query = base_query(rule)
    current_w = Window(now - length, now)
    base_w = Window(now - (n + 1) * length, now - length)
    neg = store.count(_in(query, current_w, sentiments=["negative"]))
    if neg < rule.min_count:
        return []
    total = store.count(_in(query, current_w))
    base_neg = store.count(_in(query, base_w, sentiments=["negative"]))
    base_total = store.count(_in(query, base_w))
    result = share_surge_test(neg, total, base_neg, base_total, rule.sensitivity, rule.min_count,
                              rule.options.min_delta)
    if not result.fired:
        return []
    severity = "high" if result.share >= result.threshold + 0.2 else "medium"
    return [Candidate(rule=rule, dedup_key=_key(rule), severity=severity, window=current_w, count=neg,
                      query=_in(query, current_w, sentiments=["negative"]), subject=_subject(rule),
                      stats={"total": total, "share": round(result.share, 3),
                             "baseline_share": round(result.baseline_share, 3),
                             "threshold": round(result.threshold, 3), "window_hours": current_w.hours})]


def claim_key(doc) -> tuple[str, str]:
    """Group flagged documents by the claim they spread: register id, else story, else claim text."""
    m = doc.misinfo
    if m.matched_claim_id:
        return f"claim:{m.matched_claim_id}", m.matched_claim or m.claim or ""
    if doc.story_id:
        return f"story:{doc.story_id}", m.claim or doc.title
    text = fold(m.claim or doc.title)[:80]
    return f"text:{text}", m.claim or doc.title


def misinfo(rule: AlertRuleSettings, settings: Settings, store: Store, now: datetime) -> list[Candidate]:
    """A register claim, or a new unmatched claim, whose flagged copies spread faster than a threshold.

    Fires when at least ``min_count`` flagged documents about one claim appeared in the window
    (default 6 hours) and, with ``options.rate_per_hour``, their rate per hour reaches it.
    """
    hours = rule.options.window_hours
    window = Window(now - timedelta(hours=hours), now)
    query = _in(base_query(rule), window, flagged_only=True)
    groups: dict[str, list] = defaultdict(list)
    labels: dict[str, str] = {}
    limit = rule.options.scan_limit
    for i, doc in enumerate(store.iter_documents(query, batch_size=500)):
        if i >= limit:
            break
        if doc.misinfo is None or doc.misinfo.review_status in CLEARED:
            continue  # a reviewer found it true or not a claim: it is not misinformation
        if doc.misinfo.stance == "refutes":
            continue  # a correction quoting the rumour is not the rumour (stored before it was unflagged)
        key, label = claim_key(doc)
        groups[key].append(doc)
        labels.setdefault(key, label)
    rate_needed = rule.options.rate_per_hour
    out = []
    for key, docs in sorted(groups.items()):
        rate = len(docs) / hours
        if len(docs) < rule.min_count or rate < rate_needed:
            continue
        matched = key.startswith("claim:")
        # The store cannot filter by claim, so the payload's examples come from doc_ids below.
        out.append(Candidate(rule=rule, dedup_key=_key(rule, key), severity="high", window=window,
                             count=len(docs), query=query,
                             subject={**_subject(rule), "claim": labels[key], "claim_key": key,
                                      "registered": matched},
                             stats={"rate_per_hour": round(rate, 2), "window_hours": hours,
                                    "doc_ids": [d.id for d in docs[:50]]}))
    return out


def silent_source(rule: AlertRuleSettings, settings: Settings, store: Store, now: datetime) -> list[Candidate]:
    """Sources that stopped publishing, as judged by the crawlers' source-health rule
    (quiet for longer than ``options.factor`` (3) times their usual gap and at least 6 hours)."""
    from mediawatch.crawlers.health import silent_sources

    options = rule.options
    runs = [r for r in store.runs(limit=options.runs_limit) if r.started_at <= now]
    out = []
    for item in silent_sources(runs, now, factor=options.factor,
                               min_silence=timedelta(hours=options.min_silence_hours)):
        source = settings.source(item.source_id)
        if source is not None and not source.enabled:
            continue
        if rule.source_kind and (source is None or source.kind != rule.source_kind):
            continue
        out.append(Candidate(rule=rule, dedup_key=_key(rule, item.source_id), severity="low",
                             window=Window(item.last_published_at, now), count=0,
                             query=SearchQuery(source_ids=[item.source_id], until=now),
                             subject={"source_id": item.source_id,
                                      "source_name": source.name if source and source.name else item.source_id},
                             stats={"last_published_at": item.last_published_at.isoformat(),
                                    "silent_hours": round(item.silent_for.total_seconds() / 3600, 1),
                                    "typical_gap_hours": round(item.typical_gap.total_seconds() / 3600, 2)}))
    return out


def keyword(rule: AlertRuleSettings, settings: Settings, store: Store, now: datetime) -> list[Candidate]:
    """Any document matching a topic marked urgent (or the rule's own topic): ``min_count`` or more
    in the window (1 unless the rule sets it)."""
    minutes = rule.options.window_minutes or max(60, 2 * settings.flows.ingest_every_minutes)
    window = Window(now - timedelta(minutes=minutes), now)
    topics = [rule.topic] if rule.topic else [t.name for t in settings.topics if t.urgent]
    needed = rule.min_count
    out = []
    for topic in topics:
        query = _in(base_query(rule), window, topics=[topic])
        count = store.count(query)
        if count >= needed:
            out.append(Candidate(rule=rule, dedup_key=_key(rule, topic), severity="high", window=window,
                                 count=count, query=query, subject={**_subject(rule), "topic": topic},
                                 stats={"window_hours": round(window.hours, 2)}))
    return out


RULES: dict[str, Callable[[AlertRuleSettings, Settings, Store, datetime], list[Candidate]]] = {
    "spike": spike,
    "negativity": negativity,
    "misinfo": misinfo,
    "silent_source": silent_source,
    "keyword": keyword,
}


def evaluate(settings: Settings, store: Store, now: datetime,
             rules: list[AlertRuleSettings] | None = None) -> tuple[list[Candidate], dict[str, str]]:
    """Every configured rule at ``now``. A broken rule is reported and the others still run."""
    candidates: list[Candidate] = []
    errors: dict[str, str] = {}
    for rule in rules if rules is not None else settings.alerts.rules:
        try:
            candidates += RULES[rule.type](rule, settings, store, now)
        except Exception as exc:  # one rule's failure must not hide the others' alerts
            log.exception("alert rule %s failed", rule.name)
            errors[rule.name] = f"{type(exc).__name__}: {exc}"
    return candidates, errors
