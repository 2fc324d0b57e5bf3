"""SQLite schema and its migrations. ``PRAGMA user_version`` records the applied version.

Layout notes for readers of the file (Datasette dashboards read it directly):
- ``documents`` holds one row per document id; ``time_ms`` is published_at, else fetched_at, in
  epoch milliseconds; ``body`` is the document's JSON without title/text/fetched_at (those have
  columns), so nothing is stored twice.
- ``doc_tags`` holds the multi-valued fields (topic, place) for filters and facets, with the
  document's time copied in so time-windowed facets read one index.
- ``documents_fts`` is a contentless FTS5 index over title and text; its unicode61 tokenizer folds
  case and diacritics but not "đ", which is mapped to "d" before indexing (see fts_text()).
"""

from __future__ import annotations

import sqlite3

from ..errors import PermanentError

MIGRATIONS: list[tuple[int, str]] = [
    (1, """
    CREATE TABLE documents (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        source_id TEXT NOT NULL,
        source_kind TEXT NOT NULL,
        source_name TEXT,
        platform TEXT,
        title TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT '',
        lang TEXT,
        time_ms INTEGER NOT NULL,
        published_at TEXT,
        fetched_at TEXT NOT NULL,
        sentiment TEXT,
        sentiment_score REAL,
        misinfo_score REAL,
        misinfo_flagged INTEGER NOT NULL DEFAULT 0,
        misinfo_status TEXT,
        misinfo_claim TEXT,
        misinfo_evidence_url TEXT,
        story_id TEXT,
        duplicate_of TEXT,
        parent_id TEXT,
        section TEXT,
        fingerprint TEXT,
        engagement_total INTEGER NOT NULL DEFAULT 0,
        topics TEXT NOT NULL DEFAULT '[]',
        places TEXT NOT NULL DEFAULT '[]',
        content_hash TEXT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE INDEX documents_time ON documents(time_ms, id);
    CREATE INDEX documents_source_time ON documents(source_id, time_ms);
    -- Covers the dashboards' time-windowed facets and histograms without touching the rows.
    CREATE INDEX documents_panel ON documents(time_ms, source_kind, source_id, sentiment, sentiment_score);
    CREATE INDEX documents_flagged ON documents(misinfo_status, time_ms) WHERE misinfo_flagged = 1;
    CREATE INDEX documents_story ON documents(story_id) WHERE story_id IS NOT NULL;
    CREATE INDEX documents_duplicate ON documents(duplicate_of) WHERE duplicate_of IS NOT NULL;
    CREATE INDEX documents_parent ON documents(parent_id) WHERE parent_id IS NOT NULL;
    CREATE TABLE doc_tags (
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        doc_rowid INTEGER NOT NULL,
        time_ms INTEGER NOT NULL,
        PRIMARY KEY (field, value, doc_rowid)
    ) WITHOUT ROWID;
    CREATE INDEX doc_tags_doc ON doc_tags(doc_rowid);
    CREATE INDEX doc_tags_time ON doc_tags(field, time_ms, value);
    CREATE VIRTUAL TABLE documents_fts USING fts5(
        title, text, content='', columnsize=0, tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TABLE runs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL,
        source_id TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        fetched INTEGER NOT NULL,
        new INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        unchanged INTEGER NOT NULL,
        errors TEXT NOT NULL,
        messages TEXT NOT NULL,
        last_published_at TEXT,
        UNIQUE (run_id, source_id)
    );
    CREATE INDEX runs_source ON runs(source_id, seq);
    CREATE TABLE reviews (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id TEXT NOT NULL,
        verdict TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        note TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        previous_status TEXT
    );
    CREATE INDEX reviews_doc ON reviews(doc_id, seq);
    CREATE TABLE alerts (
        alert_id TEXT PRIMARY KEY,
        rule TEXT NOT NULL,
        dedup_key TEXT NOT NULL,
        fired_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        severity TEXT NOT NULL,
        title TEXT NOT NULL,
        payload TEXT NOT NULL
    );
    CREATE INDEX alerts_key ON alerts(dedup_key, updated_at);
    CREATE INDEX alerts_updated ON alerts(updated_at);
    CREATE TABLE state (
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (namespace, key)
    ) WITHOUT ROWID;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """),
    # The review desk (mediawatch/store/sqlite_desk.py): the claims register as versioned rows, the
    # append-only audit log, alert acknowledgements, rule mutes, accounts and sessions.
    (2, """
    CREATE TABLE claims (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        text TEXT NOT NULL,
        verdict TEXT NOT NULL,
        topic TEXT NOT NULL DEFAULT '',
        origin TEXT NOT NULL DEFAULT '',
        changed_by TEXT NOT NULL,
        changed_at TEXT NOT NULL,
        words TEXT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE INDEX claims_changed ON claims(changed_at, id);
    CREATE TABLE claim_versions (
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        changed_by TEXT NOT NULL,
        changed_at TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (id, version)
    ) WITHOUT ROWID;
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        entry_id TEXT NOT NULL UNIQUE,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        summary TEXT NOT NULL,
        before TEXT NOT NULL,
        after TEXT NOT NULL,
        client TEXT NOT NULL
    );
    CREATE INDEX audit_time ON audit(at, entry_id);
    CREATE INDEX audit_target ON audit(target, at);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TABLE alert_acks (
        alert_id TEXT PRIMARY KEY,
        acked_by TEXT NOT NULL,
        acked_at TEXT NOT NULL,
        note TEXT NOT NULL
    );
    CREATE TABLE rule_mutes (
        rule TEXT PRIMARY KEY,
        until TEXT NOT NULL,
        muted_by TEXT NOT NULL,
        muted_at TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    CREATE TABLE accounts (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        csrf_token TEXT NOT NULL,
        client TEXT NOT NULL
    );
    CREATE INDEX sessions_user ON sessions(username);
    """),
    # Forecasts get one row per series (they were whole JSON values in `state`, read-modify-written
    # with an index key). The old values are dropped, not converted: forecasts are derived data and
    # the next `mediawatch forecast` (or the nightly flow) recomputes every series in the new form.
    (3, """
    CREATE TABLE forecasts (
        topic TEXT NOT NULL,
        place TEXT NOT NULL,
        generated_at TEXT NOT NULL,
        generated_ms INTEGER NOT NULL,
        model TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (topic, place)
    ) WITHOUT ROWID;
    CREATE INDEX forecasts_generated ON forecasts(generated_ms);
    DELETE FROM state WHERE namespace = 'forecast';
    """),
    # Issue 12/13: failures counted once by reason and once by kind; sources that stopped part-way;
    # near-duplicate fingerprints and run summaries as rows (they were whole JSON values in `state`,
    # read, changed and written back, so two hosts ingesting at once lost each other's updates).
    (4, """
    ALTER TABLE runs ADD COLUMN error_kinds TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE runs ADD COLUMN aborted INTEGER NOT NULL DEFAULT 0;
    UPDATE runs SET error_kinds = (SELECT json_group_object(key, value) FROM json_each(runs.errors)
                                   WHERE key IN ('temporary', 'permanent', 'bad_input'));
    -- A failure recorded under its kind alone keeps the kind as its reason.
    UPDATE runs SET errors = json_remove(errors, '$.temporary', '$.permanent', '$.bad_input')
        WHERE json_remove(errors, '$.temporary', '$.permanent', '$.bad_input') != '{}';
    CREATE TABLE fingerprints (
        doc_id TEXT PRIMARY KEY,
        fp TEXT NOT NULL,
        seen_ms INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX fingerprints_seen ON fingerprints(seen_ms, doc_id);
    INSERT OR REPLACE INTO fingerprints(doc_id, fp, seen_ms)
        SELECT json_extract(e.value, '$[0]'), json_extract(e.value, '$[1]'),
               CAST(round((julianday(json_extract(e.value, '$[2]')) - 2440587.5) * 86400000) AS INTEGER)
        FROM state s, json_each(s.value, '$.entries') e
        WHERE s.namespace = 'dedup' AND s.key = 'simhash'
          AND julianday(json_extract(e.value, '$[2]')) IS NOT NULL;
    DELETE FROM state WHERE namespace = 'dedup' AND key = 'simhash';
    CREATE TABLE run_summaries (
        run_id TEXT PRIMARY KEY,
        started_at TEXT,
        finished_at TEXT,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX run_summaries_time ON run_summaries(finished_at, started_at);
    INSERT OR REPLACE INTO run_summaries(run_id, started_at, finished_at, value)
        SELECT key, json_extract(value, '$.started_at'), json_extract(value, '$.finished_at'), value
        FROM state WHERE namespace = 'runs' AND key != 'latest';
    INSERT OR IGNORE INTO run_summaries(run_id, started_at, finished_at, value)
        SELECT json_extract(value, '$.run_id'), json_extract(value, '$.started_at'),
               json_extract(value, '$.finished_at'), value
        FROM state WHERE namespace = 'runs' AND key = 'latest' AND json_extract(value, '$.run_id') IS NOT NULL;
    DELETE FROM state WHERE namespace = 'runs';
    """),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]


class SchemaTooNewError(PermanentError, RuntimeError):
    """The file was written by a newer mediawatch: opening it again will not help, upgrading will."""


def migrate(conn: sqlite3.Connection) -> int:
    """Apply pending migrations, each in its own transaction. Returns the resulting version."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"the store was written by a newer mediawatch (schema {current}, this one knows "
            f"{SCHEMA_VERSION}); upgrade mediawatch", fix="install the mediawatch version that wrote the store "
            "(pip install -U mediawatch)")
    for version, script in MIGRATIONS:
        if version <= current:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        current = version
    return current


def _split(script: str) -> list[str]:
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
