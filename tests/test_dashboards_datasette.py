"""The embedded dashboards: Datasette + datasette-dashboards over a seeded SQLite store.

The chart queries are checked against the store's own API (facets, counts, histograms), and one
test opens the served dashboard in headless Chromium and reads the numbers the charts drew.
"""

from __future__ import annotations

import re
import socket
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import date, datetime, time as dtime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from datasette_dashboards import replace_opts_in_query

from mediawatch.dashboards.datasette_config import ViewOptions, default_range, metadata
from mediawatch.dashboards.datasette_plugins.mediawatch_sql import mw_html, mw_link, prepare_connection
from mediawatch.document import Document, Misinfo, Sentiment, Source
from mediawatch.store.base import AlertRecord, SearchQuery
from mediawatch.store.forecasts import DayCount, ForecastPoint, ForecastRecord
from mediawatch.store.sqlite import SQLiteStore
from mediawatch.synthetic import synthetic_documents
from tests.support.serving import stop, wait_until_serving

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
XSS_TITLE = "<script>document.title='PWNED-SCRIPT'</script>Tin giả về đập"
XSS_TEXT = "<img src=x onerror=\"document.title='PWNED-IMG'\">"
T_XSS = datetime(2025, 7, 15, 3, 0, tzinfo=timezone.utc)


def _seed(path: Path, *, forecast: bool = True) -> None:
    with SQLiteStore(path) as store:
        docs = list(synthetic_documents(240, span_days=20, words=12))
        docs.append(Document(
            id="xss-1", url="https://mxh.example/p/1", source=Source("nhom-mxh", "social", "<b>Nhóm</b>", "facebook"),
            title=XSS_TITLE, text=XSS_TEXT + " Đà Nẵng", published_at=T_XSS, topics=[XSS_TEXT],
            places=["Lào Cai", "Lai Châu"],
            story_id="story-xss", sentiment=Sentiment("negative", -0.8),
            misinfo=Misinfo(score=0.91, claim=XSS_TEXT, evidence_url="javascript:document.title='PWNED-LINK'",
                            flagged=True)))
        store.upsert(docs)
        store.save_alert(AlertRecord("al-1", "spike", "spike|lu_lut", T_XSS, T_XSS, "cao",
                                     "<script>document.title='PWNED-ALERT'</script>Tăng đột biến: lũ lụt", {}))
        if forecast:
            store.save_forecast(ForecastRecord(
                topic="*", place="*", generated_at=datetime(2025, 7, 20, 19, 0, tzinfo=timezone.utc), model="ets",
                choice="backtest", history=[DayCount(date(2025, 7, 20), 17, 4)],
                points=[ForecastPoint(date(2025, 7, 20 + i), 10.0 + i, 5.0 + i, 15.0 + i) for i in range(1, 8)]))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dash") / "mediawatch.db"
    _seed(path)
    return path


LABELS = {"lu_lut": "Lũ lụt", "sat_lo": "Sạt lở đất"}


def _options(path: Path, lang: str = "vi") -> ViewOptions:
    """The view as the app builds it (labels of topics, other provinces) for a Lào Cai configuration."""
    from mediawatch.app.dashboard_view import view_kwargs
    from mediawatch.settings import Settings

    with sqlite3.connect(path) as conn:
        last = conn.execute("SELECT max(time_ms) FROM documents").fetchone()[0]
    start, end = default_range(last, "Asia/Ho_Chi_Minh")
    settings = Settings(province={"name": "Lào Cai", "former_names": ["Yên Bái"]},
                        topics=[{"name": k, "label": v, "query": k} for k, v in LABELS.items()])
    return ViewOptions(db=path.stem, date_start=start, date_end=end, **view_kwargs(settings, lang))


def _run(path: Path, options: ViewOptions, chart_id: str, **params: str) -> list[dict]:
    """Run one chart's SQL the way datasette-dashboards does (optional blocks, named parameters)."""
    chart = metadata(options)["plugins"]["datasette-dashboards"]["mediawatch"]["charts"][chart_id]
    sql = replace_opts_in_query(chart["query"], params)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    prepare_connection(conn)
    try:
        names = set(re.findall(r":(\w+)", re.sub(r"'[^']*'", "", sql)))
        return [dict(r) for r in conn.execute(sql, {n: params.get(n, "") for n in names})]
    finally:
        conn.close()


def _period(options: ViewOptions) -> tuple[datetime, datetime]:
    return (datetime.combine(options.date_start, dtime(), ZONE).astimezone(timezone.utc),
            datetime.combine(options.date_end, dtime(), ZONE).astimezone(timezone.utc))


def _params(options: ViewOptions, **extra: str) -> dict[str, str]:
    return {"date_start": options.date_start.isoformat(), "date_end": options.date_end.isoformat(), **extra}


# --- the SQL agrees with the store ------------------------------------------------------------------
def test_chart_queries_match_the_store_api(seeded: Path) -> None:
    o = _options(seeded)
    since, until = _period(o)
    q = SearchQuery(since=since, until=until)
    with SQLiteStore(seeded) as store:
        total = store.count(q)
        sources = store.facets(q, ["source_id"], size=10)["source_id"]
        topics = dict(store.facets(q, ["topics"], size=50)["topics"])
        previous = dict(store.facets(SearchQuery(since=since - (until - since), until=since), ["topics"],
                                     size=50)["topics"])
        days = {b.start.date(): b.count for b in store.histogram(q)}
        social = store.count(SearchQuery(since=since, until=until, kinds=["social"]))
        flagged = store.count(SearchQuery(since=since, until=until, flagged_only=True))
        folded = store.count(SearchQuery(since=since, until=until, text="da nang -lu*"))
    params = _params(o)
    assert _run(seeded, o, "total", **params) == [{"n": total}]
    bars = _run(seeded, o, "top_sources", **params)
    assert [r["n"] for r in bars] == [n for _, n in sources]
    change = _run(seeded, o, "topics_change", **params)
    shown = {mw_html(o.topic_labels.get(k, k)): k for k in topics}  # labels people read, not slugs
    assert {r["Chủ đề"]: r["Số tin"] for r in change} == {label: topics[k] for label, k in shown.items()}
    assert all(r["Kỳ trước"] == previous.get(shown[r["Chủ đề"]], 0) for r in change)
    assert "Lũ lụt" in shown and "lu_lut" not in shown
    per_day = Counter()
    for row in _run(seeded, o, "volume_sentiment", **params):
        per_day[date.fromisoformat(row["day"])] += row["n"]
    assert {d: n for d, n in per_day.items()} == {d: n for d, n in days.items() if n}
    kinds = {r["series"]: 0 for r in _run(seeded, o, "press_social", **params)}
    for row in _run(seeded, o, "press_social", kind="social", **params):
        kinds[row["series"]] += row["n"]
    assert kinds["mạng xã hội"] == social and kinds.get("báo chí", 0) == 0
    assert len(_run(seeded, o, "misinfo_queue", **params)) == flagged
    assert _run(seeded, o, "total", q="da nang -lu*", **params) == [{"n": folded}]
    places = {r["label"]: r["level"] for r in _run(seeded, o, "places", **params)}
    assert places["Lào Cai"] == "tỉnh đang theo dõi" and places["Yên Bái"] == "tỉnh cũ đã sáp nhập (trước 7/2025)"
    # Another province is another province, never "a commune, ward or former district" (Lai Châu).
    assert places["Lai Châu"] == places["Hà Nội"] == "tỉnh, thành phố khác"
    assert places["Sa Pa"] == "xã, phường, huyện cũ"


def test_tables_escape_document_text(seeded: Path) -> None:
    o = _options(seeded)
    queue = _run(seeded, o, "misinfo_queue", **_params(o))
    row = next(r for r in queue if "PWNED" in (r["Tiêu đề"] or ""))
    assert row["Tiêu đề"] == mw_html(XSS_TITLE) and "<" not in row["Tiêu đề"]
    assert row["Nhận định cần kiểm chứng"].startswith("&lt;img")
    assert "<a" not in row["Bằng chứng"]  # javascript: is never made a link
    assert mw_link("https://factcheck.example/a?b=1&c=\"x\"") == (
        '<a href="https://factcheck.example/a?b=1&amp;c=&quot;x&quot;" rel="noopener noreferrer nofollow" '
        'target="_blank">https://factcheck.example/a?b=1&amp;c=&quot;x&quot;</a>')
    alerts = _run(seeded, o, "alerts", **_params(o))
    assert alerts[0]["Cảnh báo"].startswith("&lt;script&gt;")


def test_empty_store_and_missing_forecast_still_render_rows(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    SQLiteStore(path).close()
    o = ViewOptions(db="empty", former_names=[])
    assert _run(path, o, "forecast") == [{"day": None, "volume": None, "lower": None, "upper": None,
                                          "series": "chưa có dự báo (chạy sau lần dự báo đầu tiên)"}]
    assert _run(path, o, "alerts")[0]["Thời điểm"] == "Chưa có cảnh báo"
    assert _run(path, o, "top_stories")[0]["Tiêu đề"] == "Chưa có dữ liệu"
    assert _run(path, o, "total") == [{"n": 0}]


def test_english_labels(seeded: Path) -> None:
    o = _options(seeded, lang="en")
    config = metadata(o)["plugins"]["datasette-dashboards"]["mediawatch"]
    assert config["charts"]["volume_sentiment"]["title"] == "Volume per day by sentiment"
    assert config["filters"]["topic"]["name"] == "Topic"
    assert "press" in {r["series"] for r in _run(seeded, o, "press_social", **_params(o))}


# --- served for real, opened in a real browser ----------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(seeded: Path):
    port = _free_port()
    topics = "".join(f'[[topics]]\nname = "{k}"\nlabel = "{v}"\nquery = "{k}"\n' for k, v in LABELS.items())
    (seeded.parent / "mediawatch.toml").write_text(
        f'[province]\nname = "Lào Cai"\nformer_names = ["Yên Bái"]\n{topics}', encoding="utf-8")
    # The real command, as an analyst runs it.
    proc = subprocess.Popen([str(Path(sys.executable).parent / "mediawatch"), "dashboards", "serve",
                             "--db", str(seeded), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=seeded.parent)
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(proc, [base + "/-/versions.json"], timeout_s=30, log=lambda: proc.stderr.read().decode())
    try:
        yield base
    finally:
        stop(proc)
        proc.stderr.close()


def _chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={profile}", "--virtual-time-budget=20000", "--window-size=1400,2600",
                           "--hide-scrollbars", *extra, url], capture_output=True, timeout=120)


def test_dashboard_draws_the_stored_numbers_in_chromium(served: str, seeded: Path, tmp_path: Path) -> None:
    o = _options(seeded)
    redirect = urllib.request.urlopen(served + "/-/dashboards/mediawatch")
    assert f"date_start={o.date_start.isoformat()}" in redirect.url  # the default range is the data's
    url = served + "/-/dashboards/mediawatch?" + urllib.parse.urlencode(_params(o))
    dom = _chromium(url, tmp_path / "profile", "--dump-dom").stdout.decode("utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    shot.unlink(missing_ok=True)
    _chromium(url, tmp_path / "profile2", f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 20_000
    (ARTIFACTS / "dashboard.html").write_text(dom, encoding="utf-8")

    since, until = _period(o)
    q = SearchQuery(since=since, until=until)
    with SQLiteStore(seeded) as store:
        total = store.count(q)
        sources = store.facets(q, ["source_id"], size=10)["source_id"]
        days = {b.start.strftime("%d/%m"): b.count for b in store.histogram(q) if b.count}
        names = {d.source.id: d.source.name for d in store.iter_documents(q)}
    # The scripts ran (the page is drawn) and nothing from the documents ran with them.
    assert "<title>Theo dõi thông tin - tỉnh Lào Cai</title>" in dom
    assert "PWNED" not in re.search(r"<title>(.*?)</title>", dom).group(1)
    assert dom.count("<svg") >= 5
    assert f"{total} tin" in dom  # the metric card
    # Bar labels of the top-sources chart carry the stored counts.
    for source_id, count in sources:
        assert f'aria-label="Số tin: {count}; Nguồn: {names[source_id]}' in dom
    # Stacked day bars: per day, the segments add up to the store's histogram.
    drawn = Counter()
    for day, n in re.findall(r'aria-label="Ngày: (\d\d/\d\d); Số tin: (\d+); Sắc thái: ', dom):
        drawn[day] += int(n)
    assert dict(drawn) == days
    # The forecast line is drawn from the stored state.
    assert 'aria-label="Ngày: 20/07; Số tin: 17; series: thực tế"' in dom
    for i in range(1, 8):
        assert f'aria-label="Ngày: 2{i}/07; Số tin: {10 + i}; series: dự báo"' in dom
    # Document text is shown as text, escaped, wherever it appears.
    # The page around the charts speaks Vietnamese too: no "Apply" button, topics by their labels.
    assert 'value="Áp dụng"' in dom and "Apply" not in dom
    assert ">Lũ lụt</option>" in dom and ">lu_lut</option>" not in dom and ">mạng xã hội</option>" in dom
    assert "&lt;script&gt;document.title='PWNED-SCRIPT'&lt;/script&gt;Tin giả về đập" in dom
    assert "&lt;img src=x onerror=" in dom
    assert "<script>document.title='PWNED" not in dom
    assert "<img src=\"x\" onerror" not in dom and "<img src=x onerror" not in dom
    assert 'href="javascript:' not in dom


def test_served_database_is_read_only(served: str, seeded: Path) -> None:
    before = sqlite3.connect(f"file:{seeded}?mode=ro", uri=True).execute("SELECT count(*) FROM documents").fetchone()
    for sql in ("DELETE FROM documents", "UPDATE documents SET title = 'x'", "DROP TABLE alerts"):
        url = f"{served}/{seeded.stem}.json?" + urllib.parse.urlencode({"sql": sql})
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(url)
        assert info.value.code == 400
        info.value.close()
    after = sqlite3.connect(f"file:{seeded}?mode=ro", uri=True).execute("SELECT count(*) FROM documents").fetchone()
    assert before == after
    # Full-text search with the store's syntax works over HTTP too (diacritics optional).
    o = _options(seeded)
    chart = metadata(o)["plugins"]["datasette-dashboards"]["mediawatch"]["charts"]["total"]
    sql = replace_opts_in_query(chart["query"], {"q": "đà nẵng"})
    body = urllib.request.urlopen(f"{served}/{seeded.stem}.json?" + urllib.parse.urlencode(
        {"sql": sql, "q": "đà nẵng", "_shape": "objects"})).read().decode()
    with SQLiteStore(seeded) as store:
        assert f'"n": {store.count(SearchQuery(text="da nang"))}' in body


def test_serve_explains_what_is_missing(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from mediawatch.app.cli import app

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["dashboards", "serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "run an ingest first" in result.output
    monkeypatch.setenv("MEDIAWATCH_STORE__URL", "http://127.0.0.1:9")
    result = runner.invoke(app, ["dashboards", "serve", "--no-desk"])
    assert result.exit_code == 2 and "dashboards push" in result.output
    # Without --no-desk an Elasticsearch store gets the review desk only, next to Kibana.
    result = runner.invoke(app, ["dashboards", "serve"])
    assert result.exit_code == 3 and "dashboards push" in result.output and "review desk" in result.output
