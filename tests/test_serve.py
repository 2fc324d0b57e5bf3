"""`mediawatch serve` starts a local Prefect server, registers the schedules, and stops on SIGTERM."""

import os
import re
import signal
import subprocess
import sys
import time

import requests

from mediawatch.flows.orchestration.serve import schedules
from mediawatch.settings import Settings

CONFIG = """
language = "vi"
data_dir = "data"
[store]
url = "sqlite:///data/mw.db"
[flows]
ingest_every_minutes = 15
retrain_weekday = 6
[digest]
send_at = "07:30"
"""


def test_schedules_follow_the_settings():
    items = {s.name: s for s in schedules(Settings(flows={"ingest_every_minutes": 15, "forecast_at": "01:45",
                                                          "retrain_weekday": 0},
                                                   digest={"send_at": "06:05"}))}
    assert items["ingest"].interval.total_seconds() == 900
    assert items["digest"].cron == "5 6 * * *" and items["forecast"].cron == "45 1 * * *"
    assert items["retrain"].cron == "0 3 * * 1"  # Monday in Python's numbering is 1 in cron


def test_serve_registers_schedules_and_stops_on_sigterm(tmp_path):
    (tmp_path / "mediawatch.toml").write_text(CONFIG, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["MEDIAWATCH_CONFIG"] = str(tmp_path / "mediawatch.toml")
    err_path = tmp_path / "serve.err"
    with open(err_path, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-c", "from mediawatch.app.cli import main; main()", "serve"], cwd=tmp_path, env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
    try:
        deadline = time.monotonic() + 240
        while "mediawatch-retrain" not in err_path.read_text(encoding="utf-8", errors="replace"):
            assert proc.poll() is None, err_path.read_text()
            assert time.monotonic() < deadline, "serve did not come up in 240 s"
            time.sleep(0.5)
        text = err_path.read_text(encoding="utf-8")
        api = re.search(r"(http://127\.0\.0\.1:\d+/api)", text).group(1)
        deployments = requests.post(f"{api}/deployments/filter", json={}, timeout=10).json()
        by_name = {d["name"]: d for d in deployments}
        assert set(by_name) == {"mediawatch-ingest", "mediawatch-digest", "mediawatch-forecast",
                                "mediawatch-retrain"}
        assert by_name["mediawatch-ingest"]["schedules"][0]["schedule"]["interval"] == 900
        digest = by_name["mediawatch-digest"]["schedules"][0]["schedule"]
        assert digest == {"cron": "30 7 * * *", "timezone": "Asia/Ho_Chi_Minh", "day_or": True}
        assert by_name["mediawatch-retrain"]["schedules"][0]["schedule"]["cron"] == "0 3 * * 0"
        assert by_name["mediawatch-ingest"]["parameters"] == {"config": str(tmp_path / "mediawatch.toml")}
        assert (tmp_path / "data" / "prefect" / "prefect.db").exists()  # PREFECT_HOME in the data folder

        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert time.monotonic() - started < 30
        try:  # the local server went with it
            requests.get(f"{api}/health", timeout=2)
            raise AssertionError("the Prefect server is still answering after serve stopped")
        except requests.ConnectionError:
            pass
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
