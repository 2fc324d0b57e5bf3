"""Throughput of the text-handling and sentiment part of enrichment on short posts, per core.

    .venv/bin/python -m bench.classify_sentiment [--n 5000] [--batch 1000] [--datasets DIR]

Prints documents per CPU-second (the per-core figure; BLAS threads pinned to 1) and per wall-clock
second for normalize, detect_language,
and SentimentModel.predict (which itself normalises and detects the language), plus the peak
resident memory of the process with the model loaded. Input: short real posts and reviews from
UIT-VSFC and AIVIVN 2019 (the datasets folder), mixed 50/50.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402 - the thread pinning must come before numpy is imported
import resource  # noqa: E402
import time  # noqa: E402


def _posts(root, n: int) -> list[str]:
    from mediawatch.classifiers import datasets as ds

    uit, aivivn = ds.uit_vsfc(root, "train").texts, ds.aivivn2019(root).texts
    mixed = [t for pair in zip(uit, aivivn) for t in pair]
    short = [t for t in mixed if len(t) <= 280]
    return (short * (n // max(len(short), 1) + 1))[:n]


def _rate(fn, texts: list[str], batch: int) -> tuple[float, float]:
    """(docs per CPU-second of this process, docs per wall-clock second).

    CPU time is the per-core figure: it does not drop when other processes share the machine.
    """
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(0, len(texts), batch):
        fn(texts[i:i + batch])
    return len(texts) / (time.process_time() - cpu), len(texts) / (time.perf_counter() - wall)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--datasets", default="../shared/datasets")
    args = parser.parse_args(argv)

    from mediawatch.classifiers import datasets as ds
    from mediawatch.classifiers.language import detect_language
    from mediawatch.classifiers.normalize import normalize
    from mediawatch.classifiers.sentiment import load_sentiment

    texts = _posts(ds.datasets_dir(args.datasets), args.n)
    started = time.perf_counter()
    model = load_sentiment()
    load_s = time.perf_counter() - started
    model.predict(texts[:100])  # warm-up
    mean_chars = sum(map(len, texts)) / len(texts)
    figures = {
        "normalize": _rate(lambda b: [normalize(t) for t in b], texts, args.batch),
        "detect_language": _rate(lambda b: [detect_language(t) for t in b], texts, args.batch),
        "sentiment.predict (normalize + language + model)": _rate(model.predict, texts, args.batch),
        "sentiment.predict, one post per call": _rate(model.predict, texts[:1000], 1),
    }
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(texts)} short posts (mean {mean_chars:.0f} characters), batches of {args.batch}, 1 core")
    print(f"model load: {load_s:.2f} s")
    print(f"{'':<50} {'docs/CPU-s':>12} {'docs/wall-s':>12}")
    for name, (cpu_rate, wall_rate) in figures.items():
        print(f"{name:<50} {cpu_rate:>12,.0f} {wall_rate:>12,.0f}")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
