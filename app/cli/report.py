"""Reporting commands: summary, digest, forecast."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import typer

from . import filters
from .common import (EXIT_FAILED, EXIT_USAGE, check_out, err, open_store_or_exit, parse_since, settings_from,
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
    from mediawatch.i18n import check_lang
    from mediawatch.flows.reports.summary import build_summary
    from mediawatch.flows.reports.summary_render import Extras, render_html, render_json, render_text, topic_labels

    if fmt not in ("md", "html", "json"):
        err(f"mediawatch: unknown format {fmt!r}. Fix: use --format md, html or json.")
        raise typer.Exit(EXIT_USAGE)
    settings = settings_from(ctx)
    try:
        language = check_lang(lang or settings.language)
    except ValueError as exc:
        err(f"mediawatch: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
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
        messages = {"sent": "đã gửi / sent", "duplicate": "đã gửi trước đó / already sent",
                    "queued": "chưa gửi được, nằm trong hộp thư đi / queued in the outbox",
                    "off": "e-mail tắt (chưa đặt smtp.host) / e-mail off",
                    "no-recipients": "chưa có người nhận (digest.recipients) / no recipients"}
        typer.echo(f"{result.digest.subject}: {messages.get(result.status, result.status)}")
        if result.status in ("queued", "off", "no-recipients"):
            raise typer.Exit(EXIT_FAILED)


def forecast(ctx: typer.Context,
             backtest: bool = typer.Option(False, "--backtest", help="Publish the rolling-origin back-test "
                                           "(MASE per model) on ReINTEL and on the store's series."),
             topic: str = typer.Option(None, "--topic", help="Only this topic."),
             place: str = typer.Option(None, "--place", help="Only this place."),
             reintel: Path = typer.Option(None, "--reintel", help="ReINTEL train.csv (default: "
                                          "classifiers.datasets_dir/reintel/train.csv or $MEDIAWATCH_REINTEL_CSV)."),
             as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Dự báo 7 ngày / 7-day forecasts of volume and negative share per topic and place; --backtest: MASE."""
    from mediawatch.flows.forecast.series import (backtest_series, default_reintel_path, format_backtest, reintel_series,
                                run_forecast, store_series)

    settings = settings_from(ctx)
    if backtest:
        series = []
        path = reintel or default_reintel_path(settings)
        if path.exists():
            series.extend(reintel_series(path, settings.timezone))
        else:
            err(f"mediawatch: ReINTEL not found at {path}; back-testing the store's series only. "
                "Fix: pass --reintel PATH.")
        store = open_store_or_exit(settings)
        with store:
            from zoneinfo import ZoneInfo

            # Up to yesterday: today is not over, its count would look like a collapse.
            yesterday = datetime.now(ZoneInfo(settings.timezone)).date() - timedelta(days=1)
            own = store_series(store, topic=topic, place=place, end=yesterday, tz=settings.timezone)
            if sum(own.counts) > 0:
                own.name = f"store: {topic or 'all topics'}, {place or 'all places'}"
                series.append(own)
        results = backtest_series(series)
        if as_json:
            typer.echo(json.dumps([{"series": r.series, "days": r.days, "origins": r.origins,
                                    "mase": r.mase, "mae": r.mae, "coverage": r.coverage, "best": r.best}
                                   for r in results], ensure_ascii=False, indent=2))
        else:
            typer.echo(format_backtest(results))
        if not results:
            raise typer.Exit(EXIT_FAILED)
        return
    store = open_store_or_exit(settings)
    with store:
        results = run_forecast(settings, store, topic=topic, place=place)
    if as_json:
        typer.echo(json.dumps(results, ensure_ascii=False, indent=2))
        return
    if not results:
        typer.echo("Chưa có dữ liệu để dự báo / no data to forecast yet.")
        return
    for key, value in results.items():
        days = value["forecast"]
        span = f"{days[0]['date']}..{days[-1]['date']}"
        volume = ", ".join(f"{d['volume']:.0f}" for d in days)
        flag = "  ↑ TĂNG / RISING" if value["rising"] else ""
        typer.echo(f"{key}  [{value['model']}]  {span}: {volume}  "
                   f"(tiêu cực/negative ~{days[0]['negative_share'] * 100:.0f}%){flag}")
