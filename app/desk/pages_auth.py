"""Logging in and out, the language switch, one's own password, and the accounts page (admins)."""

from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from mediawatch.store.desk_base import ROLES

from .auth import AccountError, add_account, set_disabled, set_password, set_role
from .security import allows, same, verify_password
from .web import (LANG_COOKIE, LOGIN_COOKIE, Ctx, action, client_address, context, local_path, page, same_origin,
                  secure, session_cookie, text)
from .words import LANGS

LOGIN_FORM_SECONDS = 1800


def _login_page(ctx: Ctx, *, status: int = 200, error: str | None = None, username: str = "",
                retry_after: float = 0.0, target: str | None = None) -> Response:
    token = secrets.token_urlsafe(32)
    response = ctx.render("login.html", status=status, error=error, username=username, login_csrf=token,
                          next=local_path(target or ctx.request.query_params.get("next")),
                          idle=round(ctx.settings.desk.idle_minutes))
    response.set_cookie(LOGIN_COOKIE, token, max_age=LOGIN_FORM_SECONDS, path="/", httponly=True, samesite="strict",
                        secure=secure(ctx.request, ctx.settings))
    if retry_after:
        response.headers["retry-after"] = str(int(retry_after) + 1)
    return response


def _login_get(request: Request) -> Response:
    ctx = context(request)
    if ctx.user is not None:
        return ctx.redirect(local_path(request.query_params.get("next")))
    return _login_page(ctx)


async def login_get(request: Request) -> Response:
    return await run_in_threadpool(_login_get, request)


def _login_post(request: Request, form: FormData) -> Response:
    ctx = context(request)
    username, target = text(form, "username", 64), local_path(text(form, "next", 2000))
    if not same_origin(request):
        return ctx.forbidden("forbidden_origin")
    if not same(text(form, "csrf", 100), request.cookies.get(LOGIN_COOKIE)):
        return _login_page(ctx, status=403, error=ctx.w("login_form_expired"), username=username, target=target)
    password = form.get("password")
    result = ctx.desk.auth.login(username, password if isinstance(password, str) else "", client_address(request))
    if result.retry_after:
        return _login_page(ctx, status=429, username=username, retry_after=result.retry_after, target=target,
                           error=ctx.w("login_blocked", minutes=max(1, round(result.retry_after / 60))))
    if result.account is None:
        return _login_page(ctx, status=401, error=ctx.w("login_failed"), username=username, target=target)
    token, _ = ctx.desk.auth.start(result.account, client_address(request))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(session_cookie(request, ctx.settings), token, max_age=int(ctx.settings.desk.session_hours * 3600),
                        path="/", httponly=True, samesite="strict", secure=secure(request, ctx.settings))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


async def login_post(request: Request) -> Response:
    try:
        form = await request.form(max_files=0, max_fields=10, max_part_size=16384)
    except HTTPException:
        return Response(status_code=413)
    try:
        return await run_in_threadpool(_login_post, request, form)
    finally:
        await form.close()


@action("viewer")
def logout(ctx: Ctx, form: FormData) -> Response:
    ctx.desk.auth.end(ctx.signed, ctx.client)
    response = ctx.redirect("/login")
    response.delete_cookie(session_cookie(ctx.request, ctx.settings), path="/")
    return response


async def set_language(request: Request) -> Response:
    chosen = request.query_params.get("to")
    response = RedirectResponse(local_path(request.query_params.get("next")), status_code=303)
    if chosen in LANGS:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, path="/", httponly=True, samesite="lax")
    return response


# --- one's own password ---------------------------------------------------------------------------

@page("viewer")
def account_page(ctx: Ctx) -> Response:
    return ctx.render("account.html", section="account", error=None)


@action("viewer")
def change_password(ctx: Ctx, form: FormData) -> Response:
    current, new = form.get("current"), form.get("new")
    if not isinstance(current, str) or not verify_password(ctx.user.password_hash, current, ctx.desk.auth.hasher):
        return ctx.render("account.html", status=400, section="account", error=ctx.w("password_wrong"))
    try:
        set_password(ctx.store, ctx.user.username, new if isinstance(new, str) else "", ctx.user.username,
                     ctx.desk.auth.hasher)
    except AccountError as exc:
        return ctx.render("account.html", status=400, section="account", error=ctx.w(exc.key))
    response = ctx.redirect("/login", done="password_done")
    response.delete_cookie(session_cookie(ctx.request, ctx.settings), path="/")
    return response


# --- accounts (admins) ----------------------------------------------------------------------------

def _users_page(ctx: Ctx, *, status: int = 200, error: str | None = None) -> Response:
    return ctx.render("users.html", status=status, section="users", accounts=ctx.store.accounts(), roles=ROLES,
                      error=error)


@page("admin")
def users(ctx: Ctx) -> Response:
    return _users_page(ctx)


@action("admin")
def user_add(ctx: Ctx, form: FormData) -> Response:
    password = form.get("password")
    try:
        account = add_account(ctx.store, text(form, "username", 64), text(form, "role", 20),
                              password if isinstance(password, str) else "", ctx.user.username, ctx.desk.auth.hasher)
    except AccountError as exc:
        return _users_page(ctx, status=400, error=ctx.w(exc.key))
    return ctx.redirect("/users", done="user_done", user=account.username)


@action("admin")
def user_change(ctx: Ctx, form: FormData) -> Response:
    username, what = ctx.request.path_params["username"], ctx.request.path_params["what"]
    me = ctx.user.username
    try:
        if what == "role":
            role = text(form, "role", 20)
            if username == me and not allows(role if role in ROLES else "viewer", "admin"):
                return _users_page(ctx, status=400, error=ctx.w("self_lockout"))
            set_role(ctx.store, username, role, me)
        elif what in ("disable", "enable"):
            if username == me and what == "disable":
                return _users_page(ctx, status=400, error=ctx.w("self_lockout"))
            set_disabled(ctx.store, username, what == "disable", me)
        elif what == "password":
            password = form.get("password")
            set_password(ctx.store, username, password if isinstance(password, str) else "", me, ctx.desk.auth.hasher)
        else:
            return ctx.not_found()
    except AccountError as exc:
        return _users_page(ctx, status=404 if exc.key == "username_unknown" else 400, error=ctx.w(exc.key))
    return ctx.redirect("/users", done="user_done", user=username)
