"""`mediawatch demo`: the whole system on one laptop, offline, in one command.

Steps: serve the fictional site and write the social export -> write a demo configuration ->
the real ingest (``mediawatch.flows.orchestration.ingest.run_ingest``) with the real classifiers into the embedded SQLite
store -> alert rules -> webhooks to a local receiver -> a simulated reviewer verdict on the
rumour -> forecast -> digest (HTML file) -> embedded dashboards. A stage whose component is missing
or fails is reported in one line and the others go on.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

log = logging.getLogger("mediawatch.app.demo")

MARKER = ".mediawatch-demo"
PRESS_SOURCE = "demo-bao-laocai"
SOCIAL_SOURCE = "demo-mang-xa-hoi"


@dataclass
class DemoResult:
    directory: Path
    config_path: Path
    store_path: Path
    site_url: str = ""
    receiver_url: str = ""
    documents: int = 0
    ingest_seconds: float = 0.0
    failed_sources: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    reviewed: str | None = None
    forecast_keys: list[str] = field(default_factory=list)
    backtest_table: str = ""
    digest_path: Path | None = None
    skipped: dict[str, str] = field(default_factory=dict)  # stage -> why


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def demo_config(site_url: str, receiver_url: str, key: str, webhook_secret: str) -> str:
    return f"""# Demo configuration written by `mediawatch demo` (every key: docs/configuration.md).
language = "vi"
timezone = "Asia/Ho_Chi_Minh"
data_dir = "data"

[province]
name = "Lào Cai"
former_names = ["Yên Bái"]

[store]
url = "sqlite:///data/mediawatch.db"

[crawl]
# The demo site runs on this machine: allow the private address, no politeness delay needed.
allow_private_hosts = ["127.0.0.1"]
per_host_delay_s = 0.0

[classifiers]
# Documents from national sources are kept only when they are about the province; the two demo
# sources are the province's own (local = true below), so every item of theirs is kept.
filter_to_province = true
# The demo's invented claims register (example: true, example.com links): never a real office's.
claims_register = "claims.yaml"

[privacy]
# Generated for this demo; authors in the social export are replaced by keyed hashes at ingest.
pseudonymisation_key = {_toml(key)}

[[sources]]
id = "{PRESS_SOURCE}"
name = "Báo Lào Cai điện tử (bản demo)"
kind = "press"
type = "rss"
local = true
url = {_toml(site_url + "/rss.xml")}

[[sources]]
id = "{SOCIAL_SOURCE}"
name = "Mạng xã hội (bản demo, tệp xuất JSONL)"
kind = "social"
type = "file"
local = true
[sources.options]
path = "social.jsonl"
format = "jsonl"
platform = "demo"
mapping = {{ id = "id", text = "text", url = "url", published_at = "published_at", author = "author", likes = "likes", shares = "shares", comments = "comments" }}

[[topics]]
name = "phi-gui-xe"
label = "Phí trông giữ xe"
query = '"phí gửi xe" OR "phí trông giữ xe" OR "bãi đỗ"'

[[topics]]
name = "dam"
label = "Thủy điện, hồ chứa, đập"
urgent = true
query = '"thủy điện" OR "vỡ đập" OR "xả tràn" OR "hồ chứa"'

[alerts]
enabled = true

[[alerts.rules]]
name = "Tăng đột biến số tin bài"
type = "spike"
sensitivity = 2.0
min_count = 5

[[alerts.rules]]
name = "Tin sai lệch lan nhanh"
type = "misinfo"
min_count = 3
[alerts.rules.options]
window_hours = 24

[[alerts.rules]]
name = "Tin khẩn về thủy điện, đập"
type = "keyword"
topic = "dam"
[alerts.rules.options]
window_minutes = 1440

[[webhooks]]
name = "may-nhan-demo"
url = {_toml(receiver_url)}
format = "json"
secret = {_toml(webhook_secret)}
"""


def _stage(result: DemoResult, name: str, echo: Callable[[str], None], fn: Callable[[], Any]) -> Any:
    """Run one stage; a missing component or a failure is one clear line, not a traceback."""
    try:
        return fn()
    except ImportError as exc:
        result.skipped[name] = f"component not installed yet ({exc.name or exc})"
    except Exception as exc:  # the demo must reach the end and say what did not work
        log.debug("demo stage %s failed", name, exc_info=True)
        result.skipped[name] = f"{exc.__class__.__name__}: {exc}"
    echo(f"  ! Bỏ qua / skipped {name}: {result.skipped[name]}")
    return None


def run_demo(directory: Path, *, echo: Callable[[str], None] = print, serve: bool = False,
             dashboard_port: int = 8001, lang: str = "vi") -> DemoResult:
    from mediawatch.settings import load_settings
    from mediawatch.store import open_store

    from .site import DemoSite, WebhookReceiver, load_content, write_social_export

    directory = directory.resolve()
    if directory.exists() and any(directory.iterdir()) and not (directory / MARKER).exists():
        raise FileExistsError(f"{directory} is not empty and was not made by `mediawatch demo`; "
                              "choose another --dir")
    # A fresh store every run: the content is dated relative to now.
    shutil.rmtree(directory / "data", ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MARKER).write_text("made by mediawatch demo\n", encoding="utf-8")

    now = datetime.now(timezone.utc).replace(microsecond=0)
    content = load_content()
    site = DemoSite(content, now).start()
    receiver = WebhookReceiver().start()
    config_path = directory / "mediawatch.toml"
    config_path.write_text(demo_config(site.base_url, receiver.url, secrets.token_urlsafe(32),
                                       secrets.token_urlsafe(24)), encoding="utf-8")
    posts = write_social_export(content, directory / "social.jsonl", now, site.base_url)
    from mediawatch.classifiers.misinfo.claims import example_register_text

    (directory / "claims.yaml").write_text(example_register_text(), encoding="utf-8")
    settings = load_settings(config_path)
    result = DemoResult(directory, config_path, directory / "data" / "mediawatch.db",
                        site_url=site.base_url, receiver_url=receiver.url)
    echo(f"1. Trang tin demo / demo news site: {site.base_url}/ ({len(content['articles'])} bài, RSS "
         f"{site.base_url}/rss.xml); mạng xã hội / social export: {posts} bài đăng -> social.jsonl")
    echo(f"   Máy nhận webhook / webhook receiver: {receiver.url}")
    echo(f"   Cấu hình / configuration: {config_path}")

    store = open_store(settings)
    try:
        _ingest(result, settings, store, echo)
        _alerts(result, settings, store, receiver, echo)
        _review(result, store, echo)
        _forecast(result, settings, store, echo)
        _digest(result, settings, store, echo, lang, now)
    finally:
        store.close()
        if not serve:
            site.stop()
            receiver.stop()
    if result.skipped:
        echo(f"Các bước bị bỏ qua / skipped stages: {', '.join(result.skipped)}")
    if serve:
        _serve(result, settings, echo, dashboard_port, lang)
        site.stop()
        receiver.stop()
    return result


def _ingest(result: DemoResult, settings, store, echo) -> None:
    from mediawatch.flows.orchestration.ingest import default_enricher, run_ingest

    from mediawatch.store.base import SearchQuery

    enrich = _stage(result, "classifiers", echo, lambda: default_enricher(settings, store))
    started = time.monotonic()
    summary = run_ingest(settings, store, enrich=enrich)
    result.ingest_seconds = time.monotonic() - started
    result.documents = store.count(SearchQuery())
    result.failed_sources = summary.failed_sources
    by_source = ", ".join(f"{r.source_id}: {r.new} mới/new" + (f", lỗi/errors {r.errors}" if r.errors else "")
                          for r in summary.records)
    echo(f"2. Thu thập / ingest: {result.documents} tài liệu trong kho / documents stored "
         f"in {result.ingest_seconds:.1f}s ({by_source})")
    for record in summary.records:
        for message in record.messages[:3]:
            echo(f"   - {message}")


def _alerts(result: DemoResult, settings, store, receiver, echo) -> None:
    def run() -> None:
        from mediawatch.flows.alerts.engine import evaluate_alerts
        from mediawatch.flows.delivery.webhooks import deliver

        alert_run = evaluate_alerts(settings, store)
        result.alerts = [o.record.title for o in alert_run.outcomes]
        for name, error in alert_run.errors.items():
            echo(f"   ! rule {name}: {error}")
        report = deliver(settings, alert_run.to_deliver, wait_s=15.0)
        for error in getattr(report, "errors", [])[:3]:
            echo(f"   ! webhook: {error}")
        deadline = time.monotonic() + 5
        while len(receiver.snapshot()) < len(alert_run.to_deliver) and time.monotonic() < deadline:
            time.sleep(0.05)
        result.received = receiver.snapshot()

    _stage(result, "alerts", echo, run)
    echo(f"3. Cảnh báo / alerts: {len(result.alerts)} đã phát / fired; máy nhận đã nhận / the receiver got "
         f"{len(result.received)} webhook:")
    for item in result.received:
        body = item["body"]
        title = body.get("title") if isinstance(body, dict) else str(body)[:120]
        signed = "có chữ ký / signed" if any("signature" in h for h in item["headers"]) else "unsigned"
        echo(f"   <- [{body.get('severity', '?') if isinstance(body, dict) else '?'}] {title} ({signed})")


def _review(result: DemoResult, store, echo) -> None:
    """An editor confirms the most-shared flagged rumour as false, as they would in the review queue."""
    from mediawatch.document import utcnow
    from mediawatch.store.base import ReviewDecision, SearchQuery

    from mediawatch.flows.reports.summary import is_correction

    flagged = [d for d in store.iter_documents(SearchQuery(flagged_only=True, misinfo_statuses=["pending"]))]
    # An editor knows a denial that quotes the rumour from the rumour itself.
    rumours = [d for d in flagged if not is_correction(d)]
    if not rumours:
        echo("4. Thẩm định / review: không có tin nghi vấn nào được gắn cờ / nothing flagged "
             "(the misinformation classifier flagged no post)")
        return
    rumours.sort(key=lambda d: (-(d.engagement.shares if d.engagement else 0), d.id))
    doc = rumours[0]
    store.review(ReviewDecision(doc_id=doc.id, verdict="false", reviewer="bien-tap-vien-demo",
                                note="Sở Công Thương đã bác bỏ: đập an toàn.", decided_at=utcnow()))
    result.reviewed = doc.id
    echo(f"4. Thẩm định / review: {len(flagged)} tin nghi vấn chờ duyệt / flagged; biên tập viên demo xác nhận "
         f"SAI / an editor confirms as false: \"{(doc.misinfo.claim if doc.misinfo else None) or doc.text[:80]}\"")


def _forecast(result: DemoResult, settings, store, echo) -> None:
    def run() -> None:
        from mediawatch.flows.forecast.series import backtest_series, format_backtest, run_forecast, store_series

        results = run_forecast(settings, store)
        result.forecast_keys = sorted(results)
        overall = results.get("*|*")
        if overall:
            volume = ", ".join(f"{p['volume']:.0f}" for p in overall["forecast"])
            echo(f"5. Dự báo / forecast ({overall['model']}), 7 ngày tới / next 7 days: {volume}; "
                 f"{len(results)} chuỗi / series" + ("; ĐANG TĂNG / RISING" if overall["rising"] else ""))
        yesterday = datetime.now(ZoneInfo(settings.timezone)).date() - timedelta(days=1)
        series = store_series(store, end=yesterday, tz=settings.timezone)
        series.name = "demo: all documents"
        tested = backtest_series([series], horizon=3)
        result.backtest_table = format_backtest(tested) if tested else ""
        if result.backtest_table:
            echo("   Back-test (rolling origin, horizon 3 days, demo data):")
            for line in result.backtest_table.splitlines():
                echo(f"   {line}")

    _stage(result, "forecast", echo, run)


def _digest(result: DemoResult, settings, store, echo, lang: str, now: datetime) -> None:
    def run() -> None:
        from mediawatch.flows.reports.digest import run_digest

        out = result.directory / "digest.html"
        # The last 24 hours (not the calendar day): the demo's story ends at the moment it starts.
        digest = run_digest(settings, store, until=datetime.now(timezone.utc), send=False, out=out, lang=lang)
        result.digest_path = digest.out
        echo(f"6. Bản tin / digest: {digest.digest.subject} -> {out.as_uri()} (+ digest.txt)")

    _stage(result, "digest", echo, run)


def _serve(result: DemoResult, settings, echo, port: int, lang: str) -> None:
    def run() -> None:
        from mediawatch.dashboards.serve import dashboard_path, serve, view_options

        options = view_options(result.store_path, lang=lang, tz=settings.timezone,
                               province=settings.province.name, former_names=settings.province.former_names)
        echo(f"7. Bảng điều khiển / dashboards: http://127.0.0.1:{port}{dashboard_path()}")
        echo(f"   Trang tin / site: {result.site_url}/   Bản tin / digest: {result.digest_path.as_uri() if result.digest_path else '-'}")
        echo("   Ctrl-C để dừng / to stop")
        serve(result.store_path, options, port=port)

    _stage(result, "dashboards", echo, run)
