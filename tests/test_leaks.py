"""Secrets and people leaking through failures: tokens in errors, keys on redirects, phones in alerts."""

from __future__ import annotations

import json
import logging
import socket
from datetime import timedelta

from typer.testing import CliRunner

from mediawatch.app.cli import app
from mediawatch.document import Document, Source, utcnow
from mediawatch.flows.delivery import webhook_formats as wf
from mediawatch.flows.delivery.webhooks import Outbox, deliver
from mediawatch.redact import scrub
from mediawatch.settings import Settings, SourceSettings, WebhookSettings
from mediawatch.store.sqlite import SQLiteStore
from tests.social_servers.base import Reply
from tests.social_servers.facebook import TOKEN as FB_TOKEN, FakeGraph, graph_error
from tests.social_servers.harness import collect, make_settings
from tests.social_servers.youtube import API_KEY, FakeYouTube
from tests.support.httpserver import StaticSite
from tests.test_webhooks import alert

BOT_TOKEN = "987654321:AAHsecret-bot-token-XYZ"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_telegram_token_never_leaves_in_errors(tmp_path, caplog):
    """Webhook unreachable: the token is part of the URL and of the library's exception text."""
    url = f"http://127.0.0.1:{closed_port()}"
    config = tmp_path / "mediawatch.toml"
    config.write_text(f'''data_dir = "data"
[store]
url = "sqlite:///mw.db"
[classifiers]
filter_to_province = false
[[topics]]
name = "vo-dap"
query = "vỡ đập"
urgent = true
[[alerts.rules]]
name = "khan"
type = "keyword"
[[webhooks]]
name = "tg"
url = "{url}"
format = "telegram"
token = "{BOT_TOKEN}"
options = {{ chat_id = -100 }}
''', encoding="utf-8")
    with SQLiteStore(tmp_path / "mw.db") as store:
        store.upsert([Document(id="d1", url="https://tin.vn/1", source=Source("bao"), title="Tin đồn vỡ đập",
                               text="Tin đồn vỡ đập ở Văn Chấn", topics=["vo-dap"],
                               published_at=utcnow() - timedelta(minutes=5))])
    runner = CliRunner()
    base = ["-c", str(config)]
    with caplog.at_level(logging.DEBUG):
        ran = runner.invoke(app, base + ["run", "--no-classify"])
        outbox = runner.invoke(app, base + ["alerts", "outbox"])
        status = runner.invoke(app, base + ["status", "--json"])
    assert ran.exit_code == 1, ran.output  # the send failed after its retries: reported, exit 1
    assert "1 cảnh báo chưa gửi được sau các lần thử" in ran.output
    assert "1 chờ gửi" in outbox.output and "ConnectionError" in outbox.output
    spooled = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "data").rglob("*.json"))
    blobs = {"logs": caplog.text, "run": ran.output, "outbox command": outbox.output, "status": status.output,
             "outbox files": spooled, "store": (tmp_path / "mw.db").read_bytes().decode("latin-1")
             + ((tmp_path / "mw.db-wal").read_bytes().decode("latin-1") if (tmp_path / "mw.db-wal").exists() else "")}
    for token in (BOT_TOKEN, BOT_TOKEN.split(":")[1]):
        assert [name for name, blob in blobs.items() if token in blob] == []
    assert "/bot***/sendMessage" in spooled


def test_platform_error_echoing_the_token_is_scrubbed(tmp_path):
    graph = FakeGraph()
    graph.start()
    try:
        graph.fail_next("/soyte.laocai/posts", graph_error(
            f"Invalid OAuth access token {FB_TOKEN}-expired: Cannot parse access token {FB_TOKEN}", 190), times=5)
        source = SourceSettings(id="fb", kind="social", type="facebook", options={"pages": ["soyte.laocai"]})
        settings = make_settings(tmp_path, facebook_access_token=FB_TOKEN, facebook_api_base=graph.base)
        with SQLiteStore(tmp_path / "s.db") as store:
            out = collect(source, settings, store)
            store.record_run([out.report.to_record("r1", new=0, updated=0, unchanged=0)])
            messages = store.runs()[0].messages
        assert out.report.errors and messages and "Invalid OAuth" in messages[0]
        assert not any(FB_TOKEN in m for m in messages + out.report.messages)
        assert FB_TOKEN.encode() not in (tmp_path / "s.db").read_bytes()
    finally:
        graph.stop()


def test_api_key_is_not_forwarded_on_a_redirect_to_another_port(tmp_path):
    """Two local servers on different ports: the redirect target must not see X-Goog-Api-Key."""
    with FakeYouTube(videos=2, comments_per_video=0) as youtube, StaticSite() as other:
        other.routes["/search"] = (200, {"Content-Type": "application/json"}, b'{"items": []}')
        youtube.fail_next("/search", Reply(302, b"", {"Location": f"{other.url}/search?key={API_KEY}&q=x"}))
        settings = make_settings(tmp_path, youtube_api_key=API_KEY, youtube_api_base=youtube.base)
        source = SourceSettings(id="yt", kind="social", type="youtube", options={"keywords": ["Lào Cai"]})
        with SQLiteStore(tmp_path / "s.db") as store:
            collect(source, settings, store)
        (path, headers), = other.requests
        assert API_KEY not in path and "key=" not in path
        assert not {k.lower() for k in headers} & {"x-goog-api-key", "authorization"}
        # Same origin: the key still goes along (a redirect within the API is legitimate).
        youtube.requests.clear()
        youtube.fail_next("/search", Reply(302, b"", {"Location": f"{youtube.base}/search?q=again&regionCode=VN"
                                                                  "&relevanceLanguage=vi"}))
        with SQLiteStore(tmp_path / "s2.db") as store:
            collect(source, settings, store)
        assert youtube.requests[1].headers.get("X-Goog-Api-Key") == API_KEY


def test_secret_shapes_and_known_values_are_scrubbed():
    Settings(smtp={"password": "smtp-pass-123"}, webhooks=[WebhookSettings(
        name="slack", url="https://hooks.slack.com/services/T0AAA/B0BBB/abcdefABCDEF123456", format="slack")])
    text = ("login smtp-pass-123 failed; POST https://hooks.slack.com/services/T0AAA/B0BBB/abcdefABCDEF123456 "
            "GET https://graph.example/v1?access_token=EAAB1234567890abcdefgh&limit=5 "
            "Authorization: Bearer abc123def456ghi https://user:pw@es.local:9200/")
    clean = scrub(text)
    for secret in ("smtp-pass-123", "abcdefABCDEF123456", "EAAB1234567890abcdefgh", "abc123def456ghi", "user:pw@"):
        assert secret not in clean
    assert len(scrub("x" * 10_000, 500)) == 500


def test_alerts_carry_no_phone_email_or_handle_and_only_web_links(tmp_path):
    from mediawatch.flows.alerts import evaluate_alerts

    settings = Settings(data_dir=str(tmp_path), topics=[{"name": "vo-dap", "query": "vỡ đập", "urgent": True}],
                        alerts={"rules": [{"name": "khan", "type": "keyword"}]})
    now = utcnow()
    docs = [Document(id=f"d{i}", url=url, source=Source("mxh", "social", "Nhóm", "facebook"), topics=["vo-dap"],
                     title=title, text=title + " thêm chi tiết", published_at=now - timedelta(minutes=5 + i))
            for i, (title, url) in enumerate([
                ("Vỡ đập! Gọi 0912 345 678 hoặc +84 98.765.4321", "javascript:alert(document.cookie)"),
                ("Vỡ đập, liên hệ nguyen.van.a@gmail.com @bimat_nguyen88", "data:text/html,<script>x</script>"),
                ("Vỡ đập ở Văn Chấn", "https://tin.vn/vo-dap")])]
    with SQLiteStore(tmp_path / "s.db") as store:
        store.upsert(docs)
        run = evaluate_alerts(settings, store, now=now)
    (record,) = run.to_deliver
    bodies = [json.dumps(record.payload, ensure_ascii=False)]
    for fmt in ("slack", "teams", "telegram", "zalo"):
        options = {"telegram": {"chat_id": 1}, "zalo": {"group_id": "g"}}.get(fmt, {})
        token = "123456:planted-token" if fmt in ("telegram", "zalo") else None
        hook = WebhookSettings(name=fmt, url="https://x.test", format=fmt, token=token, options=options)
        bodies.append(wf.encode(wf.render(hook, record.payload)).decode("utf-8"))
    for body in bodies:
        for personal in ("0912 345 678", "765.4321", "98.765", "nguyen.van.a@gmail.com", "bimat_nguyen88"):
            assert personal not in body, personal
        assert "javascript:" not in body and "data:text" not in body
    assert "https://tin.vn/vo-dap" in bodies[1]


def test_delivery_failure_report_is_scrubbed(tmp_path):
    port = closed_port()
    settings = Settings(data_dir=str(tmp_path), webhooks=[WebhookSettings(
        name="tg", url=f"http://127.0.0.1:{port}", format="telegram", token=BOT_TOKEN, options={"chat_id": 1})])
    report = deliver(settings, [alert()], wait_s=5, backoff_s=0.01)
    assert report.retry_later and not report.ok
    assert BOT_TOKEN not in json.dumps(report.as_dict())
    (spooled,) = Outbox.for_settings(settings).pending()
    assert BOT_TOKEN not in spooled.last_error and len(spooled.last_error) <= 500


def test_crawler_drops_request_headers_on_a_redirect_to_another_port():
    from mediawatch.crawlers.fetch import Fetcher, FetchPolicy

    with StaticSite() as first, StaticSite() as second:
        second.routes["/feed"] = (200, {"Content-Type": "application/rss+xml"}, b"<rss/>")
        first.routes["/feed"] = (301, {"Location": f"{second.url}/feed"}, b"")
        first.routes["/same"] = (302, {"Location": "/feed-here"}, b"")
        first.routes["/feed-here"] = (200, {}, b"<rss/>")
        fetcher = Fetcher(FetchPolicy(user_agent="mw-test", per_host_delay_s=0, retries=0, obey_robots=False,
                                      allow_private_hosts=frozenset({"127.0.0.1"})))
        try:
            headers = {"If-None-Match": '"v1"', "Authorization": "Bearer secret-feed-token-1"}
            assert fetcher.get(f"{first.url}/feed", dict(headers)).status == 200
            assert fetcher.get(f"{first.url}/same", dict(headers)).status == 200
        finally:
            fetcher.close()
        (_, sent), = second.requests
        assert "Authorization" not in sent and "If-None-Match" not in sent
        assert first.requests[-1][1].get("Authorization") == "Bearer secret-feed-token-1"  # same origin: kept


def test_a_crashed_source_record_scrubs_before_it_cuts():
    """A token that straddles the 300-character cut must not survive half-recognised."""
    from mediawatch.flows.orchestration.ingest import crashed_record

    exc = RuntimeError("x" * 215 + f" https://api.telegram.org/bot{BOT_TOKEN}/sendMessage")
    record = crashed_record(SourceSettings(id="tg", url="https://tin.vn/rss"), "r1", utcnow(), exc)
    (message,) = record.messages
    assert len(message) <= 300 and "AAHsecret" not in message and "987654321:AAH" not in message
