"""Alerts: what fired, who acknowledged it and when; muting a rule for a period (the alert engine
records a muted rule's alerts but delivers nothing until the mute ends)."""

from __future__ import annotations

from datetime import timedelta

from starlette.datastructures import FormData
from starlette.responses import Response

from mediawatch.document import utcnow
from mediawatch.store.desk_base import RuleMute

from .web import Ctx, action, page, text

DAYS = (1, 7, 30, 90)
MUTE_HOURS = (1, 4, 12, 24, 72, 168)


def _rules(ctx: Ctx, seen: list[str]) -> list[str]:
    configured = [r.name for r in ctx.settings.alerts.rules]
    return configured + sorted(set(seen) - set(configured))


@page("viewer")
def alerts(ctx: Ctx) -> Response:
    q = ctx.request.query_params
    days = int(q["days"]) if q.get("days", "").isdigit() and int(q["days"]) in DAYS else 7
    now = utcnow()
    found = ctx.store.alerts(since=now - timedelta(days=days), limit=300)
    acks = ctx.store.alert_acks([a.alert_id for a in found])
    mutes = {m.rule: m for m in ctx.store.rule_mutes(active_at=now)}
    types = {r.name: r.type for r in ctx.settings.alerts.rules}
    return ctx.render("alerts.html", section="alerts", alerts=found, acks=acks, mutes=mutes, days=days,
                      day_choices=DAYS, hours=MUTE_HOURS, rules=_rules(ctx, [a.rule for a in found]), types=types)


@action("reviewer")
def ack(ctx: Ctx, form: FormData) -> Response:
    try:
        ctx.store.ack_alert(ctx.request.path_params["alert_id"], ctx.user.username, note=text(form, "note", 1000))
    except KeyError:
        return ctx.not_found()
    return ctx.redirect_back(text(form, "next", 2000) or "/alerts", done="acked_done")


def _known_rule(ctx: Ctx, rule: str) -> bool:
    """A configured rule, or one that fired lately (it may have been renamed since)."""
    if rule in {r.name for r in ctx.settings.alerts.rules}:
        return True
    return any(a.rule == rule for a in ctx.store.alerts(since=utcnow() - timedelta(days=max(DAYS)), limit=1000))


@action("reviewer")
def mute(ctx: Ctx, form: FormData) -> Response:
    rule = ctx.request.path_params["rule"]
    hours = text(form, "hours", 4)
    reason = text(form, "reason", 1000)
    if not _known_rule(ctx, rule):
        return ctx.render("error.html", status=404, title=ctx.w("not_found"), message=ctx.w("rule_unknown"))
    if not hours.isdigit() or int(hours) not in MUTE_HOURS:
        return ctx.render("error.html", status=400, title=ctx.w("mute"), message=ctx.w("duration_invalid"))
    if not reason:
        return ctx.render("error.html", status=400, title=ctx.w("mute"), message=ctx.w("reason_required"))
    now = utcnow()
    until = now + timedelta(hours=int(hours))
    ctx.store.mute_rule(RuleMute(rule, until, ctx.user.username, now, reason))
    return ctx.redirect("/alerts", done="mute_done", rule=rule, until=ctx.time(until))


@action("reviewer")
def unmute(ctx: Ctx, form: FormData) -> Response:
    rule = ctx.request.path_params["rule"]
    if not ctx.store.unmute_rule(rule, ctx.user.username):
        return ctx.not_found()
    return ctx.redirect("/alerts", done="unmute_done", rule=rule)
