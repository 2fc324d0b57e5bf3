"""Stores: SQLite (embedded default) and Elasticsearch (production) behind one interface."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ConfigError
from .base import (AlertRecord, Bucket, Fingerprint, Page, ReviewDecision, RunRecord, SearchQuery, Store,
                   UpsertResult)
from .desk_base import (Account, AlertAck, AuditEntry, AuditQuery, ClaimQuery, ClaimRecord, ClaimVersionConflict,
                        RuleMute, SessionRecord)

if TYPE_CHECKING:
    from ..settings import Settings

__all__ = ["AlertRecord", "Bucket", "Fingerprint", "Page", "ReviewDecision", "RunRecord", "SearchQuery", "Store",
           "UnsupportedStoreURL", "UpsertResult", "open_store",
           "Account", "AlertAck", "AuditEntry", "AuditQuery", "ClaimQuery", "ClaimRecord", "ClaimVersionConflict",
           "RuleMute", "SessionRecord"]


class UnsupportedStoreURL(ConfigError, ValueError):
    """store.url names no backend this version knows (a ValueError too, for callers written before)."""


def open_store(settings: "Settings | str") -> Store:
    """Open the store a settings object (or a store URL) points at."""
    url = settings if isinstance(settings, str) else settings.store_url()
    if url.startswith("sqlite:///"):
        from .sqlite import SQLiteStore

        return SQLiteStore(url[len("sqlite:///"):])
    if url.startswith(("http://", "https://")):
        from .elastic import ElasticStore

        if isinstance(settings, str):
            return ElasticStore(url)
        return ElasticStore.from_settings(settings)
    raise UnsupportedStoreURL(f"unsupported store URL {url!r}", source="store.url",
                              fix="use sqlite:///PATH or http(s)://HOST:PORT")
