"""Issue 12 "Crash and data loss": each case broke on the old main; each test holds the fix.

The kills themselves (SIGKILL at every commit point) are in tests/test_faults.py; these tests
play the same failures in-process where that shows the bug more directly.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone

import pytest

from mediawatch.crawlers.dedup import FingerprintIndex
from mediawatch.document import doc_id_for_post
from mediawatch.flows.orchestration.ingest import run_ingest
from mediawatch.settings import Settings, SourceSettings
from mediawatch.store import SearchQuery
from mediawatch.store.sqlite import SQLiteStore

KEY = "k" * 32
MAPPING = {"id": "id", "text": "text", "published_at": "published_at", "likes": "likes"}
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def rows(n: int, start: int = 0) -> list[dict]:
    return [{"id": f"p{i}", "text": f"Bài đăng số {i} về mưa lớn ở Lào Cai",
             "published_at": (NOW - timedelta(minutes=i)).isoformat(), "likes": i} for i in range(start, start + n)]


def write_jsonl(path, items) -> str:
    with open(path, "w", encoding="utf-8") as handle:
        for item in items:
            handle.write((item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)) + "\n")
    return str(path)


def settings_for(tmp_path, path, mapping=MAPPING, **options) -> Settings:
    return Settings(data_dir=str(tmp_path / "data"), privacy={"pseudonymisation_key": KEY},
                    sources=[SourceSettings(id="export", kind="social", type="file",
                                            options={"path": str(path), "platform": "facebook",
                                                     "mapping": mapping, **options})])


def stored_ids(store) -> set[str]:
    return {d.id for d in store.iter_documents(SearchQuery())}


def ids_for(items) -> set[str]:
    return {doc_id_for_post("facebook", r["id"]) for r in items}


class FailingStore:
    """The store as a process that dies before its next write sees it: the write never happens."""

    def __init__(self, store, fail_on_upsert: int):
        self.store, self.fail_on, self.upserts = store, fail_on_upsert, 0

    def __getattr__(self, name):
        return getattr(self.store, name)

    def upsert(self, documents):
        self.upserts += 1
        if self.upserts == self.fail_on:
            raise RuntimeError("power cut")
        return self.store.upsert(documents)


# --- cursors never run ahead of the rows they cover ---------------------------------------------------
def test_a_failure_at_the_last_batch_loses_nothing_even_when_an_id_repeats(tmp_path):
    """The old cursor was saved when the file was read to the end, before its last batch was
    written; it was trusted if the last row's document existed, and with an id seen earlier it did."""
    items = rows(700)
    items.append(dict(items[0], text="Bài đăng số 0, sửa lại"))  # the last row repeats the first id
    path = write_jsonl(tmp_path / "export.jsonl", items)
    settings = settings_for(tmp_path, path)
    with SQLiteStore(tmp_path / "mw.db") as store:
        first = run_ingest(settings, FailingStore(store, fail_on_upsert=2), alerts=False)
        assert first.failed_sources == ["export"] and first.records[0].aborted
        assert len(stored_ids(store)) == 500  # the first batch only
        again = run_ingest(settings, store, alerts=False)
        assert again.failed_sources == []
        assert stored_ids(store) == ids_for(items)
        assert store.get(doc_id_for_post("facebook", "p0")).text == "Bài đăng số 0, sửa lại"


def test_a_feed_validator_is_saved_only_after_its_articles(tmp_path):
    """With the ETag saved before the last articles were written, the next run got 304 and the
    articles that never reached the store were never fetched again."""
    from tests.support.httpserver import StaticSite
    from tests.test_cli_core import ARTICLES, _article, _rss

    with StaticSite() as site:
        site.routes["/rss.xml"] = (200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, _rss(site.url))
        site.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
        for n, title in ARTICLES.items():
            site.routes[f"/tin/{n}.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, _article(title))
        settings = Settings(crawl={"allow_private_hosts": ["127.0.0.1"], "per_host_delay_s": 0},
                            sources=[SourceSettings(id="bao", url=f"{site.url}/rss.xml")])
        with SQLiteStore(tmp_path / "mw.db") as store:
            assert run_ingest(settings, FailingStore(store, fail_on_upsert=1), alerts=False).failed_sources == ["bao"]
            assert store.get_state("source:bao", "feed") is None  # the validator did not move
            assert run_ingest(settings, store, alerts=False).records[0].new == 3
            assert store.get_state("source:bao", "feed") == {"etag": '"v1"'}
            third = run_ingest(settings, store, alerts=False).records[0]
            assert (third.new, third.unchanged, third.fetched) == (0, 1, 0)  # 304: one unchanged feed


def test_a_collector_that_crashes_part_way_keeps_what_it_collected_and_fails_the_run(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from mediawatch.app.cli import app
    from mediawatch.crawlers import registry

    monkeypatch.setitem(registry.CONNECTORS, "file", ("social.fileimport", "collect_then_crash"))
    from mediawatch.crawlers.social import fileimport

    def collect_then_crash(source, ctx):
        for n, doc in enumerate(fileimport.collect_file(source, ctx)):
            if n == 3:
                raise RuntimeError("parser bug")
            yield doc

    monkeypatch.setattr(fileimport, "collect_then_crash", collect_then_crash, raising=False)
    path = write_jsonl(tmp_path / "export.jsonl", rows(10))
    config = tmp_path / "mediawatch.toml"
    config.write_text(f'data_dir = "data"\n[store]\nurl = "sqlite:///{tmp_path}/mw.db"\n[privacy]\n'
                      f'pseudonymisation_key = "{KEY}"\n[[sources]]\nid = "export"\nkind = "social"\n'
                      f'type = "file"\noptions = {{ path = "{path}", mapping = {{ id = "id", text = "text" }} }}\n',
                      encoding="utf-8")
    result = CliRunner().invoke(app, ["-c", str(config), "run", "--no-classify"])
    assert result.exit_code == 1, result.output  # the old main said 0: something was fetched
    assert "export: lấy 4, mới 3," in result.output and "dừng giữa chừng" in result.output
    with SQLiteStore(tmp_path / "mw.db") as store:
        assert store.count(SearchQuery()) == 3
        (record,) = store.runs()
        assert record.aborted and record.errors == {"crash": 1} and record.error_kinds == {"permanent": 1}
        assert store.get_state("source:export", "file") is None  # the cursor did not move past the crash


# --- one bad value never sinks a file ------------------------------------------------------------------
@pytest.mark.parametrize("field,value,reason", [
    ("published_at", 1e20, "unreadable date"), ("published_at", -1e15, "unreadable date"),
    ("published_at", math.nan, "unreadable date"), ("published_at", math.inf, "unreadable date"),
    ("published_at", "9999-12-31T23:59:59Z", "outside 1900-2200"),
    ("likes", 2**63 + 5, "count out of range"), ("likes", math.inf, "not a finite number")])
def test_one_bad_value_skips_its_row_with_file_line_and_reason(tmp_path, field, value, reason):
    items = rows(399)
    items[200][field] = value
    path = write_jsonl(tmp_path / "export.jsonl", items)  # json writes NaN/Infinity, as some exporters do
    settings = settings_for(tmp_path, path)
    with SQLiteStore(tmp_path / "mw.db") as store:
        (record,) = run_ingest(settings, store, alerts=False).records
        assert record.new == 398 and record.errors == {"bad_row": 1} and not record.failed
        assert record.messages[0].startswith("[export] export.jsonl line 201: ") and reason in record.messages[0]
        assert stored_ids(store) == ids_for(items[:200] + items[201:])
        assert run_ingest(settings, store, alerts=False).records[0].new == 0  # and stays so on reruns


def test_a_document_the_store_refuses_is_skipped_alone(tmp_path):
    """A value that passes the connector but not the store (here: a count beyond SQLite's 64 bits
    from a connector without checks) used to fail its whole batch."""
    from mediawatch.document import Document, Engagement, Source

    def huge(batch):
        batch[7].engagement = Engagement(likes=2**64)
        return batch

    path = write_jsonl(tmp_path / "export.jsonl", rows(20))
    with SQLiteStore(tmp_path / "mw.db") as store:
        (record,) = run_ingest(settings_for(tmp_path, path), store, enrich=huge, alerts=False).records
        assert record.new == 19 and record.errors == {"unstorable": 1} and "cannot be stored" in record.messages[0]
    assert Document and Source  # the document model itself accepts the value; only the store refuses it


# --- the cursor follows the mapping, not only the file ------------------------------------------------
def test_fixing_a_wrong_mapping_imports_the_rows_it_rejected(tmp_path):
    items = rows(30)
    path = write_jsonl(tmp_path / "export.jsonl", items)
    wrong = {"id": "id", "text": "body"}
    with SQLiteStore(tmp_path / "mw.db") as store:
        (record,) = run_ingest(settings_for(tmp_path, path, wrong), store, alerts=False).records
        assert record.new == 0 and record.errors == {"bad_row": 30}
        assert run_ingest(settings_for(tmp_path, path), store, alerts=False).records[0].new == 30
        assert run_ingest(settings_for(tmp_path, path), store, alerts=False).records[0].new == 0


def test_a_semicolon_csv_is_read_and_a_wrong_delimiter_fixed_later_imports_everything(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("id;text;published_at\n" + "".join(
        f"c{i};Bình luận {i}, có dấu phẩy;{(NOW - timedelta(hours=i)).isoformat()}\n" for i in range(12)),
        encoding="utf-8")
    mapping = {"id": "id", "text": "text", "published_at": "published_at"}
    with SQLiteStore(tmp_path / "sniffed.db") as store:
        assert run_ingest(settings_for(tmp_path, path, mapping), store, alerts=False).records[0].new == 12
    with SQLiteStore(tmp_path / "mw.db") as store:
        (bad,) = run_ingest(settings_for(tmp_path, path, mapping, delimiter=","), store, alerts=False).records
        assert bad.new == 0 and bad.errors == {"config": 1}
        assert "'id', 'text'" in bad.messages[0] and "options.delimiter" in bad.messages[0]
        fixed = run_ingest(settings_for(tmp_path, path, mapping, delimiter=";"), store, alerts=False).records[0]
        assert fixed.new == 12 and not fixed.errors


# --- per-row homes: two hosts at once lose nothing ----------------------------------------------------
def test_two_hosts_saving_fingerprints_at_once_keep_both(tmp_path):
    with SQLiteStore(tmp_path / "mw.db") as one, SQLiteStore(tmp_path / "mw.db") as two:
        a, b = FingerprintIndex.load(one), FingerprintIndex.load(two)  # both start from the same state
        a.add("doc-a", 0x1234)
        b.add("doc-b", 0xFEDC << 40)
        a.save(one)
        b.save(two)  # the old index was one JSON value: this save overwrote the first
        assert {r.doc_id for r in FingerprintIndex.load(one).entries and one.fingerprints()} == {"doc-a", "doc-b"}
        assert FingerprintIndex.load(two).find(0x1235) == "doc-a"


def test_run_summaries_of_parallel_runs_are_all_kept(tmp_path):
    path = write_jsonl(tmp_path / "export.jsonl", rows(5))
    settings = settings_for(tmp_path, path)
    with SQLiteStore(tmp_path / "mw.db") as one, SQLiteStore(tmp_path / "mw.db") as two:
        first = run_ingest(settings, one, alerts=False)
        second = run_ingest(settings, two, alerts=False)
        assert {s["run_id"] for s in one.run_summaries()} == {second.run_id, first.run_id}
