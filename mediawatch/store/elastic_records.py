"""Runs, alerts and small state in their own indices (a mixin of ElasticStore, which provides
``es``, ``names`` and ``_call``). Their semantics follow SQLite's: a re-recorded run or re-saved
alert keeps its place in history and what identifies it."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime
from typing import Any, Iterable

from ..document import format_ts, parse_ts
from .base import AlertRecord, RunRecord


_KINDS = ("temporary", "permanent", "bad_input")


def split_legacy_errors(errors: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """Old records counted a failure under its reason and again under its kind, in one map."""
    kinds = {k: v for k, v in errors.items() if k in _KINDS}
    reasons = {k: v for k, v in errors.items() if k not in _KINDS}
    return (reasons or dict(errors)), kinds


class ElasticRecordsMixin:
    # --- source health -----------------------------------------------------------------------
    def _existing(self, index: str, ids: list[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        resp = self._call("mget", self.es.mget, index=index, ids=ids)
        return {d["_id"]: d["_source"] for d in resp["docs"] if d.get("found")}

    def record_run(self, records: Iterable[RunRecord]) -> None:
        from elasticsearch.helpers import bulk

        records = list(records)
        index = self.names.small("runs")
        # A re-recorded (run, source) keeps its place in the history, like SQLite's ON CONFLICT.
        existing = self._existing(index, [f"{r.run_id}:{r.source_id}" for r in records])
        actions = []
        for r in records:
            doc_id = f"{r.run_id}:{r.source_id}"
            old = existing.get(doc_id, {})
            actions.append({"_index": index, "_id": doc_id,
                            "_source": {"run_id": r.run_id, "source_id": r.source_id,
                                        "started_at": old.get("started_at") or format_ts(r.started_at),
                                        "finished_at": format_ts(r.finished_at), "fetched": r.fetched,
                                        "new": r.new, "updated": r.updated, "unchanged": r.unchanged,
                                        "errors": dict(r.errors), "error_count": sum(r.errors.values()),
                                        "error_kinds": dict(r.error_kinds), "aborted": r.aborted,
                                        "messages": list(r.messages),
                                        "last_published_at": format_ts(r.last_published_at),
                                        "seq": old.get("seq") or time.time_ns()}})
        if actions:
            self._call("record_run", bulk, self.es, actions, refresh=True)

    def runs(self, *, source_id: str | None = None, limit: int = 100) -> list[RunRecord]:
        query = {"term": {"source_id": source_id}} if source_id else {"match_all": {}}
        resp = self._call("runs", self.es.search, index=self.names.small("runs"), query=query, size=limit,
                          sort=[{"seq": "desc"}])
        out = []
        for hit in resp["hits"]["hits"]:
            s = hit["_source"]
            errors, kinds = dict(s.get("errors") or {}), s.get("error_kinds")
            if kinds is None:  # recorded before failures were counted by reason and by kind apart
                errors, kinds = split_legacy_errors(errors)
            out.append(RunRecord(run_id=s["run_id"], source_id=s["source_id"],
                                 started_at=parse_ts(s["started_at"]), finished_at=parse_ts(s["finished_at"]),
                                 fetched=s["fetched"], new=s["new"], updated=s["updated"],
                                 unchanged=s["unchanged"], errors=errors,
                                 messages=list(s.get("messages") or []),
                                 last_published_at=parse_ts(s.get("last_published_at")),
                                 error_kinds=dict(kinds), aborted=bool(s.get("aborted"))))
        return out

    # --- alerts --------------------------------------------------------------------------------
    def save_alert(self, alert: AlertRecord) -> None:
        index = self.names.small("alerts")
        # An update keeps what identifies the alert (rule, key, first firing), like SQLite's upsert.
        old = self._existing(index, [alert.alert_id]).get(alert.alert_id, {})
        self._call("save_alert", self.es.index, index=index, id=alert.alert_id,
                   document={"alert_id": alert.alert_id, "rule": old.get("rule", alert.rule),
                             "dedup_key": old.get("dedup_key", alert.dedup_key),
                             "fired_at": old.get("fired_at") or format_ts(alert.fired_at),
                             "updated_at": format_ts(alert.updated_at), "severity": alert.severity,
                             "title": alert.title, "payload": alert.payload}, refresh=True)

    def alerts(self, *, since: datetime | None = None, dedup_key: str | None = None,
               limit: int = 1000) -> list[AlertRecord]:
        filters: list[dict[str, Any]] = []
        if since is not None:
            filters.append({"range": {"updated_at": {"gte": format_ts(since)}}})
        if dedup_key is not None:
            filters.append({"term": {"dedup_key": dedup_key}})
        resp = self._call("alerts", self.es.search, index=self.names.small("alerts"),
                          query={"bool": {"filter": filters}}, size=limit,
                          sort=[{"updated_at": "desc"}, {"alert_id": "desc"}])
        return [AlertRecord(alert_id=s["alert_id"], rule=s["rule"], dedup_key=s["dedup_key"],
                            fired_at=parse_ts(s["fired_at"]), updated_at=parse_ts(s["updated_at"]),
                            severity=s["severity"], title=s["title"], payload=dict(s.get("payload") or {}))
                for s in (h["_source"] for h in resp["hits"]["hits"])]

    # --- small state ---------------------------------------------------------------------------
    @staticmethod
    def _state_id(namespace: str, key: str) -> str:
        return hashlib.sha1(f"{namespace}\x00{key}".encode("utf-8")).hexdigest()

    def get_state(self, namespace: str, key: str) -> dict[str, Any] | None:
        from elasticsearch import NotFoundError

        try:
            resp = self._call("get_state", self.es.get, index=self.names.small("state"),
                              id=self._state_id(namespace, key))
        except NotFoundError:
            return None
        return dict(resp["_source"].get("value") or {})

    def set_state(self, namespace: str, key: str, value: dict[str, Any]) -> None:
        self._call("set_state", self.es.index, index=self.names.small("state"), id=self._state_id(namespace, key),
                   document={"namespace": namespace, "key": key, "value": value}, refresh=True)
