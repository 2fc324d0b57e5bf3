"""One process, two ports: the embedded dashboards (Datasette, read-only) and the review desk.

The desk gets its own port, hence its own browser origin: a script that ever ran on a dashboard
page could not read the desk's pages or their CSRF tokens (the same-origin policy separates ports),
and the desk's strict Content-Security-Policy does not have to accommodate Datasette's scripts.
One uvicorn server listens on both sockets and routes each connection by the port it arrived on.
"""

from __future__ import annotations

import logging
import socket
import threading
from pathlib import Path
from typing import Any, Callable

from mediawatch.settings import Settings
from mediawatch.store.base import Store

log = logging.getLogger("mediawatch.desk")


class PortRouter:
    """ASGI: each connection goes to the application of the local port it came in on."""

    def __init__(self, apps: dict[int, Any], *, startup: Callable[[], Any] | None = None,
                 shutdown: Callable[[], Any] | None = None):
        self.apps = apps
        self.startup = startup
        self.shutdown = shutdown

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    try:
                        if self.startup is not None:
                            await self.startup()
                    except Exception as exc:  # reported by uvicorn, which then stops
                        await send({"type": "lifespan.startup.failed", "message": str(exc)})
                        return
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    if self.shutdown is not None:
                        self.shutdown()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        port = (scope.get("server") or (None, None))[1]
        app = self.apps.get(port)
        if app is None:  # not ours (cannot happen with our sockets): refuse plainly
            await send({"type": "http.response.start", "status": 421, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await app(scope, receive, send)


def bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _warm() -> None:
    try:
        import mediawatch.classifiers.misinfo.feedback  # noqa: F401
    except Exception as exc:  # only a head start: the review path imports it again if needed
        log.warning("could not preload the triage package: %s", exc)


def serve(settings: Settings, *, store: Store | None, db: Path | None, options=None, port: int = 8001,
          desk_port: int = 8002, immutable: bool = False, echo: Callable[[str], None] = print) -> None:
    """Serve the dashboards (when ``db`` is given) and the desk (when ``store`` is given) until
    interrupted. Both bind 127.0.0.1 unless ``desk.host`` says otherwise for the desk."""
    import uvicorn

    from mediawatch.dashboards.serve import dashboard_path, datasette_instance

    apps: dict[int, Any] = {}
    sockets: list[socket.socket] = []
    datasette = None
    dashboards_url = None
    if db is not None:
        datasette = datasette_instance(db, options, immutable=immutable)
        apps[port] = datasette.app()
        sockets.append(bind("127.0.0.1", port))
        dashboards_url = f"http://127.0.0.1:{port}{dashboard_path()}"
        echo(f"mediawatch: dashboards at {dashboards_url}")
    if store is not None:
        from .app import create_app

        apps[desk_port] = create_app(settings, store, dashboards_url=dashboards_url)
        sockets.append(bind(settings.desk.host, desk_port))
        host = f"[{settings.desk.host}]" if ":" in settings.desk.host else settings.desk.host
        echo(f"mediawatch: review desk at http://{host}:{desk_port}/")
        if not store.accounts():
            echo("mediawatch: no desk accounts yet. Fix: mediawatch users add NAME --role admin")
    echo("mediawatch: Ctrl-C to stop")

    async def startup() -> None:
        if datasette is not None:
            await datasette.invoke_startup()
        if store is not None:
            # A verdict promotes claims through the triage package, whose import loads the model
            # stack: do it now, in the background, so the first reviewer does not wait for it.
            threading.Thread(target=_warm, name="desk-warm-up", daemon=True).start()

    def shutdown() -> None:
        if store is not None:
            store.close()

    config = uvicorn.Config(PortRouter(apps, startup=startup, shutdown=shutdown), lifespan="on",
                            log_level="warning", access_log=False, proxy_headers=True,
                            forwarded_allow_ips="127.0.0.1", server_header=False)
    uvicorn.Server(config).run(sockets=sockets)
