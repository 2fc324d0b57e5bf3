"""Files that are whole or absent: the spools and outboxes that carry work across outages.

A crash (or kill -9) while writing leaves either the previous file or the new one, never half of
one: write a temporary name beside the target, fsync it, rename it over, fsync the folder.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable


def write_atomically(target: Path, lines: Iterable[str]) -> Path:
    """Write ``lines`` (each ending in a newline, or one whole text) to ``target`` durably."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # The ".tmp" suffix keeps the half-written file out of every "*.json" or "*.jsonl" glob.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.writelines(lines)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)
    return target


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` survive a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
