"""Cool-downs and deduplication: a storm makes one alert that is updated, not a hundred alerts.

An alert is identified by its rule's dedup key (rule, scope, and claim/source/topic where the rule
has one). While the condition keeps firing within the cool-down of the last sighting, the same
alert is updated; it is delivered again only when it grows (count doubled or severity rose).

A rule muted on the review desk (``Store.mute_rule``) still records its alerts, with who muted it
and until when in the payload's ``muted``, but delivers nothing until the mute ends; the first
sighting after that is delivered even if it did not grow, because nobody was told of it yet.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Protocol

from mediawatch.document import format_ts, utcnow
from mediawatch.settings import Settings
from mediawatch.store.base import AlertRecord, Store
from mediawatch.store.desk_base import RuleMute

from .rules import Candidate, evaluate

log = logging.getLogger("mediawatch.alerts")

_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}


class AlertHistory(Protocol):
    def last(self, dedup_key: str) -> AlertRecord | None: ...

    def save(self, record: AlertRecord) -> None: ...


class StoreHistory:
    def __init__(self, store: Store):
        self.store = store

    def last(self, dedup_key: str) -> AlertRecord | None:
        found = self.store.alerts(dedup_key=dedup_key, limit=1)
        return found[0] if found else None

    def save(self, record: AlertRecord) -> None:
        self.store.save_alert(record)


class MemoryHistory:
    """For back-tests: cool-downs apply, nothing is written."""

    def __init__(self) -> None:
        self.records: dict[str, AlertRecord] = {}

    def last(self, dedup_key: str) -> AlertRecord | None:
        return self.records.get(dedup_key)

    def save(self, record: AlertRecord) -> None:
        self.records[record.dedup_key] = record


@dataclass(frozen=True, slots=True)
class Decision:
    status: str  # new | update
    deliver: bool


def decide(count: int, severity: str, previous: AlertRecord | None, now: datetime,
           cooldown: timedelta) -> Decision:
    """New alert after the cool-down has passed since the last sighting; otherwise an update."""
    if previous is None or now - previous.updated_at >= cooldown:
        return Decision("new", True)
    delivered = int(previous.payload.get("delivered_count") or 0)
    grew = count >= 2 * max(delivered, 1)
    worse = _SEVERITY_RANK.get(severity, 0) > _SEVERITY_RANK.get(previous.severity, 0)
    return Decision("update", grew or worse)


def alert_id_for(dedup_key: str, fired_at: datetime) -> str:
    return hashlib.sha256(f"{dedup_key}|{format_ts(fired_at)}".encode()).hexdigest()[:20]


@dataclass
class Outcome:
    record: AlertRecord
    status: str
    deliver: bool


@dataclass
class AlertRun:
    outcomes: list[Outcome] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    muted: dict[str, str] = field(default_factory=dict)  # rule -> muted until (UTC), for rules that fired

    @property
    def to_deliver(self) -> list[AlertRecord]:
        return [o.record for o in self.outcomes if o.deliver]

    def counts(self) -> dict[str, int]:
        counts = Counter(o.status for o in self.outcomes)
        muted = sum(1 for o in self.outcomes if o.record.payload.get("muted"))
        if muted:
            counts["muted"] = muted
        return dict(counts)


def apply(candidates: Iterable[Candidate], history: AlertHistory, now: datetime,
          payload_for=None, muted: dict[str, RuleMute] | None = None) -> list[Outcome]:
    """Turn fired candidates into new or updated alert records, saving them in ``history``.

    Candidates of a rule in ``muted`` are recorded but not delivered."""
    outcomes = []
    for c in candidates:
        previous = history.last(c.dedup_key)
        decision = decide(c.count, c.severity, previous, now, timedelta(minutes=c.rule.cooldown_minutes))
        mute = (muted or {}).get(c.rule.name)
        if mute is not None:
            decision = Decision(decision.status, False)
        elif previous is not None and decision.status == "update" and previous.payload.get("muted"):
            decision = Decision("update", True)  # the mute ended: say now what it held back
        payload = payload_for(c) if payload_for else {"rule": c.rule.name, "type": c.rule.type,
                                                       "count": c.count, "subject": c.subject}
        if mute is not None:
            payload["muted"] = {"until": format_ts(mute.until), "by": mute.muted_by, "reason": mute.reason}
        if decision.status == "new":
            fired_at, alert_id, updates = now, alert_id_for(c.dedup_key, now), 0
            severity = c.severity
        else:
            fired_at, alert_id = previous.fired_at, previous.alert_id
            updates = int(previous.payload.get("updates") or 0) + 1
            severity = max(c.severity, previous.severity, key=lambda s: _SEVERITY_RANK.get(s, 0))
        delivered = c.count if decision.deliver else \
            int(previous.payload.get("delivered_count") or 0) if previous is not None else 0
        payload.update({"alert_id": alert_id, "status": decision.status, "updates": updates,
                        "severity": severity, "delivered_count": delivered, "dedup_key": c.dedup_key,
                        "fired_at": format_ts(fired_at), "updated_at": format_ts(now)})
        record = AlertRecord(alert_id=alert_id, rule=c.rule.name, dedup_key=c.dedup_key, fired_at=fired_at,
                             updated_at=now, severity=severity,
                             title=str(payload.get("title") or c.rule.name), payload=payload)
        history.save(record)
        outcomes.append(Outcome(record, decision.status, decision.deliver))
    return outcomes


def evaluate_alerts(settings: Settings, store: Store, now: datetime | None = None) -> AlertRun:
    """Evaluate every rule now, store new/updated alerts; the caller delivers ``to_deliver``."""
    from mediawatch.classifiers.topics import topic_labels

    from .payload import build_payload

    if not settings.alerts.enabled or not settings.alerts.rules:
        return AlertRun()
    now = now or utcnow()
    candidates, errors = evaluate(settings, store, now)
    run = AlertRun(errors=errors)
    labels = topic_labels(settings.topics)
    muted = {m.rule: m for m in store.rule_mutes(active_at=now)}
    run.outcomes = apply(candidates, StoreHistory(store), now,
                         payload_for=lambda c: build_payload(c, settings, store, labels), muted=muted)
    for o in run.outcomes:
        mute = muted.get(o.record.rule)
        if mute is not None:
            run.muted[o.record.rule] = format_ts(mute.until)
            log.info("alert %s %s: %s (rule muted by %s until %s: recorded, not delivered)", o.status,
                     o.record.rule, o.record.title, mute.muted_by, format_ts(mute.until))
        else:
            log.info("alert %s %s: %s", o.status, o.record.rule, o.record.title)
    return run


@dataclass
class BacktestResult:
    since: datetime
    until: datetime
    evaluations: int
    fired: Counter = field(default_factory=Counter)  # rule -> new alerts
    updates: Counter = field(default_factory=Counter)  # rule -> updates within cool-down
    errors: dict[str, str] = field(default_factory=dict)


def backtest(settings: Settings, store: Store, since: datetime, until: datetime | None = None,
             step: timedelta | None = None) -> BacktestResult:
    """Replay every rule at each step over stored data, with cool-downs, writing nothing."""
    until = until or utcnow()
    step = step or timedelta(minutes=settings.flows.ingest_every_minutes)
    if step <= timedelta(0):
        raise ValueError("the back-test step must be positive")
    history = MemoryHistory()
    result = BacktestResult(since=since, until=until, evaluations=0)
    result.fired.update({r.name: 0 for r in settings.alerts.rules})
    now = since + step
    while now <= until:
        candidates, errors = evaluate(settings, store, now)
        result.errors.update(errors)
        for o in apply(candidates, history, now):
            (result.fired if o.status == "new" else result.updates)[o.record.rule] += 1
        result.evaluations += 1
        now += step
    return result
