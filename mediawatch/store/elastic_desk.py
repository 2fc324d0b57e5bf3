"""The desk's indices in the Elasticsearch store (a mixin of ElasticStore, which provides ``es``,
``names`` and ``_call``): claims and their versions, the audit log, alert acknowledgements, rule
mutes, accounts and sessions.

Claim versions are made safe without locks: a version document ``<claim>:<n>`` is created with
``op_type=create``, which fails for the second of two writers that read the same version; the
current claim is then written with external versioning, so it can only move forward. A writer that
died between the two writes leaves the current claim one version behind: the next save repairs it
from the history before answering the conflict. Audit entries are created the same way, with ids
that are never reused, so nothing in the log is overwritten.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import datetime
from typing import Any, Iterable

from ..document import format_ts, parse_ts, utcnow
from .base import decode_cursor, encode_cursor
from .desk_base import (LEGACY_CLAIMS_INDEX, LEGACY_CLAIMS_NAMESPACE, Account, AlertAck, AuditEntry, AuditPage,
                        AuditQuery, ClaimPage, ClaimQuery, ClaimRecord, ClaimVersionConflict, RuleMute,
                        SessionRecord, account_audit, claim_audit, claim_body, claim_from_body, legacy_claim,
                        next_claim, query_words)

log = logging.getLogger("mediawatch.store.elastic")

_KW = {"type": "keyword"}
_DATE = {"type": "date"}
_OPAQUE = {"type": "object", "enabled": False}

DESK_INDICES: dict[str, dict[str, Any]] = {
    "claims": {"dynamic": False, "properties": {
        "id": _KW, "version": {"type": "long"}, "verdict": _KW, "topic": _KW, "origin": _KW, "changed_by": _KW,
        "changed_at": _DATE, "words": _KW, "text": {"type": "text"}, "body": _OPAQUE}},
    "claim-versions": {"dynamic": False, "properties": {
        "claim_id": _KW, "version": {"type": "long"}, "changed_by": _KW, "changed_at": _DATE, "body": _OPAQUE}},
    "audit": {"dynamic": False, "properties": {
        "entry_id": _KW, "at": _DATE, "actor": _KW, "action": _KW, "target": _KW, "summary": {"type": "text"},
        "client": _KW, "before": _OPAQUE, "after": _OPAQUE}},
    "alert-acks": {"dynamic": False, "properties": {
        "alert_id": _KW, "acked_by": _KW, "acked_at": _DATE, "note": {"type": "text"}}},
    "rule-mutes": {"dynamic": False, "properties": {
        "rule": _KW, "until": _DATE, "muted_by": _KW, "muted_at": _DATE, "reason": {"type": "text"}}},
    "accounts": {"dynamic": False, "properties": {
        "username": _KW, "role": _KW, "password_hash": {"type": "keyword", "index": False},
        "disabled": {"type": "boolean"}, "created_at": _DATE, "updated_at": _DATE}},
    "sessions": {"dynamic": False, "properties": {
        "token_hash": _KW, "username": _KW, "created_at": _DATE, "expires_at": _DATE, "last_seen": _DATE,
        "csrf_token": {"type": "keyword", "index": False}, "client": _KW}},
}


def _conflict(exc: BaseException) -> bool:
    from elasticsearch import ConflictError

    return isinstance(exc, ConflictError)


class ElasticDeskMixin:
    _claims_checked = False

    def _get(self, what: str, index: str, doc_id: str) -> dict[str, Any] | None:
        from elasticsearch import NotFoundError

        try:
            return self._call(what, self.es.get, index=self.names.small(index), id=doc_id)["_source"]
        except NotFoundError:
            return None

    def _search(self, what: str, index: str, **kwargs: Any) -> dict[str, Any]:
        return self._call(what, self.es.search, index=self.names.small(index), **kwargs)

    # --- claims ---------------------------------------------------------------------------------
    def _claims_ready(self) -> None:
        """Move reviewers' claims from the small-state index into claim rows, once per store."""
        if self._claims_checked:
            return
        if self.get_state(LEGACY_CLAIMS_NAMESPACE, "_migrated") is None:
            moved = 0
            for cid in (self.get_state(LEGACY_CLAIMS_NAMESPACE, LEGACY_CLAIMS_INDEX) or {}).get("ids", []):
                record = legacy_claim(cid, self.get_state(LEGACY_CLAIMS_NAMESPACE, cid) or {})
                if record is None:
                    log.warning("state claims/%s has no text or verdict: not moved to the claims index", cid)
                    continue
                try:
                    self._save_claim(record, "migration", utcnow())
                    moved += 1
                except ClaimVersionConflict:
                    pass  # already moved (by another host at the same time)
            self.set_state(LEGACY_CLAIMS_NAMESPACE, "_migrated", {"moved": moved, "at": format_ts(utcnow())})
            if moved:
                log.info("moved %d reviewer claim(s) from the state index into the claims index", moved)
        self._claims_checked = True

    def save_claim(self, record: ClaimRecord, actor: str, *, at: datetime | None = None) -> int:
        self._claims_ready()
        return self._save_claim(record, actor, at or utcnow())

    def _save_claim(self, record: ClaimRecord, actor: str, at: datetime) -> int:
        previous = self._current_claim(record.id)
        current = previous.version if previous else 0
        if current != record.version:
            raise ClaimVersionConflict(record.id, record.version, current)
        saved = next_claim(record, actor, at)
        body = claim_body(saved)
        try:
            self._call("save_claim", self.es.index, index=self.names.small("claim-versions"),
                       id=f"{saved.id}:{saved.version}", op_type="create", refresh=True,
                       document={"claim_id": saved.id, "version": saved.version, "changed_by": actor,
                                 "changed_at": format_ts(at), "body": body})
        except Exception as exc:
            if not _conflict(exc):
                raise
            latest = self._repair_claim(record.id)
            raise ClaimVersionConflict(record.id, record.version, latest) from None
        self._put_claim(saved)
        self.audit(claim_audit(saved, previous, actor, at))
        return saved.version

    def _put_claim(self, saved: ClaimRecord) -> None:
        try:
            self._call("save_claim", self.es.index, index=self.names.small("claims"), id=saved.id,
                       version=saved.version, version_type="external", refresh=True,
                       document={"id": saved.id, "version": saved.version, "verdict": saved.verdict,
                                 "topic": saved.topic, "origin": saved.origin, "changed_by": saved.changed_by,
                                 "changed_at": format_ts(saved.changed_at), "words": saved.search_words(),
                                 "text": saved.text, "body": claim_body(saved)})
        except Exception as exc:
            if not _conflict(exc):
                raise  # a conflict means a newer version is already current: nothing to do

    def _repair_claim(self, claim_id: str) -> int:
        """Bring the current claim up to its newest saved version; returns that version."""
        history = self.claim_history(claim_id)
        if not history:
            return 0
        current = self._current_claim(claim_id)
        if current is None or current.version < history[0].version:
            self._put_claim(history[0])
        return history[0].version

    def _current_claim(self, claim_id: str) -> ClaimRecord | None:
        source = self._get("claim", "claims", claim_id)
        return claim_from_body(source["body"]) if source else None

    def claim(self, claim_id: str) -> ClaimRecord | None:
        self._claims_ready()
        return self._current_claim(claim_id)

    def claims(self, query: ClaimQuery | None = None, *, size: int = 50, offset: int = 0) -> ClaimPage:
        self._claims_ready()
        query = query or ClaimQuery()
        filters: list[dict[str, Any]] = []
        for word, prefix in query_words(query.text):
            filters.append({"prefix": {"words": word}} if prefix else {"term": {"words": word}})
        for name, values in (("verdict", query.verdicts), ("topic", query.topics), ("origin", query.origins)):
            if values:
                filters.append({"terms": {name: list(values)}})
        resp = self._search("claims", "claims", query={"bool": {"filter": filters}}, size=size, from_=offset,
                            sort=[{"changed_at": "desc"}, {"id": "asc"}], track_total_hits=True)
        return ClaimPage([claim_from_body(h["_source"]["body"]) for h in resp["hits"]["hits"]],
                         int(resp["hits"]["total"]["value"]))

    def claim_history(self, claim_id: str) -> list[ClaimRecord]:
        resp = self._search("claim_history", "claim-versions", query={"term": {"claim_id": claim_id}},
                            size=10_000, sort=[{"version": "desc"}])
        return [claim_from_body(h["_source"]["body"]) for h in resp["hits"]["hits"]]

    # --- audit ------------------------------------------------------------------------------------
    def audit(self, entry: AuditEntry) -> None:
        # Nanoseconds then randomness: unique across hosts, and in append order within one host.
        entry.entry_id = f"{time.time_ns():020d}{secrets.token_hex(4)}"
        self._call("audit", self.es.index, index=self.names.small("audit"), id=entry.entry_id, op_type="create",
                   refresh=True, document={"entry_id": entry.entry_id, "at": format_ts(entry.at),
                                           "actor": entry.actor, "action": entry.action, "target": entry.target,
                                           "summary": entry.summary, "before": entry.before, "after": entry.after,
                                           "client": entry.client})

    def audit_log(self, query: AuditQuery | None = None, *, size: int = 100,
                  cursor: str | None = None) -> AuditPage:
        query = query or AuditQuery()
        filters: list[dict[str, Any]] = []
        if query.since is not None or query.until is not None:
            rng: dict[str, str] = {}
            if query.since is not None:
                rng["gte"] = format_ts(query.since)
            if query.until is not None:
                rng["lt"] = format_ts(query.until)
            filters.append({"range": {"at": rng}})
        for name, value in (("actor", query.actor), ("target", query.target)):
            if value is not None:
                filters.append({"term": {name: value}})
        if query.actions:
            filters.append({"terms": {"action": list(query.actions)}})
        kwargs: dict[str, Any] = {"query": {"bool": {"filter": filters}}, "size": size + 1,
                                  "sort": [{"at": "desc"}, {"entry_id": "desc"}]}
        if cursor:
            at_ms, entry_id = decode_cursor(cursor)
            kwargs["search_after"] = [at_ms, entry_id]
        hits = self._search("audit_log", "audit", **kwargs)["hits"]["hits"]
        entries = [AuditEntry(at=parse_ts(s["at"]), actor=s["actor"], action=s["action"], target=s["target"],
                              summary=s.get("summary", ""), before=dict(s.get("before") or {}),
                              after=dict(s.get("after") or {}), client=s.get("client", ""),
                              entry_id=s["entry_id"]) for s in (h["_source"] for h in hits[:size])]
        more = len(hits) > size and entries
        return AuditPage(entries, encode_cursor(int(entries[-1].at.timestamp() * 1000), entries[-1].entry_id)
                         if more else None)

    # --- alert acknowledgements and rule mutes ----------------------------------------------------
    def ack_alert(self, alert_id: str, actor: str, *, note: str = "", at: datetime | None = None) -> AlertAck:
        if self._get("ack_alert", "alerts", alert_id) is None:
            raise KeyError(f"no alert with id {alert_id}")
        ack = AlertAck(alert_id, actor, at or utcnow(), note)
        self._call("ack_alert", self.es.index, index=self.names.small("alert-acks"), id=alert_id, refresh=True,
                   document={"alert_id": alert_id, "acked_by": actor, "acked_at": format_ts(ack.acked_at),
                             "note": note})
        self.audit(AuditEntry(at=ack.acked_at, actor=actor, action="alert.ack", target=f"alert:{alert_id}",
                              summary=note))
        return ack

    def alert_acks(self, alert_ids: Iterable[str] | None = None) -> dict[str, AlertAck]:
        if alert_ids is not None:
            ids = list(alert_ids)
            if not ids:
                return {}
            query: dict[str, Any] = {"ids": {"values": ids}}
            size = len(ids)
        else:
            query, size = {"match_all": {}}, 10_000
        hits = self._search("alert_acks", "alert-acks", query=query, size=size)["hits"]["hits"]
        return {s["alert_id"]: AlertAck(s["alert_id"], s["acked_by"], parse_ts(s["acked_at"]), s.get("note", ""))
                for s in (h["_source"] for h in hits)}

    def mute_rule(self, mute: RuleMute) -> None:
        self._call("mute_rule", self.es.index, index=self.names.small("rule-mutes"), id=mute.rule, refresh=True,
                   document={"rule": mute.rule, "until": format_ts(mute.until), "muted_by": mute.muted_by,
                             "muted_at": format_ts(mute.muted_at), "reason": mute.reason})
        self.audit(AuditEntry(at=mute.muted_at, actor=mute.muted_by, action="rule.mute", target=f"rule:{mute.rule}",
                              summary=mute.reason, after={"until": format_ts(mute.until)}))

    def unmute_rule(self, rule: str, actor: str, *, at: datetime | None = None) -> bool:
        from elasticsearch import NotFoundError

        previous = self._get("unmute_rule", "rule-mutes", rule)
        if previous is None:
            return False
        try:
            self._call("unmute_rule", self.es.delete, index=self.names.small("rule-mutes"), id=rule, refresh=True)
        except NotFoundError:
            return False
        self.audit(AuditEntry(at=at or utcnow(), actor=actor, action="rule.unmute", target=f"rule:{rule}",
                              before={"until": previous["until"]}))
        return True

    def rule_mutes(self, *, active_at: datetime | None = None) -> list[RuleMute]:
        query: dict[str, Any] = {"match_all": {}}
        if active_at is not None:
            query = {"range": {"until": {"gt": format_ts(active_at)}}}
        hits = self._search("rule_mutes", "rule-mutes", query=query, size=10_000, sort=[{"rule": "asc"}])
        return [RuleMute(s["rule"], parse_ts(s["until"]), s["muted_by"], parse_ts(s["muted_at"]), s.get("reason", ""))
                for s in (h["_source"] for h in hits["hits"]["hits"])]

    # --- accounts and sessions --------------------------------------------------------------------
    @staticmethod
    def _account_from(s: dict[str, Any]) -> Account:
        return Account(s["username"], s["role"], s["password_hash"], bool(s.get("disabled")),
                       parse_ts(s.get("created_at")), parse_ts(s.get("updated_at")))

    def save_account(self, account: Account, actor: str, *, at: datetime | None = None) -> None:
        at = at or utcnow()
        previous = self.account(account.username)
        created = previous.created_at if previous else at
        self._call("save_account", self.es.index, index=self.names.small("accounts"), id=account.username,
                   refresh=True, document={"username": account.username, "role": account.role,
                                           "password_hash": account.password_hash, "disabled": account.disabled,
                                           "created_at": format_ts(created), "updated_at": format_ts(at)})
        self.audit(account_audit(account, previous, actor, at))
        account.created_at, account.updated_at = created, at

    def account(self, username: str) -> Account | None:
        source = self._get("account", "accounts", username)
        return self._account_from(source) if source else None

    def accounts(self) -> list[Account]:
        hits = self._search("accounts", "accounts", query={"match_all": {}}, size=10_000,
                            sort=[{"username": "asc"}])["hits"]["hits"]
        return [self._account_from(h["_source"]) for h in hits]

    def save_session(self, session: SessionRecord) -> None:
        self._call("save_session", self.es.index, index=self.names.small("sessions"), id=session.token_hash,
                   refresh=True, document={"token_hash": session.token_hash, "username": session.username,
                                           "created_at": format_ts(session.created_at),
                                           "expires_at": format_ts(session.expires_at),
                                           "last_seen": format_ts(session.last_seen),
                                           "csrf_token": session.csrf_token, "client": session.client})

    def session(self, token_hash: str) -> SessionRecord | None:
        s = self._get("session", "sessions", token_hash)
        if s is None:
            return None
        return SessionRecord(s["token_hash"], s["username"], parse_ts(s["created_at"]), parse_ts(s["expires_at"]),
                             parse_ts(s["last_seen"]), s["csrf_token"], s.get("client", ""))

    def delete_sessions(self, *, token_hash: str | None = None, username: str | None = None,
                        expired_at: datetime | None = None) -> int:
        filters: list[dict[str, Any]] = []
        if token_hash is not None:
            filters.append({"ids": {"values": [token_hash]}})
        if username is not None:
            filters.append({"term": {"username": username}})
        if expired_at is not None:
            filters.append({"range": {"expires_at": {"lte": format_ts(expired_at)}}})
        if not filters:
            raise ValueError("say which sessions to delete: token_hash, username or expired_at")
        resp = self._call("delete_sessions", self.es.delete_by_query, index=self.names.small("sessions"),
                          query={"bool": {"filter": filters}}, refresh=True, conflicts="proceed")
        return int(resp.get("deleted", 0))
