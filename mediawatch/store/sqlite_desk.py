"""The desk's tables in the SQLite store (a mixin of SQLiteStore, which provides ``_conn``, ``_lock``
and ``_tx``): claims with their versions, the audit log, alert acknowledgements, rule mutes,
accounts and sessions. Tables are created by migration 2 (sqlite_schema.py); the audit table
refuses UPDATE and DELETE with triggers."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timezone
from typing import Any, Iterable

import orjson

from ..document import format_ts, parse_ts, utcnow
from .base import decode_cursor, encode_cursor
from .desk_base import (LEGACY_CLAIMS_INDEX, LEGACY_CLAIMS_NAMESPACE, Account, AlertAck, AuditEntry, AuditPage,
                        AuditQuery, ClaimPage, ClaimQuery, ClaimRecord, ClaimVersionConflict, RuleMute,
                        SessionRecord, account_audit, claim_audit, claim_body, claim_from_body, legacy_claim,
                        next_claim, query_words)

log = logging.getLogger("mediawatch.store.sqlite")


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


def _words_column(record: ClaimRecord) -> str:
    return " " + " ".join(record.search_words()) + " "


class SQLiteDeskMixin:
    _conn: sqlite3.Connection

    _claims_checked = False

    def _claims_ready(self) -> None:
        """Move reviewers' claims out of the small-state table into rows, once (on first use)."""
        if self._claims_checked:
            return
        with self._tx() as conn:
            if conn.execute("SELECT 1 FROM meta WHERE key = 'claims_migrated'").fetchone():
                self._claims_checked = True
                return
            rows = conn.execute("SELECT key, value, updated_at FROM state WHERE namespace = ? AND key <> ?",
                                (LEGACY_CLAIMS_NAMESPACE, LEGACY_CLAIMS_INDEX)).fetchall()
            moved = 0
            for key, value, updated_at in rows:
                record = legacy_claim(key, orjson.loads(value))
                if record is None:
                    log.warning("state claims/%s has no text or verdict: not moved to the claims table", key)
                    continue
                if conn.execute("SELECT 1 FROM claims WHERE id = ?", (record.id,)).fetchone():
                    continue
                self._write_claim(conn, record, None, "migration", parse_ts(updated_at) or utcnow())
                moved += 1
            conn.execute("INSERT INTO meta(key, value) VALUES ('claims_migrated', ?)", (str(moved),))
        self._claims_checked = True
        if moved:
            log.info("moved %d reviewer claim(s) from the state table into the claims table", moved)

    # --- claims ---------------------------------------------------------------------------------
    def save_claim(self, record: ClaimRecord, actor: str, *, at: datetime | None = None) -> int:
        self._claims_ready()
        at = at or utcnow()
        with self._tx() as conn:
            row = conn.execute("SELECT body FROM claims WHERE id = ?", (record.id,)).fetchone()
            previous = claim_from_body(orjson.loads(row[0])) if row else None
            current = previous.version if previous else 0
            if current != record.version:
                raise ClaimVersionConflict(record.id, record.version, current)
            return self._write_claim(conn, record, previous, actor, at)

    def _write_claim(self, conn: sqlite3.Connection, record: ClaimRecord, previous: ClaimRecord | None,
                     actor: str, at: datetime) -> int:
        saved = next_claim(record, actor, at)
        body = _dumps(claim_body(saved))
        conn.execute("INSERT INTO claim_versions(id, version, changed_by, changed_at, body) VALUES (?,?,?,?,?)",
                     (saved.id, saved.version, actor, format_ts(at), body))
        conn.execute("INSERT INTO claims(id, version, text, verdict, topic, origin, changed_by, changed_at, words, "
                     "body) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET version=excluded.version, "
                     "text=excluded.text, verdict=excluded.verdict, topic=excluded.topic, origin=excluded.origin, "
                     "changed_by=excluded.changed_by, changed_at=excluded.changed_at, words=excluded.words, "
                     "body=excluded.body",
                     (saved.id, saved.version, saved.text, saved.verdict, saved.topic, saved.origin, actor,
                      format_ts(at), _words_column(saved), body))
        self._append_audit(conn, claim_audit(saved, previous, actor, at))
        return saved.version

    def claim(self, claim_id: str) -> ClaimRecord | None:
        self._claims_ready()
        with self._lock:
            row = self._conn.execute("SELECT body FROM claims WHERE id = ?", (claim_id,)).fetchone()
        return claim_from_body(orjson.loads(row[0])) if row else None

    def claims(self, query: ClaimQuery | None = None, *, size: int = 50, offset: int = 0) -> ClaimPage:
        self._claims_ready()
        query = query or ClaimQuery()
        parts, params = [], []
        for word, prefix in query_words(query.text):
            parts.append("words LIKE ?")
            params.append(f"% {word}%" if prefix else f"% {word} %")
        for column, values in (("verdict", query.verdicts), ("topic", query.topics), ("origin", query.origins)):
            if values:
                parts.append(f"{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        where = " AND ".join(parts) or "1"
        with self._lock:
            total = self._conn.execute(f"SELECT count(*) FROM claims WHERE {where}", params).fetchone()[0]
            rows = self._conn.execute(f"SELECT body FROM claims WHERE {where} ORDER BY changed_at DESC, id ASC "
                                      "LIMIT ? OFFSET ?", params + [size, offset]).fetchall()
        return ClaimPage([claim_from_body(orjson.loads(r[0])) for r in rows], total)

    def claim_history(self, claim_id: str) -> list[ClaimRecord]:
        self._claims_ready()
        with self._lock:
            rows = self._conn.execute("SELECT body FROM claim_versions WHERE id = ? ORDER BY version DESC",
                                      (claim_id,)).fetchall()
        return [claim_from_body(orjson.loads(r[0])) for r in rows]

    # --- audit ------------------------------------------------------------------------------------
    def audit(self, entry: AuditEntry) -> None:
        with self._tx() as conn:
            self._append_audit(conn, entry)

    @staticmethod
    def _append_audit(conn: sqlite3.Connection, entry: AuditEntry) -> None:
        # Inside BEGIN IMMEDIATE no other writer runs, so max(seq) + 1 is this entry's place.
        seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM audit").fetchone()[0]
        entry.entry_id = f"{seq:016d}"
        conn.execute("INSERT INTO audit(seq, entry_id, at, actor, action, target, summary, before, after, client) "
                     "VALUES (?,?,?,?,?,?,?,?,?,?)",
                     (seq, entry.entry_id, format_ts(entry.at), entry.actor, entry.action, entry.target,
                      entry.summary, _dumps(entry.before), _dumps(entry.after), entry.client))

    def audit_log(self, query: AuditQuery | None = None, *, size: int = 100,
                  cursor: str | None = None) -> AuditPage:
        query = query or AuditQuery()
        parts, params = [], []
        if query.since is not None:
            parts.append("at >= ?")
            params.append(format_ts(query.since))
        if query.until is not None:
            parts.append("at < ?")
            params.append(format_ts(query.until))
        for column, value in (("actor", query.actor), ("target", query.target)):
            if value is not None:
                parts.append(f"{column} = ?")
                params.append(value)
        if query.actions:
            parts.append(f"action IN ({','.join('?' * len(query.actions))})")
            params.extend(query.actions)
        if cursor:
            at_ms, entry_id = decode_cursor(cursor)
            parts.append("(at, entry_id) < (?, ?)")
            params += [format_ts(datetime.fromtimestamp(at_ms / 1000, tz=timezone.utc)), entry_id]
        where = " AND ".join(parts) or "1"
        with self._lock:
            rows = self._conn.execute(
                f"SELECT entry_id, at, actor, action, target, summary, before, after, client FROM audit "
                f"WHERE {where} ORDER BY at DESC, entry_id DESC LIMIT ?", params + [size + 1]).fetchall()
        entries = [AuditEntry(at=parse_ts(r[1]), actor=r[2], action=r[3], target=r[4], summary=r[5],
                              before=orjson.loads(r[6]), after=orjson.loads(r[7]), client=r[8], entry_id=r[0])
                   for r in rows[:size]]
        more = len(rows) > size and entries
        return AuditPage(entries, encode_cursor(int(entries[-1].at.timestamp() * 1000), entries[-1].entry_id)
                         if more else None)

    # --- alert acknowledgements and rule mutes ----------------------------------------------------
    def ack_alert(self, alert_id: str, actor: str, *, note: str = "", at: datetime | None = None) -> AlertAck:
        ack = AlertAck(alert_id, actor, at or utcnow(), note)
        with self._tx() as conn:
            if not conn.execute("SELECT 1 FROM alerts WHERE alert_id = ?", (alert_id,)).fetchone():
                raise KeyError(f"no alert with id {alert_id}")
            conn.execute("INSERT INTO alert_acks(alert_id, acked_by, acked_at, note) VALUES (?,?,?,?) "
                         "ON CONFLICT(alert_id) DO UPDATE SET acked_by=excluded.acked_by, "
                         "acked_at=excluded.acked_at, note=excluded.note",
                         (alert_id, actor, format_ts(ack.acked_at), note))
            self._append_audit(conn, AuditEntry(at=ack.acked_at, actor=actor, action="alert.ack",
                                                target=f"alert:{alert_id}", summary=note))
        return ack

    def alert_acks(self, alert_ids: Iterable[str] | None = None) -> dict[str, AlertAck]:
        sql, params = "SELECT alert_id, acked_by, acked_at, note FROM alert_acks", []
        if alert_ids is not None:
            params = list(alert_ids)
            if not params:
                return {}
            sql += f" WHERE alert_id IN ({','.join('?' * len(params))})"
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return {r[0]: AlertAck(r[0], r[1], parse_ts(r[2]), r[3]) for r in rows}

    def mute_rule(self, mute: RuleMute) -> None:
        with self._tx() as conn:
            conn.execute("INSERT INTO rule_mutes(rule, until, muted_by, muted_at, reason) VALUES (?,?,?,?,?) "
                         "ON CONFLICT(rule) DO UPDATE SET until=excluded.until, muted_by=excluded.muted_by, "
                         "muted_at=excluded.muted_at, reason=excluded.reason",
                         (mute.rule, format_ts(mute.until), mute.muted_by, format_ts(mute.muted_at), mute.reason))
            self._append_audit(conn, AuditEntry(at=mute.muted_at, actor=mute.muted_by, action="rule.mute",
                                                target=f"rule:{mute.rule}", summary=mute.reason,
                                                after={"until": format_ts(mute.until)}))

    def unmute_rule(self, rule: str, actor: str, *, at: datetime | None = None) -> bool:
        at = at or utcnow()
        with self._tx() as conn:
            row = conn.execute("SELECT until FROM rule_mutes WHERE rule = ?", (rule,)).fetchone()
            if row is None:
                return False
            conn.execute("DELETE FROM rule_mutes WHERE rule = ?", (rule,))
            self._append_audit(conn, AuditEntry(at=at, actor=actor, action="rule.unmute", target=f"rule:{rule}",
                                                before={"until": row[0]}))
        return True

    def rule_mutes(self, *, active_at: datetime | None = None) -> list[RuleMute]:
        sql, params = "SELECT rule, until, muted_by, muted_at, reason FROM rule_mutes", []
        if active_at is not None:
            sql += " WHERE until > ?"
            params.append(format_ts(active_at))
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY rule", params).fetchall()
        return [RuleMute(r[0], parse_ts(r[1]), r[2], parse_ts(r[3]), r[4]) for r in rows]

    # --- accounts and sessions --------------------------------------------------------------------
    def save_account(self, account: Account, actor: str, *, at: datetime | None = None) -> None:
        at = at or utcnow()
        with self._tx() as conn:
            previous = self._account(conn, account.username)
            created = previous.created_at if previous else at
            conn.execute("INSERT INTO accounts(username, role, password_hash, disabled, created_at, updated_at) "
                         "VALUES (?,?,?,?,?,?) ON CONFLICT(username) DO UPDATE SET role=excluded.role, "
                         "password_hash=excluded.password_hash, disabled=excluded.disabled, "
                         "updated_at=excluded.updated_at",
                         (account.username, account.role, account.password_hash, int(account.disabled),
                          format_ts(created), format_ts(at)))
            self._append_audit(conn, account_audit(account, previous, actor, at))
        account.created_at, account.updated_at = created, at

    @staticmethod
    def _account(conn: sqlite3.Connection, username: str) -> Account | None:
        row = conn.execute("SELECT username, role, password_hash, disabled, created_at, updated_at FROM accounts "
                           "WHERE username = ?", (username,)).fetchone()
        return Account(row[0], row[1], row[2], bool(row[3]), parse_ts(row[4]), parse_ts(row[5])) if row else None

    def account(self, username: str) -> Account | None:
        with self._lock:
            return self._account(self._conn, username)

    def accounts(self) -> list[Account]:
        with self._lock:
            rows = self._conn.execute("SELECT username, role, password_hash, disabled, created_at, updated_at "
                                      "FROM accounts ORDER BY username").fetchall()
        return [Account(r[0], r[1], r[2], bool(r[3]), parse_ts(r[4]), parse_ts(r[5])) for r in rows]

    def save_session(self, session: SessionRecord) -> None:
        with self._tx() as conn:
            conn.execute("INSERT INTO sessions(token_hash, username, created_at, expires_at, last_seen, csrf_token, "
                         "client) VALUES (?,?,?,?,?,?,?) ON CONFLICT(token_hash) DO UPDATE SET "
                         "expires_at=excluded.expires_at, last_seen=excluded.last_seen",
                         (session.token_hash, session.username, format_ts(session.created_at),
                          format_ts(session.expires_at), format_ts(session.last_seen), session.csrf_token,
                          session.client))

    def session(self, token_hash: str) -> SessionRecord | None:
        with self._lock:
            row = self._conn.execute("SELECT token_hash, username, created_at, expires_at, last_seen, csrf_token, "
                                     "client FROM sessions WHERE token_hash = ?", (token_hash,)).fetchone()
        if row is None:
            return None
        return SessionRecord(row[0], row[1], parse_ts(row[2]), parse_ts(row[3]), parse_ts(row[4]), row[5], row[6])

    def delete_sessions(self, *, token_hash: str | None = None, username: str | None = None,
                        expired_at: datetime | None = None) -> int:
        parts, params = [], []
        if token_hash is not None:
            parts.append("token_hash = ?")
            params.append(token_hash)
        if username is not None:
            parts.append("username = ?")
            params.append(username)
        if expired_at is not None:
            parts.append("expires_at <= ?")
            params.append(format_ts(expired_at))
        if not parts:
            raise ValueError("say which sessions to delete: token_hash, username or expired_at")
        with self._tx() as conn:
            return conn.execute(f"DELETE FROM sessions WHERE {' AND '.join(parts)}", params).rowcount
