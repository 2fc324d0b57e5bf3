"""Reporting commands: summary, digest, forecast."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import typer

from . import filters
from .common import (EXIT_FAILED, EXIT_USAGE, check_out, err, language_of, open_store_or_exit, parse_since, settings_from,
                     writing)


def register(app: typer.Typer) -> None:
    app.command("summary")(summary)
    app.command("digest")(digest)
    app.command("forecast")(forecast)


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise typer.BadParameter(f"cannot read {value!r} as a date: use dd/mm/yyyy or yyyy-mm-dd")


def summary(ctx: typer.Context,
            since: str = typer.Option("1d", "--since", help="Start: 1d, 7d, 12h, yyyy-mm-dd or dd/mm/yyyy."),
            until: str = typer.Option(None, "--until", help="End (default: now)."),
            topic: str = typer.Option(None, "--topic", help="Only this topic."),
            place: str = typer.Option(None, "--place", help="Only this place."),
            fmt: str = typer.Option("md", "--format", "-f", help="md, html or json."),
            lang: str = typer.Option(None, "--lang", help="vi (default) or en."),
            out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of the screen.")) -> None:
    """Tổng hợp dư luận / Public-opinion summary: volume, sentiment, stories, phrases, misinformation, alerts."""
    from mediawatch.flows.reports.summary import build_summary
    from mediawatch.flows.reports.summary_render import Extras, render_html, render_json, render_text, topic_labels

    if fmt not in ("md", "html", "json"):
        err(f"mediawatch: unknown format {fmt!r}. Fix: use --format md, html or json.")
        raise typer.Exit(EXIT_USAGE)
    settings = settings_from(ctx)
    language = language_of(settings, lang)
    if out:
        check_out(out)
    start = parse_since(since)
    end = parse_since(until) if until else datetime.now(timezone.utc)
    if start >= end:
        err("mediawatch: --since must be before --until.")
        raise typer.Exit(EXIT_USAGE)
    if topic:
        (topic,) = filters.topics([topic], settings)
    if place:
        place = filters.places([place], settings)[0]
    store = open_store_or_exit(settings)
    with store:
        result = build_summary(store, start, end, topic=topic, place=place, tz=settings.timezone)
    extras = Extras(labels=topic_labels(settings))
    text = {"md": lambda: render_text(result, language, extras=extras),
            "html": lambda: render_html(result, language, extras=extras),
            "json": lambda: render_json(result)}[fmt]()
    if out:
        with writing(out):
            out.write_text(text, encoding="utf-8")
        typer.echo(f"{out}")
    else:
        typer.echo(text, nl=False)


def digest(ctx: typer.Context,
           day: str = typer.Option(None, "--date", help="The day (dd/mm/yyyy); default yesterday."),
           send: bool = typer.Option(False, "--send", help="Send it by e-mail to digest.recipients."),
           out: Path = typer.Option(None, "--out", "-o", help="Write the HTML (and a .txt) to this file."),
           lang: str = typer.Option(None, "--lang", help="vi (default) or en.")) -> None:
    """Bản tin hằng ngày / The daily digest as an HTML + text e-mail (--send) or a file (--out)."""
    from mediawatch.flows.reports.digest import run_digest

    if not send and not out:
        err("mediawatch: nothing to do. Fix: pass --send to e-mail the digest or --out FILE.html to write it.")
        raise typer.Exit(EXIT_USAGE)
    settings = settings_from(ctx)
    if out:
        check_out(out)
        check_out(out.with_suffix(".txt"))
    store = open_store_or_exit(settings)
    try:
        with store:
            # The files are written here, not by run_digest: a bad --out is the user's to fix (exit 2).
            result = run_digest(settings, store, day=_parse_day(day), send=send, out=None, lang=lang)
    except ValueError as exc:
        err(f"mediawatch: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    if out:
        with writing(out):
            out.write_text(result.digest.standalone_html(), encoding="utf-8")
        with writing(out.with_suffix(".txt")):
            out.with_suffix(".txt").write_text(result.digest.text, encoding="utf-8")
        typer.echo(f"{result.digest.subject}: {out}")
    if send:
        from mediawatch.i18n import has, t

        key = f"cli.digest.{result.status}"
        said = t(key, result.digest.lang) if has(key) else result.status
        typer.echo(f"{result.digest.subject}: {said}")
        if result.status in ("queued", "off", "no-recipients"):
            raise typer.Exit(EXIT_FAILED)


def forecast(ctx: typer.Context,
             backtest: bool = typer.Option(False, "--backtest", help="Publish the rolling-origin back-test "
                                           "(MASE per model, interval coverage) on ReINTEL and on the store's series."),
             topic: str = typer.Option(None, "--topic", help="Only this topic."),
             place: str = typer.Option(None, "--place", help="Only this place."),
             reintel: Path = typer.Option(None, "--reintel", help="ReINTEL train.csv (default: "
                                          "classifiers.datasets_dir/reintel/train.csv or $MEDIAWATCH_REINTEL_CSV)."),
             lang: str = typer.Option(None, "--lang", help="vi (default) or en."),
             as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Dự báo 7 ngày / 7-day forecasts of volume and negative share per topic and place; --backtest: errors
    (MASE) and interval coverage."""
    settings = settings_from(ctx)
    language = language_of(settings, lang)
    if backtest:
        _forecast_backtest(settings, topic, place, reintel, language, as_json)
        return
    from mediawatch.flows.forecast.series import as_json as records_json, run_forecast
    from mediawatch.i18n import t

    store = open_store_or_exit(settings)
    with store:
        results = run_forecast(settings, store, topic=topic, place=place)
    if as_json:
        typer.echo(json.dumps(records_json(results), ensure_ascii=False, indent=2))
        return
    if not results:
        typer.echo(t("cli.forecast.none", language))
        return
    from mediawatch.flows.reports.summary_render import topic_labels

    labels = topic_labels(settings)
    for record in results.values():
        _print_record(record, language, labels)


def _print_record(record, lang: str, labels: dict[str, str]) -> None:
    from mediawatch.flows.forecast.describe import choice_line, interval_line
    from mediawatch.i18n import fmt_date, t, words as words_in

    words = words_in("cli.forecast", lang)
    name = " / ".join(labels.get(v, v) for v in (record.topic, record.place) if v != "*") or words["all"]
    days = record.points
    volume = ", ".join(f"{p.volume:.0f}" for p in days)
    typer.echo(f"{name}: {fmt_date(days[0].date)}–{fmt_date(days[-1].date)}: {volume} {words['per_day']} "
               f"({words['negative_share']} ~{days[0].negative_share * 100:.0f}%); {words['last_7_days']} "
               f"{record.last_week}, {words['previous_7_days']} {record.previous_week}: {t(record.trend, lang)}")
    if record.today is not None:
        first = days[0]
        typer.echo("  " + t("forecast_today", lang, day=fmt_date(first.date),
                            time=record.today.as_of.astimezone(_zone(record.tz)).strftime("%H:%M"),
                            so_far=record.today.so_far, mean=round(first.volume), low=round(first.volume_lower),
                            high=round(first.volume_upper)))
    typer.echo("  " + choice_line(record, lang))
    typer.echo("  " + interval_line(record, lang))


def _zone(tz: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(tz)


def _forecast_backtest(settings, topic: str | None, place: str | None, reintel: Path | None, lang: str,
                       as_json: bool) -> None:
    from mediawatch.flows.forecast.evaluate import (backtest_series, check_floors, default_reintel_path,
                                                    format_backtest, reintel_series, results_json)
    from mediawatch.flows.forecast.series import store_series
    from mediawatch.i18n import t, words as words_in

    series = []
    path = reintel or default_reintel_path(settings)
    if path.exists():
        series.extend(reintel_series(path, settings.timezone))
    else:
        err(t("cli.forecast.no_reintel", lang, path=path))
    store = open_store_or_exit(settings)
    with store:
        # Up to yesterday: today is not over, its count would look like a collapse.
        yesterday = datetime.now(_zone(settings.timezone)).date() - timedelta(days=1)
        own = store_series(store, topic=topic, place=place, end=yesterday, tz=settings.timezone)
        if sum(own.counts) > 0:
            scope = words_in("cli.forecast", lang)
            own.name = f"{scope['store']}: {topic or scope['all_topics']}, {place or scope['all_places']}"
            series.append(own)
    results, skipped = backtest_series(series)
    failures = check_floors([r for r in results if r.series.startswith("reintel")]) if path.exists() else []
    if as_json:
        typer.echo(json.dumps({"results": results_json(results, skipped), "gates_failed": failures},
                              ensure_ascii=False, indent=2))
    else:
        typer.echo(format_backtest(results, skipped, lang))
        if path.exists():
            typer.echo("")
            typer.echo(gates_line(failures, lang))
    if not results or failures:
        raise typer.Exit(EXIT_FAILED)


def gates_line(failures: list[str], lang: str) -> str:
    """The back-test's verdict against flows/forecast/floors.json, as `forecast --backtest` and `eval` print it."""
    from mediawatch.i18n import t

    verdict = "; ".join(failures) if failures else t("cli.forecast.gates_met", lang)
    return f"{t('cli.forecast.gates', lang)} (flows/forecast/floors.json): {verdict}"
