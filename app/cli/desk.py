"""`mediawatch users add|list|disable|enable|role|password` (review desk accounts) and
`mediawatch audit list|export` (the append-only audit log)."""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

import typer

from .common import EXIT_USAGE, err, open_store_or_exit, parse_since, settings_from

users_app = typer.Typer(no_args_is_help=True, help="Tài khoản bàn kiểm chứng / review desk accounts.")
audit_app = typer.Typer(no_args_is_help=True, help="Nhật ký thao tác / the audit log.")

_PROBLEMS = {
    "username_invalid": "a username is 2-64 lowercase letters, digits, '.', '-' or '_'",
    "username_taken": "that username exists (use `users role` or `users password`)",
    "username_unknown": "no such account (see `mediawatch users list`)",
    "role_invalid": "the role must be viewer, reviewer or admin",
    "password_short": "a password needs at least 10 characters",
    "password_long": "the password is too long",
    "password_is_username": "the password must not be the username",
}


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")


def _text(ctx: typer.Context) -> dict[str, str]:
    """What these commands print (``cli.users.*``), in the configured language."""
    from mediawatch.i18n import words

    return words("cli.users", settings_from(ctx).language)  # another language reads Vietnamese


def _actor() -> str:
    return "cli:" + (os.environ.get("USER") or os.environ.get("USERNAME") or "unknown")


def _password(ctx: typer.Context, from_stdin: bool) -> str:
    """From one line of stdin (scripts), else asked twice without echo. Never an argument: the
    process list and shell history would keep it."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu / password: ")
    if getpass.getpass("Nhập lại / again: ") != first:
        err("mediawatch: " + _text(ctx)["mismatch"])
        raise typer.Exit(EXIT_USAGE)
    return first


def _fail(exc) -> None:
    err(f"mediawatch: {_PROBLEMS.get(exc.key, exc.key)}" + (f" ({exc.detail})" if exc.detail else ""))
    raise typer.Exit(EXIT_USAGE)


@users_app.command("add")
def users_add(ctx: typer.Context, username: str = typer.Argument(..., help="Lowercase name, e.g. nguyen.an."),
              role: str = typer.Option("reviewer", "--role", help="viewer | reviewer | admin"),
              password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin.")) -> None:
    """Tạo tài khoản / add an account (the password is asked, never passed as an argument)."""
    from mediawatch.app.desk.auth import AccountError, add_account

    settings = settings_from(ctx)
    password = _password(ctx, password_stdin)
    with open_store_or_exit(settings) as store:
        try:
            account = add_account(store, username, role, password, _actor())
        except AccountError as exc:
            _fail(exc)
    typer.echo(_text(ctx)["added"].format(user=account.username, role=account.role))


@users_app.command("list")
def users_list(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="One JSON object per line.")) -> None:
    """Liệt kê tài khoản / list accounts (never their password hashes)."""
    from mediawatch.app.desk.render import local_time

    settings = settings_from(ctx)
    text = _text(ctx)
    with open_store_or_exit(settings) as store:
        accounts = store.accounts()
    if not accounts and not as_json:
        typer.echo(text["none"])
    for a in accounts:
        if as_json:
            typer.echo(json.dumps({"username": a.username, "role": a.role, "disabled": a.disabled,
                                   "created_at": a.created_at.isoformat() if a.created_at else None,
                                   "updated_at": a.updated_at.isoformat() if a.updated_at else None}))
        else:
            state = text["disabled"] if a.disabled else text["enabled"]
            typer.echo(f"{a.username:<24} {a.role:<9} {state:<10} {local_time(a.updated_at, settings.timezone)}")


def _change(ctx: typer.Context, username: str, change) -> None:
    from mediawatch.app.desk.auth import AccountError

    settings = settings_from(ctx)
    with open_store_or_exit(settings) as store:
        try:
            change(store)
        except AccountError as exc:
            _fail(exc)
    typer.echo(_text(ctx)["changed"].format(user=username))


@users_app.command("disable")
def users_disable(ctx: typer.Context, username: str = typer.Argument(...)) -> None:
    """Khoá tài khoản (kết thúc mọi phiên) / disable an account and end its sessions."""
    from mediawatch.app.desk.auth import set_disabled

    _change(ctx, username, lambda store: set_disabled(store, username, True, _actor()))


@users_app.command("enable")
def users_enable(ctx: typer.Context, username: str = typer.Argument(...)) -> None:
    """Mở khoá tài khoản / enable an account again."""
    from mediawatch.app.desk.auth import set_disabled

    _change(ctx, username, lambda store: set_disabled(store, username, False, _actor()))


@users_app.command("role")
def users_role(ctx: typer.Context, username: str = typer.Argument(...),
               role: str = typer.Argument(..., help="viewer | reviewer | admin")) -> None:
    """Đổi vai trò / change an account's role."""
    from mediawatch.app.desk.auth import set_role

    _change(ctx, username, lambda store: set_role(store, username, role, _actor()))


@users_app.command("password")
def users_password(ctx: typer.Context, username: str = typer.Argument(...),
                   password_stdin: bool = typer.Option(False, "--password-stdin",
                                                       help="Read the new password from stdin.")) -> None:
    """Đặt lại mật khẩu (kết thúc mọi phiên) / reset a password and end the account's sessions."""
    from mediawatch.app.desk.auth import set_password

    password = _password(ctx, password_stdin)
    _change(ctx, username, lambda store: set_password(store, username, password, _actor()))


def _audit_query(since: str | None, actor: str | None, action: str | None):
    from mediawatch.store.desk_base import AuditQuery

    return AuditQuery(since=parse_since(since), actor=actor, actions=[action] if action else [])


@audit_app.command("list")
def audit_list(ctx: typer.Context, since: str = typer.Option(None, "--since", help="2d, 12h, 2025-09-01 or 01/09/2025."),
               actor: str = typer.Option(None, "--actor"), action: str = typer.Option(None, "--action",
                                                                                      help="review, claim.update, login ..."),
               limit: int = typer.Option(50, "--limit", min=1)) -> None:
    """Nhật ký mới nhất / the newest audit entries."""
    from mediawatch.app.desk.render import local_time

    settings = settings_from(ctx)
    with open_store_or_exit(settings) as store:
        entries = store.audit_log(_audit_query(since, actor, action), size=limit).entries
    for e in entries:
        line = f"{local_time(e.at, settings.timezone)}  {e.actor:<16} {e.action:<15} {e.target}"
        typer.echo(line + (f"  {e.summary}" if e.summary else ""))


@audit_app.command("export")
def audit_export(ctx: typer.Context,
                 fmt: str = typer.Option("csv", "--format", help="csv or jsonl."),
                 out: str = typer.Option("-", "--out", help="File to write ('-' for stdout)."),
                 since: str = typer.Option(None, "--since", help="2d, 12h, 2025-09-01 or 01/09/2025."),
                 actor: str = typer.Option(None, "--actor"), action: str = typer.Option(None, "--action")) -> None:
    """Xuất nhật ký (CSV/JSONL) / export the audit log, newest first."""
    from mediawatch.app.desk.export import FORMATS, export_lines

    if fmt not in FORMATS:
        err(f"mediawatch: --format must be one of {', '.join(FORMATS)}")
        raise typer.Exit(EXIT_USAGE)
    settings = settings_from(ctx)
    count = 0
    with open_store_or_exit(settings) as store:
        entries = store.iter_audit(_audit_query(since, actor, action))

        def counted():
            nonlocal count
            for entry in entries:
                count += 1
                yield entry

        if out == "-":
            for chunk in export_lines(counted(), fmt):
                sys.stdout.write(chunk)
            sys.stdout.flush()
            return
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            for chunk in export_lines(counted(), fmt):
                f.write(chunk)
        tmp.replace(path)
    err(_text(ctx)["exported"].format(n=count, out=path))
