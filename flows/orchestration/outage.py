"""An ingest that goes on while the store is unreachable.

Documents already have a home for outages: the Elasticsearch store writes what it cannot deliver
to its disk spool and replays it first thing once the cluster is back. :class:`OutageGuard` wraps
the store for one ingest so that everything else degrades safely instead of stopping the run:

- reads of cursors, validators, fingerprints and known documents answer "nothing known" (the
  collectors then fetch from the start; ids are stable, so nothing is stored twice);
- cursor and fingerprint writes are skipped (the cursors stay behind the documents, never ahead);
- run records and run summaries go to :class:`RecordSpool` on disk and are written by the next run.

After the first failure the guard stops asking the store for the rest of the run, so a cluster
that times out costs one timeout, not one per read. ``unreachable`` holds what went wrong.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable, Iterator

from mediawatch.document import format_ts, parse_ts
from mediawatch.durable import fsync_dir, write_atomically
from mediawatch.errors import TemporaryError
from mediawatch.store.base import Fingerprint, RunRecord, Store

log = logging.getLogger("mediawatch.ingest")


class RecordSpool:
    """Run records and run summaries kept on disk while the store cannot take them.

    Append-only JSONL segments, each written to a temporary name, fsynced and renamed; a segment
    is deleted once all it holds was written. Writes are idempotent by (run, source) and run id,
    so a segment replayed twice after a crash changes nothing.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)

    def segments(self) -> list[Path]:
        return sorted(self.path.glob("records-*.jsonl")) if self.path.exists() else []

    def pending(self) -> int:
        return len(self.segments())

    def append(self, *, runs: Iterable[RunRecord] = (), summary: dict[str, Any] | None = None) -> None:
        lines = [json.dumps({"run": _record_json(r)}, ensure_ascii=False) + "\n" for r in runs]
        if summary is not None:
            lines.append(json.dumps({"summary": summary}, ensure_ascii=False) + "\n")
        if not lines:
            return
        segments = self.segments()
        number = int(segments[-1].stem.split("-")[1]) + 1 if segments else 1
        write_atomically(self.path / f"records-{number:012d}-{os.getpid()}.jsonl", lines)

    def replay(self, store: Store) -> int:
        """Write what waits, oldest first; stops (raising nothing) when the store is still down."""
        written = 0
        for segment in self.segments():
            entries = [json.loads(line) for line in segment.read_text(encoding="utf-8").splitlines() if line.strip()]
            try:
                runs = [_record_from(e["run"]) for e in entries if "run" in e]
                if runs:
                    store.record_run(runs)
                for entry in entries:
                    if "summary" in entry:
                        store.save_run_summary(entry["summary"]["run_id"], entry["summary"])
            except TemporaryError as exc:
                log.info("run records still waiting in %s: %s", self.path, exc.message)
                break
            segment.unlink(missing_ok=True)
            fsync_dir(self.path)
            written += len(entries)
        return written


def _record_json(record: RunRecord) -> dict[str, Any]:
    data = asdict(record)
    for key in ("started_at", "finished_at", "last_published_at"):
        data[key] = format_ts(data[key])
    return data


def _record_from(data: dict[str, Any]) -> RunRecord:
    data = dict(data)
    for key in ("started_at", "finished_at", "last_published_at"):
        data[key] = parse_ts(data[key])
    return RunRecord(**data)



class OutageGuard:
    """The store as one ingest sees it: an outage is noted, never raised (see the module doc)."""

    def __init__(self, store: Store, records: RecordSpool):
        self.store = store
        self.records = records
        self.unreachable: str | None = None  # what failed first, when the store could not be reached
        self.failures = 0

    def __getattr__(self, name: str) -> Any:  # everything else is the store's own
        return getattr(self.store, name)

    def _down(self, what: str, exc: TemporaryError) -> None:
        self.failures += 1
        if self.unreachable is None:
            self.unreachable = str(exc)
            log.warning("the store is unreachable (%s during %s): the ingest goes on; documents go to the spool, "
                        "cursors stay where they were", exc.message, what)

    def _read(self, what: str, call, default: Any) -> Any:
        if self.unreachable is not None:
            self.failures += 1
            return default
        try:
            return call()
        except TemporaryError as exc:
            self._down(what, exc)
            return default

    def _write(self, what: str, call) -> bool:
        if self.unreachable is not None:
            self.failures += 1
            return False
        try:
            call()
            return True
        except TemporaryError as exc:
            self._down(what, exc)
            return False

    # --- reads: "nothing known" while down ----------------------------------------------------------
    def get_state(self, namespace: str, key: str) -> dict[str, Any] | None:
        return self._read("reading a cursor", lambda: self.store.get_state(namespace, key), None)

    def get(self, doc_id: str):
        return self._read("looking up a document", lambda: self.store.get(doc_id), None)

    def iter_documents(self, query=None, **kwargs: Any) -> Iterator[Any]:
        if self.unreachable is not None:
            self.failures += 1
            return
        try:
            yield from self.store.iter_documents(query, **kwargs)
        except TemporaryError as exc:
            self._down("reading recent documents", exc)

    def fingerprints(self, *, limit: int = 20_000) -> list[Fingerprint]:
        return self._read("reading fingerprints", lambda: self.store.fingerprints(limit=limit), [])

    # --- writes that may be skipped: the next run redoes them -----------------------------------------
    def set_state(self, namespace: str, key: str, value: dict[str, Any]) -> None:
        self._write("saving a cursor", lambda: self.store.set_state(namespace, key, value))

    def add_fingerprints(self, rows: Iterable[Fingerprint]) -> None:
        rows = list(rows)
        self._write("saving fingerprints", lambda: self.store.add_fingerprints(rows))

    def trim_fingerprints(self, older_than) -> int:
        return self._read("trimming fingerprints", lambda: self.store.trim_fingerprints(older_than), 0)

    # --- writes that must not be lost: spooled on disk ------------------------------------------------
    def record_run(self, records: Iterable[RunRecord]) -> None:
        records = list(records)
        if not self._write("recording a source's run", lambda: self.store.record_run(records)):
            self.records.append(runs=records)

    def save_run_summary(self, run_id: str, summary: dict[str, Any]) -> None:
        if not self._write("saving the run summary", lambda: self.store.save_run_summary(run_id, summary)):
            self.records.append(summary=summary)

    def spool_pending(self) -> int:
        """Documents waiting in the store's spool (without asking the store: the spool is on disk)."""
        return self.store.spool_pending()
