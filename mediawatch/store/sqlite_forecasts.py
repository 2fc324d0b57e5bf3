"""Forecasts in their own table, one row per series (a mixin of SQLiteStore, which provides
``_conn``, ``_lock`` and ``_tx``). The row is written in one statement that keeps a newer row."""

from __future__ import annotations

from datetime import datetime

import orjson

from ..document import format_ts
from .forecasts import ForecastRecord
from .sqlite_sql import to_ms


class SQLiteForecastsMixin:
    def save_forecast(self, record: ForecastRecord) -> bool:
        with self._tx() as conn:
            cursor = conn.execute(
                "INSERT INTO forecasts(topic, place, generated_at, generated_ms, model, body) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(topic, place) DO UPDATE SET generated_at=excluded.generated_at, "
                "generated_ms=excluded.generated_ms, model=excluded.model, body=excluded.body "
                "WHERE excluded.generated_ms >= forecasts.generated_ms",
                (record.topic, record.place, format_ts(record.generated_at), to_ms(record.generated_at),
                 record.model, orjson.dumps(record.to_dict()).decode("utf-8")))
            return cursor.rowcount > 0

    def forecasts(self, *, topic: str | None = None, place: str | None = None,
                  generated_since: datetime | None = None) -> list[ForecastRecord]:
        clauses, params = [], []
        for column, value in (("topic", topic), ("place", place)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if generated_since is not None:
            clauses.append("generated_ms >= ?")
            params.append(to_ms(generated_since))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            rows = self._conn.execute(f"SELECT body FROM forecasts{where} ORDER BY topic, place", params).fetchall()
        return [ForecastRecord.from_dict(orjson.loads(body)) for (body,) in rows]
