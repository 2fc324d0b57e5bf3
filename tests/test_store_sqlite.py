"""The SQLite store: the shared contract, plus scale, crash safety and schema versioning."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from mediawatch.store import SearchQuery
from mediawatch.store.sqlite import SQLiteStore
from mediawatch.store.sqlite_schema import SCHEMA_VERSION, SchemaTooNewError
from mediawatch.synthetic import synthetic_documents
from tests.store_contract import StoreContract


@pytest.fixture
def store(tmp_path):
    with SQLiteStore(tmp_path / "store.db") as s:
        yield s


@pytest.fixture
def reopen():
    """Open the same store again, as the next process would."""
    opened = []

    def again(store):
        opened.append(SQLiteStore(store.path))
        return opened[-1]

    yield again
    for s in opened:
        s.close()


@pytest.fixture
def second_store(store):
    """Another connection to the same file, as a second process or host would have."""
    with SQLiteStore(store.path) as s:
        yield s


class TestSQLiteContract(StoreContract):
    pass


def test_100k_documents_upserted_twice_give_100k_rows(tmp_path):
    with SQLiteStore(tmp_path / "big.db") as store:
        docs = list(synthetic_documents(100_000, words=20))
        first = store.upsert(docs)
        second = store.upsert(docs)
        assert first.inserted == 100_000
        assert second.unchanged == 100_000
        assert store.count(SearchQuery()) == 100_000
        rows = store._conn.execute("SELECT count(*), count(DISTINCT id) FROM documents").fetchone()
        assert rows == (100_000, 100_000)


CRASHER = textwrap.dedent("""
    import sys
    from mediawatch.store.sqlite import SQLiteStore
    from mediawatch.synthetic import synthetic_documents
    store = SQLiteStore(sys.argv[1])
    docs = list(synthetic_documents(int(sys.argv[2]), words=15))
    for start in range(0, len(docs), 1000):
        store.upsert(docs[start:start + 1000])
        print(start + 1000, flush=True)
""")


def test_killed_mid_batch_loses_nothing_committed_and_reruns_cleanly(tmp_path):
    path = tmp_path / "crash.db"
    script = tmp_path / "crasher.py"
    script.write_text(CRASHER)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.Popen([sys.executable, str(script), str(path), "60000"], stdout=subprocess.PIPE,
                            text=True, env=env)
    committed = 0
    deadline = time.monotonic() + 120
    while committed < 5000 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        committed = int(line)
    proc.send_signal(signal.SIGKILL)  # no chance to clean up: mid-batch or between batches
    proc.wait()
    proc.stdout.close()
    assert committed >= 5000
    with SQLiteStore(path) as store:
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = store.count(SearchQuery())
        assert count >= committed and count % 1000 == 0  # whole batches only
        assert store.count(SearchQuery(text="thuy dien")) <= count
        result = store.upsert(synthetic_documents(60000, words=15))
        assert result.unchanged == count and result.inserted == 60000 - count
        assert store.count(SearchQuery()) == 60000
        store._conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')")
        assert store.count(SearchQuery(text="lao OR yen OR sa OR bat OR mu OR van OR nghia OR ha")) == 60000


def test_search_totals_stop_counting_at_the_cap_but_count_is_exact(tmp_path):
    with SQLiteStore(tmp_path / "cap.db") as store:
        store.upsert(synthetic_documents(10_050, words=5))
        page = store.search(SearchQuery(text="ha OR lao OR yen OR sa OR bat OR mu OR van OR nghia"), size=5)
        assert (page.total, page.total_exact) == (10_000, False)
        assert store.count(SearchQuery()) == 10_050
        small = store.search(SearchQuery(text='"yen bai"'), size=5)
        assert small.total_exact and small.total == store.count(SearchQuery(text='"yen bai"'))


def test_schema_version_is_recorded_and_newer_files_are_refused(tmp_path):
    path = tmp_path / "v.db"
    SQLiteStore(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError, match="newer mediawatch"):
        SQLiteStore(path)


def test_reopening_keeps_data_and_wal_mode(tmp_path):
    path = tmp_path / "r.db"
    with SQLiteStore(path) as store:
        store.upsert(synthetic_documents(10))
    with SQLiteStore(path) as store:
        assert store.count(SearchQuery()) == 10
        assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_version_1_files_move_shared_values_into_rows(tmp_path):
    """Fingerprints and run summaries were whole JSON values in `state`; runs counted each failure
    under its reason and again under its kind. Opening an old file moves them into rows."""
    import json

    from mediawatch.store.sqlite_schema import MIGRATIONS, _split

    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    for statement in _split(MIGRATIONS[0][1]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    run = ("r1", "feed", "2025-07-01T00:00:00Z", "2025-07-01T00:01:00Z", 3, 3, 0, 0)
    conn.execute("INSERT INTO runs(run_id, source_id, started_at, finished_at, fetched, new, updated, unchanged, "
                 "errors, messages) VALUES (?,?,?,?,?,?,?,?,?,'[]')", (*run, json.dumps(
                     {"timeout": 2, "temporary": 2, "http_404": 1, "permanent": 1})))
    conn.execute("INSERT INTO runs(run_id, source_id, started_at, finished_at, fetched, new, updated, unchanged, "
                 "errors, messages) VALUES (?,?,?,?,?,?,?,?,?,'[]')", ("r1", "social", *run[2:], json.dumps(
                     {"permanent": 1})))
    state = {"dedup/simhash": {"v": 1, "entries": [["d1", "00000000000000ff", "2025-07-01T03:00:00+00:00"],
                                                   ["d2", "ffffffffffffffff", "2025-07-02T03:00:00.250000+00:00"]]},
             "runs/r0": {"run_id": "r0", "started_at": "2025-06-30T00:00:00Z", "finished_at": "2025-06-30T00:05:00Z"},
             "runs/r1": {"run_id": "r1", "started_at": "2025-07-01T00:00:00Z", "finished_at": "2025-07-01T00:05:00Z"}}
    state["runs/latest"] = state["runs/r1"]
    for name, value in state.items():
        namespace, key = name.split("/")
        conn.execute("INSERT INTO state VALUES (?,?,?,'2025-07-01T00:00:00Z')", (namespace, key, json.dumps(value)))
    conn.commit()
    conn.close()
    with SQLiteStore(path) as store:
        feed, social = sorted(store.runs(), key=lambda r: r.source_id)
        assert feed.errors == {"timeout": 2, "http_404": 1} and feed.error_kinds == {"temporary": 2, "permanent": 1}
        assert social.errors == {"permanent": 1} and social.error_kinds == {"permanent": 1}
        rows = store.fingerprints()
        assert [(r.doc_id, r.value) for r in rows] == [("d2", 2**64 - 1), ("d1", 255)]
        assert rows[1].seen_at.isoformat() == "2025-07-01T03:00:00+00:00"
        assert [s["run_id"] for s in store.run_summaries()] == ["r1", "r0"]
        assert store.get_state("runs", "latest") is None and store.get_state("dedup", "simhash") is None
