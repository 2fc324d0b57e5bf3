"""Webhook delivery against real HTTP receivers on 127.0.0.1 that fail, time out and recover."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mediawatch.flows.delivery import webhook_formats as wf
from mediawatch.flows.delivery.webhooks import Outbox, deliver
from mediawatch.document import utcnow
from mediawatch.settings import Settings, WebhookSettings
from mediawatch.store.base import AlertRecord
from .test_alert_fixtures import NOW

PAYLOAD = {
    "rule": "lu-social", "type": "spike", "severity": "high", "language": "vi", "status": "new", "updates": 0,
    "title": "Tăng đột biến: chủ đề «lu-lut»", "text": "20 bài trong 1 giờ qua, bình thường 2 (ngưỡng 4,8).",
    "window": {"start_local": "10/08/2026 09:00", "end_local": "10/08/2026 10:00"},
    "top_terms": ["sat lo", "bao yen"], "top_sources": [{"source_id": "fb", "name": "Trang <FB>", "count": 9}],
    "sentiment_mix": {"negative": 12, "neutral": 8},
    "documents": [{"title": "Sạt lở <b>Bảo Yên</b>", "url": "https://example.test/a?x=1&y=2"}],
    "dashboard_url": "http://dash.local/d/alerts?topic=lu-lut",
}


def alert(alert_id="a1", updates=0):
    return AlertRecord(alert_id=alert_id, rule="lu-social", dedup_key="k", fired_at=NOW, updated_at=NOW,
                       severity="high", title=PAYLOAD["title"], payload={**PAYLOAD, "updates": updates})


class Receiver:
    """A receiver whose behaviour the test scripts: a list of 'ok' | 'fail' | 'slow' | 'refuse'."""

    def __init__(self):
        self.script: list[str] = []
        self.received: list[dict] = []
        self.delay_s = 1.5
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                action = receiver.script.pop(0) if receiver.script else "ok"
                receiver.received.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                          "action": action, "at": time.time()})
                if action == "slow":
                    time.sleep(receiver.delay_s)
                code = {"ok": 200, "slow": 200, "fail": 503, "refuse": 400}[action]
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"ok":true,"error":0}')
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a slow answer the sender already gave up on: that is the point of "slow"

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def delivered(self):
        return [r for r in self.received if r["action"] == "ok"]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def settings_for(tmp_path, *hooks: dict) -> Settings:
    return Settings(data_dir=str(tmp_path / "data"), webhooks=[WebhookSettings(**h) for h in hooks])


FAST = {"backoff_s": 0.05}


def test_signature_roundtrip_and_replay_protection():
    body = wf.encode(PAYLOAD)
    sig = wf.sign("s3cret", 1_700_000_000, body, "d-1")
    assert sig.startswith("sha256=") and len(sig) == 71
    ok = dict(now=1_700_000_100, delivery_id="d-1")
    assert wf.verify("s3cret", "1700000000", body, sig, **ok)
    assert not wf.verify("s3cret", "1700000000", body, sig, now=1_700_000_000 + 301, delivery_id="d-1")  # replay
    assert not wf.verify("other", "1700000000", body, sig, **ok)
    assert not wf.verify("s3cret", "1700000000", body + b" ", sig, **ok)
    assert not wf.verify("s3cret", "nope", body, sig, **ok)


def test_delivery_id_is_signed_and_missing_headers_are_refusals():
    body = wf.encode(PAYLOAD)
    sig = wf.sign("s3cret", 1_700_000_000, body, "a1-000-ops")
    # The exact signing string documented in docs/alerts.md.
    import hashlib
    import hmac

    expected = hmac.new(b"s3cret", b"1700000000.a1-000-ops." + body, hashlib.sha256).hexdigest()
    assert sig == "sha256=" + expected
    # A forged delivery id (to make a deduplicating receiver drop a real alert) fails.
    assert not wf.verify("s3cret", "1700000000", body, sig, now=1_700_000_000, delivery_id="a1-001-ops")
    for missing in (dict(signature=None), dict(timestamp=None), dict(delivery_id=None)):
        args = dict(secret="s3cret", timestamp="1700000000", body=body, signature=sig, now=1_700_000_000,
                    delivery_id="a1-000-ops") | missing
        assert wf.verify(**args) is False


def test_signed_json_delivery(tmp_path, receiver):
    settings = settings_for(tmp_path, {"name": "ops", "url": receiver.url + "/hook", "secret": "s3cret"})
    report = deliver(settings, [alert()], wait_s=5, **FAST)
    assert len(report.delivered) == 1 and not report.pending
    (got,) = receiver.received
    ts, sig = got["headers"]["X-Mediawatch-Timestamp"], got["headers"]["X-Mediawatch-Signature"]
    assert wf.verify("s3cret", ts, got["body"], sig, now=time.time(),
                     delivery_id=got["headers"]["X-Mediawatch-Delivery"])
    assert json.loads(got["body"])["title"] == PAYLOAD["title"]
    assert got["headers"]["X-Mediawatch-Delivery"] == report.delivered[0]
    assert Outbox.for_settings(settings).pending() == []


def test_failing_receiver_retries_with_backoff_then_succeeds(tmp_path, receiver):
    receiver.script = ["fail", "fail", "ok"]
    settings = settings_for(tmp_path, {"name": "ops", "url": receiver.url})
    report = deliver(settings, [alert()], wait_s=5, backoff_s=0.2)
    assert len(report.delivered) == 1
    gaps = [b["at"] - a["at"] for a, b in zip(receiver.received, receiver.received[1:])]
    # Exponential, not fixed: the second wait is at least twice the first backoff. Lower bounds only,
    # since a loaded machine makes waits longer, never shorter.
    assert gaps[0] >= 0.19 and gaps[1] >= 0.38, gaps  # a hair of slack for clock granularity


def test_down_receiver_keeps_alert_in_outbox_until_next_run(tmp_path, receiver):
    receiver.script = ["fail"] * 3
    settings = settings_for(tmp_path, {"name": "ops", "url": receiver.url})
    report = deliver(settings, [alert()], wait_s=5, **FAST)
    assert not report.delivered and len(report.pending) == 1
    (spooled,) = Outbox.for_settings(settings).pending()
    assert spooled.attempts == 3 and "503" in spooled.last_error and spooled.next_attempt_at
    # Next run, before the backoff is over: not retried yet; after it: delivered, outbox empty.
    from mediawatch.document import format_ts

    spooled.next_attempt_at = format_ts(utcnow() + timedelta(hours=1))
    Outbox.for_settings(settings).save(spooled)
    assert deliver(settings, [], wait_s=5, **FAST).delivered == []
    spooled.next_attempt_at = None
    Outbox.for_settings(settings).save(spooled)
    again = deliver(settings, [], wait_s=5, **FAST)
    assert again.delivered == [spooled.id] and Outbox.for_settings(settings).pending() == []


def test_slow_receiver_never_blocks_beyond_the_wait(tmp_path, receiver):
    receiver.script = ["slow"]
    receiver.delay_s = 3
    settings = settings_for(tmp_path, {"name": "ops", "url": receiver.url, "timeout_s": 0.5})
    started = time.monotonic()
    report = deliver(settings, [alert()], wait_s=0.3, **FAST)
    assert time.monotonic() - started < 2.5  # the receiver takes 3 s; slack for a loaded machine
    assert report.pending  # still on disk, retried next time


def test_refused_delivery_moves_to_failed(tmp_path, receiver):
    receiver.script = ["refuse"]
    settings = settings_for(tmp_path, {"name": "ops", "url": receiver.url})
    report = deliver(settings, [alert()], wait_s=5, **FAST)
    assert len(report.failed) == 1 and len(receiver.received) == 1
    failed = list(Outbox.for_settings(settings).failed_path.glob("*.json"))
    assert len(failed) == 1 and "HTTP 400" in json.loads(failed[0].read_text())["last_error"]


def test_same_alert_update_is_not_spooled_twice(tmp_path, receiver):
    receiver.script = ["fail"] * 6
    settings = settings_for(tmp_path, {"name": "ops", "url": receiver.url})
    deliver(settings, [alert()], wait_s=5, attempts_per_run=1, **FAST)
    deliver(settings, [alert()], wait_s=5, attempts_per_run=1, backoff_s=60)
    assert len(Outbox.for_settings(settings).pending()) == 1
    deliver(settings, [alert(updates=1)], wait_s=5, attempts_per_run=1, backoff_s=60)
    assert len(Outbox.for_settings(settings).pending()) == 2


def test_chat_formats_reach_their_endpoints(tmp_path, receiver):
    settings = settings_for(
        tmp_path,
        {"name": "slack", "url": receiver.url + "/slack", "format": "slack"},
        {"name": "teams", "url": receiver.url + "/teams", "format": "teams"},
        {"name": "tg", "url": receiver.url, "format": "telegram", "token": "123:ABC", "options": {"chat_id": -100}},
        {"name": "zalo", "url": receiver.url + "/v3.0/oa/group/message", "format": "zalo", "token": "oa-tok",
         "options": {"group_id": "g1"}})
    report = deliver(settings, [alert()], wait_s=5, **FAST)
    assert len(report.delivered) == 4
    by_path = {r["path"]: r for r in receiver.received}
    slack = json.loads(by_path["/slack"]["body"])
    assert slack["blocks"][0]["text"]["text"].startswith("[CAO] Tăng đột biến")
    assert "&lt;b&gt;" in json.dumps(slack, ensure_ascii=False)  # document text escaped
    teams = json.loads(by_path["/teams"]["body"])
    assert teams["@type"] == "MessageCard" and teams["themeColor"] == "D32F2F"
    assert teams["potentialAction"][0]["targets"][0]["uri"] == PAYLOAD["dashboard_url"]
    tg = json.loads(by_path["/bot123:ABC/sendMessage"]["body"])
    assert tg["chat_id"] == -100 and tg["parse_mode"] == "HTML" and "&lt;b&gt;Bảo Yên" in tg["text"]
    assert "https://example.test/a?x=1&amp;y=2" in tg["text"]
    zalo = by_path["/v3.0/oa/group/message"]
    assert zalo["headers"]["access_token"] == "oa-tok"
    zbody = json.loads(zalo["body"])
    assert zbody["recipient"] == {"group_id": "g1"} and zbody["message"]["text"].startswith("[CAO]")
    # tokens are read at send time, never written into the outbox
    assert "123:ABC" not in "".join(p.read_text() for p in (tmp_path / "data").rglob("*.json"))


def test_misconfigured_chat_formats_are_refused_at_load(tmp_path):
    from mediawatch.errors import ConfigError
    from mediawatch.settings import load_settings

    path = tmp_path / "mediawatch.toml"
    path.write_text('[[webhooks]]\nname = "tg"\nurl = "http://127.0.0.1:9"\nformat = "telegram"\n\n'
                    '[[webhooks]]\nname = "zalo"\nurl = "https://openapi.zalo.me/v3.0/oa/message/cs"\n'
                    'format = "zalo"\ntoken = "t"\noptions = { chat_id = 1 }\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert f"{path}:1: webhooks.0.options.chat_id" in message
    assert f"{path}:11: webhooks.1.options.chat_id: unknown key" in message and "group_id, user_id" in message


def test_outbox_writes_are_atomic_files(tmp_path):
    from mediawatch.flows.delivery.webhooks import Delivery

    box = Outbox(tmp_path / "ob")
    d = Delivery(id="x1", webhook="w", alert_id="a", body="{}", created_at="2026-01-01T00:00:00Z")
    assert box.put(d) and not box.put(d)
    (tmp_path / "ob" / "broken.json").write_text("{not json")
    assert [p.id for p in box.pending()] == ["x1"]
    assert (tmp_path / "ob" / "failed" / "broken.json").exists()
    assert not list((tmp_path / "ob").glob(".tmp-*"))
    assert box.due(utcnow() - timedelta(days=1))[0].id == "x1"
