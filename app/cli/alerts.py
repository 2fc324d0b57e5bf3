"""`mediawatch alerts list|backtest|check|outbox`: crisis alerts and their delivery."""

from __future__ import annotations

import json
from datetime import timedelta

import typer

from mediawatch.i18n import fmt_date_time, label, t
from mediawatch.redact import MAX_MESSAGE, scrub

from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, err, open_store_or_exit, parse_since, settings_from

alerts_app = typer.Typer(no_args_is_help=True, help="Cảnh báo khủng hoảng / crisis alerts.")


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")


@alerts_app.command("list")
def list_alerts(ctx: typer.Context, since: str = typer.Option("7d", "--since", help="2d, 12h, 2025-07-01 or 01/07/2025."),
                limit: int = typer.Option(50, "--limit", "-n", min=1, max=10000),
                as_json: bool = typer.Option(False, "--json")) -> None:
    """Alerts fired or updated since a time, most recent first."""
    settings = settings_from(ctx)
    with open_store_or_exit(settings) as store:
        records = store.alerts(since=parse_since(since), limit=limit)
    if as_json:
        for r in records:
            typer.echo(json.dumps({"alert_id": r.alert_id, "rule": r.rule, "severity": r.severity, "title": r.title,
                                   "fired_at": r.fired_at.isoformat(), "updated_at": r.updated_at.isoformat(),
                                   "payload": r.payload}, ensure_ascii=False))
        return
    lang = settings.language
    typer.echo(t("cli.alerts.count", lang, n=len(records)))
    for r in records:
        updates = int(r.payload.get("updates") or 0)
        extra = t("cli.alerts.updates", lang, n=updates) if updates else ""
        typer.echo(f"{fmt_date_time(r.fired_at, settings.timezone)}  [{label('severity', r.severity, lang)}] "
                   f"{r.title}  ({r.rule}{extra})")
        if r.payload.get("text"):
            typer.echo(f"    {r.payload['text']}")


@alerts_app.command("backtest")
def backtest(ctx: typer.Context,
             since: str = typer.Option(..., "--since", help="Replay from: 30d, 2025-07-01 or 01/07/2025."),
             until: str = typer.Option(None, "--until", help="Replay until (default: now)."),
             step: int = typer.Option(None, "--step", min=1,
                                      help="Minutes between evaluations (default: the ingest interval)."),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """Replay the configured rules over stored data; print how many alerts each would have fired."""
    from mediawatch.flows.alerts import backtest as run_backtest

    settings = settings_from(ctx)
    if not settings.alerts.rules:
        err("mediawatch: no alert rules configured. Fix: add [[alerts.rules]] (see docs/alerts.md).")
        raise typer.Exit(EXIT_USAGE)
    start, end = parse_since(since), parse_since(until)
    with open_store_or_exit(settings) as store:
        result = run_backtest(settings, store, start, end,
                              step=timedelta(minutes=step) if step else None)
    if as_json:
        typer.echo(json.dumps({"since": result.since.isoformat(), "until": result.until.isoformat(),
                               "evaluations": result.evaluations, "fired": dict(result.fired),
                               "updates": dict(result.updates), "errors": result.errors}, ensure_ascii=False))
    else:
        lang, tz = settings.language, settings.timezone
        typer.echo(t("cli.alerts.replayed", lang, n=result.evaluations, start=fmt_date_time(result.since, tz),
                     end=fmt_date_time(result.until, tz)))
        rules = {r.name: r for r in settings.alerts.rules}
        for name, count in sorted(result.fired.items()):
            updates = result.updates.get(name, 0)
            typer.echo(f"  {name:<28} {label('rule_type', rules[name].type, lang):<18} {count:>5} "
                       + t("cli.alerts.fired", lang, updates=updates))
        for name, problem in result.errors.items():
            err(f"mediawatch: rule {name} failed: {problem}")
    raise typer.Exit(EXIT_FAILED if result.errors else EXIT_OK)


@alerts_app.command("check")
def check(ctx: typer.Context, deliver: bool = typer.Option(True, "--deliver/--no-deliver",
                                                           help="Send what fires to the webhooks.")) -> None:
    """Evaluate the rules now (as after an ingest) and deliver what fires."""
    from mediawatch.flows.alerts import evaluate_alerts
    from mediawatch.flows.delivery.webhooks import deliver as send

    settings = settings_from(ctx)
    with open_store_or_exit(settings) as store:
        run = evaluate_alerts(settings, store)
    lang = settings.language
    for o in run.outcomes:
        typer.echo(f"{label('alert_status', o.status, lang):<9} [{label('severity', o.record.severity, lang)}] "
                   f"{o.record.title}")
    report = send(settings, run.to_deliver if deliver else []).as_dict()
    typer.echo(json.dumps({"alerts": run.counts(), "deliveries": report}, ensure_ascii=False))
    for name, problem in run.errors.items():
        err(f"mediawatch: rule {name} failed: {problem}")
    raise typer.Exit(EXIT_FAILED if run.errors or report["failed"] or report["retry_later"] else EXIT_OK)


@alerts_app.command("outbox")
def outbox(ctx: typer.Context, retry: bool = typer.Option(False, "--retry", help="Send what is due now.")) -> None:
    """Webhook deliveries waiting in the outbox (and those refused, in failed/)."""
    from mediawatch.document import parse_ts
    from mediawatch.flows.delivery.webhooks import Outbox, deliver

    settings = settings_from(ctx)
    box = Outbox.for_settings(settings)
    sent = None
    if retry:
        sent = deliver(settings, [])
        typer.echo(json.dumps(sent.as_dict(), ensure_ascii=False))
    pending = box.pending()
    failed = sorted(box.failed_path.glob("*.json")) if box.failed_path.exists() else []
    lang = settings.language
    typer.echo(t("cli.alerts.outbox", lang, pending=len(pending), refused=len(failed), path=box.path))
    for d in pending:
        due = fmt_date_time(parse_ts(d.next_attempt_at), settings.timezone) if d.next_attempt_at else "-"
        typer.echo(f"  {d.id}  {d.webhook}  {t('cli.alerts.attempt', lang, attempts=d.attempts, next=due)}  "
                   f"{scrub(d.last_error or '', MAX_MESSAGE)}")
    for path in failed:
        try:
            reason = json.loads(path.read_text(encoding="utf-8")).get("last_error") or ""
        except (OSError, ValueError):
            reason = "unreadable"
        typer.echo(f"  {t('cli.alerts.refused', lang)}: {path.stem}  {scrub(reason, MAX_MESSAGE)}")
    if sent is not None and not sent.ok:
        raise typer.Exit(EXIT_FAILED)
