"""Core commands: init, run, search, status, export."""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from mediawatch.i18n import fmt_date_time, fmt_num, label, t
from mediawatch.redact import MAX_MESSAGE, scrub, scrub_data

from . import filters
from .common import (EXIT_USAGE, check_out, err, is_tty, open_store_or_exit,
                     parse_since, settings_from, writing)
from .filters import FreeTextCommand


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("run")(run)
    app.command("search", cls=FreeTextCommand)(search)
    app.command("status")(status)
    app.command("export")(export)


def init(province: str = typer.Option("Lào Cai", "--province", "-p", help="The province to watch."),
         path: Path = typer.Option(Path("mediawatch.toml"), "--path", help="Where to write the configuration."),
         force: bool = typer.Option(False, "--force", help="Overwrite an existing file.")) -> None:
    """Write a commented starter configuration for a province, and an empty claims register."""
    from ..starter import REGISTER_FILE, canonical_province, register_template, starter_config

    if path.exists() and not force:
        err(f"mediawatch: {path} already exists. Fix: pass --force to overwrite it, or --path for another file.")
        raise typer.Exit(EXIT_USAGE)
    try:
        province = canonical_province(province)
    except ValueError as exc:
        err(f"mediawatch: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    path.write_text(starter_config(province), encoding="utf-8")
    typer.echo(t("cli.init.done", "vi", path=path, province=province))
    register = path.parent / REGISTER_FILE
    if register.exists():  # an office's register is never overwritten, not even with --force
        typer.echo(t("cli.init.register_kept", "vi", path=register))
    else:
        register.write_text(register_template(province), encoding="utf-8")
        typer.echo(t("cli.init.register_written", "vi", path=register))


def run(ctx: typer.Context,
        source: list[str] = typer.Option(None, "--source", "-s", help="Only these source ids."),
        no_classify: bool = typer.Option(False, "--no-classify", help="Store documents without enrichment."),
        prefect: bool = typer.Option(False, "--prefect", help="Run as the Prefect flow: hosts in parallel "
                                     "on the configured task runner (see docs/flows.md).")) -> None:
    """Run one ingest cycle over the configured sources now."""
    from mediawatch.flows.orchestration.ingest import default_enricher, guard, run_ingest

    settings = settings_from(ctx)
    chosen = settings.sources
    if source:
        unknown = sorted(set(source) - {s.id for s in settings.sources})
        if unknown:
            err(f"mediawatch: unknown source id(s): {', '.join(unknown)}. Fix: see [[sources]] in the configuration.")
            raise typer.Exit(EXIT_USAGE)
        chosen = [s for s in settings.sources if s.id in source]
    store = guard(settings, open_store_or_exit(settings))  # an unreachable store: spool, go on
    enrich = None if no_classify else default_enricher(settings, store)
    with store.store, _progress(len([s for s in chosen if s.enabled])) as advance:
        if prefect:
            from mediawatch.flows.orchestration.serve import prepare_environment

            prepare_environment(settings)  # Prefect home and telemetry, before Prefect is imported
            from mediawatch.flows.orchestration.prefect_flows import run_ingest_flow

            summary = run_ingest_flow(settings, sources=chosen, enrich=not no_classify,
                                      on_source_done=lambda record: advance(record.source_id))
        else:
            summary = run_ingest(settings, store, sources=chosen, enrich=enrich,
                                 on_source_done=lambda record: advance(record.source_id))
    from .runinfo import run_exit_code, run_lines, source_line

    lang = settings.language
    for record in summary.records:
        typer.echo(source_line(record, lang))
    for line in run_lines(summary, lang):
        typer.echo(line)
    sends_failed = report_deliveries(summary.deliveries, lang)
    raise typer.Exit(run_exit_code(summary, sends_failed))


def report_deliveries(deliveries: dict | None, lang: str = "vi") -> bool:
    """One line about alerts that did not reach a webhook; True when there were any."""
    deliveries = deliveries or {}
    refused, later = int(deliveries.get("failed") or 0), int(deliveries.get("retry_later") or 0)
    broken = deliveries.get("error")
    if not (refused or later or broken):
        return False
    if broken:
        err(t("cli.deliveries.broken", lang, error=broken))
    if refused:
        err(t("cli.deliveries.refused", lang, n=refused))
    if later:
        err(t("cli.deliveries.later", lang, n=later))
    for problem in (deliveries.get("errors") or [])[:3]:
        err(f"    {problem}")
    return True


class _progress:
    """A rich progress bar on a terminal; silent when output is piped (cron, CI)."""

    def __init__(self, total: int):
        self.total = total
        self._bar = None

    def __enter__(self):
        if is_tty() and self.total:
            from rich.progress import Progress

            self._bar = Progress(transient=True)
            self._bar.start()
            self._task = self._bar.add_task("ingest", total=self.total)
        return self.advance

    def advance(self, label: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=label)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()


def _query(settings, text, since, until, topic, place, sentiment, kind, source, flagged):
    """A SearchQuery from what was typed: syntax checked, names and labels resolved (exit 2 if wrong)."""
    from mediawatch.store import SearchQuery

    return SearchQuery(text=filters.checked_query(text), since=parse_since(since), until=parse_since(until),
                       topics=filters.topics(topic, settings), places=filters.places(place, settings),
                       sentiments=filters.sentiments(sentiment), kinds=filters.kinds(kind),
                       source_ids=list(source or []), flagged_only=flagged)


def search(ctx: typer.Context,
           query: list[str] = typer.Argument(None, help='Words, "phrases", OR, -exclude, prefix*, title:word. '
                                                        "A first word may start with '-' (search -lũ bão)."),
           since: str = typer.Option(None, "--since", help="2d, 12h, 2025-07-01 or 01/07/2025."),
           until: str = typer.Option(None, "--until"),
           topic: list[str] = typer.Option(None, "--topic", help="Topic name or the label the digest shows."),
           place: list[str] = typer.Option(None, "--place", help="Place name; case and diacritics optional."),
           sentiment: list[str] = typer.Option(None, "--sentiment", help="negative, neutral or positive "
                                               "(tiêu cực, trung lập, tích cực)."),
           kind: list[str] = typer.Option(None, "--kind", help="press, social or web."),
           source: list[str] = typer.Option(None, "--source"),
           flagged: bool = typer.Option(False, "--flagged", help="Only documents in the misinformation queue."),
           limit: int = typer.Option(20, "--limit", "-n", min=1, max=10000),
           as_json: bool = typer.Option(False, "--json", help="One JSON document per line.")) -> None:
    """Search stored documents (diacritics optional: 'da nang' finds 'Đà Nẵng')."""
    settings = settings_from(ctx)
    q = _query(settings, " ".join(query or []), since, until, topic, place, sentiment, kind, source, flagged)
    with open_store_or_exit(settings) as store:
        page = store.search(q, size=limit)
    if as_json:
        for doc in page.documents:
            typer.echo(doc.to_json())
        return
    lang = settings.language
    total = f"{page.total}" if page.total_exact else f"≥{page.total}"
    typer.echo(t("cli.search.total", lang, total=total, n=page.total if page.total_exact else 2))
    for doc in page.documents:
        mood = label("sentiment", doc.sentiment.label, lang) if doc.sentiment else "-"
        typer.echo(f"{fmt_date_time(doc.when, settings.timezone)}  [{doc.source.name or doc.source.id}]  {doc.title}  "
                   f"({mood})\n    {doc.url}")


def status(ctx: typer.Context, days: int = typer.Option(7, "--days", min=1, max=90),
           as_json: bool = typer.Option(False, "--json")) -> None:
    """Documents by source and day, the last run, and errors per source."""
    from mediawatch.store import SearchQuery

    settings = settings_from(ctx)
    zone = ZoneInfo(settings.timezone)
    today = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    since = (today - timedelta(days=days - 1)).astimezone(timezone.utc)
    with open_store_or_exit(settings) as store:
        total = store.count(SearchQuery())
        sources = [s for s, _ in store.facets(SearchQuery(), ["source_id"], size=1000)["source_id"]]
        sources = sorted(set(sources) | {s.id for s in settings.sources})
        per_source = {}
        for sid in sources:
            buckets = store.histogram(SearchQuery(source_ids=[sid], since=since), interval="day", tz=settings.timezone)
            by_day = {b.start.strftime("%d/%m"): b.count for b in buckets}
            runs = store.runs(source_id=sid, limit=1)
            per_source[sid] = {"by_day": by_day, "last_run": runs[0] if runs else None}
        last = store.runs(limit=1)
        summaries = store.run_summaries(limit=1)  # run-level summaries written by the ingest, one per run
        latest = summaries[0] if summaries else None
        waiting = store.spool_pending()
        from mediawatch.crawlers.health import silent_sources

        silent = silent_sources(store.runs(limit=5000), datetime.now(timezone.utc))
    days_labels = [(today - timedelta(days=i)).strftime("%d/%m") for i in range(days - 1, -1, -1)]
    if as_json:
        out = {"total": total, "days": days_labels, "sources": {
            sid: {"by_day": [info["by_day"].get(d, 0) for d in days_labels],
                  "last_run": _run_json(info["last_run"])} for sid, info in per_source.items()},
               "silent_sources": [{"source_id": s.source_id, "last_published_at": s.last_published_at.isoformat(),
                                   "silent_hours": round(s.silent_for.total_seconds() / 3600, 1),
                                   "typical_gap_hours": round(s.typical_gap.total_seconds() / 3600, 1)}
                                  for s in silent]}
        out["last_run_summary"] = latest
        out["spool_pending"] = waiting
        typer.echo(json.dumps(scrub_data(out, None), ensure_ascii=False, indent=2))
        return
    lang = settings.language
    typer.echo(t("cli.status.total", lang, total=total))
    if last:
        typer.echo(t("cli.status.last_run", lang, when=fmt_date_time(last[0].finished_at, settings.timezone)))
    if latest:
        from .runinfo import describe_summary

        typer.echo(scrub(describe_summary(latest, lang)))
    if waiting:
        typer.echo(t("cli.status.spool", lang, n=waiting))
    header = t("cli.status.source", lang)
    typer.echo(f"{header:<24}" + " ".join(f"{d:>5}" for d in days_labels) + f"  {t('cli.status.errors', lang)}")
    for sid, info in per_source.items():
        run = info["last_run"]
        errors = ", ".join(f"{k}={v}" for k, v in sorted(run.errors.items())) if run and run.errors else "-"
        if run and run.error_kinds:
            errors += " [" + ", ".join(f"{k}={v}" for k, v in sorted(run.error_kinds.items())) + "]"
        typer.echo(f"{sid[:24]:<24}" + " ".join(f"{info['by_day'].get(d, 0):>5}" for d in days_labels) + f"  {errors}")
        if run:
            for message in run.messages[:3]:
                typer.echo(f"    {scrub(message, MAX_MESSAGE)}")
    for item in silent:
        hours = item.silent_for.total_seconds() / 3600
        usual = item.typical_gap.total_seconds() / 3600
        typer.echo(t("cli.status.silent", lang, source=item.source_id, hours=f"{hours:.0f}",
                     usual=fmt_num(usual, lang, 1)))


def _run_json(run) -> dict | None:
    if run is None:
        return None
    return {"run_id": run.run_id, "finished_at": run.finished_at.isoformat(), "fetched": run.fetched,
            "new": run.new, "updated": run.updated, "unchanged": run.unchanged, "errors": run.errors,
            "error_kinds": run.error_kinds, "aborted": run.aborted, "messages": run.messages}


CSV_COLUMNS = ["id", "url", "source_id", "source_kind", "source_name", "title", "published_at", "lang",
               "sentiment", "sentiment_score", "topics", "places", "misinfo_score", "misinfo_status",
               "story_id", "duplicate_of", "likes", "comments", "shares", "views", "text"]


def export(ctx: typer.Context,
           fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl or csv."),
           out: Path = typer.Option(None, "--out", "-o", help="File to write (default: standard output)."),
           query: str = typer.Option("", "--query"),
           since: str = typer.Option(None, "--since"), until: str = typer.Option(None, "--until"),
           topic: list[str] = typer.Option(None, "--topic"), place: list[str] = typer.Option(None, "--place"),
           kind: list[str] = typer.Option(None, "--kind")) -> None:
    """Export documents as JSON lines (the document JSON form) or CSV."""
    if fmt not in ("jsonl", "csv"):
        err(f"mediawatch: unknown format {fmt!r}. Fix: use --format jsonl or --format csv.")
        raise typer.Exit(EXIT_USAGE)
    settings = settings_from(ctx)
    q = _query(settings, query, since, until, topic, place, None, kind, None, False)
    if out:
        check_out(out)
    count = 0
    with open_store_or_exit(settings) as store, writing(out or "-"):
        handle = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
        try:
            if fmt == "jsonl":
                for doc in store.iter_documents(q):
                    handle.write(doc.to_json() + "\n")
                    count += 1
            else:
                writer = csv.writer(handle)
                writer.writerow(CSV_COLUMNS)
                for doc in store.iter_documents(q):
                    writer.writerow(_csv_row(doc))
                    count += 1
        finally:
            if out:
                handle.close()  # flushes: a full disk shows up here
    if out:
        typer.echo(t("cli.export.done", settings.language, n=count, out=out), err=True)


def _csv_row(doc) -> list:
    s, m, e = doc.sentiment, doc.misinfo, doc.engagement
    return [doc.id, doc.url, doc.source.id, doc.source.kind, doc.source.name, doc.title,
            doc.published_at.isoformat() if doc.published_at else "", doc.lang or "",
            s.label if s else "", s.score if s else "", "|".join(doc.topics), "|".join(doc.places),
            m.score if m else "", m.review_status if m else "", doc.story_id or "", doc.duplicate_of or "",
            e.likes, e.comments, e.shares, e.views, doc.text]
