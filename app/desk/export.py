"""The audit log as CSV or JSON lines (the desk's download and `mediawatch audit export`)."""

from __future__ import annotations

import csv
import io
import json
from typing import Iterable, Iterator

from mediawatch.document import format_ts
from mediawatch.store.desk_base import AuditEntry

COLUMNS = ("at", "actor", "action", "target", "summary", "before", "after", "client", "entry_id")
FORMATS = ("csv", "jsonl")
# A cell starting with one of these is a formula to a spreadsheet: a note typed by a person must not run.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def entry_dict(entry: AuditEntry) -> dict:
    return {"at": format_ts(entry.at), "actor": entry.actor, "action": entry.action, "target": entry.target,
            "summary": entry.summary, "before": entry.before, "after": entry.after, "client": entry.client,
            "entry_id": entry.entry_id}


def _cell(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "'" + text if text.startswith(_FORMULA) else text


def csv_lines(entries: Iterable[AuditEntry], batch: int = 500) -> Iterator[str]:
    """CSV text in chunks of ``batch`` rows (a download streams them; one chunk per row is slow)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # so spreadsheet programs read the Vietnamese as UTF-8
    writer.writerow(COLUMNS)
    for n, entry in enumerate(entries, start=1):
        row = entry_dict(entry)
        writer.writerow([_cell(row[c]) for c in COLUMNS])
        if n % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


def jsonl_lines(entries: Iterable[AuditEntry], batch: int = 500) -> Iterator[str]:
    lines: list[str] = []
    for entry in entries:
        lines.append(json.dumps(entry_dict(entry), ensure_ascii=False) + "\n")
        if len(lines) >= batch:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def export_lines(entries: Iterable[AuditEntry], fmt: str) -> Iterator[str]:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    return csv_lines(entries) if fmt == "csv" else jsonl_lines(entries)
