"""The review desk's response times over real HTTP, on a SQLite store of realistic size.

    .venv/bin/python -m bench.desk [--docs 20000] [--claims 2000] [--audit 20000] [--trials 20]

Prints: the cost of a password check (argon2id, the production profile), the queue page (newest
first and by score, with each item's story and copies), claim search, a verdict (alone and with a
story's copies), the audit export's rate, and what concurrent edits of one claim do (every save
is either a new version or a refused stale edit; none is lost).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from mediawatch.document import Misinfo, utcnow
from mediawatch.settings import Settings
from mediawatch.store.base import SearchQuery
from mediawatch.store.desk_base import AuditEntry, ClaimRecord, ClaimVersionConflict
from mediawatch.store.sqlite import SQLiteStore
from mediawatch.synthetic import synthetic_documents


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"{statistics.median(ordered) * 1000:8.1f} / {p95 * 1000:8.1f}"


def _timed(fn, trials: int) -> list[float]:
    out = []
    for _ in range(trials):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def seed(store: SQLiteStore, docs: int, claims: int, audit: int) -> None:
    rng = random.Random(7)
    batch = []
    for i, doc in enumerate(synthetic_documents(docs, span_days=30, words=30)):
        if i % 10 == 0:  # one in ten flagged, in stories of ~5 with copies
            doc.misinfo = Misinfo(score=round(rng.uniform(0.6, 0.99), 2), claim=doc.title, flagged=True,
                                  reasons=["kêu gọi chia sẻ gấp"])
            doc.story_id = f"s{i // 50}"
            if i % 30 == 0 and i:
                doc.duplicate_of = batch[-10].id if len(batch) >= 10 else None
        batch.append(doc)
    store.upsert(batch)
    now = utcnow()
    with store._tx() as conn:  # bulk seeding in one transaction; the desk itself saves one by one
        for i in range(claims):
            record = ClaimRecord(f"c{i:05d}", f"Tin đồn số {i}: đập {i % 97} bị vỡ ở xã {i % 13}", "tin giả",
                                 correction="Đã đính chính", topic=f"t{i % 9}")
            store._write_claim(conn, record, None, "seed", now - timedelta(minutes=i))
        for i in range(audit):
            store._append_audit(conn, AuditEntry(now - timedelta(seconds=i), f"user{i % 7}", "review", f"doc:{i}",
                                                 "ghi chú", {"status": "pending"}, {"status": "false"}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--claims", type=int, default=2_000)
    parser.add_argument("--audit", type=int, default=20_000)
    parser.add_argument("--trials", type=int, default=20)
    args = parser.parse_args()

    from argon2 import PasswordHasher

    from mediawatch.app.desk.auth import add_account
    from tests.support.desk import CHEAP, PASSWORD, DeskServer, login, token

    work = Path(tempfile.mkdtemp(prefix="mw-bench-desk-"))
    store = SQLiteStore(work / "mw.db")
    started = time.perf_counter()
    seed(store, args.docs, args.claims, args.audit)
    print(f"Store: {args.docs:,} documents ({args.docs // 10:,} flagged), {args.claims:,} claims, "
          f"{args.audit:,} audit entries (seeded in {time.perf_counter() - started:.1f} s)")

    hasher = PasswordHasher()
    stored = hasher.hash(PASSWORD)
    verify = _timed(lambda: hasher.verify(stored, PASSWORD), 5)
    print(f"\nPassword check, argon2id 64 MiB x 3 passes: {statistics.median(verify) * 1000:.0f} ms median "
          "(paid once per login)")

    add_account(store, "an", "reviewer", PASSWORD, "bench", CHEAP)
    settings = Settings(store={"url": f"sqlite:///{work / 'mw.db'}"})
    print("\nPage or action over HTTP, ms (median / p95)")
    with DeskServer(settings, store) as server:
        an = login(server.url, "an")
        an.get(server.url + "/queue")  # warm caches and imports
        rows = [
            ("queue, newest first (20 items)", lambda: an.get(server.url + "/queue")),
            ("queue, highest score first", lambda: an.get(server.url + "/queue", params={"sort": "score"})),
            ("queue, topic filter", lambda: an.get(server.url + "/queue", params={"topic": "bao"})),
            ("claims, search 'dap 42'", lambda: an.get(server.url + "/claims", params={"q": "dap 42"})),
            ("claims, first page", lambda: an.get(server.url + "/claims")),
            ("audit, first page (100)", lambda: an.get(server.url + "/audit")),
        ]
        for label, fn in rows:
            print(f"  {label:<34} {_ms(_timed(fn, args.trials))}")
        csrf = token(an, server.url)
        pending = [d.id for d in store.search(SearchQuery(flagged_only=True, misinfo_statuses=["pending"],
                                                          include_duplicates=False), size=200).documents]
        an.post(server.url + f"/items/{pending.pop()}/review",  # the first verdict loads the triage package
                data={"csrf": csrf, "verdict": "true", "note": "khởi động"})
        single = _timed(lambda: an.post(server.url + f"/items/{pending.pop()}/review", allow_redirects=False,
                                        data={"csrf": csrf, "verdict": "true", "note": "đúng"}), args.trials)
        print(f"  {'verdict on one item':<34} {_ms(single)}")
        copies: list[int] = []

        def bulk() -> None:
            answer = an.post(server.url + f"/items/{pending.pop()}/review", allow_redirects=False,
                             data={"csrf": csrf, "verdict": "not-a-claim", "note": "trùng", "copies": "1"})
            copies.append(int(answer.headers["location"].rsplit("n=", 1)[1]))
        many = _timed(bulk, min(args.trials, 10))
        print(f"  {'verdict with story copies':<34} {_ms(many)}  ({statistics.mean(copies):.1f} items each)")
        start = time.perf_counter()
        body = an.get(server.url + "/audit/export", params={"format": "csv"}).content
        took = time.perf_counter() - start
        lines = body.count(b"\n") - 1
        print(f"\nAudit export (CSV): {lines:,} entries in {took:.2f} s = {lines / took:,.0f} entries/s, "
              f"{len(body) / 1e6:.1f} MB")

    # Concurrent edits of one claim: every attempt is a new version or a refused stale edit.
    outcomes = {"saved": 0, "refused": 0}
    lock = threading.Lock()

    def editor(n: int) -> None:
        for k in range(25):
            mine = store.claim("c00000")
            mine.correction = f"editor {n} edit {k}"
            try:
                store.save_claim(mine, f"e{n}")
                result = "saved"
            except ClaimVersionConflict:
                result = "refused"
            with lock:
                outcomes[result] += 1

    before = store.claim("c00000").version
    threads = [threading.Thread(target=editor, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    versions = len(store.claim_history("c00000")) - before
    print(f"\nConcurrent edits of one claim, 4 editors x 25: {outcomes['saved']} saved as versions "
          f"(history grew by {versions}), {outcomes['refused']} refused as stale, 0 lost")
    store.close()


if __name__ == "__main__":
    main()
