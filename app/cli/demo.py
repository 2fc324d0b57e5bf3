"""`mediawatch demo`: the whole system offline on this machine (see docs/demo.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import EXIT_FAILED, EXIT_USAGE, err


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(directory: Path = typer.Option(Path("mediawatch-demo"), "--dir", help="Working folder for the "
                                        "demo's configuration, store, digest and social export."),
         no_serve: bool = typer.Option(False, "--no-serve", help="Exit after the run instead of serving "
                                       "the dashboards (tests, CI)."),
         port: int = typer.Option(8001, "--port", help="Dashboards port on 127.0.0.1."),
         lang: str = typer.Option("vi", "--lang", help="vi (default) or en.")) -> None:
    """Chạy thử toàn bộ hệ thống / Run the whole system offline on a demo site: ingest, alerts, digest,
    forecast, dashboards."""
    from mediawatch.app.demo.runner import run_demo

    if lang not in ("vi", "en"):
        err("mediawatch: --lang must be vi or en.")
        raise typer.Exit(EXIT_USAGE)
    try:
        result = run_demo(directory, echo=typer.echo, serve=not no_serve, dashboard_port=port, lang=lang)
    except FileExistsError as exc:
        err(f"mediawatch: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    if not result.documents or result.failed_sources:
        from mediawatch.i18n import t

        err(t("demo.failed", lang))
        raise typer.Exit(EXIT_FAILED)
