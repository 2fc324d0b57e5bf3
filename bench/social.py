"""Social ingest benchmark: posts/s from a local fake Graph API into SQLite, memory over time.

    .venv/bin/python -m bench.social [--posts 50000] [--comments 2] [--pages 5]

The fake API runs in a child process so the figures below are the ingest process alone. The
ingest path is the real one: Facebook connector (paging, inline comments, pseudonymisation) ->
mediawatch.flows.orchestration.ingest.ingest_source -> SQLite store (no classifiers). RSS is printed every 10,000
documents: it should stay flat while the store grows.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path


def _serve(pages: dict[str, int], comments: int, queue) -> None:
    from tests.social_servers.facebook import FakeGraph

    server = FakeGraph(pages=pages, comments_per_post=comments, photo_every=0).start()
    queue.put(server.base)
    while True:  # the parent terminates us
        time.sleep(3600)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class CountingStore:
    """Forwards to the real store; prints progress every ``every`` documents."""

    def __init__(self, store, every: int, started: float):
        self._store = store
        self.every = every
        self.started = started
        self.documents = 0
        self.posts = 0
        self._next = every

    def upsert(self, documents):
        documents = list(documents)
        self.documents += len(documents)
        self.posts += sum(1 for d in documents if d.extra.get("type") == "post")
        result = self._store.upsert(documents)
        if self.documents >= self._next:
            self._next += self.every
            elapsed = time.perf_counter() - self.started
            print(f"  {self.documents:>7} docs ({self.posts:>6} posts) {elapsed:6.1f} s  "
                  f"{self.posts / elapsed:7.0f} posts/s  {self.documents / elapsed:7.0f} docs/s  "
                  f"RSS {rss_mb():6.1f} MB  peak {peak_mb():6.1f} MB", flush=True)
        return result

    def __getattr__(self, name):
        return getattr(self._store, name)


def _cache_note(store) -> str:
    """The SQLite page cache fills first; RSS should level off once it is full."""
    conn = getattr(store, "_conn", None)
    if conn is None:
        return ""
    size = conn.execute("PRAGMA cache_size").fetchone()[0]
    kib = -size if size < 0 else size * 4
    return f"; the SQLite page cache may add up to {kib / 1024:.0f} MiB before RSS levels off"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--comments", type=int, default=2, help="comments per post")
    parser.add_argument("--pages", type=int, default=5, help="Facebook pages the posts are spread over")
    args = parser.parse_args(argv)

    from mediawatch.flows.orchestration.ingest import ingest_source
    from mediawatch.settings import SourceSettings
    from mediawatch.store import open_store
    from tests.social_servers.facebook import TOKEN
    from tests.social_servers.harness import make_settings

    per_page = args.posts // args.pages
    pages = {f"trang-{n}": per_page for n in range(args.pages)}
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    server = context.Process(target=_serve, args=(pages, args.comments, queue), daemon=True)
    print(f"fake Graph API: {per_page * args.pages} posts on {args.pages} pages, "
          f"{args.comments} comments each (building...)", flush=True)
    server.start()
    try:
        base = queue.get(timeout=600)
        settings = make_settings(facebook_access_token=TOKEN, facebook_api_base=base,
                                 max_pages=per_page // 100 + 2)
        source = SourceSettings(id="bench-fb", name="Bench pages", kind="social", type="facebook",
                                options={"pages": list(pages)})
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.db"
            store = open_store(f"sqlite:///{path}")
            print(f"ingest process RSS at start {rss_mb():.1f} MB{_cache_note(store)}", flush=True)
            started = time.perf_counter()
            counting = CountingStore(store, 10_000, started)
            record = ingest_source(source, settings, counting, "bench").record
            elapsed = time.perf_counter() - started
            size = path.stat().st_size + (Path(str(path) + "-wal").stat().st_size
                                          if Path(str(path) + "-wal").exists() else 0)
            store.close()
        print(f"done: {counting.posts} posts + {counting.documents - counting.posts} comments = "
              f"{counting.documents} documents in {elapsed:.1f} s")
        print(f"  {counting.posts / elapsed:.0f} posts/s, {counting.documents / elapsed:.0f} documents/s; "
              f"new={record.new} errors={record.errors or 'none'}")
        print(f"  peak RSS {peak_mb():.1f} MB; SQLite file {size / 1e6:.1f} MB")
    finally:
        server.terminate()
        server.join(5)


if __name__ == "__main__":
    main()
