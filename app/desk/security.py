"""Pure security pieces of the desk: password hashes, tokens, roles, the login rate limiter."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import deque
from typing import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mediawatch.store.desk_base import ROLES

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 takes any length; a cap keeps a login request cheap to refuse
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

# argon2id with the RFC 9106 low-memory profile (64 MiB, 3 passes): argon2-cffi's default.
DEFAULT_HASHER = PasswordHasher()


def hash_password(password: str, hasher: PasswordHasher | None = None) -> str:
    return (hasher or DEFAULT_HASHER).hash(password)


def verify_password(password_hash: str, password: str, hasher: PasswordHasher | None = None) -> bool:
    """Whether ``password`` matches; the cost parameters come from the hash itself."""
    try:
        return (hasher or DEFAULT_HASHER).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, username: str = "") -> str | None:
    """A words key naming what is wrong with a new password, or None."""
    if len(password) < MIN_PASSWORD:
        return "password_short"
    if len(password) > MAX_PASSWORD:
        return "password_long"
    if username and password.lower() == username.lower():
        return "password_is_username"
    return None


def valid_username(name: str) -> bool:
    return bool(_USERNAME.match(name or ""))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the store keeps of a session token: a stolen copy of the store opens no session."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two secrets; False when either is missing."""
    return bool(a) and bool(b) and hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def allows(role: str, needed: str) -> bool:
    return ROLE_RANK.get(role, -1) >= ROLE_RANK[needed]


class RateLimiter:
    """At most ``limit`` failures per key within ``window_s``; refuses further tries until the
    oldest failure leaves the window. Kept in memory by the one process that serves the desk."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may try again (0: now)."""
        with self._lock:
            now = self.clock()
            failures = self._recent(key, now)
            if len(failures) < self.limit:
                if not failures:
                    self._failures.pop(key, None)
                return 0.0
            return max(0.0, failures[0] + self.window_s - now)

    def fail(self, key: str) -> None:
        with self._lock:
            self._recent(key, self.clock()).append(self.clock())

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
