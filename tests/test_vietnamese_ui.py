"""Everything a Vietnamese analyst reads is Vietnamese: no internal slugs, no English words, no ISO dates.

Issue 13 named what used to leak: topic names ("dam", "phi-gui-xe", "policy_complaints"), severity
"high", review status "pending", "(neutral)", "ets->seasonal_naive", ISO dates, "Apply", and Lai Châu
labelled as a commune. This test renders the digest, a summary, every alert type with its webhook
formats, the CLI tables (status, search, alerts, triage, forecast) and the dashboards' words from one
store, and checks them against that deny-list. (The dashboard page itself, with its "Áp dụng" button,
is checked in Chromium by tests/test_dashboards_datasette.py.)
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from mediawatch.app.cli import app
from mediawatch.document import Document, Engagement, Misinfo, Sentiment, Source, doc_id_for_url
from mediawatch.i18n import STRINGS, WORDS, label, model_name, t
from mediawatch.settings import load_settings
from mediawatch.store.base import AlertRecord, RunRecord, SearchQuery
from mediawatch.store.sqlite import SQLiteStore

NOW = datetime.now(timezone.utc).replace(microsecond=0)
DAY = (NOW - timedelta(days=1)).date()

CONFIG = """
language = "vi"
[store]
url = "sqlite:///mw.db"
[province]
name = "Lào Cai"
former_names = ["Yên Bái"]
[[sources]]
id = "bao-lao-cai"
name = "Báo Lào Cai"
url = "https://baolaocai.vn/rss/thoi-su.rss"
[[topics]]
name = "phi-gui-xe"
label = "Phí trông giữ xe"
query = '"phí gửi xe" OR "phí trông giữ xe"'
[[alerts.rules]]
name = "Tin khẩn về thủy điện, đập"
type = "keyword"
topic = "dam"
"""

# Slugs and English words that must not reach a Vietnamese reader (case-sensitive words).
DENY = ["dam", "phi-gui-xe", "policy_complaints", "high", "medium", "low", "pending", "neutral", "negative",
        "positive", "press", "social", "seasonal_naive", "ets", "Apply", "new", "update", "updated", "fetched",
        "errors", "results", "alert", "alerts", "items", "source", "sources", "series", "forecast", "plain",
        "spike", "keyword", "misinfo", "all", "none", "true", "false"]
DENIED = re.compile(r"(?<![\w./@-])(" + "|".join(re.escape(w) for w in DENY) + r")(?![\w-])")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
URL = re.compile(r"https?://\S+|file://\S+|/\S+\.(db|html|json|toml)\b")


def assert_vietnamese(text: str, where: str) -> None:
    visible = URL.sub(" ", text)
    found = DENIED.findall(visible)
    assert not found, f"{where}: {sorted(set(found))} in:\n{text}"
    assert not ISO_DATE.search(visible), f"{where}: an ISO date in:\n{text}"
    assert "xã, phường, huyện cũ" not in visible or "Lai Châu" not in visible.split("xã, phường, huyện cũ")[0][-40:]


def _doc(n: int, title: str, text: str, *, kind: str = "press", topics=(), places=("Lào Cai",), sentiment="negative",
         misinfo=None, when=None) -> Document:
    url = f"https://example.vn/{kind}/{n}"
    return Document(id=doc_id_for_url(url), url=url, source=Source(id="bao-lao-cai", kind=kind, name="Báo Lào Cai"),
                    title=title, text=text, published_at=when or NOW - timedelta(hours=20 + n % 3),
                    sentiment=Sentiment(sentiment, {"negative": -0.7, "neutral": 0.0, "positive": 0.6}[sentiment]),
                    topics=list(topics), places=list(places), misinfo=misinfo, story_id=f"s{n % 4}",
                    engagement=Engagement(likes=n, shares=n))


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("MEDIAWATCH_CONFIG", "MEDIAWATCH_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "mediawatch.toml").write_text(CONFIG, encoding="utf-8")
    docs = [_doc(i, f"Thủy điện xả lũ, hạ du ngập sâu {i}", "Nước lũ dâng cao ở Lai Châu và Lào Cai.",
                 topics=["dam"], places=["Lào Cai", "Lai Châu"], sentiment=["negative", "neutral"][i % 2])
            for i in range(8)]
    docs += [_doc(20 + i, f"Phí gửi xe ở chợ tăng gấp đôi {i}", "Người dân bức xúc vì phí gửi xe.", kind="social",
                  topics=["phi-gui-xe", "policy_complaints"], sentiment="neutral") for i in range(5)]
    docs.append(_doc(40, "", "Nghe nói đập thủy điện sắp vỡ, bà con sơ tán ngay!", kind="social", topics=["dam"],
                     misinfo=Misinfo(score=0.82, claim="Đập thủy điện sắp vỡ", flagged=True, review_status="pending",
                                     evidence_url="https://laocai.gov.vn/dinh-chinh", reasons=["tin đồn"])))
    with SQLiteStore(tmp_path / "mw.db") as store:
        store.upsert(docs)
        store.save_alert(AlertRecord("al-1", "Tin khẩn về thủy điện, đập", "k", NOW - timedelta(hours=2),
                                     NOW - timedelta(hours=2), "high", "Chủ đề khẩn: chủ đề «Thủy điện, hồ chứa, đập»",
                                     {"text": "3 bài khớp chủ đề khẩn trong 24 giờ qua.", "updates": 1}))
        store.record_run([RunRecord("r1", "bao-lao-cai", NOW - timedelta(hours=1), NOW - timedelta(hours=1),
                                    fetched=8, new=8)])
        store.set_state("runs", "latest", {"run_id": "r1", "engine": "plain", "sources": 1, "new": 8,
                                           "alerts": {"new": 1}, "deliveries": {"delivered": 1}})
        from mediawatch.flows.forecast.series import run_forecast

        run_forecast(load_settings(tmp_path / "mediawatch.toml"), store, now=NOW)
    return tmp_path


def test_digest_and_summary(workdir):
    from mediawatch.flows.reports.digest import build_digest
    from mediawatch.flows.reports.summary import build_summary
    from mediawatch.flows.reports.summary_render import Extras, render_html, render_text, topic_labels

    settings = load_settings(workdir / "mediawatch.toml")
    with SQLiteStore(workdir / "mw.db") as store:
        digest = build_digest(settings, store, DAY, "vi", until=NOW)
        summary = build_summary(store, NOW - timedelta(days=2), NOW, topic="dam", tz=settings.timezone)
    assert "Thủy điện, hồ chứa, đập" in digest.text and "Dùng dự báo đơn giản: lặp lại tuần trước" in digest.text
    assert_vietnamese(digest.subject, "digest subject")
    assert_vietnamese(digest.text, "digest text")
    assert_vietnamese(re.sub(r"<[^>]+>", " ", digest.html), "digest html")
    extras = Extras(labels=topic_labels(settings))
    text = render_text(summary, "vi", extras=extras)
    assert "chủ đề: Thủy điện, hồ chứa, đập" in text
    assert_vietnamese(text, "summary")
    assert_vietnamese(re.sub(r"<[^>]+>", " ", render_html(summary, "vi", extras=extras)), "summary html")


def test_alerts_and_webhook_formats(workdir):
    from mediawatch.classifiers.topics import topic_labels
    from mediawatch.flows.alerts.payload import build_payload
    from mediawatch.flows.alerts.rules import Candidate, Window
    from mediawatch.flows.delivery import webhook_formats as wf

    settings = load_settings(workdir / "mediawatch.toml")
    window = Window(NOW - timedelta(hours=24), NOW)
    query = SearchQuery(since=window.start, until=window.end)
    rules = {r: settings.alerts.rules[0].model_copy(update={"type": r}) for r in
             ("spike", "negativity", "misinfo", "silent_source", "keyword")}
    candidates = [
        Candidate(rules["spike"], "k1", "high", window, 12, query, {"topic": "dam", "source_kind": "social"},
                  {"baseline_mean": 2.5, "threshold": 6.1}),
        Candidate(rules["negativity"], "k2", "medium", window, 6, query, {"topic": "phi-gui-xe", "place": "Lào Cai"},
                  {"share": 0.6, "baseline_share": 0.2, "total": 10}),
        Candidate(rules["misinfo"], "k3", "high", window, 4, query, {"claim": "Đập thủy điện sắp vỡ", "registered": True},
                  {"doc_ids": []}),
        Candidate(rules["silent_source"], "k4", "low", window, 0, query, {"source_id": "bao-lao-cai",
                  "source_name": "Báo Lào Cai"}, {"last_published_at": (NOW - timedelta(days=2)).isoformat()}),
        Candidate(rules["keyword"], "k5", "high", Window(NOW - timedelta(hours=1), NOW), 3, query,
                  {"topic": "policy_complaints"}, {}),
    ]
    labels = topic_labels(settings.topics)
    with SQLiteStore(workdir / "mw.db") as store:
        for c in candidates:
            payload = build_payload(c, settings, store, labels)
            payload["status"] = "update"
            chat = [wf.plain_text(payload), json.dumps(wf.slack(payload), ensure_ascii=False),
                    json.dumps(wf.teams(payload), ensure_ascii=False),
                    re.sub(r"<[^>]+>", " ", wf.telegram(payload, 1)["text"])]
            for text in (payload["title"], payload["text"], payload["window"]["label"], *chat):
                # The JSON bodies keep their machine keys; what people read is checked.
                readable = re.sub(r'"[\w@]+":', " ", text).replace('"type"', "")
                readable = re.sub(r'"(plain_text|mrkdwn|header|section|actions|button|MessageCard|OpenUri|default|'
                                  r'https://schema.org/extensions|[0-9A-F]{6})"', " ", readable)
                assert_vietnamese(readable, f"alert {c.rule.type}")


def test_cli_tables(workdir, monkeypatch):
    from mediawatch.flows.forecast import series

    # The forecasts as stored (fitting fresh ones takes half a minute and is tested in test_forecast.py).
    monkeypatch.setattr(series, "run_forecast", lambda settings, store, **kw: series.stored_forecasts(store))
    runner = CliRunner()
    outputs = {
        "status": runner.invoke(app, ["status"]),
        "search": runner.invoke(app, ["search", "thuy dien"]),
        "alerts list": runner.invoke(app, ["alerts", "list"]),
        "alerts outbox": runner.invoke(app, ["alerts", "outbox"]),
        "triage list": runner.invoke(app, ["triage", "list"]),
        "triage list --status all": runner.invoke(app, ["triage", "list", "--status", "all"]),
        "forecast": runner.invoke(app, ["forecast"]),
    }
    for name, result in outputs.items():
        assert result.exit_code == 0, (name, result.output)
        text = result.output
        if name == "status":  # the source ids are the operator's own identifiers
            text = text.replace("bao-lao-cai", "")
        assert_vietnamese(text, name)
    assert "(trung tính)" in outputs["search"].output or "(tiêu cực)" in outputs["search"].output
    assert "[cao]" in outputs["alerts list"].output and "chờ duyệt" in outputs["triage list"].output
    assert "Thủy điện, hồ chứa, đập" in outputs["forecast"].output


def test_dashboards_words(workdir):
    from mediawatch.app.dashboard_view import view_kwargs
    from mediawatch.dashboards.datasette_config import ViewOptions, metadata
    from mediawatch.dashboards.kibana import saved_objects

    settings = load_settings(workdir / "mediawatch.toml")
    meta = metadata(ViewOptions(db="mw", **view_kwargs(settings, "vi")))
    config = meta["plugins"]["datasette-dashboards"]["mediawatch"]
    readable = [meta["title"], meta["description"], *config["words"].values()]
    for flt in config["filters"].values():
        readable += [flt["name"], *flt.get("labels", {}).values()]
    for chart in config["charts"].values():
        readable.append(chart["title"])
        # Labels and messages written into the SQL: the literals after THEN/ELSE and the column names.
        readable += re.findall(r"(?:THEN|ELSE) '([^']*)'", chart["query"])
        readable += re.findall(r'AS "([^"]+)"', chart["query"])
        readable += [v for k, v in _walk(chart.get("display", {})) if k == "title" and v]
    for text in readable:
        assert_vietnamese(text, "dashboards")
    assert "tỉnh, thành phố khác" in config["charts"]["places"]["query"]
    assert "Phí trông giữ xe" in config["filters"]["topic"]["labels"].values()
    kibana = [o["attributes"]["title"] for o in saved_objects(lang="vi") if "title" in o["attributes"]]
    for text in kibana:
        assert_vietnamese(text.removeprefix("mediawatch: "), "kibana")


def _walk(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str):
                yield k, v
            else:
                yield from _walk(v)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def test_catalogue_has_every_key_in_both_languages_and_helpers():
    for key, entry in WORDS.items():
        assert set(entry) == {"vi", "en"} and entry["vi"] and entry["en"], key
        fields = lambda s: sorted(re.findall(r"\{(\w+)", s))  # noqa: E731
        if key.endswith("_one"):  # "last day": the singular may leave the number out
            assert set(fields(entry["en"])) <= set(fields(entry["vi"])), key
        else:
            assert fields(entry["vi"]) == fields(entry["en"]), key
    assert set(STRINGS) <= set(WORDS)
    assert label("severity", "high") == "cao" and label("review_status", "pending") == "chờ duyệt"
    assert label("sentiment", "neutral") == "trung tính" and label("severity", "odd") == "odd"
    assert model_name("seasonal_naive") == "dự báo đơn giản: lặp lại tuần trước"
    assert t("cli.alerts.count", "en", n=1) == "1 alert" and t("cli.alerts.count", "en", n=2) == "2 alerts"
    assert date(2026, 1, 2).strftime("%d/%m/%Y") == "02/01/2026"
