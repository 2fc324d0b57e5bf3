"""Helpers shared by the command modules: settings loading with clean errors, exit codes, output."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone

import typer

from mediawatch.errors import ConfigError, MediawatchError
from mediawatch.settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3


def err(message: str) -> None:
    typer.echo(message, err=True)


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
