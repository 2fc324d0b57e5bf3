"""Accounts, logins and sessions of the desk, over the store (shared by the desk and `mediawatch users`).

A session is a random token in an HttpOnly cookie; the store keeps only its SHA-256, with the
session's CSRF token, its creation, last use and expiry (``desk.session_hours`` after login, or
``desk.idle_minutes`` after the last request, whichever comes first). Disabling an account or
resetting its password ends its sessions.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Callable

from argon2 import PasswordHasher

from mediawatch.document import utcnow
from mediawatch.settings import DeskSettings
from mediawatch.store.base import Store
from mediawatch.store.desk_base import ROLES, Account, AuditEntry, SessionRecord

from .security import (MAX_PASSWORD, RateLimiter, hash_password, new_token, password_problem, token_hash, valid_username,
                       verify_password)

# last_seen is written at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


class AccountError(ValueError):
    """A refused account change; ``key`` names the message in the desk's words."""

    def __init__(self, key: str, detail: str = ""):
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail


def add_account(store: Store, username: str, role: str, password: str, actor: str,
                hasher: PasswordHasher | None = None) -> Account:
    username = (username or "").strip().lower()
    if not valid_username(username):
        raise AccountError("username_invalid", username)
    if role not in ROLES:
        raise AccountError("role_invalid", role)
    if store.account(username) is not None:
        raise AccountError("username_taken", username)
    problem = password_problem(password, username)
    if problem:
        raise AccountError(problem)
    account = Account(username, role, hash_password(password, hasher))
    store.save_account(account, actor)
    return account


def _existing(store: Store, username: str) -> Account:
    account = store.account(username)
    if account is None:
        raise AccountError("username_unknown", username)
    return account


def set_role(store: Store, username: str, role: str, actor: str) -> Account:
    if role not in ROLES:
        raise AccountError("role_invalid", role)
    account = _existing(store, username)
    if account.role != role:
        account.role = role
        store.save_account(account, actor)
    return account


def set_disabled(store: Store, username: str, disabled: bool, actor: str) -> Account:
    account = _existing(store, username)
    if account.disabled != disabled:
        account.disabled = disabled
        store.save_account(account, actor)
    if disabled:
        store.delete_sessions(username=username)
    return account


def set_password(store: Store, username: str, password: str, actor: str,
                 hasher: PasswordHasher | None = None) -> Account:
    account = _existing(store, username)
    problem = password_problem(password, username)
    if problem:
        raise AccountError(problem)
    account.password_hash = hash_password(password, hasher)
    store.save_account(account, actor)
    store.delete_sessions(username=username)
    return account


@dataclass(slots=True)
class LoginResult:
    account: Account | None
    retry_after: float = 0.0  # > 0: refused by the rate limit, try again in this many seconds


@dataclass(slots=True)
class Signed:
    session: SessionRecord
    account: Account


class Authenticator:
    def __init__(self, store: Store, settings: DeskSettings, *, hasher: PasswordHasher | None = None,
                 now: Callable[[], datetime] = utcnow):
        self.store = store
        self.settings = settings
        self.hasher = hasher
        self.now = now
        window = settings.login_window_minutes * 60
        self.by_user = RateLimiter(settings.login_max_failures, window)
        self.by_address = RateLimiter(settings.login_max_failures_per_address, window)
        self._dummy: str | None = None

    def _dummy_hash(self) -> str:
        # An unknown username costs as much as a known one: the time does not say which exist.
        if self._dummy is None:
            self._dummy = hash_password(secrets.token_urlsafe(16), self.hasher)
        return self._dummy

    def login(self, username: str, password: str, client: str) -> LoginResult:
        username = (username or "").strip().lower()[:64]
        wait = max(self.by_user.retry_after(username), self.by_address.retry_after(client))
        if wait > 0:
            return LoginResult(None, retry_after=wait)
        account = self.store.account(username) if valid_username(username) else None
        ok = len(password) <= MAX_PASSWORD and verify_password(
            account.password_hash if account else self._dummy_hash(), password, self.hasher)
        if account is not None and ok and not account.disabled:
            self.by_user.reset(username)
            self.store.audit(AuditEntry(at=self.now(), actor=username, action="login", target=f"account:{username}",
                                        client=client))
            return LoginResult(account)
        self.by_user.fail(username)
        self.by_address.fail(client)
        why = "disabled" if account is not None and ok else "bad credentials"
        self.store.audit(AuditEntry(at=self.now(), actor=username or "?", action="login.failed",
                                    target=f"account:{username}", summary=why, client=client))
        return LoginResult(None)

    def start(self, account: Account, client: str) -> tuple[str, SessionRecord]:
        """A new session (never a reused one: no fixation). Returns the cookie token and the record."""
        now = self.now()
        self.store.delete_sessions(expired_at=now)
        token = new_token()
        session = SessionRecord(token_hash(token), account.username, now, self._expiry(now, now), now,
                                secrets.token_urlsafe(32), client)
        self.store.save_session(session)
        return token, session

    def _expiry(self, created: datetime, last_seen: datetime) -> datetime:
        return min(created + timedelta(hours=self.settings.session_hours),
                   last_seen + timedelta(minutes=self.settings.idle_minutes))

    def resume(self, token: str | None) -> Signed | None:
        """The live session and its enabled account for a cookie token, or None."""
        if not token or len(token) > 128:
            return None
        session = self.store.session(token_hash(token))
        now = self.now()
        if session is None:
            return None
        if session.expires_at <= now:
            self.store.delete_sessions(token_hash=session.token_hash)
            return None
        account = self.store.account(session.username)
        if account is None or account.disabled:
            self.store.delete_sessions(token_hash=session.token_hash)
            return None
        if now - session.last_seen >= TOUCH_EVERY:
            session = replace(session, last_seen=now, expires_at=self._expiry(session.created_at, now))
            self.store.save_session(session)
        return Signed(session, account)

    def end(self, signed: Signed, client: str) -> None:
        self.store.delete_sessions(token_hash=signed.session.token_hash)
        self.store.audit(AuditEntry(at=self.now(), actor=signed.account.username, action="logout",
                                    target=f"account:{signed.account.username}", client=client))
