"""Per-row homes in SQLite: near-duplicate fingerprints and run summaries (a mixin of SQLiteStore,
which provides ``_conn``, ``_lock`` and ``_tx``).

Each fingerprint and each run summary is its own row written in its own transaction, so writers in
several processes (two hosts ingesting into one file) never overwrite each other's entries.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

import orjson

from .base import Fingerprint
from .sqlite_sql import to_ms


def _fp_hex(value: int) -> str:
    return f"{value & 0xFFFF_FFFF_FFFF_FFFF:016x}"


class SQLiteRowsMixin:
    # --- near-duplicate fingerprints ---------------------------------------------------------------
    def add_fingerprints(self, rows: Iterable[Fingerprint]) -> None:
        values = [(r.doc_id, _fp_hex(r.value), to_ms(r.seen_at)) for r in rows]
        if not values:
            return
        with self._tx() as conn:
            conn.executemany("INSERT INTO fingerprints(doc_id, fp, seen_ms) VALUES (?,?,?) "
                             "ON CONFLICT(doc_id) DO UPDATE SET fp=excluded.fp, seen_ms=excluded.seen_ms",
                             values)

    def fingerprints(self, *, limit: int = 20_000) -> list[Fingerprint]:
        with self._lock:
            rows = self._conn.execute("SELECT doc_id, fp, seen_ms FROM fingerprints "
                                      "ORDER BY seen_ms DESC, doc_id DESC LIMIT ?", (limit,)).fetchall()
        return [Fingerprint(doc_id, int(fp, 16), datetime.fromtimestamp(ms / 1000, tz=timezone.utc))
                for doc_id, fp, ms in rows]

    def trim_fingerprints(self, older_than: datetime) -> int:
        with self._tx() as conn:
            return conn.execute("DELETE FROM fingerprints WHERE seen_ms < ?", (to_ms(older_than),)).rowcount

    # --- run summaries -------------------------------------------------------------------------------
    def save_run_summary(self, run_id: str, summary: dict[str, Any]) -> None:
        with self._tx() as conn:
            conn.execute("INSERT INTO run_summaries(run_id, started_at, finished_at, value) VALUES (?,?,?,?) "
                         "ON CONFLICT(run_id) DO UPDATE SET started_at=excluded.started_at, "
                         "finished_at=excluded.finished_at, value=excluded.value",
                         (run_id, summary.get("started_at"), summary.get("finished_at"),
                          orjson.dumps(summary).decode("utf-8")))

    def run_summaries(self, *, limit: int = 20) -> list[dict[str, Any]]:
        # ISO strings in UTC with a Z sort as times; a run still going (no finish) sorts by its start.
        with self._lock:
            rows = self._conn.execute("SELECT value FROM run_summaries "
                                      "ORDER BY coalesce(finished_at, started_at) DESC, run_id DESC LIMIT ?",
                                      (limit,)).fetchall()
        return [orjson.loads(r[0]) for r in rows]
