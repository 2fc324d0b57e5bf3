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
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from mediawatch.i18n import fmt_num, label, model_name, t

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
    lang: str = "vi"  # of everything the demo says and writes


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
        result.skipped[name] = t("demo.not_installed", result.lang, what=exc.name or exc)
    except Exception as exc:  # the demo must reach the end and say what did not work
        log.debug("demo stage %s failed", name, exc_info=True)
        result.skipped[name] = f"{exc.__class__.__name__}: {exc}"
    echo(t("demo.skipped_stage", result.lang, name=name, why=result.skipped[name]))
    return None


def run_demo(directory: Path, *, echo: Callable[[str], None] = print, serve: bool = False,
             dashboard_port: int = 8001, lang: str = "vi") -> DemoResult:
    from mediawatch.flows.orchestration.settings_checks import load_checked
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
    settings = load_checked(config_path)
    result = DemoResult(directory, config_path, directory / "data" / "mediawatch.db",
                        site_url=site.base_url, receiver_url=receiver.url, lang=lang)
    echo(t("demo.site", lang, url=site.base_url, articles=len(content["articles"]), posts=posts))
    echo(t("demo.receiver", lang, url=receiver.url))
    echo(t("demo.config", lang, path=config_path))

    store = open_store(settings)
    try:
        _ingest(result, settings, store, echo)
        _alerts(result, settings, store, receiver, echo)
        _review(result, store, echo)
        _forecast(result, settings, store, echo, lang)
        _digest(result, settings, store, echo, lang, now)
    finally:
        store.close()
        if not serve:
            site.stop()
            receiver.stop()
    if result.skipped:
        echo(t("demo.skipped", lang, names=", ".join(result.skipped)))
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
    lang = result.lang
    by_source = ", ".join(t("demo.ingest_source", lang, source=r.source_id, new=r.new)
                          + (t("demo.ingest_errors", lang, errors=r.errors) if r.errors else "")
                          for r in summary.records)
    echo(t("demo.ingest", lang, documents=result.documents, secs=fmt_num(result.ingest_seconds, lang, 1),
           sources=by_source))
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
            echo(t("demo.rule_failed", result.lang, name=name, error=error))
        report = deliver(settings, alert_run.to_deliver, wait_s=15.0)
        for error in getattr(report, "errors", [])[:3]:
            echo(f"   ! webhook: {error}")
        deadline = time.monotonic() + 5
        while len(receiver.snapshot()) < len(alert_run.to_deliver) and time.monotonic() < deadline:
            time.sleep(0.05)
        result.received = receiver.snapshot()

    _stage(result, "alerts", echo, run)
    lang = result.lang
    echo(t("demo.alerts", lang, fired=len(result.alerts), received=len(result.received)))
    for item in result.received:
        body = item["body"]
        title = body.get("title") if isinstance(body, dict) else str(body)[:120]
        signed = t("demo.signed" if any("signature" in h for h in item["headers"]) else "demo.unsigned", lang)
        severity = label("severity", body.get("severity"), lang) if isinstance(body, dict) else "?"
        echo(f"   <- [{severity}] {title} ({signed})")


def _review(result: DemoResult, store, echo) -> None:
    """An editor confirms the most-shared flagged rumour as false, as they would in the review queue."""
    from mediawatch.document import utcnow
    from mediawatch.store.base import ReviewDecision, SearchQuery

    from mediawatch.flows.reports.summary import is_correction

    flagged = [d for d in store.iter_documents(SearchQuery(flagged_only=True, misinfo_statuses=["pending"]))]
    # An editor knows a denial that quotes the rumour from the rumour itself.
    rumours = [d for d in flagged if not is_correction(d)]
    if not rumours:
        echo(t("demo.nothing_flagged", result.lang))
        return
    rumours.sort(key=lambda d: (-(d.engagement.shares if d.engagement else 0), d.id))
    doc = rumours[0]
    store.review(ReviewDecision(doc_id=doc.id, verdict="false", reviewer="bien-tap-vien-demo",
                                note="Sở Công Thương đã bác bỏ: đập an toàn.", decided_at=utcnow()))
    result.reviewed = doc.id
    echo(t("demo.reviewed", result.lang, n=len(flagged),
           claim=(doc.misinfo.claim if doc.misinfo else None) or doc.text[:80]))


def _forecast(result: DemoResult, settings, store, echo, lang: str) -> None:
    def run() -> None:
        from mediawatch.flows.forecast.describe import choice_line, interval_line
        from mediawatch.flows.forecast.series import run_forecast
        from mediawatch.i18n import fmt_date, t

        results = run_forecast(settings, store)
        result.forecast_keys = sorted(results)
        overall = results.get("*|*")
        if overall is None:
            echo(t("demo.forecast_none", lang))
            return
        volume = ", ".join(f"{p.volume:.0f}" for p in overall.points)
        echo(t("demo.forecast", lang, model=model_name(overall.model, lang), volume=volume, series=len(results)))
        if overall.today is not None:
            first = overall.points[0]
            local = overall.today.as_of.astimezone(ZoneInfo(settings.timezone))
            echo("   " + t("forecast_today", lang, day=fmt_date(first.date), time=local.strftime("%H:%M"),
                            so_far=overall.today.so_far, mean=round(first.volume), low=round(first.volume_lower),
                            high=round(first.volume_upper)))
        # The demo's two weeks are too short to back-test (docs/forecasting.md): the forecast says so
        # instead of printing a table in which every model is the baseline.
        result.backtest_table = "\n".join([choice_line(overall, lang), interval_line(overall, lang)])
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
        echo(t("demo.digest", lang, subject=digest.digest.subject, url=out.as_uri()))

    _stage(result, "digest", echo, run)


def _serve(result: DemoResult, settings, echo, port: int, lang: str) -> None:
    def run() -> None:
        from mediawatch.app.desk.auth import AccountError, add_account, set_password
        from mediawatch.app.desk.server import serve
        from mediawatch.dashboards.serve import dashboard_path, view_options
        from mediawatch.store.sqlite import SQLiteStore

        from ..dashboard_view import view_kwargs

        options = view_options(result.store_path, **view_kwargs(settings, lang))
        store = SQLiteStore(result.store_path)
        password = secrets.token_urlsafe(12)  # a fresh one each run, printed only here
        try:
            add_account(store, "demo", "admin", password, "demo")
        except AccountError:
            set_password(store, "demo", password, "demo")
        echo(t("demo.dashboards", lang, url=f"http://127.0.0.1:{port}{dashboard_path()}"))
        echo(t("demo.desk", lang, url=f"http://127.0.0.1:{port + 1}/", user="demo", password=password))
        echo(t("demo.links", lang, site=result.site_url,
               digest=result.digest_path.as_uri() if result.digest_path else "-"))
        echo(t("demo.stop", lang))
        serve(settings, store=store, db=result.store_path, options=options, port=port, desk_port=port + 1,
              echo=lambda line: None)

    _stage(result, "dashboards", echo, run)
