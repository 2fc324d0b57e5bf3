"""Alert latency and ingest throughput, with and without Prefect.

    .venv/bin/python -m bench.alerts [--docs 6000] [--trials 15]

1. Latency: a document is indexed (store.upsert), then the post-ingest step runs (rule evaluation,
   payload, outbox, signed POST) and a real HTTP receiver on 127.0.0.1 records when the alert
   arrives. Target: under 5 s. The store holds a realistic background of documents.
2. Throughput: the same synthetic export (file collector, 4 sources) ingested by the plain
   ``run_ingest`` and by the Prefect flow (thread runner, then Dask LocalCluster), fresh store each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WORK = Path(tempfile.mkdtemp(prefix="mw-bench-alerts-"))
# Prefect reads its settings at import: a private home, no telemetry, before anything imports it.
os.environ.setdefault("PREFECT_HOME", str(WORK / "prefect"))
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")  # the in-process cluster logs every step at INFO
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

from mediawatch.document import Document, Source, doc_id_for_url  # noqa: E402
from mediawatch.settings import Settings  # noqa: E402
from mediawatch.store.sqlite import SQLiteStore  # noqa: E402

MAPPING = {"id": "id", "text": "text", "title": "title", "url": "url", "published_at": "published_at"}


class Receiver:
    def __init__(self):
        self.arrivals: dict[str, float] = {}
        self.event = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.arrivals[body["subject"].get("topic", "")] = time.perf_counter()
                outer.event.set()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def background(n: int) -> list[Document]:
    now = datetime.now(timezone.utc)
    docs = []
    for i in range(n):
        url = f"https://baolaocai.vn/bg/{i}"
        docs.append(Document(id=doc_id_for_url(url), url=url, source=Source(id=f"s{i % 20}", kind="press"),
                             title=f"Tin tức địa phương số {i}", text="Nội dung bài viết về Lào Cai. " * 20,
                             published_at=now - timedelta(minutes=i * 7 % (14 * 24 * 60)), topics=["kinh-te"],
                             places=["Lào Cai"]))
    return docs


def latency(args) -> list[float]:
    from mediawatch.flows.orchestration.ingest import IngestSummary, evaluate_and_deliver

    receiver = Receiver()
    topics = [{"name": f"khan-{i}", "query": "vỡ đập", "urgent": True} for i in range(args.trials)]
    settings = Settings(data_dir=str(WORK / "lat"), topics=topics,
                        alerts={"rules": [{"name": "urgent", "type": "keyword", "cooldown_minutes": 0}]},
                        webhooks=[{"name": "ops", "url": receiver.url, "secret": "bench-secret"}])
    store = SQLiteStore(WORK / "lat.db")
    store.upsert(background(args.docs))
    out = []
    for i in range(args.trials):
        url = f"https://baolaocai.vn/urgent/{i}"
        doc = Document(id=doc_id_for_url(url), url=url, source=Source(id="baolaocai", kind="press"),
                       title=f"Nguy cơ vỡ đập ở Văn Yên ({i})", text="Mưa lớn, hồ chứa vượt mức báo động.",
                       published_at=datetime.now(timezone.utc), topics=[f"khan-{i}"], places=["Lào Cai"])
        receiver.event.clear()
        t0 = time.perf_counter()
        store.upsert([doc])
        evaluate_and_deliver(settings, store, IngestSummary(run_id=f"bench{i}"))
        receiver.event.wait(10)
        out.append(receiver.arrivals[f"khan-{i}"] - t0)
    store.close()
    receiver.server.shutdown()
    return out


def export(n_sources: int, per_source: int) -> list[dict]:
    now = datetime.now(timezone.utc)
    sources = []
    for s in range(n_sources):
        path = WORK / f"export-{s}.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for i in range(per_source):
                fh.write(json.dumps({"id": f"{s}-{i}", "title": f"Bài đăng {s}-{i} về Sa Pa",
                                     "text": "Du khách đến Sa Pa, Lào Cai ngày càng đông. " * 8,
                                     "url": f"https://www.facebook.com/page{s}/posts/{i}",
                                     "published_at": (now - timedelta(minutes=i)).isoformat()},
                                    ensure_ascii=False) + "\n")
        sources.append({"id": f"page{s}", "kind": "social", "type": "file",
                        "options": {"path": str(path), "platform": f"p{s}", "mapping": MAPPING}})
    return sources


def throughput(args) -> dict[str, tuple[float, int]]:
    from mediawatch.flows.orchestration.ingest import run_ingest
    from mediawatch.flows.orchestration.prefect_flows import run_ingest_flow

    sources = export(4, args.docs // 4)
    results = {}

    def settings_for(name, **extra):
        return Settings(data_dir=str(WORK / name), store={"url": f"sqlite:///{WORK / name}.db"},
                        privacy={"pseudonymisation_key": "b" * 32}, sources=sources, **extra)

    s = settings_for("plain")
    with SQLiteStore(WORK / "plain.db") as store:
        t0 = time.perf_counter()
        summary = run_ingest(s, store, alerts=False)
        results["plain run_ingest"] = (time.perf_counter() - t0, summary.totals.inserted)
    for label, name, extra in (("prefect threads (first run, API start)", "pf1", {}),
                               ("prefect threads (warm)", "pf2", {}),
                               ("prefect dask LocalCluster", "pf3", {"flows": {"task_runner": "dask"}})):
        s = settings_for(name, **extra)
        t0 = time.perf_counter()
        summary = run_ingest_flow(s, enrich=False, alerts=False)
        results[label] = (time.perf_counter() - t0, summary.totals.inserted)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=6000)
    parser.add_argument("--trials", type=int, default=15)
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.ERROR)
    for noisy in ("distributed", "prefect"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    lat = latency(args)
    lat_sorted = sorted(lat)
    print(f"alert latency, indexed -> delivered (store of {args.docs} docs, {args.trials} trials): "
          f"median {statistics.median(lat) * 1000:.0f} ms, p95 {lat_sorted[int(0.95 * (len(lat) - 1))] * 1000:.0f} ms, "
          f"max {max(lat) * 1000:.0f} ms (target < 5000 ms)")
    for label, (seconds, docs) in throughput(args).items():
        print(f"ingest {label:<40} {docs:>6} docs in {seconds:6.2f} s = {docs / seconds:8.0f} docs/s")
    print(f"(work files in {WORK}; Python {sys.version.split()[0]}, {os.cpu_count()} CPU)")


if __name__ == "__main__":
    main()
