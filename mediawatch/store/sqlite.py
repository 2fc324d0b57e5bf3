"""The embedded store: one SQLite file in WAL mode with FTS5. See sqlite_schema.py for the layout.

Durability: every upsert batch is one transaction, so a process killed mid-batch leaves either the
whole batch or none of it; WAL with synchronous=NORMAL keeps committed transactions across a
process crash. Re-running the same input is idempotent by document id.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal
from zoneinfo import ZoneInfo

import orjson

from ..document import (REVIEW_STATUSES, Document, Misinfo, content_hash_of, format_ts, parse_ts,
                        utcnow)
from .base import (TOTAL_CAP, AlertRecord, Bucket, Page, ReviewDecision, RunRecord, SearchQuery, Store,
                   UpsertResult, decode_cursor, encode_cursor)
from .desk_base import AuditEntry
from .sqlite_desk import SQLiteDeskMixin
from .sqlite_forecasts import SQLiteForecastsMixin
from ..faults import crash_point
from .sqlite_rows import SQLiteRowsMixin
from .sqlite_schema import migrate
from .sqlite_sql import (SCALAR_FACETS, TAG_FACETS, fts_count_sql, fts_match, only_text, only_time,
                         tag_count_sql, time_clause, to_ms, where_clause)

_DOC_COLUMNS = ("rowid", "id", "url", "source_id", "source_kind", "source_name", "platform", "title",
                "text", "lang", "time_ms", "published_at", "fetched_at", "sentiment", "sentiment_score",
                "misinfo_score", "misinfo_flagged", "misinfo_status", "misinfo_claim",
                "misinfo_evidence_url", "story_id", "duplicate_of", "parent_id", "section",
                "fingerprint", "engagement_total", "topics", "places", "content_hash", "body")
_INSERT_DOC = (f"INSERT INTO documents ({','.join(_DOC_COLUMNS)}) "
               f"VALUES ({','.join('?' * len(_DOC_COLUMNS))})")
_UPDATE_DOC = (f"UPDATE documents SET {','.join(c + '=?' for c in _DOC_COLUMNS[1:])} WHERE rowid=?")
_SELECT_DOC = "SELECT d.title, d.text, d.fetched_at, d.body FROM documents d"
_CHUNK = 2000
PANEL_COLUMNS = ("source_kind", "source_id", "sentiment")  # in the documents_panel index
ROWID_SLOT_BITS = 16
ROWID_SLOTS = 1 << ROWID_SLOT_BITS
# Tag filters walk the time index newest first, probing tags row by row, when that is expected
# to find a page within this many rows (~ page * total / matches); rarer tags sort their matches.
_BROAD_SCAN_ROWS = 50_000


# Bumped when fts_text() changes: a store opened with another version rebuilds its index.
FTS_TEXT_VERSION = 1


def fts_text(value: str) -> str:
    """What the full-text index sees: unicode61 folds case and diacritics itself, except đ."""
    return value.replace("đ", "d").replace("Đ", "D") if value else ""


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


def _row_values(rowid: int, doc: Document) -> tuple[tuple, str, list[tuple[str, str]]]:
    """Column values, content hash and tags for one document."""
    data = doc.to_dict()
    digest = content_hash_of(data)
    fetched_at = data.pop("fetched_at")
    title = data.pop("title")
    text = data.pop("text")
    sentiment = doc.sentiment
    misinfo = doc.misinfo
    values = (
        rowid, doc.id, doc.url, doc.source.id, doc.source.kind, doc.source.name, doc.source.platform,
        title, text, doc.lang, to_ms(doc.when), data["published_at"], fetched_at,
        sentiment.label if sentiment else None, sentiment.score if sentiment else None,
        misinfo.score if misinfo else None, 1 if misinfo and misinfo.flagged else 0,
        misinfo.review_status if misinfo else None, misinfo.claim if misinfo else None,
        misinfo.evidence_url if misinfo else None, doc.story_id, doc.duplicate_of, doc.parent_id,
        doc.section, doc.fingerprint, doc.engagement.total, _dumps(doc.topics), _dumps(doc.places),
        digest, _dumps(data),
    )
    tags = [("topic", t) for t in dict.fromkeys(doc.topics)] + [("place", p) for p in dict.fromkeys(doc.places)]
    return values, digest, tags


def _doc_from_row(title: str, text: str, fetched_at: str, body: str) -> Document:
    data = orjson.loads(body)
    data["title"], data["text"], data["fetched_at"] = title, text, fetched_at
    return Document.from_dict(data)


def _page_of(rows: list, size: int) -> Page:
    """Rows (title, text, fetched_at, body, time_ms, id), one more than a page if there are more."""
    more = len(rows) > size
    rows = rows[:size]
    return Page([_doc_from_row(*r[:4]) for r in rows], -1,
                encode_cursor(rows[-1][4], rows[-1][5]) if more and rows else None)


class SQLiteStore(SQLiteDeskMixin, SQLiteForecastsMixin, SQLiteRowsMixin, Store):
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection guarded by a lock: flows call the store from worker threads.
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False,
                                     timeout=30.0)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA temp_store=MEMORY")
        self._conn.execute("PRAGMA cache_size=-65536")
        # Fewer, larger checkpoints: bulk upserts write tens of MB per batch.
        self._conn.execute("PRAGMA wal_autocheckpoint=10000")
        migrate(self._conn)
        self._check_index_text_version()
        self._rows, self._rows_counted_at = 0, float("-inf")

    # --- plumbing ----------------------------------------------------------------------------
    def _tx(self):
        return _Transaction(self._conn, self._lock)

    def _check_index_text_version(self) -> None:
        row = self._conn.execute("SELECT value FROM meta WHERE key='fts_text_version'").fetchone()
        if row is not None and int(row[0]) == FTS_TEXT_VERSION:
            return
        with self._tx() as conn:
            if row is not None:  # fts_text() changed: the index no longer matches what queries expect
                self._rebuild_fts(conn)
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('fts_text_version', ?)",
                         (str(FTS_TEXT_VERSION),))

    @staticmethod
    def _rebuild_fts(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('delete-all')")
        rows = conn.execute("SELECT rowid, title, text FROM documents")
        conn.executemany("INSERT INTO documents_fts(rowid, title, text) VALUES (?,?,?)",
                         ((r, fts_text(t), fts_text(x)) for r, t, x in rows))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # --- documents -----------------------------------------------------------------------------
    def upsert(self, documents: Iterable[Document]) -> UpsertResult:
        result = UpsertResult()
        batch: dict[str, Document] = {}
        for doc in documents:
            batch[doc.id] = doc  # the last version of an id in one call wins
            if len(batch) >= _CHUNK:
                result += self._upsert_chunk(list(batch.values()))
                batch = {}
        if batch:
            result += self._upsert_chunk(list(batch.values()))
        return result

    def _upsert_chunk(self, docs: list[Document]) -> UpsertResult:
        with self._tx() as conn:
            result = self._write_chunk(conn, docs)
            crash_point("store.transaction")
            return result

    @staticmethod
    def _write_chunk(conn: sqlite3.Connection, docs: list[Document]) -> UpsertResult:
        result = UpsertResult()
        marks = ",".join("?" * len(docs))
        existing = {row[1]: row for row in conn.execute(
            f"SELECT rowid, id, content_hash, title, text, time_ms FROM documents WHERE id IN ({marks})",
            [d.id for d in docs])}
        slots = _RowidAllocator(conn)
        inserts, updates, fts_rows, fts_deletes, tag_rows, tag_deletes, moved = [], [], [], [], [], [], []
        for doc in docs:
            old = existing.get(doc.id)
            time_ms = to_ms(doc.when)
            # A document whose time changed moves to a rowid of its new time (rowids are time-ordered).
            keep_rowid = old is not None and old[0] >> ROWID_SLOT_BITS == time_ms
            rowid = old[0] if keep_rowid else slots.allocate(time_ms)
            values, digest, tags = _row_values(rowid, doc)
            if old is not None and old[2] == digest:
                result.unchanged += 1
                continue
            if old is not None:
                fts_deletes.append((old[0], fts_text(old[3]), fts_text(old[4])))
                tag_deletes.append((old[0],))
                result.updated += 1
                if keep_rowid:
                    updates.append(values[1:] + (rowid,))
                else:
                    moved.append((old[0],))
                    inserts.append(values)
            else:
                inserts.append(values)
                result.inserted += 1
            fts_rows.append((rowid, fts_text(doc.title), fts_text(doc.text)))
            tag_rows.extend((field, value, rowid, time_ms) for field, value in tags)
        if fts_deletes:
            conn.executemany("INSERT INTO documents_fts(documents_fts, rowid, title, text) "
                             "VALUES ('delete', ?, ?, ?)", fts_deletes)
            conn.executemany("DELETE FROM doc_tags WHERE doc_rowid = ?", tag_deletes)
        if moved:
            conn.executemany("DELETE FROM documents WHERE rowid = ?", moved)
        if updates:
            conn.executemany(_UPDATE_DOC, updates)
        if inserts:
            conn.executemany(_INSERT_DOC, inserts)
        if fts_rows:
            conn.executemany("INSERT INTO documents_fts(rowid, title, text) VALUES (?,?,?)", fts_rows)
        if tag_rows:
            conn.executemany("INSERT OR IGNORE INTO doc_tags(field, value, doc_rowid, time_ms) "
                             "VALUES (?,?,?,?)", tag_rows)
        return result

    def get(self, doc_id: str) -> Document | None:
        with self._lock:
            row = self._conn.execute(f"{_SELECT_DOC} WHERE d.id = ?", (doc_id,)).fetchone()
        return _doc_from_row(*row) if row else None

    def search(self, query: SearchQuery, *, size: int = 20, cursor: str | None = None) -> Page:
        match = fts_match(query)
        if match is not None:
            total = self._capped_text_count(query, match)
            page = self._text_page(query, match, size, cursor)
        else:
            total = self.count(query)
            page = self._page(query, size, cursor, broad=self._is_broad(query, total, size))
        page.total = min(total, TOTAL_CAP)
        page.total_exact = total <= TOTAL_CAP
        return page

    def _is_broad(self, query: SearchQuery, matches: int, size: int) -> bool:
        if not (query.topics or query.places):
            return False  # plain column filters already use the time index
        return matches * _BROAD_SCAN_ROWS > size * max(self._rows_estimate(), 1)

    def _rows_estimate(self) -> int:
        """Documents in the store, recounted at most once a minute: plan choice needs no precision."""
        now = time.monotonic()
        if now - self._rows_counted_at > 60:
            with self._lock:
                self._rows = self._conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            self._rows_counted_at = now
        return self._rows

    def _capped_text_count(self, query: SearchQuery, match: str) -> int:
        """Exact up to TOTAL_CAP + 1, then it stops counting (as Elasticsearch's track_total_hits)."""
        where, params = where_clause(query, text=False, tags_as_exists=True)
        sql = (f"SELECT count(*) FROM (SELECT 1 FROM documents_fts f JOIN documents d ON d.rowid = f.rowid "
               f"WHERE documents_fts MATCH ? AND {where} LIMIT ?)")
        with self._lock:
            return self._conn.execute(sql, [match] + params + [TOTAL_CAP + 1]).fetchone()[0]

    def _text_page(self, query: SearchQuery, match: str, size: int, cursor: str | None) -> Page:
        """Walk the full-text matches newest first (rowid order is time order) and stop after a page.

        Rowids order documents by millisecond only, so rows that tie on time with the last one of
        the page are read too, and the page is sorted exactly by (time, id).
        """
        where, params = where_clause(query, text=False, tags_as_exists=True)
        sql = (f"SELECT d.title, d.text, d.fetched_at, d.body, d.time_ms, d.id FROM documents_fts f "
               f"JOIN documents d ON d.rowid = f.rowid WHERE documents_fts MATCH ? AND {where}")
        params = [match] + params
        if cursor:
            when_ms, last_id = decode_cursor(cursor)
            sql += " AND f.rowid < ? AND (d.time_ms, d.id) < (?, ?)"
            params += [(when_ms + 1) << ROWID_SLOT_BITS, when_ms, last_id]
        sql += " ORDER BY f.rowid DESC"
        rows: list = []
        boundary = None
        with self._lock:
            for row in self._conn.execute(sql, params):
                if boundary is not None and row[4] < boundary:
                    break
                rows.append(row)
                if boundary is None and len(rows) == size + 1:
                    boundary = row[4]
        rows.sort(key=lambda r: (r[4], r[5]), reverse=True)
        return _page_of(rows, size)

    def count(self, query: SearchQuery) -> int:
        fast = fts_count_sql(query) if only_text(query) else tag_count_sql(query)
        sql, params = fast or (lambda w, p: (f"SELECT count(*) FROM documents d WHERE {w}", p))(*where_clause(query))
        with self._lock:
            return self._conn.execute(sql, params).fetchone()[0]

    def facets(self, query: SearchQuery, fields: Iterable[str], *, size: int = 10
               ) -> dict[str, list[tuple[str, int]]]:
        where, params = where_clause(query)
        out: dict[str, list[tuple[str, int]]] = {}
        with self._lock:
            for name in fields:
                if name in SCALAR_FACETS:
                    column = SCALAR_FACETS[name]
                    # For a time window alone, range-scan the covering panel index; the planner
                    # otherwise scans a whole index for its GROUP BY order.
                    hint = ("INDEXED BY documents_panel " if column in PANEL_COLUMNS and only_time(query)
                            and (query.since or query.until) else "")
                    sql = (f"SELECT d.{column} AS v, count(*) AS n FROM documents d {hint}WHERE {where} "
                           f"AND d.{column} IS NOT NULL GROUP BY v ORDER BY n DESC, v ASC LIMIT ?")
                    rows = self._conn.execute(sql, params + [size]).fetchall()
                elif name in TAG_FACETS and only_time(query):
                    tag_where, tag_params = time_clause(query, "t")
                    sql = (f"SELECT t.value AS v, count(*) AS n FROM doc_tags t WHERE t.field = ? AND "
                           f"{tag_where} GROUP BY v ORDER BY n DESC, v ASC LIMIT ?")
                    rows = self._conn.execute(sql, [TAG_FACETS[name]] + tag_params + [size]).fetchall()
                elif name in TAG_FACETS:
                    sql = (f"SELECT t.value AS v, count(*) AS n FROM doc_tags t "
                           f"JOIN documents d ON d.rowid = t.doc_rowid "
                           f"WHERE t.field = ? AND {where} GROUP BY v ORDER BY n DESC, v ASC LIMIT ?")
                    rows = self._conn.execute(sql, [TAG_FACETS[name]] + params + [size]).fetchall()
                else:
                    raise ValueError(f"unknown facet field {name!r}")
                out[name] = [(value, count) for value, count in rows]
        return out

    def histogram(self, query: SearchQuery, *, interval: Literal["hour", "day"] = "day",
                  tz: str = "Asia/Ho_Chi_Minh") -> list[Bucket]:
        if interval not in ("hour", "day"):
            raise ValueError(f"interval must be 'hour' or 'day', not {interval!r}")
        zone = ZoneInfo(tz)
        where, params = where_clause(query)
        # Group by UTC quarter-hour in SQL, then map to local buckets in Python: exact for any
        # zone offset and daylight saving, and the number of quarter-hours stays small.
        sql = ("SELECT d.time_ms / 900000 AS q, count(*), sum(d.sentiment_score), "
               "count(d.sentiment_score), sum(d.sentiment = 'negative') "
               f"FROM documents d WHERE {where} GROUP BY q ORDER BY q")
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        buckets: dict[datetime, list] = {}
        for quarter, count, score_sum, scored, negative in rows:
            local = datetime.fromtimestamp(quarter * 900, tz=timezone.utc).astimezone(zone)
            start = local.replace(minute=0, second=0, microsecond=0)
            if interval == "day":
                start = start.replace(hour=0)
            acc = buckets.setdefault(start, [0, 0.0, 0, 0])
            acc[0] += count
            acc[1] += score_sum or 0.0
            acc[2] += scored
            acc[3] += negative or 0
        return fill_buckets(buckets, interval, zone)

    def iter_documents(self, query: SearchQuery | None = None, *, batch_size: int = 1000
                       ) -> Iterator[Document]:
        query = query or SearchQuery()
        cursor = None
        while True:
            page = self._page(query, batch_size, cursor)
            yield from page.documents
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def _page(self, query: SearchQuery, size: int, cursor: str | None, *, broad: bool = False) -> Page:
        """One page newest first, keyset-paged on (time_ms, id); ``total`` is left at -1."""
        where, params = where_clause(query, tags_as_exists=broad)
        if cursor:
            when_ms, last_id = decode_cursor(cursor)
            where += " AND (d.time_ms, d.id) < (?, ?)"
            params += [when_ms, last_id]
        hint = "INDEXED BY documents_time " if broad else ""
        sql = (f"SELECT d.title, d.text, d.fetched_at, d.body, d.time_ms, d.id FROM documents d {hint}"
               f"WHERE {where} ORDER BY d.time_ms DESC, d.id DESC LIMIT ?")
        with self._lock:
            rows = self._conn.execute(sql, params + [size + 1]).fetchall()
        return _page_of(rows, size)

    def purge(self, older_than: datetime) -> int:
        cutoff = to_ms(older_than)
        removed = 0
        while True:
            with self._tx() as conn:
                rows = conn.execute("SELECT rowid, title, text FROM documents WHERE time_ms < ? LIMIT ?",
                                    (cutoff, _CHUNK)).fetchall()
                if not rows:
                    return removed
                conn.executemany("INSERT INTO documents_fts(documents_fts, rowid, title, text) "
                                 "VALUES ('delete', ?, ?, ?)", [(r, fts_text(t), fts_text(x)) for r, t, x in rows])
                conn.executemany("DELETE FROM doc_tags WHERE doc_rowid = ?", [(r[0],) for r in rows])
                conn.executemany("DELETE FROM documents WHERE rowid = ?", [(r[0],) for r in rows])
                removed += len(rows)

    # --- source health -------------------------------------------------------------------------
    def record_run(self, records: Iterable[RunRecord]) -> None:
        rows = [(r.run_id, r.source_id, format_ts(r.started_at), format_ts(r.finished_at), r.fetched, r.new,
                 r.updated, r.unchanged, _dumps(r.errors), _dumps(r.messages), format_ts(r.last_published_at),
                 _dumps(r.error_kinds), int(r.aborted))
                for r in records]
        with self._tx() as conn:
            conn.executemany(
                "INSERT INTO runs(run_id, source_id, started_at, finished_at, fetched, new, updated, "
                "unchanged, errors, messages, last_published_at, error_kinds, aborted) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(run_id, source_id) DO UPDATE SET finished_at=excluded.finished_at, "
                "fetched=excluded.fetched, new=excluded.new, updated=excluded.updated, "
                "unchanged=excluded.unchanged, errors=excluded.errors, messages=excluded.messages, "
                "last_published_at=excluded.last_published_at, error_kinds=excluded.error_kinds, "
                "aborted=excluded.aborted", rows)

    def runs(self, *, source_id: str | None = None, limit: int = 100) -> list[RunRecord]:
        sql = ("SELECT run_id, source_id, started_at, finished_at, fetched, new, updated, unchanged, "
               "errors, messages, last_published_at, error_kinds, aborted FROM runs")
        params: list = []
        if source_id:
            sql += " WHERE source_id = ?"
            params.append(source_id)
        sql += " ORDER BY seq DESC LIMIT ?"
        with self._lock:
            rows = self._conn.execute(sql, params + [limit]).fetchall()
        return [RunRecord(run_id=r[0], source_id=r[1], started_at=parse_ts(r[2]), finished_at=parse_ts(r[3]),
                          fetched=r[4], new=r[5], updated=r[6], unchanged=r[7], errors=orjson.loads(r[8]),
                          messages=orjson.loads(r[9]), last_published_at=parse_ts(r[10]),
                          error_kinds=orjson.loads(r[11]), aborted=bool(r[12])) for r in rows]

    # --- misinformation review -----------------------------------------------------------------
    def review(self, decision: ReviewDecision) -> Document:
        if decision.verdict not in REVIEW_STATUSES or decision.verdict == "pending":
            raise ValueError(f"verdict must be one of {', '.join(REVIEW_STATUSES[1:])}")
        with self._lock:
            doc = self.get(decision.doc_id)
            if doc is None:
                raise KeyError(f"no document with id {decision.doc_id}")
            previous = doc.misinfo.review_status if doc.misinfo else None
            if doc.misinfo is None:
                doc.misinfo = Misinfo(score=0.0)
            doc.misinfo.review_status = decision.verdict
            with self._tx() as conn:  # verdict and audit entry land together or not at all
                conn.execute("INSERT INTO reviews(doc_id, verdict, reviewer, note, decided_at, previous_status) "
                             "VALUES (?,?,?,?,?,?)", (decision.doc_id, decision.verdict, decision.reviewer,
                                                      decision.note, format_ts(decision.decided_at), previous))
                self._write_chunk(conn, [doc])
                self._append_audit(conn, AuditEntry(
                    at=decision.decided_at, actor=decision.reviewer, action="review", target=f"doc:{decision.doc_id}",
                    summary=decision.note, before={"status": previous}, after={"status": decision.verdict}))
            decision.previous_status = previous
            return doc

    def reviews(self, *, doc_id: str | None = None, limit: int = 1000) -> list[ReviewDecision]:
        sql = "SELECT doc_id, verdict, reviewer, note, decided_at, previous_status FROM reviews"
        params: list = []
        if doc_id:
            sql += " WHERE doc_id = ?"
            params.append(doc_id)
        sql += " ORDER BY seq DESC LIMIT ?"
        with self._lock:
            rows = self._conn.execute(sql, params + [limit]).fetchall()
        return [ReviewDecision(doc_id=r[0], verdict=r[1], reviewer=r[2], note=r[3], decided_at=parse_ts(r[4]),
                               previous_status=r[5]) for r in rows]

    # --- alerts ----------------------------------------------------------------------------------
    def save_alert(self, alert: AlertRecord) -> None:
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO alerts(alert_id, rule, dedup_key, fired_at, updated_at, severity, title, payload) "
                "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(alert_id) DO UPDATE SET updated_at=excluded.updated_at, "
                "severity=excluded.severity, title=excluded.title, payload=excluded.payload",
                (alert.alert_id, alert.rule, alert.dedup_key, format_ts(alert.fired_at),
                 format_ts(alert.updated_at), alert.severity, alert.title, _dumps(alert.payload)))

    def alerts(self, *, since: datetime | None = None, dedup_key: str | None = None,
               limit: int = 1000) -> list[AlertRecord]:
        sql = "SELECT alert_id, rule, dedup_key, fired_at, updated_at, severity, title, payload FROM alerts"
        clauses, params = [], []
        if since is not None:
            clauses.append("updated_at >= ?")
            params.append(format_ts(since))
        if dedup_key is not None:
            clauses.append("dedup_key = ?")
            params.append(dedup_key)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY updated_at DESC, alert_id DESC LIMIT ?"
        with self._lock:
            rows = self._conn.execute(sql, params + [limit]).fetchall()
        return [AlertRecord(alert_id=r[0], rule=r[1], dedup_key=r[2], fired_at=parse_ts(r[3]),
                            updated_at=parse_ts(r[4]), severity=r[5], title=r[6], payload=orjson.loads(r[7]))
                for r in rows]

    # --- small state ---------------------------------------------------------------------------
    def get_state(self, namespace: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM state WHERE namespace = ? AND key = ?",
                                     (namespace, key)).fetchone()
        return orjson.loads(row[0]) if row else None

    def set_state(self, namespace: str, key: str, value: dict[str, Any]) -> None:
        with self._tx() as conn:
            conn.execute("INSERT INTO state(namespace, key, value, updated_at) VALUES (?,?,?,?) "
                         "ON CONFLICT(namespace, key) DO UPDATE SET value=excluded.value, "
                         "updated_at=excluded.updated_at", (namespace, key, _dumps(value), format_ts(utcnow())))

    def file_size(self) -> int:
        """Bytes on disk, WAL included (for the benchmark)."""
        return sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())


def fill_buckets(buckets: dict[datetime, list], interval: str, zone: ZoneInfo) -> list[Bucket]:
    """Bucket objects in order, with empty buckets between the first and the last."""
    if not buckets:
        return []
    keys = sorted(buckets)
    out: list[Bucket] = []
    current, last = keys[0], keys[-1]
    step = timedelta(hours=1) if interval == "hour" else timedelta(days=1)
    while current <= last:
        acc = buckets.get(current)
        if acc:
            out.append(Bucket(start=current, count=acc[0], avg_sentiment=(acc[1] / acc[2]) if acc[2] else None,
                              negative=acc[3]))
        else:
            out.append(Bucket(start=current, count=0, avg_sentiment=None, negative=0))
        # Step in UTC then re-localise and re-align: keeps days correct across DST changes.
        nxt = (current.astimezone(timezone.utc) + step).astimezone(zone)
        nxt = nxt.replace(minute=0, second=0, microsecond=0)
        if interval == "day":
            nxt = nxt.replace(hour=0)
            if nxt <= current:
                nxt = (current + timedelta(days=1, hours=2)).replace(hour=0)
        current = nxt
    return out


class _RowidAllocator:
    """Rowids are ``time_ms << 16 | slot``: rowid order is time order, so the full-text index can
    stream matches newest first (FTS5 orders by rowid) and stop after one page."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.used: dict[int, int] = {}

    def allocate(self, time_ms: int) -> int:
        base = time_ms << ROWID_SLOT_BITS
        last = self.used.get(time_ms)
        if last is None:
            last = self.conn.execute("SELECT max(rowid) FROM documents WHERE rowid BETWEEN ? AND ?",
                                     (base, base + ROWID_SLOTS - 1)).fetchone()[0]
            last = base - 1 if last is None else last
        if last + 1 >= base + ROWID_SLOTS:
            raise ValueError(f"more than {ROWID_SLOTS} documents share the millisecond {time_ms}")
        self.used[time_ms] = last + 1
        return last + 1


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT under the store lock; ROLLBACK on any error."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock):
        self.conn = conn
        self.lock = lock

    def __enter__(self) -> sqlite3.Connection:
        self.lock.acquire()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.lock.release()
            raise
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
        finally:
            self.lock.release()
