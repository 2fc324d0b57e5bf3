"""The audit log on the desk: every decision and login, newest first, filterable and exportable."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from starlette.responses import Response, StreamingResponse

from mediawatch.document import utcnow
from mediawatch.store.desk_base import AuditQuery

from .export import export_lines
from .web import Ctx, page

PAGE_SIZE = 100
ACTIONS = ("review", "claim.create", "claim.update", "alert.ack", "rule.mute", "rule.unmute", "account.add",
           "account.update", "login", "login.failed", "logout")


def _query(ctx: Ctx) -> tuple[AuditQuery, dict[str, str]]:
    q = ctx.request.query_params
    filters = {"actor": q.get("actor", "")[:64].strip(), "action": q.get("action", "") if q.get("action") in ACTIONS
               else "", "since": q.get("since", "")[:10].strip()}
    since = None
    if filters["since"]:
        try:
            day = datetime.strptime(filters["since"], "%d/%m/%Y").date()
            since = datetime.combine(day, time(), ZoneInfo(ctx.settings.timezone))
        except ValueError:
            filters["since"] = ""
    return AuditQuery(since=since, actor=filters["actor"] or None,
                      actions=[filters["action"]] if filters["action"] else []), filters


def target_link(target: str) -> str | None:
    kind, _, ident = target.partition(":")
    return {"doc": f"/items/{ident}", "claim": f"/claims/{ident}"}.get(kind)


@page("viewer")
def audit(ctx: Ctx) -> Response:
    query, filters = _query(ctx)
    try:
        result = ctx.store.audit_log(query, size=PAGE_SIZE, cursor=ctx.request.query_params.get("cursor") or None)
    except ValueError:
        result = ctx.store.audit_log(query, size=PAGE_SIZE)
    return ctx.render("audit.html", section="audit", result=result, filters=filters, actions=ACTIONS,
                      link=target_link)


@page("viewer")
def audit_export(ctx: Ctx) -> Response:
    query, _ = _query(ctx)
    fmt = "jsonl" if ctx.request.query_params.get("format") == "jsonl" else "csv"
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    return StreamingResponse(export_lines(ctx.store.iter_audit(query), fmt), media_type=media,
                             headers={"content-disposition": f'attachment; filename="mediawatch-audit-{stamp}.{fmt}"'})
