"""The desk as an ASGI application: ``create_app(settings, store)``."""

from __future__ import annotations

import logging
from pathlib import Path

from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from mediawatch.errors import TemporaryError
from mediawatch.settings import Settings
from mediawatch.store.base import Store

from . import pages_alerts, pages_audit, pages_auth, pages_claims, pages_queue
from .auth import Authenticator
from .render import environment
from .web import Ctx, Desk, SecurityHeaders, language

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("mediawatch.desk")


async def _home(request: Request) -> Response:
    return RedirectResponse("/queue", status_code=303)


def create_app(settings: Settings, store: Store, *, hasher: PasswordHasher | None = None,
               dashboards_url: str | None = None) -> Starlette:
    desk = Desk(settings=settings, store=store, auth=Authenticator(store, settings.desk, hasher=hasher),
                env=environment(), dashboards_url=settings.desk.dashboards_url or dashboards_url)
    routes = [
        Route("/", _home),
        Route("/login", pages_auth.login_get, methods=["GET"]),
        Route("/login", pages_auth.login_post, methods=["POST"]),
        Route("/logout", pages_auth.logout, methods=["POST"]),
        Route("/lang", pages_auth.set_language, methods=["GET"]),
        Route("/account", pages_auth.account_page, methods=["GET"]),
        Route("/account/password", pages_auth.change_password, methods=["POST"]),
        Route("/users", pages_auth.users, methods=["GET"]),
        Route("/users", pages_auth.user_add, methods=["POST"]),
        Route("/users/{username}/{what}", pages_auth.user_change, methods=["POST"]),
        Route("/queue", pages_queue.queue, methods=["GET"]),
        Route("/items/{doc_id}", pages_queue.item_page, methods=["GET"]),
        Route("/items/{doc_id}/review", pages_queue.review_item, methods=["POST"]),
        Route("/claims", pages_claims.claims_list, methods=["GET"]),
        Route("/claims/new", pages_claims.claim_new, methods=["GET"]),
        Route("/claims/new", pages_claims.claim_create, methods=["POST"]),
        Route("/claims/import", pages_claims.import_page, methods=["GET"]),
        Route("/claims/import", pages_claims.import_claims, methods=["POST"]),
        Route("/claims/{claim_id}", pages_claims.claim_page, methods=["GET"]),
        Route("/claims/{claim_id}", pages_claims.claim_update, methods=["POST"]),
        Route("/alerts", pages_alerts.alerts, methods=["GET"]),
        Route("/alerts/{alert_id}/ack", pages_alerts.ack, methods=["POST"]),
        Route("/rules/{rule}/mute", pages_alerts.mute, methods=["POST"]),
        Route("/rules/{rule}/unmute", pages_alerts.unmute, methods=["POST"]),
        Route("/audit", pages_audit.audit, methods=["GET"]),
        Route("/audit/export", pages_audit.audit_export, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]

    async def http_error(request: Request, exc: HTTPException) -> Response:
        ctx = Ctx(request, desk, language(request, settings), None)
        title = ctx.w("not_found") if exc.status_code == 404 else str(exc.detail)
        return ctx.render("error.html", status=exc.status_code, title=title, message=title)

    async def store_down(request: Request, exc: TemporaryError) -> Response:
        # An outage is one clear page (503, retry later), never a traceback; nothing was written.
        log.warning("desk: %s %s: %s", request.method, request.url.path, exc)
        ctx = Ctx(request, desk, language(request, settings), None)
        page = ctx.render("error.html", status=503, title=ctx.w("store_down_title"), message=ctx.w("store_down"))
        page.headers["Retry-After"] = "60"
        return page

    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)],
                    exception_handlers={HTTPException: http_error, TemporaryError: store_down})
    app.state.desk = desk
    return app
