"""Alert delivery to webhooks: an on-disk outbox and a background sender with retries.

Every delivery is first written to the outbox (``<data>/outbox/webhooks``, one JSON file per
delivery, atomic writes), then sent by a background thread with exponential backoff. Whatever is
not delivered when the run's bounded wait ends stays in the outbox and is retried on the next run,
so a slow or failing receiver never blocks ingest and nothing is lost. Delivery is at-least-once:
receivers deduplicate on the ``X-Mediawatch-Delivery`` header.

Receivers answering 4xx (other than 408/425/429) refuse the request itself; those deliveries are
moved to ``failed/`` (the dead letters) with the reason, because retrying the same body will not
help. Errors are scrubbed of secrets before they are logged, written or reported: the Telegram
token is part of the URL, and a library's exception text repeats the URL.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterable

import requests

from mediawatch.document import format_ts, parse_ts, utcnow
from mediawatch.durable import write_atomically
from mediawatch.errors import PermanentError
from mediawatch.redact import MAX_MESSAGE, scrub
from mediawatch.settings import Settings, WebhookSettings
from mediawatch.store.base import AlertRecord

from .webhook_formats import (DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, encode, endpoint,
                              render, sign)

log = logging.getLogger("mediawatch.webhooks")

BACKOFF_MAX_S = 900.0  # between runs: a receiver down for hours is retried every 15 minutes


@dataclass
class Delivery:
    id: str
    webhook: str
    alert_id: str
    body: str  # the rendered JSON, exactly the bytes that are sent and signed
    created_at: str
    attempts: int = 0
    next_attempt_at: str | None = None
    last_error: str | None = None


@dataclass
class DeliveryReport:
    delivered: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # still in the outbox after this run
    failed: list[str] = field(default_factory=list)  # refused (4xx): moved to failed/
    errors: list[str] = field(default_factory=list)
    retry_later: list[str] = field(default_factory=list)  # every attempt of this run failed

    def as_dict(self) -> dict[str, Any]:
        return {"delivered": len(self.delivered), "pending": len(self.pending), "failed": len(self.failed),
                "retry_later": len(self.retry_later), "errors": [scrub(e, MAX_MESSAGE) for e in self.errors[:10]]}

    @property
    def ok(self) -> bool:
        """Nothing refused and nothing that failed all its attempts in this run."""
        return not self.failed and not self.retry_later


class Outbox:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.failed_path = self.path / "failed"

    @classmethod
    def for_settings(cls, settings: Settings) -> "Outbox":
        return cls(settings.data_path("outbox", "webhooks"))

    def _file(self, delivery_id: str) -> Path:
        return self.path / f"{delivery_id}.json"

    def _write(self, path: Path, delivery: Delivery) -> None:
        # Readers see the old file or the new one, never half of one.
        write_atomically(path, [json.dumps(asdict(delivery), ensure_ascii=False)])

    def put(self, delivery: Delivery) -> bool:
        """Add a delivery unless the same one is already waiting (ids are deterministic)."""
        path = self._file(delivery.id)
        if path.exists():
            return False
        self._write(path, delivery)
        return True

    def save(self, delivery: Delivery) -> None:
        self._write(self._file(delivery.id), delivery)

    def load(self, delivery_id: str) -> Delivery | None:
        try:
            return Delivery(**json.loads(self._file(delivery_id).read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None

    def pending(self) -> list[Delivery]:
        if not self.path.exists():
            return []
        out = []
        for path in sorted(self.path.glob("*.json")):
            try:
                out.append(Delivery(**json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, TypeError) as exc:
                log.error("outbox file %s is unreadable (%s): moved to failed/", path, exc)
                self.failed_path.mkdir(parents=True, exist_ok=True)
                os.replace(path, self.failed_path / path.name)
        return out

    def due(self, now: datetime) -> list[Delivery]:
        return [d for d in self.pending() if not d.next_attempt_at or parse_ts(d.next_attempt_at) <= now]

    def done(self, delivery_id: str) -> None:
        self._file(delivery_id).unlink(missing_ok=True)

    def fail(self, delivery: Delivery, reason: str) -> None:
        delivery.last_error = scrub(reason, MAX_MESSAGE)
        self._write(self.failed_path / f"{delivery.id}.json", delivery)
        self.done(delivery.id)


def enqueue(settings: Settings, alerts: Iterable[AlertRecord], outbox: Outbox | None = None) -> list[str]:
    """Render each alert for each configured webhook into the outbox; returns the new delivery ids."""
    outbox = outbox or Outbox.for_settings(settings)
    ids = []
    for alert in alerts:
        for hook in settings.webhooks:
            delivery_id = f"{alert.alert_id}-{int(alert.payload.get('updates') or 0):03d}-{_slug(hook.name)}"
            try:
                body = encode(render(hook, alert.payload)).decode("utf-8")
            except ValueError as exc:
                log.error("cannot render alert %s for webhook %s: %s", alert.alert_id, hook.name, exc)
                continue
            if outbox.put(Delivery(id=delivery_id, webhook=hook.name, alert_id=alert.alert_id, body=body,
                                   created_at=format_ts(utcnow()))):
                ids.append(delivery_id)
    return ids


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:40]


class PermanentDeliveryError(PermanentError):
    """The receiver refused the delivery (4xx other than 408/425/429): retrying will not help."""


def send_once(hook: WebhookSettings, delivery: Delivery, session: requests.Session) -> None:
    """One POST. Raises PermanentDeliveryError for refusals, any other exception for retryable ones."""
    body = delivery.body.encode("utf-8")
    url, headers = endpoint(hook)
    headers.update({"Content-Type": "application/json; charset=utf-8", DELIVERY_HEADER: delivery.id,
                    "User-Agent": "mediawatch-webhooks/0.1"})
    if hook.secret is not None:
        ts = int(time.time())
        headers[TIMESTAMP_HEADER] = str(ts)
        headers[SIGNATURE_HEADER] = sign(hook.secret.get_secret_value(), ts, body, delivery.id)
    response = session.post(url, data=body, headers=headers, timeout=hook.timeout_s, allow_redirects=False)
    status = response.status_code
    if 400 <= status < 500 and status not in (408, 425, 429):
        raise PermanentDeliveryError(f"HTTP {status}: {scrub(response.text, 200)}")
    if not 200 <= status < 300:
        raise RuntimeError(f"HTTP {status}")
    if hook.format == "zalo":
        # Zalo answers 200 with {"error": <code>}; an expired token is fixed by refreshing it.
        try:
            code = response.json().get("error", 0)
        except ValueError:
            code = 0
        if code:
            raise RuntimeError(f"Zalo error {code}: {scrub(response.text, 200)}")


class Dispatcher:
    """A background sender. ``submit`` never blocks; ``wait`` blocks at most its timeout."""

    def __init__(self, settings: Settings, outbox: Outbox | None = None, *, attempts_per_run: int = 3,
                 backoff_s: float = 1.0, backoff_max_s: float = BACKOFF_MAX_S):
        self.settings = settings
        self.outbox = outbox or Outbox.for_settings(settings)
        self.attempts_per_run = attempts_per_run
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        self.report = DeliveryReport()
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._idle = threading.Condition()
        self._busy = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="mediawatch-webhooks", daemon=True)
        self._session = requests.Session()

    def start(self, *, include_due: bool = True) -> "Dispatcher":
        self._thread.start()
        if include_due:
            self.submit(d.id for d in self.outbox.due(utcnow()))
        return self

    def submit(self, delivery_ids: Iterable[str]) -> None:
        for delivery_id in delivery_ids:
            with self._idle:
                self._busy += 1
            self._queue.put(delivery_id)

    def wait(self, timeout: float) -> bool:
        """True when everything submitted was settled (delivered, failed or left for later)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def close(self, timeout: float = 0.0) -> DeliveryReport:
        self.wait(timeout)
        self._stop.set()
        self._queue.put(None)
        self.report.pending = sorted(d.id for d in self.outbox.pending())
        return self.report

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                if not self._stop.is_set():
                    self._deliver(item)
            except Exception as exc:  # the sender thread must survive anything one delivery does
                log.exception("webhook delivery %s crashed", item)
                self.report.errors.append(scrub(f"{item}: {exc!r}", MAX_MESSAGE))
            finally:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()

    def _deliver(self, delivery_id: str) -> None:
        delivery = self.outbox.load(delivery_id)
        if delivery is None:  # delivered meanwhile by another sender
            return
        hook = next((h for h in self.settings.webhooks if h.name == delivery.webhook), None)
        if hook is None:
            self.outbox.fail(delivery, f"webhook {delivery.webhook!r} is no longer configured")
            self.report.failed.append(delivery.id)
            return
        for attempt in range(self.attempts_per_run):
            if self._stop.is_set():
                return
            delivery.attempts += 1
            try:
                send_once(hook, delivery, self._session)
            except PermanentDeliveryError as exc:
                log.error("webhook %s refused alert %s: %s", hook.name, delivery.alert_id, exc)
                self.outbox.fail(delivery, str(exc))
                self.report.failed.append(delivery.id)
                self.report.errors.append(scrub(f"{hook.name}: {exc}", MAX_MESSAGE))
                return
            except Exception as exc:  # timeouts, refused connections, 5xx: retry with backoff
                delivery.last_error = scrub(f"{type(exc).__name__}: {exc}", MAX_MESSAGE)
                log.warning("webhook %s: attempt %d for alert %s failed: %s", hook.name, delivery.attempts,
                            delivery.alert_id, delivery.last_error)
                if attempt + 1 < self.attempts_per_run:
                    self._stop.wait(self.backoff_s * 2 ** attempt)
                continue
            self.outbox.done(delivery.id)
            self.report.delivered.append(delivery.id)
            return
        delay = min(self.backoff_s * 2 ** delivery.attempts, self.backoff_max_s)
        delivery.next_attempt_at = format_ts(utcnow() + timedelta(seconds=delay))
        self.outbox.save(delivery)
        self.report.retry_later.append(delivery.id)
        self.report.errors.append(f"{hook.name}: {delivery.last_error}")


def deliver(settings: Settings, alerts: Iterable[AlertRecord], *, wait_s: float = 10.0,
            outbox: Outbox | None = None, **dispatcher_options: Any) -> DeliveryReport:
    """Spool ``alerts`` for every webhook and send them plus anything due from earlier runs.

    Returns after at most ``wait_s`` seconds; what is not delivered by then stays in the outbox.
    """
    outbox = outbox or Outbox.for_settings(settings)
    new_ids = enqueue(settings, alerts, outbox)
    if not settings.webhooks and not outbox.pending():
        return DeliveryReport()
    dispatcher = Dispatcher(settings, outbox, **dispatcher_options).start(include_due=False)
    due = [d.id for d in outbox.due(utcnow())]
    dispatcher.submit(sorted(set(due) | set(new_ids)))
    return dispatcher.close(wait_s)
