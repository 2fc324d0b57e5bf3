"""Stores: SQLite (embedded default) and Elasticsearch (production) behind one interface."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import (AlertRecord, Bucket, Fingerprint, Page, ReviewDecision, RunRecord, SearchQuery, Store,
                   UpsertResult)

if TYPE_CHECKING:
    from ..settings import Settings

__all__ = ["AlertRecord", "Bucket", "Fingerprint", "Page", "ReviewDecision", "RunRecord", "SearchQuery", "Store",
           "UpsertResult", "open_store"]


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
    raise ValueError(f"unsupported store URL {url!r}: use sqlite:///PATH or http(s)://HOST:PORT")
