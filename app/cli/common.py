"""Helpers shared by the command modules: settings loading with clean errors, exit codes, output."""

from __future__ import annotations

import errno
import sys
import tempfile
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, NoReturn

import typer

from mediawatch.errors import ConfigError, MediawatchError
from mediawatch.redact import scrub
from mediawatch.settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3


def err(message: str) -> None:
    typer.echo(scrub(message), err=True)


def settings_from(ctx: typer.Context, *, required: bool = False) -> Settings:
    """The checked settings, or exit 2 with every problem's key, origin and fix (never a traceback)."""
    from mediawatch.flows.orchestration.settings_checks import load_checked

    obj = ctx.obj if isinstance(ctx.obj, dict) else {}
    if "settings" in obj:
        return obj["settings"]
    try:
        settings = load_checked(obj.get("config"), required=required)
    except ConfigError as exc:
        err(f"mediawatch: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    obj["settings"] = settings  # one load per command, however many helpers ask
    ctx.obj = obj
    return settings


def language_of(settings: Settings, lang: str | None) -> str:
    """``--lang`` if given, else the configured language; anything but vi or en exits 2."""
    from mediawatch.i18n import check_lang

    try:
        return check_lang(lang or settings.language)
    except ValueError as exc:
        err(f"mediawatch: {exc}")
        raise typer.Exit(EXIT_USAGE) from None


def open_store_or_exit(settings: Settings):
    from mediawatch.store import open_store

    try:
        return open_store(settings)
    except ConfigError as exc:
        err(f"mediawatch: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    except MediawatchError as exc:  # e.g. a store written by a newer mediawatch: its own fix
        err(f"mediawatch: cannot open the store {settings.store.url.split('@')[-1]}: {exc}")
        raise typer.Exit(EXIT_UNAVAILABLE) from None
    except Exception as exc:  # any backend: report, do not trace back at the user
        err(f"mediawatch: cannot open the store {settings.store.url.split('@')[-1]}: {exc}. "
            "Fix: check store.url in the configuration and that the server is reachable.")
        raise typer.Exit(EXIT_UNAVAILABLE) from None


def parse_since(value: str | None) -> datetime | None:
    """'2d', '12h', '30m', 'YYYY-MM-DD', or dd/mm/yyyy; a date alone is the start of that day in Vietnam."""
    if not value:
        return None
    value = value.strip()
    units = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    if value[-1:] in units and value[:-1].isdigit():
        return datetime.now(timezone.utc) - timedelta(**{units[value[-1]]: int(value[:-1])})
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M"):
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            from zoneinfo import ZoneInfo

            parsed = parsed.replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
        return parsed.astimezone(timezone.utc)
    raise typer.BadParameter(f"cannot read {value!r} as a time: use 2d, 12h, 2025-07-01 or 01/07/2025")


def is_tty() -> bool:
    return sys.stderr.isatty()


# --- --out files: one clear line instead of a traceback ----------------------------------------

_WRITE_PROBLEMS = {
    errno.EACCES: ("không có quyền ghi", "no permission to write there"),
    errno.EPERM: ("không có quyền ghi", "no permission to write there"),
    errno.EROFS: ("hệ thống tệp chỉ đọc", "the file system is read-only"),
    errno.EISDIR: ("đó là một thư mục", "it is a directory"),
    errno.ENOTDIR: ("một phần của đường dẫn không phải thư mục", "part of the path is not a directory"),
    errno.ENOENT: ("thư mục chứa không tồn tại", "its directory does not exist"),
    errno.ENOSPC: ("hết chỗ trống trên thiết bị", "no space left on the device"),
    errno.EDQUOT: ("vượt hạn mức dung lượng", "disk quota exceeded"),
    errno.EIO: ("lỗi vào/ra", "input/output error"),
}


def out_failed(path: object, exc: OSError) -> NoReturn:
    """Exit 2 with one line naming the --out path, why it cannot be written and the fix."""
    vi, en = _WRITE_PROBLEMS.get(exc.errno or 0, (exc.strerror or str(exc), exc.strerror or str(exc)))
    err(f"mediawatch: không ghi được {path} ({vi}) / cannot write {path} ({en}). "
        "Fix: pass --out a file in a directory you can write to, on a disk with free space.")
    raise typer.Exit(EXIT_USAGE)


def check_out(path: str | Path, *, directory: bool = False) -> None:
    """Refuse an --out path that cannot be written before any work is done (exit 2)."""
    target = Path(path)
    if directory:
        if target.exists() and not target.is_dir():
            out_failed(target, NotADirectoryError(errno.ENOTDIR, "not a directory"))
        try:
            target.mkdir(parents=True, exist_ok=True)
            probe = tempfile.NamedTemporaryFile(dir=target, prefix=".mediawatch-write-test-")
            probe.close()
        except OSError as exc:
            out_failed(target, exc)
        return
    if target.is_dir():
        out_failed(target, IsADirectoryError(errno.EISDIR, "is a directory"))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        out_failed(target, exc)


@contextmanager
def writing(path: str | Path) -> Iterator[None]:
    """Turn an OSError while writing ``path`` into :func:`out_failed`; a partial regular file we
    created is removed, so nothing half-written is mistaken for a result."""
    target = Path(path)
    existed = target.exists()
    try:
        yield
    except OSError as exc:
        if not existed and target.is_file():
            try:
                target.unlink()
            except OSError:
                pass
        out_failed(target, exc)
