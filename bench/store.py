"""Store benchmark: upsert docs/s, search p50/p95 ms, facets and histogram ms, bytes per document.

    python -m bench.store                 # 100k and 1M documents (about 10 minutes on 2 cores)
    python -m bench.store --sizes 100000  # quicker
    python -m bench.store --random-times  # documents arriving out of time order (a backfill)
"""

from __future__ import annotations

import argparse
import itertools
import resource
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from mediawatch.store import SearchQuery
from mediawatch.store.sqlite import SQLiteStore
from mediawatch.synthetic import synthetic_documents

T0 = datetime(2025, 7, 1, tzinfo=timezone.utc)
SEARCHES = [
    SearchQuery(text="thuy dien"),
    SearchQuery(text='"sat lo"'),
    SearchQuery(text="lu OR bao", kinds=["press"]),
    SearchQuery(text="cuu ho -bao"),
    SearchQuery(text="benh*", since=T0 + timedelta(days=30)),
    SearchQuery(text="mù cang chải"),
    SearchQuery(topics=["lu_lut"], places=["Yên Bái"]),
    SearchQuery(sentiments=["negative"], since=T0 + timedelta(days=50)),
    SearchQuery(flagged_only=True, misinfo_statuses=["pending"]),
    SearchQuery(),
]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


def _timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def run(size: int, folder: Path, batch: int, words: int, in_order: bool) -> None:
    store = SQLiteStore(folder / f"bench-{size}.db")
    written = 0
    upsert_seconds = 0.0
    chunk: list = []
    for document in synthetic_documents(size, words=words, in_order=in_order):
        chunk.append(document)
        if len(chunk) == batch:
            start = time.perf_counter()
            store.upsert(chunk)
            upsert_seconds += time.perf_counter() - start
            written += len(chunk)
            chunk = []
    if chunk:
        start = time.perf_counter()
        store.upsert(chunk)
        upsert_seconds += time.perf_counter() - start
        written += len(chunk)
    store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # The same documents again (the first 50,000 of the same sequence): a crawler re-fetching.
    again = list(itertools.islice(synthetic_documents(size, words=words, in_order=in_order), 50_000))
    start = time.perf_counter()
    store.upsert(again)
    unchanged_rate = len(again) / (time.perf_counter() - start)

    search_ms: list[float] = []
    for query in SEARCHES:
        store.search(query, size=20)  # warm the cache once, as a dashboard in use would be
        search_ms += _timed(lambda q=query: store.search(q, size=20), 10)
    p50, p95 = _percentiles(search_ms)
    facet_p50, facet_p95 = _percentiles(_timed(
        lambda: store.facets(SearchQuery(since=T0 + timedelta(days=53)), ["topics", "places", "source_id", "sentiment"]),
        10))
    hist_p50, hist_p95 = _percentiles(_timed(lambda: store.histogram(SearchQuery(since=T0 + timedelta(days=46)), interval="hour"), 10))
    size_bytes = store.file_size()
    store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"documents={size:,} words/doc={words} arrival={'in time order' if in_order else 'random times'}")
    print(f"  upsert (new, batches of {batch}): {written / upsert_seconds:,.0f} docs/s")
    print(f"  upsert (unchanged re-ingest):    {unchanged_rate:,.0f} docs/s")
    print(f"  search incl. total count: p50 {p50:.1f} ms  p95 {p95:.1f} ms  ({len(search_ms)} queries)")
    print(f"  facets, last 7 days (4):  p50 {facet_p50:.1f} ms  p95 {facet_p95:.1f} ms")
    print(f"  hour histogram, 14 days:  p50 {hist_p50:.1f} ms  p95 {hist_p95:.1f} ms")
    print(f"  file size: {size_bytes / size:,.0f} bytes/document ({size_bytes / 2**20:,.0f} MiB)")
    print(f"  peak RSS so far: {peak_mb:,.0f} MiB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--words", type=int, default=60, help="Words of body text per document.")
    parser.add_argument("--dir", type=Path, default=None, help="Where to put the database files.")
    parser.add_argument("--random-times", action="store_true",
                        help="Times spread at random (a backfill) instead of arriving in order (a live crawl).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            run(size, Path(folder), args.batch, args.words, not args.random_times)


if __name__ == "__main__":
    main()
