"""The small set of error kinds every stage sorts its failures into.

A source's run counts errors per kind; alert rules and `mediawatch status` read those counts.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from .redact import scrub


class ErrorKind(str, Enum):
    TEMPORARY = "temporary"  # retry later: timeouts, 5xx, 429, connection refused
    PERMANENT = "permanent"  # retrying will not help: 404, robots disallow, refused address
    BAD_INPUT = "bad_input"  # the data itself is broken: malformed feed, undecodable page, bad config


class MediawatchError(Exception):
    """Base error. Carries the data that failed so the caller can log, spool or report it."""

    kind: ErrorKind = ErrorKind.PERMANENT

    def __init__(self, message: str, *, source: str | None = None, data: Any = None,
                 kind: ErrorKind | None = None, fix: str | None = None):
        # A platform or library may echo a credential into the text: it never travels further.
        message = scrub(message)
        super().__init__(message)
        self.message = message
        self.source = source
        self.data = data
        self.fix = fix
        if kind is not None:
            self.kind = kind

    def __str__(self) -> str:
        parts = [f"[{self.source}] " if self.source else "", self.message]
        if self.fix:
            parts.append(f" Fix: {self.fix}")
        return "".join(parts)


class TemporaryError(MediawatchError):
    kind = ErrorKind.TEMPORARY


class TimedOut(TemporaryError):
    """Work that did not finish within its time limit (a host's sources in the Prefect flow)."""


class PermanentError(MediawatchError):
    kind = ErrorKind.PERMANENT


class BadInputError(MediawatchError):
    kind = ErrorKind.BAD_INPUT


class ConfigError(BadInputError):
    """A broken configuration: the message names the key, the file and line where known, and the fix."""
