"""Crawl benchmark: a local news site with 2,000 articles, fetched through the real feed path.

    .venv/bin/python -m bench.crawl [--articles 2000] [--workers 2]

Prints: end-to-end articles/s (feeds -> fetch -> extract -> dedupe -> SQLite via open_store),
extraction pages/s (one process and --workers processes), peak RSS and RSS as the crawl grows
(flat memory means the growth between the first and last quarter stays small). The site is served
by a separate process (tests.site.server) so the crawler gets its own core, as a remote site would.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _extract_chunk(paths: list[str]) -> int:
    from mediawatch.crawlers.extract import extract_article

    for path in paths:
        extract_article(Path(path).read_bytes(), "http://bench.test/" + Path(path).name)
    return len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from mediawatch.flows.orchestration.ingest import run_ingest
    from mediawatch.settings import Settings, SourceSettings
    from mediawatch.store import SearchQuery, open_store
    from tests.site.build import build_site

    work = Path(tempfile.mkdtemp(prefix="mediawatch-bench-"))
    root = work / "site"
    root.mkdir()
    server = subprocess.Popen([sys.executable, "-c", "from tests.site.server import main; main()", str(root)], stdout=subprocess.PIPE,
                              text=True, cwd=Path(__file__).resolve().parents[1])
    try:
        base = server.stdout.readline().strip()
        started = time.perf_counter()
        build_site(root, base, generated=args.articles)
        feeds = sorted((root / "bench" / "rss").glob("*.rss"))
        print(f"site: {args.articles} articles in {len(feeds)} feeds written in {time.perf_counter() - started:.1f}s")

        settings = Settings(crawl={"allow_private_hosts": ["127.0.0.1"], "per_host_delay_s": 0.0},
                            sources=[SourceSettings(id=f"bench-{f.stem}", url=f"{base}/bench/rss/{f.name}")
                                     for f in feeds])
        rss_trace: list[tuple[int, float]] = []
        done = [0]

        def on_done(record) -> None:
            done[0] += record.new
            rss_trace.append((done[0], _rss_mb(), sys.getallocatedblocks()))

        with open_store(f"sqlite:///{work / 'bench.db'}") as store:
            rss_start = _rss_mb()
            started, cpu_started = time.perf_counter(), time.process_time()
            summary = run_ingest(settings, store, enrich=None, on_source_done=on_done)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            stored = store.count(SearchQuery())
            errors = sum(sum(r.errors.values()) for r in summary.records)
            started = time.perf_counter()
            again = run_ingest(settings, store, enrich=None)
            rerun = time.perf_counter() - started
        print(f"end to end: {stored} articles stored in {elapsed:.1f}s = {stored / elapsed:.0f} articles/s "
              f"(fetch + extract + dedupe + SQLite; errors: {errors})")
        print(f"  crawler CPU {cpu:.1f}s = {cpu / stored * 1000:.1f} ms/article -> {stored / cpu:.0f} articles per "
              f"CPU-second (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        print(f"re-run (all feeds 304): {rerun:.2f}s, unchanged={again.totals.unchanged}, new={again.totals.inserted}")
        quarter = max(1, len(rss_trace) // 4)
        marks = [rss_trace[i] for i in (quarter - 1, 2 * quarter - 1, 3 * quarter - 1, len(rss_trace) - 1)]
        print("RSS while crawling (articles done: MB): start {:.0f}; ".format(rss_start)
              + "; ".join(f"{n}: {mb:.0f}" for n, mb, _ in marks)
              + f"; growth first->last quarter {marks[-1][1] - marks[0][1]:+.0f} MB "
              f"(includes SQLite's page cache, up to 64 MB by the store's cache_size)")
        print("Python heap blocks (articles done: blocks): " + "; ".join(f"{n}: {b}" for n, _, b in marks)
              + f"; growth first->last quarter {marks[-1][2] - marks[0][2]:+d}")

        pages = sorted(str(p) for p in (root / "bench").glob("*.html"))
        started, cpu_started = time.perf_counter(), time.process_time()
        _extract_chunk(pages)
        one, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        print(f"extraction, 1 process: {len(pages)} pages in {one:.1f}s = {len(pages) / one:.0f} pages/s; "
              f"CPU {cpu / len(pages) * 1000:.1f} ms/page = {len(pages) / cpu:.0f} pages per CPU-second "
              f"(load average {os.getloadavg()[0]:.1f})")
        chunks = [pages[i::args.workers * 4] for i in range(args.workers * 4)]
        started = time.perf_counter()
        with ProcessPoolExecutor(args.workers) as pool:
            total = sum(pool.map(_extract_chunk, chunks))
        many = time.perf_counter() - started
        print(f"extraction, {args.workers} processes: {total} pages in {many:.1f}s = {total / many:.0f} pages/s")
        print(f"peak RSS of the crawler process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
