"""`mediawatch train NAME` and `mediawatch eval NAME`: train or score the models in mediawatch.classifiers.registry."""

from __future__ import annotations

import time

import typer

from .common import EXIT_FAILED, EXIT_USAGE, check_out, err, settings_from


def _text(ctx: typer.Context) -> dict[str, str]:
    from mediawatch.i18n import words

    return words("cli.models", settings_from(ctx).language)


def _model(name: str, text: dict, *, also: tuple[str, ...] = ()):
    from mediawatch.classifiers.registry import MODELS

    if name not in MODELS:
        err("mediawatch: " + text["unknown"].format(name=name, names=", ".join(sorted(MODELS) + list(also))))
        raise typer.Exit(EXIT_USAGE)
    return MODELS[name]


# Not a classifier, but a judgment people read (the digest's 7-day forecast): `eval` prints its
# back-test beside the models' scores, with the same gates as `mediawatch forecast --backtest`.
FORECAST = "forecast"


def _eval_forecast(settings, datasets: str | None, lang: str) -> int:
    """The ReINTEL back-test (MASE per model, interval coverage) and its gates; failed gates."""
    from pathlib import Path

    from mediawatch.flows.forecast.evaluate import (backtest_series, check_floors, default_reintel_path,
                                                    format_backtest, reintel_series)
    from mediawatch.i18n import t

    from .report import gates_line

    path = Path(datasets) / "reintel" / "train.csv" if datasets else default_reintel_path(settings)
    if not path.exists():
        err(t("cli.models.no_reintel", lang, path=path))
        raise typer.Exit(EXIT_USAGE)
    results, skipped = backtest_series(reintel_series(path, settings.timezone))
    failures = check_floors(results)
    typer.echo(format_backtest(results, skipped, lang))
    typer.echo(gates_line(failures, lang))
    return len(failures)


def _print_scores(name: str, scores: dict[str, float], floors: dict[str, float], text: dict) -> int:
    typer.echo(text["scores"].format(name=name))
    below = 0
    width = max((len(k) for k in scores), default=0)
    for key, value in sorted(scores.items()):
        line = f"  {key:<{width}}  {value:.4f}"
        if key in floors:
            line += f"  ({text['floor']} {floors[key]:.4f})"
            if value < floors[key]:
                line += f"  {text['below']}"
                below += 1
        typer.echo(line)
    return below


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train(ctx: typer.Context,
              name: str = typer.Argument(..., help="Model name: sentiment, sections, ... (classifiers/registry.py)."),
              datasets: str = typer.Option(None, "--datasets", help="Labelled data folder (default: classifiers.datasets_dir)."),
              out: str = typer.Option(None, "--out", help="Where to write the model and its card "
                                                          "(default: classifiers.models_dir, else data_dir/models).")) -> None:
        """Huấn luyện một mô hình / Train a model and print its held-out scores."""
        from mediawatch.classifiers.modelio import models_dir, read_floors
        from mediawatch.errors import MediawatchError

        text = _text(ctx)
        model = _model(name, text)
        if not model.trainable:
            err("mediawatch: " + text["rule_based"].format(name=name))
            raise typer.Exit(EXIT_USAGE)
        started = time.perf_counter()
        try:
            reviewed = []
            if model.learns_from_reviews:
                from mediawatch.flows.orchestration.retrain import reviewed_in_store

                reviewed = reviewed_in_store(settings_from(ctx))
            settings = settings_from(ctx)
            out = out or str(settings.models_out_path())
            check_out(out, directory=True)  # before minutes of training, not after
            scores = model.train(datasets or settings.datasets_path(), out, reviewed=reviewed)
        except MediawatchError as exc:
            err(f"mediawatch: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
        typer.echo(text["trained"].format(name=name, secs=f"{time.perf_counter() - started:.0f}", out=models_dir(out)))
        _print_scores(name, scores, read_floors(None).get(name, {}), text)

    @app.command("eval")
    def evaluate(ctx: typer.Context,
                 name: str = typer.Argument(..., help="Model name (classifiers/registry.py), forecast, or all."),
                 datasets: str = typer.Option(None, "--datasets", help="Labelled data folder (default: classifiers.datasets_dir)."),
                 models: str = typer.Option(None, "--models", help="Model folder (default classifiers/models).")) -> None:
        """Đánh giá mô hình / Score a trained model, the forecasts, or all, on held-out data; exit 1 below floors."""
        from mediawatch.classifiers.modelio import read_floors
        from mediawatch.classifiers.registry import MODELS
        from mediawatch.errors import MediawatchError

        text = _text(ctx)
        settings = settings_from(ctx)
        names = [*MODELS, FORECAST] if name == "all" else [name]
        chosen = [(n, None if n == FORECAST else _model(n, text, also=(FORECAST, "all"))) for n in names]
        below = 0
        for model_name, model in chosen:
            if model is None:
                typer.echo(text["scores"].format(name=model_name))
                below += _eval_forecast(settings, datasets, settings.language)
                continue
            try:
                scores = model.evaluate(datasets or settings.datasets_path(), models)
            except MediawatchError as exc:
                err(f"mediawatch: {exc}")
                raise typer.Exit(EXIT_USAGE) from None
            below += _print_scores(model_name, scores, read_floors(models).get(model_name, {}), text)
        if below:
            err("mediawatch: " + text["failed"].format(n=below))
            raise typer.Exit(EXIT_FAILED)
