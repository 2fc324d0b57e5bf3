"""Fault-injection figures: kill -9 at every commit point of a real ingest, rerun, count what was lost.

    .venv/bin/python -m bench.faults                       # the CI matrix (tests/test_faults.py), figures
    .venv/bin/python -m bench.faults --rows 50000 --classify --points ingest.upserted:40

Each kill: a fresh scenario (a local news feed with a near-duplicate article, and an import file
of ``--rows`` rows with repeated ids and a bad row), the ingest in a process of its own SIGKILLed at
the commit point, then the same ingest run to completion. Counted against an uninterrupted run:
rows lost, rows stored twice, import cursors ahead of the stored rows, stories whose first
document is missing, originals without a fingerprint, and stories that differ. ``--classify``
runs the whole classifier pipeline (models, places, topics, sentiment, triage, stories) instead
of the story step alone: the issue's 50,000-row case.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1200, help="rows in the import file")
    parser.add_argument("--classify", action="store_true", help="the whole classifier pipeline")
    parser.add_argument("--points", nargs="*", help="commit points to kill at (default: the CI matrix)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # the bad row's warning, once per run, is expected

    from tests.support.faults import KILLS, read_store, run_inline, run_process, site_routes, write_scenario
    from tests.support.httpserver import StaticSite

    points = args.points or KILLS
    now = datetime.now(timezone.utc).replace(microsecond=0)
    totals = {"kills": 0, "survived": 0, "lost": 0, "duplicates": 0, "cursor_ahead": 0, "orphan_stories": 0,
              "fingerprints_missing": 0, "stories_differ": 0}
    with StaticSite() as site, tempfile.TemporaryDirectory() as tmp:
        site.routes.update(site_routes(site.url))
        started = time.perf_counter()
        clean = write_scenario(Path(tmp) / "clean", rows=args.rows, site_url=site.url, now=now)
        run_inline(clean.config, classify=args.classify)
        reference = read_store(clean.db)
        print(f"uninterrupted run: {len(reference.ids)} documents in {time.perf_counter() - started:.1f} s "
              f"({'whole pipeline' if args.classify else 'story step'}, {args.rows} import rows)", flush=True)
        for point in points:
            scenario = write_scenario(Path(tmp) / point.replace(":", "-"), rows=args.rows, site_url=site.url, now=now)
            started = time.perf_counter()
            killed = run_process(scenario.config, crash_at=point, classify=args.classify, timeout=3600)
            after = read_store(scenario.db)
            summary = run_inline(scenario.config, classify=args.classify)
            final = read_store(scenario.db)
            figures = {"lost": len(final.lost(scenario.expected)), "duplicates": final.duplicates(),
                       "cursor_ahead": len(after.behind_cursor(scenario.expected)),
                       "orphan_stories": len(after.orphan_stories()) + len(final.orphan_stories()),
                       "fingerprints_missing": len(after.fingerprints_missing()) + len(final.fingerprints_missing()),
                       "stories_differ": sum(1 for k, v in final.stories.items() if reference.stories.get(k) != v)}
            survived = killed.returncode == -9 and not summary.failed_sources and not any(figures.values())
            totals["kills"] += 1
            totals["survived"] += survived
            for key, value in figures.items():
                totals[key] += value
            print(f"  kill at {point:<24} stored before the kill {len(after.ids):>6}, after the rerun "
                  f"{len(final.ids):>6}; " + ", ".join(f"{k} {v}" for k, v in figures.items())
                  + f"; {'survived' if survived else 'FAILED'} ({time.perf_counter() - started:.1f} s)", flush=True)
    print(f"kills survived: {totals['survived']}/{totals['kills']}; rows lost: {totals['lost']}; "
          f"stored twice: {totals['duplicates']}; cursors ahead of rows: {totals['cursor_ahead']}; "
          f"stories without their first document: {totals['orphan_stories']}; originals without fingerprint: "
          f"{totals['fingerprints_missing']}; documents in another story than without the kill: "
          f"{totals['stories_differ']}")


if __name__ == "__main__":
    main()
