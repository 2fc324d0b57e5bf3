"""`mediawatch sources check` and `sources catalogue` against the test site and a real SQLite store."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from typer.testing import CliRunner

from mediawatch.crawlers.catalogue import find_province, sources_for
from mediawatch.flows.orchestration.ingest import run_ingest
from mediawatch.app.cli import app
from mediawatch.settings import SourceSettings, load_settings
from mediawatch.store import open_store
from mediawatch.store.base import RunRecord
from tests.site.fixtures import site  # noqa: F401 - fixture


def _config(tmp_path, site) -> str:
    path = tmp_path / "mediawatch.toml"
    path.write_text(f"""
[store]
url = "sqlite:///{tmp_path / 'mw.db'}"

[crawl]
allow_private_hosts = ["127.0.0.1"]
per_host_delay_s = 0
timeout_s = 2

[[sources]]
id = "baolaocai"
url = "{site.urls['feed']}"

[[sources]]
id = "trang-loi"
url = "{site.urls['a']}khong-co.rss"

[[sources]]
id = "so-do"
type = "sitemap"
url = "{site.urls['sitemap_index']}"

[[sources]]
id = "chuyen-muc"
type = "listing"
url = "{site.urls['listing']}"

[[sources]]
id = "im-lang"
url = "{site.urls['feed_b']}"
""", encoding="utf-8")
    return str(path)


def test_sources_check_reports_health_in_vietnamese(tmp_path, site):
    config = _config(tmp_path, site)
    settings = load_settings(config)
    with open_store(settings) as store:
        run_ingest(settings, store, sources=settings.sources[:2], enrich=None)
        now = datetime.now(timezone.utc)
        store.record_run([RunRecord(run_id=f"r{k}", source_id="im-lang", started_at=now - timedelta(hours=k),
                                    finished_at=now - timedelta(hours=k), fetched=1,
                                    last_published_at=now - timedelta(hours=40 + 2 * k)) for k in range(6)])
    result = CliRunner().invoke(app, ["-c", config, "sources", "check"])
    out = result.output
    assert result.exit_code == 1, out
    assert "✓ baolaocai (rss)" in out and "Kết nối: được (HTTP 200" in out and "robots.txt: cho phép" in out
    assert "Định dạng: hợp lệ, 8 mục" in out
    assert "Lần chạy gần nhất" in out and "mới 5" in out and "http_404=1" in out and "robots=1" in out
    assert "✗ trang-loi (rss)" in out and "KHÔNG được" in out and "HTTP 404" in out
    assert "✓ so-do (sitemap)" in out and "Định dạng: hợp lệ, 2 mục" in out
    assert "✓ chuyen-muc (listing)" in out and "Chưa chạy lần nào." in out
    assert "✗ im-lang" in out and "im lặng bất thường" in out and "(thường 2,00 giờ một bài)" in out
    assert "3/5 nguồn hoạt động tốt." in out

    english = CliRunner().invoke(app, ["-c", config, "sources", "check", "--lang", "en", "-s", "baolaocai"])
    assert english.exit_code == 0 and "Reachable: yes" in english.output and "1/1 sources healthy." in english.output

    as_json = CliRunner().invoke(app, ["-c", config, "sources", "check", "--json", "--no-probe", "-s", "trang-loi"])
    row = json.loads(as_json.output.strip())
    assert row["source_id"] == "trang-loi" and row["last_run"]["errors"]["http_404"] == 1


def test_sources_check_unknown_id_is_usage_error(tmp_path, site):
    result = CliRunner().invoke(app, ["-c", _config(tmp_path, site), "sources", "check", "-s", "khong-co"])
    assert result.exit_code == 2 and "không có nguồn: khong-co" in result.output


def test_catalogue_for_lao_cai_includes_former_yen_bai():
    sources = sources_for("Lào Cai")
    ids = [s["id"] for s in sources]
    for national in ("vnexpress", "tuoitre", "thanhnien", "dantri", "vietnamnet", "nhandan", "vov", "vtv",
                     "baochinhphu"):
        assert national in ids
    assert {"baolaocai", "laocai-gov", "laocaitv", "baoyenbai", "yenbai-gov", "yenbaitv"} <= set(ids)
    assert len(ids) == len(set(ids))
    for entry in sources:
        SourceSettings(**entry)  # shaped like [[sources]]
        assert entry["url"].startswith("https://") and entry["options"]["verified"] is False
    assert find_province("yen bai")["name"] == "Lào Cai"
    assert [s["id"] for s in sources_for("Tỉnh không có")] == ids[:9]


def test_catalogue_command_prints_toml():
    import tomllib

    result = CliRunner().invoke(app, ["sources", "catalogue", "--province", "Quảng Ninh"])
    assert result.exit_code == 0
    parsed = tomllib.loads(result.output)
    assert [s["id"] for s in parsed["sources"]][-3:] == ["baoquangninh", "quangninh-gov", "qtv"]
