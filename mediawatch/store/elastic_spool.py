"""An append-only disk spool for documents the cluster could not take.

Segments are JSONL files named by a growing sequence number; every append is fsynced (file and
folder) before the write is reported as spooled. Replay reads segments oldest first and deletes a
segment only after every document in it has landed; a crash mid-replay replays the segment again,
which is harmless because upserts are idempotent by id and content hash.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from ..document import Document
from ..durable import fsync_dir, write_atomically

SEGMENT_GLOB = "segment-*.jsonl"


class DiskSpool:
    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)

    def _ensure(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise spool work between processes sharing the folder."""
        self._ensure()
        with open(self.path / ".lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def segments(self) -> list[Path]:
        if not self.path.exists():
            return []
        return sorted(self.path.glob(SEGMENT_GLOB))

    def pending(self) -> int:
        """Documents waiting in the spool."""
        total = 0
        for seg in self.segments():
            with open(seg, "rb") as handle:
                total += sum(1 for line in handle if line.strip())
        return total

    def __bool__(self) -> bool:
        return bool(self.segments())

    def _next_name(self) -> Path:
        segs = self.segments()
        last = int(segs[-1].stem.split("-")[1]) if segs else 0
        return self.path / f"segment-{last + 1:012d}.jsonl"

    def append(self, documents: Iterable[Document]) -> int:
        lines = [doc.to_json() + "\n" for doc in documents]
        if not lines:
            return 0
        self._ensure()
        write_atomically(self._next_name(), lines)  # a crash never leaves half a segment
        return len(lines)

    def read(self, segment: Path) -> list[Document]:
        with open(segment, encoding="utf-8") as handle:
            return [Document.from_json(line) for line in handle if line.strip()]

    def remove(self, segment: Path) -> None:
        segment.unlink(missing_ok=True)
        fsync_dir(self.path)

    def dead_letter(self, documents: list[tuple[Document, str]]) -> Path | None:
        """Keep documents the cluster refused for good (mapping errors) with the reason, for a human."""
        if not documents:
            return None
        self._ensure()
        target = self.path / "rejected.jsonl"
        with open(target, "a", encoding="utf-8") as handle:
            for doc, reason in documents:
                handle.write(json.dumps({"reason": reason, "document": doc.to_dict()}, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return target
