"""`mediawatch dashboards`: Kibana saved objects (export, validate, push) and the embedded view (serve)."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import EXIT_FAILED, EXIT_UNAVAILABLE, EXIT_USAGE, check_out, err, language_of, settings_from, writing

dashboards_app = typer.Typer(no_args_is_help=True,
                             help="Bảng điều khiển: Kibana và bản nhúng / dashboards: Kibana and embedded.")


def register(app: typer.Typer) -> None:
    app.add_typer(dashboards_app, name="dashboards")


def _lang(ctx: typer.Context, lang: str | None) -> str:
    return language_of(settings_from(ctx), lang)


def _ndjson(ctx: typer.Context, lang: str | None) -> str:
    from mediawatch.dashboards.kibana import render_ndjson

    settings = settings_from(ctx)
    return render_ndjson(lang=_lang(ctx, lang), index_prefix=settings.store.index_prefix,
                         province=settings.province.name)


@dashboards_app.command("export")
def export(ctx: typer.Context,
           out: Path = typer.Option(..., "--out", help="ndjson file to write (Kibana saved objects)."),
           lang: str = typer.Option(None, "--lang", help="vi (default from settings) or en.")) -> None:
    """Xuất saved objects cho Kibana / Write the Kibana saved objects (ndjson)."""
    from mediawatch.i18n import t

    check_out(out)
    text = _ndjson(ctx, lang)
    with writing(out):
        out.write_text(text, encoding="utf-8")
    typer.echo(t("cli.dashboards.exported", _lang(ctx, lang), n=len(text.splitlines()), out=out))


@dashboards_app.command("validate")
def validate(file: Path = typer.Argument(..., help="Saved objects ndjson to check offline.")) -> None:
    """Kiểm tra file ndjson / Check a saved-objects file against Kibana's rules, offline."""
    from mediawatch.dashboards.kibana_validate import validate_ndjson

    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        err(f"mediawatch: cannot read {file}: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    problems = validate_ndjson(text)
    for problem in problems:
        err(f"{file}: {problem}")
    if problems:
        raise typer.Exit(EXIT_FAILED)
    typer.echo(f"{file}: {len(text.splitlines())} objects, valid")


@dashboards_app.command("push")
def push(ctx: typer.Context,
         kibana: str = typer.Option(..., "--kibana", help="Kibana base URL, e.g. https://kibana.local:5601."),
         space: str = typer.Option(None, "--space", help="Kibana space (default space when left out)."),
         api_key: str = typer.Option(None, "--api-key", envvar="MEDIAWATCH_KIBANA_API_KEY",
                                     help="Kibana API key (or MEDIAWATCH_KIBANA_API_KEY)."),
         ca_file: str = typer.Option(None, "--ca-file", help="CA bundle for Kibana's TLS certificate."),
         lang: str = typer.Option(None, "--lang", help="vi (default from settings) or en.")) -> None:
    """Đẩy bảng điều khiển lên Kibana / Import the dashboards into Kibana (overwrite)."""
    from mediawatch.dashboards.kibana_push import push_ndjson
    from mediawatch.errors import ErrorKind, MediawatchError

    try:
        result = push_ndjson(_ndjson(ctx, lang), kibana, space=space, api_key=api_key, ca_file=ca_file)
    except MediawatchError as exc:
        err(f"mediawatch: {exc}")
        raise typer.Exit(EXIT_UNAVAILABLE if exc.kind == ErrorKind.TEMPORARY else EXIT_FAILED) from None
    for error in result.errors:
        err(f"kibana: {error.get('type')}/{error.get('id')}: {error.get('error')}")
    from mediawatch.i18n import t

    language = _lang(ctx, lang)
    typer.echo(t("cli.dashboards.imported", language, n=result.success_count)
               + ("" if result.success else t("cli.dashboards.with_errors", language)))
    if not result.success:
        raise typer.Exit(EXIT_FAILED)


@dashboards_app.command("serve")
def serve(ctx: typer.Context,
          port: int = typer.Option(8001, "--port", help="Port of the dashboards on 127.0.0.1."),
          db: Path = typer.Option(None, "--db", help="SQLite store file (default: store.url)."),
          immutable: bool = typer.Option(False, "--immutable", help="Open the file as an immutable snapshot "
                                                                    "(dashboards only: the desk needs the live file)."),
          lang: str = typer.Option(None, "--lang", help="vi (default from settings) or en."),
          desk_port: int = typer.Option(None, "--desk-port", help="Port of the review desk (default: desk.port, 8002)."),
          no_desk: bool = typer.Option(False, "--no-desk", help="Serve the dashboards only.")) -> None:
    """Mở bảng điều khiển nhúng và bàn kiểm chứng / Serve the embedded dashboards (Datasette, read-only) and
    the review desk, each on its own port of 127.0.0.1. With an Elasticsearch store: the desk only."""
    from mediawatch.app.desk.server import serve as run
    from mediawatch.dashboards.serve import view_options

    settings = settings_from(ctx)
    url = settings.store_url()
    embedded = db is not None or url.startswith("sqlite:///")
    if not embedded and no_desk:
        err("mediawatch: the embedded dashboards read the SQLite store; store.url is Elasticsearch. "
            "Fix: use Kibana (`mediawatch dashboards push`) or pass --db PATH to a SQLite store file.")
        raise typer.Exit(EXIT_USAGE)
    if embedded:
        db = db if db is not None else Path(url[len("sqlite:///"):])
        if not db.exists():
            err(f"mediawatch: no store file at {db}. Fix: run an ingest first (`mediawatch run`) or pass --db.")
            raise typer.Exit(EXIT_USAGE)
    if immutable and not no_desk:
        err("mediawatch: --immutable serves a snapshot: the review desk is not started (it writes to the store)")
        no_desk = True
    desk_port = desk_port or settings.desk.port
    if embedded and not no_desk and desk_port == port:
        err("mediawatch: --desk-port must differ from --port (the desk has its own origin)")
        raise typer.Exit(EXIT_USAGE)
    from ..dashboard_view import view_kwargs

    options = view_options(db, **view_kwargs(settings, _lang(ctx, lang))) if embedded else None
    if not embedded:
        err("mediawatch: dashboards are in Kibana (`mediawatch dashboards push`); serving the review desk only")
    store = None
    if not no_desk:
        from mediawatch.store import open_store

        try:
            if embedded:
                from mediawatch.store.sqlite import SQLiteStore

                store = SQLiteStore(db)
            else:
                store = open_store(settings)
            store.accounts()  # reach the store now: a wrong URL fails here, not at the first login
        except Exception as exc:
            err(f"mediawatch: cannot open the store for the review desk: {exc}. "
                "Fix: check store.url and that the server is reachable.")
            raise typer.Exit(EXIT_UNAVAILABLE) from None
    try:
        run(settings, store=store, db=db if embedded else None, options=options, port=port, desk_port=desk_port,
            immutable=immutable, echo=err)
    except OSError as exc:  # a port in use
        err(f"mediawatch: cannot listen: {exc}. Fix: choose other ports with --port / --desk-port.")
        raise typer.Exit(EXIT_USAGE) from None
