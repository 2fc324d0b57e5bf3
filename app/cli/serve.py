"""`mediawatch serve`: run every flow on its schedule (ingest, digest, forecast, retrain)."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import EXIT_OK, EXIT_UNAVAILABLE, err, settings_from


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(ctx: typer.Context,
          api_url: str = typer.Option(None, "--api-url", envvar="PREFECT_API_URL",
                                      help="A running Prefect API; default: start a local server on 127.0.0.1."),
          work_pool: str = typer.Option(None, "--work-pool",
                                        help="Register the scheduled deployments on this Prefect work pool "
                                             "(process workers on other machines run them) and exit."),
          limit: int = typer.Option(None, "--limit", min=1, help="At most this many flow runs at once.")) -> None:
    """Chạy theo lịch mọi luồng / Serve every flow on its schedule until Ctrl-C or SIGTERM."""
    settings = settings_from(ctx)
    from mediawatch.flows.orchestration.serve import prepare_environment, schedules

    prepare_environment(settings)  # before Prefect is imported: it reads its settings at import
    config_path = str(Path(settings.config_path).resolve()) if settings.config_path else None
    from mediawatch.i18n import t

    lang = settings.language
    if work_pool:
        if not api_url:
            err("mediawatch: --work-pool needs the shared Prefect API. Fix: set PREFECT_API_URL or --api-url.")
            raise typer.Exit(EXIT_UNAVAILABLE)
        from prefect.settings import PREFECT_API_URL, temporary_settings

        from mediawatch.flows.orchestration.serve import register_on_pool

        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            ids = register_on_pool(settings, config_path, work_pool)
        typer.echo(t("cli.serve.registered", lang, n=len(ids), pool=work_pool))
        raise typer.Exit(EXIT_OK)

    from mediawatch.flows.orchestration.serve import serve as run_serve

    def ready(url: str) -> None:
        typer.echo(t("cli.serve.ready", lang, url=url), err=True)
        for item in schedules(settings):
            when = (t("cli.serve.every", lang, minutes=int(item.interval.total_seconds() // 60)) if item.interval
                    else t("cli.serve.cron", lang, cron=item.cron, tz=settings.timezone))
            typer.echo(f"  mediawatch-{item.name}: {when}", err=True)

    try:
        code = run_serve(settings, config_path, api_url=api_url, on_ready=ready, limit=limit)
    except RuntimeError as exc:
        err(f"mediawatch: {exc}")
        raise typer.Exit(EXIT_UNAVAILABLE) from None
    raise typer.Exit(code)
