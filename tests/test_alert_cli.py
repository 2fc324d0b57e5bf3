"""`mediawatch alerts list|backtest|check|outbox` and the run summary line of `status`."""

import json
import re
from datetime import timedelta

from typer.testing import CliRunner

from mediawatch.app.cli.runinfo import describe_summary
from mediawatch.app.cli import app
from mediawatch.store.sqlite import SQLiteStore

from .test_alert_fixtures import NOW, background, burst, doc

CONFIG = """
data_dir = "data"
[store]
url = "sqlite:///mw.db"
[[topics]]
name = "vo-dap"
label = "Tin khẩn vỡ đập"
query = "vỡ đập"
urgent = true
[[topics]]
name = "lu-lut"
query = "lũ OR sạt lở"
[[alerts.rules]]
name = "lu-social"
type = "spike"
topic = "lu-lut"
source_kind = "social"
[[alerts.rules]]
name = "urgent"
type = "keyword"
cooldown_minutes = 60
"""


def setup(tmp_path):
    (tmp_path / "mediawatch.toml").write_text(CONFIG, encoding="utf-8")
    with SQLiteStore(tmp_path / "mw.db") as store:
        store.upsert(background(hours=48, per_hour=2))
        store.upsert(burst(25, end=NOW - timedelta(hours=20)))
        store.upsert([doc(1, NOW - timedelta(hours=30), topic="vo-dap"), doc(2, NOW - timedelta(hours=5), topic="vo-dap")])
    return ["-c", str(tmp_path / "mediawatch.toml")]


def test_backtest_prints_alerts_per_rule(tmp_path):
    base = setup(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, base + ["alerts", "backtest", "--since", "2026-08-08T15:00:00+0000",
                                        "--until", "2026-08-10T03:00:00+0000", "--step", "30"])
    assert result.exit_code == 0, result.output
    assert "Chạy lại 72 lần đánh giá từ 08/08/2026 22:00 đến 10/08/2026 10:00" in result.output
    counts = {m[0]: int(m[1]) for m in re.findall(r"^\s+(\S+)\s+\D+?\s+(\d+) cảnh báo", result.output, re.M)}
    assert counts == {"lu-social": 1, "urgent": 2}, result.output
    assert "tăng đột biến" in result.output and "chủ đề khẩn" in result.output  # rule types as people read them
    as_json = runner.invoke(app, base + ["alerts", "backtest", "--since", "2026-08-08T15:00:00+0000",
                                         "--until", "2026-08-10T03:00:00+0000", "--step", "30", "--json"])
    assert json.loads(as_json.output)["fired"] == {"lu-social": 1, "urgent": 2}


def test_check_then_list(tmp_path):
    base = setup(tmp_path)
    runner = CliRunner()
    with SQLiteStore(tmp_path / "mw.db") as store:  # something urgent right now
        from mediawatch.document import utcnow

        store.upsert([doc(3, utcnow() - timedelta(minutes=5), topic="vo-dap")])
    checked = runner.invoke(app, base + ["alerts", "check", "--no-deliver"])
    assert checked.exit_code == 0, checked.output
    assert "mới       [cao] Chủ đề khẩn: chủ đề «Tin khẩn vỡ đập»" in checked.output  # labels, not slugs
    listed = runner.invoke(app, base + ["alerts", "list", "--since", "1d"])
    assert "1 cảnh báo" in listed.output and "1 bài khớp chủ đề khẩn" in listed.output
    outbox = runner.invoke(app, base + ["alerts", "outbox"])
    assert outbox.exit_code == 0 and "0 chờ gửi" in outbox.output


def test_backtest_without_rules_is_a_usage_error(tmp_path):
    (tmp_path / "mediawatch.toml").write_text('data_dir = "data"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["-c", str(tmp_path / "mediawatch.toml"), "alerts", "backtest", "--since", "2d"])
    assert result.exit_code == 2 and "[[alerts.rules]]" in result.output


def test_status_summary_line():
    state = {"run_id": "r1", "engine": "prefect", "sources": 3, "new": 42, "updated": 1, "filtered_out": 7,
             "failed_sources": ["broken"], "alerts": {"new": 1}, "alert_errors": {"bad": "ValueError: x"},
             "deliveries": {"delivered": 1, "pending": 0, "failed": 0}}
    vi = describe_summary(state)
    assert "42 mới" in vi and "7 ngoài tỉnh bị loại" in vi and "1 nguồn lỗi" in vi and "bad: ValueError: x" in vi
    assert "1 delivered" in describe_summary(state, "en")
