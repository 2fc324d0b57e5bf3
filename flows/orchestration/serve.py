"""``mediawatch serve``: every flow on its schedule, on a local Prefect server or a given API.

Prefect 3 refuses to schedule on its ephemeral API, so unless ``PREFECT_API_URL`` is set, a
``prefect server start`` is started on 127.0.0.1 with its home (database, logs) inside the data
folder and telemetry off, and stopped cleanly when serving ends. SIGTERM and Ctrl-C stop serving.

Environment must be prepared before Prefect is imported (it reads its settings at import), which
is why :func:`prepare_environment` takes no Prefect objects.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

import requests

from mediawatch.settings import Settings

log = logging.getLogger("mediawatch.serve")

# It starts in about 10 s on an idle machine; on a busy 2-core one it has taken over 2 minutes.
SERVER_START_TIMEOUT_S = 180.0
SERVER_STOP_TIMEOUT_S = 20.0
RETRAIN_AT = "03:00"


def prepare_environment(settings: Settings) -> Path:
    """Prefect home in the data folder and no telemetry; returns the home."""
    home = settings.data_path("prefect")
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(home))
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["DO_NOT_TRACK"] = "1"
    # `run --prefect` without a server uses Prefect's in-process API; its first start migrates a
    # fresh database, which takes longer than the 20 s default on a small machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    return Path(os.environ["PREFECT_HOME"])


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class LocalPrefectServer:
    """A ``prefect server start`` child process bound to 127.0.0.1."""

    def __init__(self, home: Path, port: int | None = None, host: str = "127.0.0.1"):
        self.home = Path(home)
        self.host = host
        self.port = port or free_port(host)
        self.proc: subprocess.Popen | None = None
        self.log_path = self.home / "server.log"

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/api"

    def start(self, timeout: float = SERVER_START_TIMEOUT_S) -> str:
        env = dict(os.environ, PREFECT_HOME=str(self.home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                   DO_NOT_TRACK="1", PREFECT_UI_ENABLED="false")
        env.pop("PREFECT_API_URL", None)
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "prefect", "server", "start", "--host", self.host,
                 "--port", str(self.port), "--no-ui"],
                env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)  # its own group: stopping it reaches its workers too
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Prefect server exited with code {self.proc.returncode}; "
                                   f"see {self.log_path}")
            try:
                if requests.get(f"{self.api_url}/health", timeout=2).ok:
                    log.info("Prefect server ready at %s", self.api_url)
                    return self.api_url
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"the Prefect server did not answer within {timeout:.0f} s; see {self.log_path}")

    def stop(self, timeout: float = SERVER_STOP_TIMEOUT_S) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("Prefect server did not stop in %.0f s: killing it", timeout)
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        except ProcessLookupError:
            pass


def _hhmm(value: str) -> tuple[int, int]:
    hours, minutes = value.split(":")
    return int(hours), int(minutes)


@dataclass(frozen=True)
class Schedule:
    name: str
    flow: str  # attribute of mediawatch.flows.orchestration.prefect_flows
    interval: timedelta | None = None
    cron: str | None = None
    description: str = ""


def schedules(settings: Settings) -> list[Schedule]:
    """What runs when. Pure: the serve test and the docs read the same list."""
    dh, dm = _hhmm(settings.digest.send_at)
    fh, fm = _hhmm(settings.flows.forecast_at)
    rh, rm = _hhmm(RETRAIN_AT)
    # settings use Python's weekday (0 = Monday); cron counts from Sunday = 0.
    dow = (settings.flows.retrain_weekday + 1) % 7
    return [
        Schedule("ingest", "ingest_flow", interval=timedelta(minutes=settings.flows.ingest_every_minutes),
                 description="Thu thập, phân loại, lưu và cảnh báo / crawl, classify, index, alert"),
        Schedule("digest", "digest_flow", cron=f"{dm} {dh} * * *", description="Bản tin hằng ngày / daily digest"),
        Schedule("forecast", "forecast_flow", cron=f"{fm} {fh} * * *", description="Dự báo / nightly forecast"),
        Schedule("retrain", "retrain_flow", cron=f"{rm} {rh} * * {dow}",
                 description="Huấn luyện lại mô hình / weekly retraining"),
    ]


def deployments(settings: Settings, config_path: str | None, *, work_pool: str | None = None) -> list[Any]:
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron, Interval

    from mediawatch.flows.orchestration import prefect_flows

    out = []
    for item in schedules(settings):
        schedule = (Interval(item.interval) if item.interval is not None
                    else Cron(item.cron, timezone=settings.timezone))
        flow = getattr(prefect_flows, item.flow)
        out.append(flow.to_deployment(
            name=f"mediawatch-{item.name}", schedule=schedule, parameters={"config": config_path},
            description=item.description, tags=["mediawatch"], work_pool_name=work_pool,
            # Module path: every worker machine has the package installed, no code upload needed.
            entrypoint_type=EntrypointType.MODULE_PATH,
            # Flows take Settings objects too (for in-process calls), which no JSON schema describes.
            enforce_parameter_schema=False))
    return out


def register_on_pool(settings: Settings, config_path: str | None, work_pool: str) -> list[str]:
    """Register the scheduled deployments on a work pool whose process workers run them."""
    ids = []
    for deployment in deployments(settings, config_path, work_pool=work_pool):
        ids.append(str(deployment.apply(work_pool_name=work_pool)))
    return ids


class _Stop(KeyboardInterrupt):
    """SIGTERM, delivered the way Prefect's runner expects to be stopped."""


async def _run_until_signal(items: list[Any], limit: int | None,
                            on_ready: Callable[[], None] | None = None) -> None:
    """Prefect's Runner until SIGTERM or SIGINT, then its own graceful stop (schedules paused).

    The Runner installs a SIGTERM handler that calls its async stop from sync code; ours replaces
    it once the runner has started, and awaits the stop properly.
    """
    import prefect.runner.server  # noqa: F401 - imported by start(); early, so start() is quick
    from prefect.runner import Runner

    runner = Runner(pause_on_shutdown=True, limit=limit)
    for deployment in items:
        await runner.aadd_deployment(deployment)
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task] = []

    def on_signal() -> None:
        if not stopping:
            log.info("stop signal: stopping the runner")
            stopping.append(loop.create_task(runner.astop()))

    def take_signals() -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, on_signal)

    take_signals()
    started = asyncio.create_task(runner.start())
    await asyncio.sleep(0)  # start() installs its own handler before its first await
    take_signals()
    if on_ready:
        on_ready()
    try:
        await started
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        if stopping:
            await stopping[0]


def serve(settings: Settings, config_path: str | None, *, api_url: str | None = None,
          on_ready: Callable[[str], None] | None = None, limit: int | None = None) -> int:
    """Serve every deployment until SIGTERM/Ctrl-C; returns an exit code."""
    home = prepare_environment(settings)
    server = None
    api_url = api_url or os.environ.get("PREFECT_API_URL")
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum, frame):
        raise _Stop()

    signal.signal(signal.SIGTERM, on_term)
    try:
        if not api_url:
            server = LocalPrefectServer(home)
            api_url = server.start()
        os.environ["PREFECT_API_URL"] = api_url
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            items = deployments(settings, config_path)
            ready = (lambda: on_ready(api_url)) if on_ready else None
            asyncio.run(_run_until_signal(items, limit, ready))
        return 0
    except _Stop:
        log.info("SIGTERM: stopping")
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if server is not None:
            server.stop()
