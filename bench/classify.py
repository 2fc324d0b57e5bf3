"""Throughput of the whole enrichment (Enricher.enrich) on short posts, per core, and peak memory.

    .venv/bin/python -m bench.classify [--n 6000] [--batch 500] [--datasets DIR]

Input: short real social posts from ReINTEL (text + engagement + time), cut to 280 characters,
in ingest-sized batches. Prints documents per second on one core (BLAS threads pinned to 1) for
the whole pipeline and for each stage alone, and the process's peak resident memory with every
model loaded. The target is 3,000 documents/s per core.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402 - the thread pinning must come before numpy is imported
import resource  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timezone  # noqa: E402


def _documents(root, n: int):
    from mediawatch.classifiers.misinfo.model import read_reintel
    from mediawatch.document import Document, Engagement, Source

    posts, _, ids = read_reintel(root)
    docs = []
    for i in range(n):
        p, pid = posts[i % len(posts)], ids[i % len(ids)]
        when = datetime.fromtimestamp(p.timestamp, tz=timezone.utc) if p.timestamp else None
        docs.append(Document(id=f"{pid}-{i}", url="", source=Source(id="bench", kind="social"),
                             text=p.text[:280], published_at=when,
                             engagement=Engagement(likes=int(p.likes or 0), comments=int(p.comments or 0),
                                                   shares=int(p.shares or 0))))
    return docs


def _rate(fn, docs, batch: int) -> tuple[float, float]:
    """Documents per second of wall time and of this process's CPU time (one thread, so the CPU
    figure is what an idle core would give even on a shared, loaded machine)."""
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(docs), batch):
        fn(docs[i:i + batch])
    return len(docs) / (time.perf_counter() - started), len(docs) / max(1e-9, time.process_time() - cpu)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=6000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--datasets", default="../shared/datasets")
    args = parser.parse_args(argv)

    from mediawatch.classifiers.pipeline import Enricher
    from mediawatch.classifiers.topics import TokenIndex
    from mediawatch.settings import Settings

    from importlib import resources

    from mediawatch.settings import ClassifierSettings

    # The demo's example register, so claim matching is measured as an office with a register runs it.
    example = resources.files("mediawatch.classifiers.misinfo").joinpath("example_claims.yaml")
    settings = Settings(classifiers=ClassifierSettings(claims_register=str(example)))
    started = time.perf_counter()
    enricher = Enricher.from_settings(settings)
    load_s = time.perf_counter() - started
    docs = _documents(args.datasets, args.n)
    texts = [d.text for d in docs]
    enricher.enrich(docs[:200])  # warm caches

    stages = {
        "places": lambda b: [enricher.places.classify(d.title, d.text) for d in b],
        "topics": lambda b: [enricher.topics.match(d.title, d.text, index=TokenIndex(d.text)) for d in b],
        "sentiment": lambda b: enricher.sentiment.predict([d.text for d in b]),
        "misinfo": lambda b: enricher.misinfo.score_documents(b),
        "stories": lambda b: type(enricher.stories)().assign_batch(b),
    }
    total = _rate(enricher.enrich, _documents(args.datasets, args.n), args.batch)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"documents: {len(docs)} short posts (mean {sum(map(len, texts)) / len(texts):.0f} characters), "
          f"batch {args.batch}, 1 thread")
    print(f"models loaded in {load_s:.1f} s")
    print(f"whole enrichment: {total[0]:,.0f} documents/s per core, {total[1]:,.0f}/s of CPU time (target 3,000)")
    for name, fn in stages.items():
        wall, cpu = _rate(fn, docs, args.batch)
        print(f"  {name:<10} {wall:>10,.0f} documents/s  {cpu:>10,.0f}/s of CPU time")
    print(f"peak memory (RSS): {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
