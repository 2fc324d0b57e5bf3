"""`mediawatch demo` end to end: the demo site, the real ingest, alerts to the local receiver, digest."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import feedparser
from typer.testing import CliRunner

from mediawatch.app.demo.site import article_html, load_content, rss_xml
from mediawatch.store.base import SearchQuery
from mediawatch.store.sqlite import SQLiteStore


def test_demo_runs_end_to_end(tmp_path):
    from mediawatch.app.cli import app

    folder = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    output = result.output
    content = load_content()
    store = SQLiteStore(folder / "data" / "mediawatch.db")
    try:
        total = store.count(SearchQuery())
        social = store.count(SearchQuery(kinds=["social"]))
        alerts = store.alerts()
        sample = next(iter(store.iter_documents(SearchQuery(kinds=["social"]))))
    finally:
        store.close()
    # Every article and post is stored; the feed was crawled for real (pages fetched and extracted).
    assert total == len(content["articles"]) + len(content["posts"])
    assert social == len(content["posts"])
    # Authors are pseudonymised at ingest: no handle from the export survives in the store.
    assert sample.author_key and sample.author_key not in {p["author"] for p in content["posts"]}
    received = int(re.search(r"máy nhận đã nhận (\d+) webhook", output).group(1))
    assert alerts and received == len(alerts) >= 1
    # Every component took part (classifiers, alerts, forecast, digest): none was skipped.
    assert "Bỏ qua bước" not in output, output
    assert "<- [" in output and "có chữ ký" in output
    digest = folder / "digest.html"
    html = digest.read_text(encoding="utf-8")
    assert "Bản tin dư luận Lào Cai" in html and "data:image/png;base64," in html
    digest_text = (folder / "digest.txt").read_text(encoding="utf-8")
    assert "Nậm Chăn 2" in digest_text
    # The press denial and the posts relaying it are corrections, not rumours: never queued.
    assert "Đính chính đang lan tỏa" in digest_text or "Thông tin đính chính đang lan tỏa" in digest_text
    store = SQLiteStore(folder / "data" / "mediawatch.db")
    try:
        denial = next(d for d in store.iter_documents(SearchQuery(kinds=["press"]))
                      if d.title == "Thông tin vỡ đập thủy điện Nậm Chăn 2 là sai sự thật")
    finally:
        store.close()
    assert denial.misinfo.stance == "refutes" and not denial.misinfo.flagged
    seconds = float(re.search(r"tài liệu trong kho sau ([\d,]+) giây", output).group(1).replace(",", "."))
    assert seconds < 120
    # A second run in the same folder starts afresh and works again.
    again = CliRunner().invoke(app, ["demo", "--no-serve", "--dir", str(folder)])
    assert again.exit_code == 0, again.output


def test_demo_refuses_a_foreign_folder(tmp_path):
    from mediawatch.app.cli import app

    (tmp_path / "important.txt").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--dir", str(tmp_path)])
    assert result.exit_code == 2 and (tmp_path / "important.txt").exists()


def test_site_feed_and_pages_are_well_formed():
    content = load_content()
    now = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
    feed = feedparser.parse(rss_xml(content, "http://127.0.0.1:9", now))
    assert not feed.bozo and len(feed.entries) == len(content["articles"])
    assert {e.link.rsplit("/", 1)[1] for e in feed.entries} == {f"{a['slug']}.html" for a in content["articles"]}
    article = dict(content["articles"][0], title="Tin <b>thử</b> & kiểm tra")
    page = article_html(article, now, "Báo <demo>")
    assert "Tin &lt;b&gt;thử&lt;/b&gt; &amp; kiểm tra" in page and "<b>thử</b>" not in page
    # The story the demo tells: a storm, a false dam-failure rumour and its correction, a fee complaint.
    texts = " ".join(p["text"] for p in content["posts"]) + " ".join(a["title"] for a in content["articles"])
    for phrase in ("vỡ đập thủy điện Nậm Chăn 2", "sai sự thật", "sạt lở", "phí gửi xe", "Mù Cang Chải"):
        assert phrase in texts
