"""SQLite versus Elasticsearch (osmem) side by side: bulk indexing and the dashboard's queries.

    python -m bench.store_compare                 # 100k documents
    python -m bench.store_compare --docs 20000    # quicker

osmem is an in-memory OpenSearch-compatible engine: its figures show the client path (bulk
batching, query building, paging) and relative costs, not what a real cluster on real disks does.
Indexing into Elasticsearch runs with refresh off and one refresh at the end, as a bulk load
should; SQLite commits every batch.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from mediawatch.store import SearchQuery, Store
from mediawatch.store.sqlite import SQLiteStore
from mediawatch.synthetic import synthetic_documents

T0 = datetime(2025, 7, 1, tzinfo=timezone.utc)
SPAN_DAYS = 60
PERIOD = SearchQuery(since=T0 + timedelta(days=SPAN_DAYS - 30), until=T0 + timedelta(days=SPAN_DAYS))

# The dashboard's panels as store calls (the same for both backends).
PANEL_QUERIES: list[tuple[str, Callable[[Store], object]]] = [
    ("total (count)", lambda s: s.count(PERIOD)),
    ("volume/day by sentiment", lambda s: [s.histogram(SearchQuery(since=PERIOD.since, until=PERIOD.until,
                                                                   sentiments=[x]))
                                            for x in ("negative", "neutral", "positive")]),
    ("press vs social", lambda s: [s.histogram(SearchQuery(since=PERIOD.since, until=PERIOD.until, kinds=[k]))
                                   for k in ("press", "social")]),
    ("top sources", lambda s: s.facets(PERIOD, ["source_id"], size=10)),
    ("topics + previous", lambda s: (s.facets(PERIOD, ["topics"], size=15),
                                     s.facets(SearchQuery(since=PERIOD.since - timedelta(days=30),
                                                          until=PERIOD.since), ["topics"], size=15))),
    ("places", lambda s: s.facets(PERIOD, ["places"], size=15)),
    ("top stories", lambda s: s.facets(PERIOD, ["story_id"], size=10)),
    ("review queue page", lambda s: s.search(SearchQuery(flagged_only=True, misinfo_statuses=["pending"]),
                                             size=50)),
    ("search 'thuy dien' page", lambda s: s.search(SearchQuery(text="thuy dien", since=PERIOD.since), size=20)),
    ("search 'lu OR bao -cuu' page", lambda s: s.search(SearchQuery(text="lu OR bao -cuu"), size=20)),
    ("filtered: topic+place", lambda s: s.search(SearchQuery(topics=["lu_lut"], places=["Yên Bái"]), size=20)),
]


def _timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    fn()  # warm caches, as a dashboard reload would
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _load(store: Store, docs: list, batch: int) -> float:
    start = time.perf_counter()
    for i in range(0, len(docs), batch):
        store.upsert(docs[i:i + batch])
    return time.perf_counter() - start


def _dashboard_sql(db_path: Path, repeat: int) -> list[tuple[str, float, float]]:
    """The embedded dashboard's own SQL (what Datasette runs) on the SQLite file."""
    from datasette_dashboards import replace_opts_in_query

    from mediawatch.dashboards.datasette_config import ViewOptions, metadata
    from mediawatch.dashboards.datasette_plugins.mediawatch_sql import prepare_connection

    start = (PERIOD.since + timedelta(hours=7)).date()
    options = ViewOptions(db=db_path.stem, date_start=start, date_end=start + timedelta(days=30))
    params = {"date_start": options.date_start.isoformat(), "date_end": options.date_end.isoformat()}
    charts = metadata(options)["plugins"]["datasette-dashboards"]["mediawatch"]["charts"]
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    prepare_connection(conn)
    out = []
    for chart_id, chart in charts.items():
        sql = replace_opts_in_query(chart["query"], params)
        bind = {k: params.get(k, "") for k in ("date_start", "date_end", "topic", "place", "kind", "q")
                if f":{k}" in sql}
        p50, p95 = _timed(lambda: conn.execute(sql, bind).fetchall(), repeat)
        out.append((chart_id, p50, p95))
    conn.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--sqlite-only", action="store_true", help="Skip osmem (its bulk load is the slow part).")
    args = parser.parse_args()

    from osmem_server import OsmemServer

    from mediawatch.store.elastic import ElasticStore

    print(f"generating {args.docs:,} synthetic documents ...", flush=True)
    docs = list(synthetic_documents(args.docs, span_days=SPAN_DAYS, words=40))
    with tempfile.TemporaryDirectory(prefix="mw-bench-") as tmp:
        db_path = Path(tmp) / "bench.db"
        sqlite_store = SQLiteStore(db_path)
        sqlite_s = _load(sqlite_store, docs, args.batch)
        print(f"SQLite: indexed in {sqlite_s:.1f} s", flush=True)
        es_s = None
        rows = []
        if args.sqlite_only:
            rows = [(name, _timed(lambda: query(sqlite_store), args.repeat), None) for name, query in PANEL_QUERIES]
        else:
            server = OsmemServer.start(japanese=False)
            try:
                es_store = ElasticStore(server.url, spool_path=Path(tmp) / "spool", refresh=False,
                                        chunk_size=args.batch, request_timeout=120)
                es_s = _load(es_store, docs, args.batch)
                es_store.refresh_indices()
                print(f"Elasticsearch (osmem): indexed in {es_s:.1f} s", flush=True)
                assert es_store.count(SearchQuery()) == sqlite_store.count(SearchQuery()) == args.docs
                for name, query in PANEL_QUERIES:
                    a = _timed(lambda: query(sqlite_store), args.repeat)
                    b = _timed(lambda: query(es_store), args.repeat)
                    rows.append((name, a, b))
                es_store.close()
            finally:
                server.close()
                if server.process.stdout is not None:
                    server.process.stdout.close()
        sqlite_store.close()
        sql_rows = _dashboard_sql(db_path, args.repeat)

    print()
    print(f"Bulk indexing, {args.docs:,} documents, batches of {args.batch}")
    print(f"  {'backend':<26}{'seconds':>10}{'docs/s':>12}")
    print(f"  {'SQLite (WAL, FTS5)':<26}{sqlite_s:>10.1f}{args.docs / sqlite_s:>12,.0f}")
    if es_s is not None:
        print(f"  {'Elasticsearch (osmem)':<26}{es_s:>10.1f}{args.docs / es_s:>12,.0f}")
    print()
    print(f"Dashboard queries through the store API, ms (median / p95 of {args.repeat})")
    print(f"  {'panel':<30}{'SQLite':>16}{'Elasticsearch':>18}")
    for name, (a50, a95), es in rows:
        right = f"{es[0]:>10.1f} / {es[1]:<6.1f}" if es else f"{'-':>10}"
        print(f"  {name:<30}{a50:>8.1f} / {a95:<6.1f}{right}")
    print()
    print("Embedded dashboard SQL (what Datasette runs per chart), SQLite, ms (median / p95)")
    for chart_id, p50, p95 in sql_rows:
        print(f"  {chart_id:<30}{p50:>8.1f} / {p95:<6.1f}")


if __name__ == "__main__":
    main()
