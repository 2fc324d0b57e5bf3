"""The `mediawatch` command. Each command group lives in its own module with ``register(app)``.

Exit codes scripts can rely on: 0 success, 1 the work ran but something failed (a source, a send),
2 bad usage or a broken configuration, 3 the store or another required service is unreachable.
"""

from __future__ import annotations

import importlib
import logging
import sys

import typer
from typer.core import TyperGroup

from mediawatch.errors import TemporaryError
from mediawatch.i18n import t
from mediawatch.redact import scrub


class _Commands(TyperGroup):
    """Every command: a required service that cannot be reached (the store, most often) is one
    clear line and exit 3, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TemporaryError as exc:
            typer.echo(scrub(t("cli.unreachable", "vi", error=exc)), err=True)
            raise typer.Exit(3) from None


# No local variables in tracebacks: they would print URLs and tokens the messages never show.
app = typer.Typer(name="mediawatch", cls=_Commands, no_args_is_help=True, add_completion=False,
                  pretty_exceptions_show_locals=False,
                  help="Theo dõi báo chí và mạng xã hội cho cơ quan truyền thông tỉnh. "
                       "Media and social-listening monitor with misinformation triage.")

# Modules under app/cli/ that add commands; one line per command group.
COMMAND_MODULES = [
    "core",
    "sources",
    "models",
    "serve",
    "alerts",
    "dashboards",
    "report",
    "demo",
    "classify",
    "desk",
    "claims",
]


@app.callback()
def _main(ctx: typer.Context,
          config: str = typer.Option(None, "--config", "-c", envvar="MEDIAWATCH_CONFIG",
                                     help="Configuration file (default ./mediawatch.toml)."),
          verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug details."),
          quiet: bool = typer.Option(False, "--quiet", "-q", help="Only warnings and errors.")) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("urllib3", "elastic_transport", "httpx", "scrapy", "filelock", "trafilatura", "htmldate"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    # The Elasticsearch client logs each failed attempt with its traceback; the store says it in one line.
    logging.getLogger("elastic_transport").setLevel(logging.DEBUG if verbose else logging.ERROR)
    ctx.obj = {"config": config}


for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}").register(app)


def main() -> None:
    app()
