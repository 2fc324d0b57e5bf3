"""File import: JSONL or CSV exports (Meta Content Library, commercial listening tools).

Options:
- ``path``: the file, relative to the configuration file's folder.
- ``format``: ``jsonl`` or ``csv`` (default: from the extension).
- ``platform``: the platform the rows come from (default ``file``): it keys the author HMAC.
- ``mapping``: document field -> column (dotted paths reach into JSON objects). Fields: ``id``
  (required), ``text`` (required), ``title``, ``url``, ``published_at``, ``author`` (raw id: it is
  pseudonymised and dropped), ``author_name``/``author_handle``/``author_url`` (never stored),
  ``likes``, ``comments``, ``shares``, ``views``, ``parent_id`` (the platform id of the parent
  post), ``lang``.

A row's URL is kept only in an id-only shape of its platform (see post_urls.py) and only when no
other value of the row (mapped or not: an exporter's ``owner.username`` column is a person) appears
in it, with or without ``@`` or percent-encoding; otherwise it becomes an opaque ``urn:``.

- ``delimiter``: the CSV delimiter (default: sniffed from the header line among ``, ; TAB |``).

Bad rows (unreadable JSON, no id or text, a date or count out of range) are reported with the file
name, line number and reason, and the rest are imported. The cursor remembers how far the file was
read, so a file that only grew is read from where the last run stopped. It is valid only for the
mapping, format and delimiter it was read with: fixing a mapping reads the whole file again, so rows
rejected under the wrong one are imported (ids are stable: rows stored before stay unchanged). Inside
an ingest, a JSONL cursor moves every ``CHECKPOINT_ROWS`` rows, and only once those rows are stored.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import parse_qsl, unquote, urlsplit

from mediawatch.document import Document, Engagement, doc_id_for_post
from mediawatch.errors import ErrorKind
from mediawatch.faults import crash_point
from mediawatch.options import FILE_FIELDS
from mediawatch.settings import SourceSettings

from ..base import CollectContext
from .common import SocialRun, parse_time, title_from, to_int
from .post_urls import safe_post_url

FIELDS = FILE_FIELDS  # the fields a mapping may name; checked with the configuration
# Raw author columns: never stored; a URL that contains any of their values is not kept either.
AUTHOR_FIELDS = ("author", "author_name", "author_handle", "author_url")
# Columns whose values may appear in a post URL without naming a person.
URL_SAFE_FIELDS = ("id", "url", "parent_id", "text", "title", "published_at", "lang", "likes", "comments",
                   "shares", "views")
log = logging.getLogger("mediawatch.social")
ROW_MESSAGES = 10  # bad rows reported one by one; beyond that, one summary line
CHECKPOINT_ROWS = 500  # a JSONL cursor moves this often (once the rows before it are stored)
# Dates outside these years are broken data; the store's time-ordered row ids also end in 2262.
MIN_YEAR, MAX_YEAR = 1900, 2200
DELIMITERS = ",;\t|"


class RowError(ValueError):
    """A row that cannot become a document; the message names the field, never the values."""


def pick(row: dict[str, Any], column: str) -> Any:
    value: Any = row
    for part in column.split("."):
        if not isinstance(value, dict) or part not in value:
            return row.get(column) if isinstance(row, dict) else None
        value = value[part]
    return value


def _leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{prefix}{key}.")
    elif isinstance(value, (str, int)) and not isinstance(value, bool):
        yield prefix.rstrip("."), value


def _url_parts(url: str) -> set[str]:
    """Path segments and query values of a URL, decoded, lower-cased, without a leading @."""
    parts = urlsplit(url)
    pieces = [unquote(s) for s in parts.path.split("/") if s]
    pieces += [unquote(v) for _, v in parse_qsl(parts.query)]
    return {p.strip().lower().lstrip("@") for p in pieces if p.strip()}


def names_a_person(url: str, row: dict[str, Any], mapping: dict[str, str]) -> bool:
    """True when any value of the row other than the post's own ids and text appears in the URL."""
    safe_columns = {mapping[f] for f in URL_SAFE_FIELDS if f in mapping}
    safe_values = {str(pick(row, c)).strip().lower() for c in safe_columns if pick(row, c) not in (None, "")}
    pieces = _url_parts(url)
    lowered = unquote(url).lower()
    for column, value in _leaves(row):
        if column in safe_columns:
            continue
        raw = str(value).strip().lower().lstrip("@")
        if len(raw) < 4 or raw in safe_values:
            continue
        if raw in pieces or (column in {mapping.get(f) for f in AUTHOR_FIELDS} and raw in lowered):
            return True
    return False


def row_document(run: SocialRun, row: dict[str, Any], mapping: dict[str, str], platform: str) -> Document:
    def get(name: str) -> Any:
        column = mapping.get(name)
        value = pick(row, column) if column else None
        return None if value == "" else value

    raw_id = get("id")
    text = get("text")
    if raw_id is None:
        raise RowError(f"no value in the id column ({mapping.get('id')!r})")
    if not isinstance(text, str) or not text.strip():
        raise RowError(f"no text in the text column ({mapping.get('text')!r})")
    published = get("published_at")
    when = parse_time(published)
    if published is not None and when is None:
        raise RowError(f"unreadable date in column {mapping.get('published_at')!r}")
    if when is not None and not MIN_YEAR <= when.year <= MAX_YEAR:
        raise RowError(f"date in column {mapping.get('published_at')!r} is outside {MIN_YEAR}-{MAX_YEAR}")
    doc_id = doc_id_for_post(platform, str(raw_id))
    url = get("url")
    if not isinstance(url, str) or names_a_person(url, row, mapping):
        url = None  # e.g. facebook.com/<person id>/posts/...: keep no trace of the person
    parent = get("parent_id")
    counts = {}
    for name in ("likes", "comments", "shares", "views"):
        try:
            counts[name] = to_int(get(name))
        except (ValueError, OverflowError) as exc:
            raise RowError(f"column {mapping.get(name)!r} ({name}): {exc}") from None
    for name in ("text", "title"):
        value = get(name)
        if isinstance(value, str) and not _encodable(value):
            raise RowError(f"column {mapping.get(name)!r} ({name}) holds characters that are not valid Unicode")
    return Document(
        id=doc_id, url=safe_post_url(url, platform=platform, doc_id=doc_id),
        source=run.publisher, title=str(get("title") or title_from(text.strip())), text=text.strip(),
        published_at=when, lang=str(get("lang")) if get("lang") is not None else None,
        author_key=run.author(get("author")), engagement=Engagement(**counts),
        parent_id=doc_id_for_post(platform, str(parent)) if parent is not None else None,
        extra={"type": "comment" if parent is not None else "post", "imported": True})


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates ("\ud800" in JSON) cannot be stored
        return False
    return True


def _fingerprint(path: Path, length: int) -> str:
    """Hash of the first ``length`` bytes: unchanged when the file only grew."""
    with path.open("rb") as handle:
        return hashlib.sha1(handle.read(length)).hexdigest()


def _jsonl_rows(handle, start_line: int) -> Iterator[tuple[int, int, Any]]:
    """(line number, byte offset after the line, parsed row or exception)."""
    number = start_line
    offset = handle.tell()
    for raw in iter(handle.readline, b""):
        number += 1
        offset += len(raw)
        if not raw.strip():
            continue
        if not raw.endswith(b"\n"):
            # Many exporters omit the final newline: a last line that parses is complete. One that
            # does not may still be being written, so it is read again next run.
            try:
                row = json.loads(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                return
            yield number, offset, row
            return
        try:
            yield number, offset, json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            yield number, offset, RowError(f"not valid JSON ({exc.__class__.__name__})")


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a CSV header line: the most frequent of , ; TAB | (comma on a tie or none)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _csv_header(path: Path, delimiter: str | None) -> tuple[list[str], str]:
    with path.open(encoding="utf-8-sig", newline="") as text:
        first = text.readline()
    delimiter = delimiter or sniff_delimiter(first)
    header = next(csv.reader([first], delimiter=delimiter), [])
    return [h.strip() for h in header], delimiter


def _csv_rows(path: Path, delimiter: str) -> Iterator[tuple[int, int, Any]]:
    """CSV is always read whole (a row may span lines); line numbers are those of the row's end."""
    with path.open(encoding="utf-8-sig", newline="") as text:
        reader = csv.reader(text, delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            return
        header = [h.strip() for h in header]
        for cells in reader:
            number = reader.line_num
            if not cells:
                continue
            if len(cells) != len(header):
                yield number, -1, RowError(f"{len(cells)} cells where the header has {len(header)}")
                continue
            yield number, -1, dict(zip(header, cells))


def collect_file(source: SourceSettings, ctx: CollectContext) -> Iterable[Document]:
    platform = source.options.platform
    run = SocialRun.start(platform, source, ctx)
    if run is None:
        return
    try:
        yield from _collect(run, source, ctx, platform)
    finally:
        run.close()


def politeness_key(source: SourceSettings, settings) -> str:
    """Imports of one file run one after the other; different files in parallel."""
    raw = source.options.path or source.url or source.id
    path = Path(str(raw))
    if not path.is_absolute():
        path = settings.base_dir() / path
    return f"file:{path}"


def _config_key(mapping: dict[str, str], fmt: str, delimiter: str | None, platform: str) -> str:
    """What decides which rows become which documents: a cursor is only valid for the same."""
    raw = json.dumps([sorted(mapping.items()), fmt, delimiter, platform], ensure_ascii=False)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


def _collect(run: SocialRun, source: SourceSettings, ctx: CollectContext, platform: str) -> Iterator[Document]:
    report = ctx.report
    # The mapping names id and text and only known fields: checked when the configuration is loaded.
    raw_path = source.options.path or source.url or ""
    mapping = source.options.mapping
    path = Path(raw_path)
    if not path.is_absolute():
        path = ctx.settings.base_dir() / path
    if not path.is_file():
        report.error("missing_file", f"export file {path} not found. Fix: check options.path",
                     kind=ErrorKind.BAD_INPUT)
        return
    fmt = source.options.format or path.suffix.lstrip(".").lower()
    if fmt not in ("jsonl", "ndjson", "json", "csv"):
        report.error("config", f"unknown file format {fmt!r}. Fix: options.format = \"jsonl\" or \"csv\"",
                     kind=ErrorKind.BAD_INPUT)
        return
    delimiter = source.options.delimiter  # one character: checked with the configuration
    if fmt == "csv":
        try:
            header, delimiter = _csv_header(path, delimiter)
        except UnicodeDecodeError:
            header = []
        missing = {field: column for field, column in mapping.items() if column not in header}
        shown = ", ".join(repr(h) for h in header[:12]) + (", ..." if len(header) > 12 else "")
        where = f"not in the header of {path.name} ({shown}; read with delimiter {delimiter!r})"
        if header and ("id" in missing or "text" in missing):
            report.error("config", f"column(s) {', '.join(repr(missing[f]) for f in ('id', 'text') if f in missing)} "
                         f"of options.mapping {where}. Fix: correct options.mapping, or set options.delimiter; "
                         "the whole file is read again once fixed", kind=ErrorKind.BAD_INPUT)
            return
        if header and missing:
            report.note(f"column(s) {', '.join(map(repr, missing.values()))} of options.mapping {where}: "
                        "those fields stay empty")
    config = _config_key(mapping, fmt, delimiter, platform)
    stat = os.stat(path)
    state = run.cursor("file")
    head_len = int(state.get("head_len") or 0)
    same_file = (state.get("path") == str(path) and stat.st_size >= head_len
                 and state.get("head") == _fingerprint(path, head_len))
    same_config = state.get("config") == config
    if state and same_file and not same_config:
        log.info("[%s] %s: the mapping or format changed since the last run: reading the whole file again",
                 source.id, path.name)
    if (same_file and same_config and state.get("complete", True) and state.get("size") == stat.st_size
            and state.get("mtime") == stat.st_mtime):
        return  # nothing new since the last run
    resume = same_file and same_config and fmt != "csv" and stat.st_size >= int(state.get("offset") or 0)
    start_offset = int(state.get("offset") or 0) if resume else 0
    start_line = int(state.get("line") or 0) if resume else 0
    offset, line = start_offset, start_line
    head_len = min(65536, stat.st_size)
    cursor = {"path": str(path), "head": _fingerprint(path, head_len), "head_len": head_len,
              "config": config, "size": stat.st_size, "mtime": stat.st_mtime}

    def checkpoint(at_offset: int, at_line: int) -> None:
        # Saved with the rows read so far; the ingest writes it once those rows are stored.
        run.save_cursor("file", {**cursor, "offset": at_offset, "line": at_line, "complete": False},
                        state, run.last_doc_id)

    state_out: dict[str, int] = {}
    with path.open("rb") as handle:
        handle.seek(start_offset)
        rows = _csv_rows(path, delimiter or ",") if fmt == "csv" else _jsonl_rows(handle, start_line)
        try:
            yield from _documents(run, rows, mapping, platform, path.name, state_out,
                                  checkpoint if fmt != "csv" else None)
        except (UnicodeDecodeError, csv.Error) as exc:
            report.error("bad_file", f"{path.name} after line {state_out.get('line', line)}: cannot be read "
                         f"as UTF-8 {fmt.upper()} ({exc.__class__.__name__}); the rest of the file is "
                         "skipped. Fix: export as UTF-8", kind=ErrorKind.BAD_INPUT)
        offset = state_out.get("offset", offset)
        line = state_out.get("line", line)
        bad = state_out.get("bad", 0)
    if bad > ROW_MESSAGES:
        report.note(f"{path.name}: {bad - ROW_MESSAGES} more bad rows skipped ({bad} in all)")
    run.save_cursor("file", {**cursor, "offset": offset if fmt != "csv" else stat.st_size, "line": line,
                             "complete": True}, state, run.last_doc_id)


def _documents(run: SocialRun, rows: Iterator[tuple[int, int, Any]], mapping: dict[str, str],
               platform: str, name: str, out: dict[str, int], checkpoint=None) -> Iterator[Document]:
    """Rows to documents; bad rows are reported and skipped. ``out`` tracks line, offset, bad."""
    report = run.ctx.report
    bad = 0
    since_checkpoint = 0
    for number, end, row in rows:
        crash_point("import.row")
        out["line"] = number
        if end >= 0:
            out["offset"] = end
        try:
            if isinstance(row, Exception):
                raise row
            if not isinstance(row, dict):
                raise RowError("not an object")
            doc = row_document(run, row, mapping, platform)
        except (RowError, ValueError, TypeError, OverflowError) as exc:
            bad += 1
            out["bad"] = bad
            reason = exc if isinstance(exc, RowError) else f"unusable value ({exc.__class__.__name__})"
            if bad > ROW_MESSAGES:
                report.count("bad_row", ErrorKind.BAD_INPUT)  # counted, not logged: one summary line follows
            else:
                report.error("bad_row", f"{name} line {number}: {reason}; row skipped",
                             kind=ErrorKind.BAD_INPUT)
            doc = None
        since_checkpoint += 1
        if checkpoint is not None and end >= 0 and since_checkpoint >= CHECKPOINT_ROWS:
            # Before the row's document is handed over: the ingest writes this cursor only after
            # the batch that holds the document (and every row before it) is committed.
            checkpoint(end, number)
            since_checkpoint = 0
        if doc is not None:
            run.emit(doc)
            yield doc
