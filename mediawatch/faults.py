"""Named commit points where the fault-injection suite kills the process (``kill -9``).

``MEDIAWATCH_CRASH_AT="ingest.upserted:3"`` makes the process SIGKILL itself the third time it
reaches the point ``ingest.upserted`` (``:1`` when the count is left out). Several points can be
given, separated by commas. Without the variable, :func:`crash_point` is a function that does
nothing, chosen once at import, so production code pays one call per commit point.

The points are listed in ``COMMIT_POINTS`` and described in docs/fault-injection.md; the suite
(tests/test_faults.py) kills a real ingest at each of them and checks that a rerun loses nothing.
"""

from __future__ import annotations

import os
import signal
import threading

ENV = "MEDIAWATCH_CRASH_AT"

COMMIT_POINTS: dict[str, str] = {
    "ingest.collected": "a batch is collected, before classification and the store write",
    "ingest.fingerprints": "near-duplicate fingerprints written, documents not yet",
    "ingest.upserted": "a batch is committed to the store, the cursors it covers not yet saved",
    "ingest.cursors": "the cursors and validators covering a committed batch are saved",
    "ingest.recorded": "a source's run record is written",
    "ingest.alerts": "alert rules evaluated and alerts stored, run summary not yet written",
    "ingest.summary": "the run summary is written",
    "import.row": "the file import read a row (mid-file, between batches)",
    "store.transaction": "inside an SQLite upsert transaction, before COMMIT",
    "spool.appended": "a batch was written to the Elasticsearch spool",
    "spool.replayed": "a spool segment was replayed, not yet removed",
}


def _parse(value: str) -> dict[str, int]:
    targets: dict[str, int] = {}
    for part in value.split(","):
        name, _, count = part.strip().partition(":")
        if name:
            targets[name] = int(count or 1)
    return targets


def _nothing(name: str) -> None:
    """No crash point is armed."""


class _Armed:
    def __init__(self, targets: dict[str, int]):
        self.targets = targets
        self.seen: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, name: str) -> None:
        target = self.targets.get(name)
        if target is None:
            return
        with self.lock:
            self.seen[name] = self.seen.get(name, 0) + 1
            hit = self.seen[name] == target
        if hit:
            os.kill(os.getpid(), signal.SIGKILL)


crash_point = _Armed(_parse(os.environ[ENV])) if os.environ.get(ENV) else _nothing
