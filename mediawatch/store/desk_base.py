"""The review desk's homes in the store: the claims register as versioned rows, the append-only audit
log, alert acknowledgements and rule mutes, accounts and sessions.

Every backend implements :class:`DeskStore` (a base of :class:`~mediawatch.store.base.Store`) and
passes ``tests/store_contract.py``. Semantics shared by the backends:

- A claim is saved with the version the writer read (0 for a new claim). When the stored version
  differs, :class:`ClaimVersionConflict` is raised and nothing is written, so two people editing
  the same claim at once never silently lose one edit: the second is told to reload. Every saved
  version stays readable in ``claim_history``.
- Claim search: the words of the query (folded: case and diacritics ignored, ``đ`` = ``d``) must
  all occur as whole words in the claim's text, paraphrases, correction, topic or publisher; a word
  ending in ``*`` matches as a prefix. Claims are listed most recently changed first, ties by id.
- The audit log only grows: entries are appended, never updated or deleted. Store methods that
  change desk state (reviews, claim saves, acknowledgements, mutes, account changes) append their
  own entry in the same write; the desk appends logins and logouts with :meth:`DeskStore.audit`.
  It is listed newest first (time, then entry id), keyset-paged like documents.
- Sessions are stored by the SHA-256 of their token, never the token itself.
"""

from __future__ import annotations

import abc
import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Iterable

from ..document import format_ts, parse_ts
from ..text import fold

ROLES = ("viewer", "reviewer", "admin")
# The national fake-news centre's labels: fabricated, untrue or misleading, verified true.
CLAIM_VERDICTS = ("tin giả", "tin sai sự thật", "tin xác thực")
_WORD = re.compile(r"[0-9a-z]+")
# Before/after values longer than this are cut in audit entries (a summary, not a copy).
AUDIT_VALUE_CHARS = 500


class ClaimVersionConflict(ValueError):
    """Someone saved the claim since the writer read it; reload and apply the change again."""

    def __init__(self, claim_id: str, expected: int, current: int):
        super().__init__(f"claim {claim_id} is at version {current}, not {expected}: "
                         "someone changed it meanwhile; reload it and apply your change again")
        self.claim_id = claim_id
        self.expected = expected
        self.current = current


@dataclass(slots=True)
class ClaimRecord:
    """One entry of the claims register as stored, at one version."""

    id: str
    text: str
    verdict: str  # tin giả | tin sai sự thật | tin xác thực
    correction: str = ""
    source_url: str = ""  # the evidence: official correction or fact-check
    date: str = ""  # ISO date of the correction
    topic: str = ""
    origin: str = "import"  # import | review | desk | claimreview | migration
    publisher: str = ""  # who published the correction
    paraphrases: list[str] = field(default_factory=list)
    example: bool = False  # written for the demo, not a real correction
    version: int = 0  # the version read (0: new); the store sets the saved one
    changed_by: str = ""
    changed_at: datetime | None = None
    note: str = ""  # why this version was saved

    CONTENT = ("text", "verdict", "correction", "source_url", "date", "topic", "origin", "publisher",
               "paraphrases", "example")

    def content(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.CONTENT}

    def search_words(self) -> list[str]:
        return claim_words(" ".join([self.text, *self.paraphrases, self.correction, self.topic, self.publisher]))


@dataclass(slots=True)
class ClaimQuery:
    text: str | None = None
    verdicts: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ClaimPage:
    claims: list[ClaimRecord]
    total: int


@dataclass(slots=True)
class AuditEntry:
    """One decision or security event: who did what to which object, when."""

    at: datetime
    actor: str
    action: str  # review | claim.create | claim.update | alert.ack | rule.mute | rule.unmute | account.* | login ...
    target: str  # doc:<id> | claim:<id> | alert:<id> | rule:<name> | account:<name>
    summary: str = ""  # the note or reason, as the person wrote it
    before: dict[str, Any] = field(default_factory=dict)  # changed fields only
    after: dict[str, Any] = field(default_factory=dict)
    client: str = ""  # client address, for logins
    entry_id: str = ""  # set by the store; sorts in append order among entries of the same second


@dataclass(slots=True)
class AuditQuery:
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    actions: list[str] = field(default_factory=list)
    target: str | None = None


@dataclass(slots=True)
class AuditPage:
    entries: list[AuditEntry]
    next_cursor: str | None


@dataclass(slots=True)
class AlertAck:
    alert_id: str
    acked_by: str
    acked_at: datetime
    note: str = ""


@dataclass(slots=True)
class RuleMute:
    """An alert rule that fires but does not deliver until ``until``."""

    rule: str
    until: datetime
    muted_by: str
    muted_at: datetime
    reason: str = ""


@dataclass(slots=True)
class Account:
    username: str
    role: str  # viewer | reviewer | admin
    password_hash: str
    disabled: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(slots=True)
class SessionRecord:
    token_hash: str  # SHA-256 of the cookie's token
    username: str
    created_at: datetime
    expires_at: datetime
    last_seen: datetime
    csrf_token: str
    client: str = ""


def claim_id(text: str) -> str:
    """A claim's id from its wording (folded: the same claim with or without diacritics)."""
    return "c-" + hashlib.sha1(fold(text).encode("utf-8")).hexdigest()[:12]


def claim_words(text: str) -> list[str]:
    """The folded whole words claims are searched by (the same on every backend)."""
    return list(dict.fromkeys(_WORD.findall(fold(text or ""))))


def query_words(text: str | None) -> list[tuple[str, bool]]:
    """(word, is_prefix) pairs of a claims search."""
    out = []
    for raw in (text or "").split():
        prefix = raw.endswith("*")
        for word in _WORD.findall(fold(raw)):
            out.append((word, False))
        if prefix and out:
            out[-1] = (out[-1][0], True)
    return out


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > AUDIT_VALUE_CHARS:
        return value[:AUDIT_VALUE_CHARS] + "…"
    if isinstance(value, list):
        return [_short(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that differ, as (before, after) summaries for an audit entry."""
    keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
    return ({k: _short(before.get(k)) for k in keys if k in before},
            {k: _short(after.get(k)) for k in keys if k in after})


def claim_audit(record: ClaimRecord, previous: ClaimRecord | None, actor: str, at: datetime) -> AuditEntry:
    before, after = changes(previous.content() if previous else {}, record.content())
    if previous is None:  # a new claim: what it says, not every empty field
        after = {k: v for k, v in after.items() if v not in ("", [], False, None)}
    return AuditEntry(at=at, actor=actor, action="claim.update" if previous else "claim.create",
                      target=f"claim:{record.id}", summary=record.note, before=before,
                      after={**after, "version": record.version})


def account_audit(account: Account, previous: Account | None, actor: str, at: datetime) -> AuditEntry:
    """Role, state and password changes; the hash itself never enters the log."""
    def view(a: Account | None) -> dict[str, Any]:
        return {} if a is None else {"role": a.role, "disabled": a.disabled}

    before, after = changes(view(previous), view(account))
    if previous is not None and previous.password_hash != account.password_hash:
        after["password"] = "changed"
    action = "account.add" if previous is None else "account.update"
    return AuditEntry(at=at, actor=actor, action=action, target=f"account:{account.username}",
                      before=before, after=after)


def next_claim(record: ClaimRecord, actor: str, at: datetime) -> ClaimRecord:
    return replace(record, version=record.version + 1, changed_by=actor, changed_at=at)


LEGACY_CLAIMS_NAMESPACE = "claims"  # where reviewers' claims lived before they had rows
LEGACY_CLAIMS_INDEX = "_index"


def claim_body(record: ClaimRecord) -> dict[str, Any]:
    return {"id": record.id, **record.content(), "version": record.version, "changed_by": record.changed_by,
            "changed_at": format_ts(record.changed_at), "note": record.note}


def claim_from_body(body: dict[str, Any]) -> ClaimRecord:
    return ClaimRecord(id=body["id"], text=body.get("text", ""), verdict=body.get("verdict", ""),
                       correction=body.get("correction", ""), source_url=body.get("source_url", ""),
                       date=body.get("date", ""), topic=body.get("topic", ""), origin=body.get("origin", ""),
                       publisher=body.get("publisher", ""), paraphrases=list(body.get("paraphrases") or []),
                       example=bool(body.get("example", False)), version=int(body.get("version", 0)),
                       changed_by=body.get("changed_by", ""), changed_at=parse_ts(body.get("changed_at")),
                       note=body.get("note", ""))


def legacy_claim(key: str, value: dict[str, Any]) -> ClaimRecord | None:
    """A claim from the old small-state home (namespace ``claims``), or None when unreadable."""
    text = str(value.get("text") or "").strip()
    if not text or not value.get("verdict"):
        return None
    return ClaimRecord(id=str(value.get("id") or key), text=text, verdict=str(value["verdict"]),
                       correction=str(value.get("correction") or ""), source_url=str(value.get("source_url") or ""),
                       date=str(value.get("date") or ""), topic=str(value.get("topic") or ""),
                       origin=str(value.get("origin") or "review"), paraphrases=list(value.get("paraphrases") or []),
                       example=bool(value.get("example", False)), note="moved from the state table")


class DeskStore(abc.ABC):
    """The desk's part of the store interface (see the module docstring for the shared semantics)."""

    # --- claims register ------------------------------------------------------------------------
    @abc.abstractmethod
    def save_claim(self, record: ClaimRecord, actor: str, *, at: datetime | None = None) -> int:
        """Save a new version of a claim; ``record.version`` is the version read (0 for a new claim).

        Returns the new version; raises ClaimVersionConflict when the claim moved on meanwhile.
        Appends ``claim.create``/``claim.update`` to the audit log."""

    @abc.abstractmethod
    def claim(self, claim_id: str) -> ClaimRecord | None: ...

    @abc.abstractmethod
    def claims(self, query: ClaimQuery | None = None, *, size: int = 50, offset: int = 0) -> ClaimPage:
        """Most recently changed first, ties by id."""

    @abc.abstractmethod
    def claim_history(self, claim_id: str) -> list[ClaimRecord]:
        """Every saved version, newest first."""

    def all_claims(self, query: ClaimQuery | None = None, *, batch: int = 500) -> list[ClaimRecord]:
        out: list[ClaimRecord] = []
        while True:
            page = self.claims(query, size=batch, offset=len(out))
            out += page.claims
            if not page.claims or len(out) >= page.total:
                return out

    # --- audit log --------------------------------------------------------------------------------
    @abc.abstractmethod
    def audit(self, entry: AuditEntry) -> None:
        """Append one entry."""

    @abc.abstractmethod
    def audit_log(self, query: AuditQuery | None = None, *, size: int = 100,
                  cursor: str | None = None) -> AuditPage:
        """Newest first (time, then entry id), keyset-paged."""

    def iter_audit(self, query: AuditQuery | None = None, *, batch: int = 1000) -> Iterable[AuditEntry]:
        cursor = None
        while True:
            page = self.audit_log(query, size=batch, cursor=cursor)
            yield from page.entries
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    # --- alert acknowledgements and rule mutes ----------------------------------------------------
    @abc.abstractmethod
    def ack_alert(self, alert_id: str, actor: str, *, note: str = "", at: datetime | None = None) -> AlertAck:
        """Record who acknowledged an alert and when (the latest acknowledgement is kept; every one
        is in the audit log). KeyError for an unknown alert."""

    @abc.abstractmethod
    def alert_acks(self, alert_ids: Iterable[str] | None = None) -> dict[str, AlertAck]: ...

    @abc.abstractmethod
    def mute_rule(self, mute: RuleMute) -> None:
        """Mute (or re-mute) a rule until ``mute.until``."""

    @abc.abstractmethod
    def unmute_rule(self, rule: str, actor: str, *, at: datetime | None = None) -> bool:
        """End a rule's mute now; False when it was not muted."""

    @abc.abstractmethod
    def rule_mutes(self, *, active_at: datetime | None = None) -> list[RuleMute]:
        """Mutes (those still running at ``active_at`` when given), by rule name."""

    # --- accounts and sessions --------------------------------------------------------------------
    @abc.abstractmethod
    def save_account(self, account: Account, actor: str, *, at: datetime | None = None) -> None:
        """Create or update an account; appends ``account.add``/``account.update`` to the audit log."""

    @abc.abstractmethod
    def account(self, username: str) -> Account | None: ...

    @abc.abstractmethod
    def accounts(self) -> list[Account]:
        """Every account, by username."""

    @abc.abstractmethod
    def save_session(self, session: SessionRecord) -> None: ...

    @abc.abstractmethod
    def session(self, token_hash: str) -> SessionRecord | None: ...

    @abc.abstractmethod
    def delete_sessions(self, *, token_hash: str | None = None, username: str | None = None,
                        expired_at: datetime | None = None) -> int:
        """Delete one session, every session of a user, or those expired at a time; returns how many."""
