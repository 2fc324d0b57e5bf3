"""The desk's request plumbing: who is asking (session cookie), what they may do (roles), whether a
form is genuine (CSRF token, origin), security headers on every response, and rendering.

Handlers are plain synchronous functions ``fn(ctx)`` (pages) or ``fn(ctx, form)`` (actions) run in
a worker thread, because the store is synchronous. Rules that hold for every route:

- nobody reads anything without a live session; an anonymous GET is sent to the login page;
- every POST needs a live session, the session's CSRF token in the form, no foreign ``Origin``
  and no cross-site ``Sec-Fetch-Site``, and the role the action asks for; otherwise 403 and
  nothing is written;
- responses carry a Content-Security-Policy that allows no script at all, so even a mistake in
  escaping could not run code, and ``Cache-Control: no-store``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from mediawatch.settings import Settings
from mediawatch.store.base import Store
from mediawatch.store.desk_base import Account

from .auth import Authenticator, Signed
from .render import local_date, local_time
from .security import allows, same
from .words import FLASH_KEYS, LANGS, word

log = logging.getLogger("mediawatch.desk")

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
LANG_COOKIE = "mw_lang"
LOGIN_COOKIE = "mw_login"  # the login form's CSRF token, before there is a session
MAX_FIELD_BYTES = 2 * 1024 * 1024
FLASH_VALUES = ("n", "v", "rule", "until", "user", "new", "changed", "same")


@dataclass
class Desk:
    """What every request shares (``app.state.desk``)."""

    settings: Settings
    store: Store
    auth: Authenticator
    env: jinja2.Environment
    dashboards_url: str | None = None
    _file_claims: list | None = field(default=None, repr=False)
    _cache: dict[str, tuple[float, Any]] = field(default_factory=dict, repr=False)

    def cached(self, key: str, seconds: float, compute: Callable[[], Any]) -> Any:
        """A value recomputed at most every ``seconds`` (filter choices: they change slowly)."""
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is None or hit[0] <= now:
            hit = self._cache[key] = (now + seconds, compute())
        return hit[1]

    def register_file(self) -> list:
        """The configured register file's entries (else the shipped examples), read once, read-only here."""
        if self._file_claims is None:
            from mediawatch.classifiers.pipeline import register_claims
            from mediawatch.errors import MediawatchError

            try:
                self._file_claims = register_claims(self.settings)
            except MediawatchError as exc:
                log.warning("the desk cannot read the claims register file: %s", exc)
                self._file_claims = []
        return self._file_claims


def secure(request: Request, settings: Settings) -> bool:
    mode = settings.desk.secure_cookies
    return mode == "always" or (mode == "auto" and request.url.scheme == "https")


def session_cookie(request: Request, settings: Settings) -> str:
    # The __Host- prefix makes the browser refuse the cookie unless it is Secure, host-only, Path=/.
    return "__Host-mw_session" if secure(request, settings) else "mw_session"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


@dataclass
class Ctx:
    request: Request
    desk: Desk
    lang: str
    signed: Signed | None

    @property
    def user(self) -> Account | None:
        return self.signed.account if self.signed else None

    @property
    def settings(self) -> Settings:
        return self.desk.settings

    @property
    def store(self) -> Store:
        return self.desk.store

    @property
    def client(self) -> str:
        return client_address(self.request)

    def w(self, key: str, **values: Any) -> str:
        return word(key, self.lang, **values)

    def can(self, role: str) -> bool:
        return self.user is not None and allows(self.user.role, role)

    def time(self, value) -> str:
        return local_time(value, self.settings.timezone)

    def date(self, value) -> str:
        return local_date(value, self.settings.timezone)

    def flash(self) -> str | None:
        key = self.request.query_params.get("done")
        if key not in FLASH_KEYS:
            return None
        values = {k: self.request.query_params.get(k, "")[:200] for k in FLASH_VALUES}
        try:
            return self.w(key, **values)
        except (KeyError, IndexError, ValueError):
            return None

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        page = self.desk.env.get_template(template).render(
            w=self.w, lang=self.lang, user=self.user, can=self.can, time=self.time, date=self.date,
            csrf=self.signed.session.csrf_token if self.signed else "",
            path=self.request.url.path, query=str(self.request.url.query), flash=self.flash(),
            dashboards_url=self.desk.dashboards_url, **values)
        return HTMLResponse(page, status_code=status)

    def url(self, path: str, **params: Any) -> str:
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return path + ("?" + urlencode(clean) if clean else "")

    def redirect(self, path: str, **params: Any) -> RedirectResponse:
        return RedirectResponse(self.url(path, **params), status_code=303)

    def redirect_back(self, target: str, **params: Any) -> RedirectResponse:
        """Back to a page of this site (its filters kept), with a message."""
        parts = urlsplit(local_path(target))
        kept = {k: v for k, v in parse_qsl(parts.query) if k not in ("done", *FLASH_VALUES)}
        return self.redirect(parts.path, **{**kept, **params})

    def forbidden(self, why: str) -> HTMLResponse:
        message = self.w(why, role=self.w(f"role_{self.user.role}") if self.user else "")
        return self.render("error.html", status=403, title=self.w("forbidden_title"), message=message)

    def not_found(self) -> HTMLResponse:
        return self.render("error.html", status=404, title=self.w("not_found"), message=self.w("not_found"))


def language(request: Request, settings: Settings) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGS:
        return chosen
    return settings.language if settings.language in LANGS else "vi"


def context(request: Request) -> Ctx:
    desk: Desk = request.app.state.desk
    token = request.cookies.get(session_cookie(request, desk.settings))
    return Ctx(request, desk, language(request, desk.settings), desk.auth.resume(token))


def local_path(value: str | None, default: str = "/queue") -> str:
    """A redirect target from the request, kept on this site (no scheme, no //host, no backslash)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or len(value) > 2000:
        return default
    return value


def same_origin(request: Request) -> bool:
    """Refuse what a browser says came from another origin or site (CSRF defence in depth)."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin == f"{request.url.scheme}://{request.url.netloc}"


PageFn = Callable[[Ctx], Response]
ActionFn = Callable[[Ctx, FormData], Response]


def page(role: str = "viewer") -> Callable[[PageFn], Callable[[Request], Awaitable[Response]]]:
    """A GET handler for signed-in users of at least ``role``."""
    def wrap(fn: PageFn):
        def run(request: Request) -> Response:
            ctx = context(request)
            if ctx.user is None:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return ctx.redirect("/login", next=target)
            if not ctx.can(role):
                return ctx.forbidden("forbidden_role")
            return fn(ctx)

        async def endpoint(request: Request) -> Response:
            return await run_in_threadpool(run, request)

        endpoint.__name__ = fn.__name__
        return endpoint
    return wrap


def action(role: str = "reviewer", *, files: bool = False
           ) -> Callable[[ActionFn], Callable[[Request], Awaitable[Response]]]:
    """A POST handler: live session, CSRF token, same origin and ``role``, or 403 and nothing done."""
    def wrap(fn: ActionFn):
        def run(request: Request, form: FormData) -> Response:
            ctx = context(request)
            if ctx.user is None:
                return ctx.forbidden("forbidden_login")
            if not same_origin(request):
                return ctx.forbidden("forbidden_origin")
            if not same(_field(form, "csrf"), ctx.signed.session.csrf_token):
                return ctx.forbidden("forbidden_csrf")
            if not ctx.can(role):
                return ctx.forbidden("forbidden_role")
            return fn(ctx, form)

        async def endpoint(request: Request) -> Response:
            try:
                form = await request.form(max_files=1 if files else 0, max_fields=200,
                                          max_part_size=MAX_FIELD_BYTES)
            except HTTPException:  # multipart limits: answered as "too large", nothing done
                ctx = await run_in_threadpool(context, request)
                return ctx.render("error.html", status=413, title=ctx.w("too_large"), message=ctx.w("too_large"))
            try:
                return await run_in_threadpool(run, request, form)
            finally:
                await form.close()

        endpoint.__name__ = fn.__name__
        return endpoint
    return wrap


def _field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def text(form: FormData, name: str, limit: int = 4000) -> str:
    """A text field, stripped and cut at ``limit`` characters ('' when missing or a file)."""
    return (_field(form, name) or "").strip()[:limit]


class SecurityHeaders:
    """ASGI middleware: security headers (and no-store for pages) on every HTTP response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                if scope.get("scheme") == "https":
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": headers}
            await send(message)

        return await self.app(scope, receive, send_with_headers)
