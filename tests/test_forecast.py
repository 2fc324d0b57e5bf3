"""Forecast models, spikes, the partial day, the honest choice of model, calibrated intervals, the
rolling-origin back-test gate on real ReINTEL timestamps, run_forecast and its store home."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from typer.testing import CliRunner

from mediawatch.document import Document, Sentiment, Source, doc_id_for_url
from mediawatch.flows.forecast import models as fm
from mediawatch.flows.forecast.backtest import backtest, conformal_bounds, origins_for
from mediawatch.flows.forecast.describe import choice_line, interval_line
from mediawatch.flows.forecast.evaluate import REINTEL_ALL, REINTEL_UNRELIABLE, floors, format_backtest
from mediawatch.flows.forecast.nowcast import hourly_profile, nowcast, share_seen
from mediawatch.flows.forecast.series import (DailySeries, forecast_series, run_forecast, stored_forecasts,
                                              update_today)
from mediawatch.flows.forecast.trend import trend
from mediawatch.settings import Settings
from mediawatch.store.forecasts import ALL, ForecastRecord
from mediawatch.store.sqlite import SQLiteStore
from tests.support.paths import DATASETS

TODAY = date(2026, 11, 20)
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PATTERN = np.array([20, 22, 21, 19, 18, 8, 6], dtype=float)  # Monday first: quiet weekends


def weekly_series(days: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.poisson(np.tile(PATTERN, days // 7 + 1)[:days]).astype(float)


def daily(counts, start: date = date(2026, 9, 7), name: str = f"{ALL}|{ALL}") -> DailySeries:
    counts = [float(c) for c in counts]
    return DailySeries(name, start, counts, [c // 4 for c in counts])


# --- pure models ---------------------------------------------------------------------------------

@pytest.mark.parametrize("model", fm.MODELS)
def test_models_give_ordered_non_negative_intervals(model):
    result = fm.forecast(model, weekly_series(56), horizon=7, level=0.8)
    assert len(result.mean) == len(result.lower) == len(result.upper) == 7 and not result.fell_back
    for low, mid, high in zip(result.lower, result.mean, result.upper):
        assert 0 <= low <= mid + 1e-9 and mid <= high + 1e-9
    # A strong weekly pattern: the forecast's weekend dips below its weekdays.
    assert min(result.mean) < max(result.mean) * 0.7


def test_seasonal_naive_repeats_last_week_and_short_history_falls_back():
    history = list(range(1, 15))
    assert fm.seasonal_naive(history).mean == [8, 9, 10, 11, 12, 13, 14]
    short = fm.forecast("ets", [3, 4, 5])
    assert short.model == "seasonal_naive" and short.fell_back
    with pytest.raises(ValueError, match="unknown forecast model"):
        fm.forecast("prophet", history)


def test_a_one_off_storm_spike_last_week_is_not_repeated():
    counts = weekly_series(42, seed=5)
    storm = [len(counts) - 6, len(counts) - 5]  # Wednesday and Thursday of last week
    counts[storm] = counts[storm] * 4 + 40
    cleaned, flagged = fm.robust_history(counts)
    assert sorted(np.flatnonzero(flagged)) == storm
    assert all(cleaned[i] < 30 for i in storm)
    # Plain seasonal naive would forecast the storm again next Wednesday and Thursday.
    assert fm.seasonal_naive(counts).mean[1] > 80
    record = forecast_series(daily(counts), generated_at=datetime(2026, 10, 19, tzinfo=timezone.utc))
    assert record.cleaned == [date(2026, 9, 7) + timedelta(days=i) for i in storm]
    again = [p.volume for p in record.points[1:3]]  # the same weekdays next week
    assert max(again) < 30, again
    assert record.points[1].volume_upper < 60


def test_a_lasting_change_of_level_is_not_taken_for_a_spike():
    louder = np.random.default_rng(3).poisson(np.tile(PATTERN * 2.5, 2)[:10]).astype(float)
    counts = np.concatenate([weekly_series(35, seed=2), louder])
    _, flagged = fm.robust_history(counts)
    assert not flagged[-10:].any()


# --- back-test, calibration and the choice of model -------------------------------------------------

def test_backtest_scores_every_model_and_calibrates_intervals():
    result = backtest(weekly_series(70), name="synthetic")
    assert result.origins == origins_for(70).__len__() == 6 and set(result.mase) == set(fm.MODELS)
    assert result.fell_back == []
    for model in fm.MODELS:
        low, high = result.bounds[model]
        assert low < 0 < high and 0.5 <= result.coverage[model] <= 1.0
        assert len(result.coverage_by_step[model]) == 7
    chosen, why = result.choice()
    assert why in ("backtest", "baseline") and chosen in fm.MODELS
    assert conformal_bounds(list(range(1, 101)), 0.8) == (10.0, 91.0)


def test_models_that_cannot_fit_are_shown_as_such_not_scored_as_the_baseline():
    """The demo's old table: 13 days, every model silently fell back, identical MASE in each column."""
    result = backtest(weekly_series(13), name="demo", horizon=3, origins=[7, 8, 9, 10])
    assert result.fell_back == ["ets", "poisson"]
    assert result.choice() == ("seasonal_naive", "baseline")
    assert "| – | – |" in format_backtest([result])
    with pytest.raises(ValueError, match="too short"):
        backtest(weekly_series(13), name="demo")


def test_when_no_model_beats_the_simple_forecast_it_is_used_and_said():
    exact = np.tile(PATTERN, 9)  # a week that repeats exactly: nothing beats "same as last week"
    record = forecast_series(daily(exact), generated_at=datetime(2026, 11, 9, tzinfo=timezone.utc))
    assert (record.model, record.choice, record.calibrated) == ("seasonal_naive", "baseline", True)
    line = choice_line(record, "vi")
    assert line.startswith("Dùng dự báo đơn giản: lặp lại tuần trước.") and "chưa mô hình nào tốt hơn" in line
    assert "seasonal_naive" not in line and "->" not in line
    assert choice_line(record, "en").startswith("Using the simple forecast: repeat last week.")


def test_short_history_falls_back_openly():
    record = forecast_series(daily(weekly_series(20)), generated_at=datetime(2026, 9, 27, tzinfo=timezone.utc))
    assert (record.model, record.choice, record.calibrated, record.backtest) == ("seasonal_naive", "short", False, None)
    assert choice_line(record, "vi") == ("Dùng dự báo đơn giản: lặp lại tuần trước. Mới có 20 ngày dữ liệu, "
                                         "cần 35 ngày để kiểm tra lại và chọn mô hình.")
    assert interval_line(record, "vi") == "Khoảng dự báo 80% chưa được kiểm định (chưa đủ dữ liệu)."


def test_a_model_that_beats_the_baseline_is_named_readably_with_its_figures():
    record = forecast_series(daily(weekly_series(84, seed=7)), generated_at=datetime(2026, 11, 30, tzinfo=timezone.utc))
    assert record.calibrated and record.backtest["origins"] == 8
    mase = record.backtest["mase"]
    assert (record.model, record.choice) == ("ets", "backtest") and mase["ets"] < mase["seasonal_naive"]
    assert choice_line(record, "vi") == (
        f"Mô hình: làm trơn hàm mũ theo chu kỳ tuần (ETS); khi kiểm tra lại trên 8 mốc, sai số MASE "
        f"{mase['ets']:.2f} so với {mase['seasonal_naive']:.2f} của dự báo đơn giản.")
    coverage = round(record.backtest["coverage"]["ets"] * 100)
    assert interval_line(record, "vi") == f"Khoảng dự báo 80%: khi kiểm tra lại chứa đúng {coverage}% số ngày."


def test_trend_rule():
    assert [trend(c, p) for c, p in [(2, 0), (1, 0), (3, 1), (8, 5), (7, 5), (3, 9), (5, 5), (0, 3)]] == \
        ["new", "steady", "rising", "rising", "steady", "falling", "steady", "falling"]


# --- the partial day ---------------------------------------------------------------------------------

def test_nowcast_never_forecasts_less_than_already_exists_and_narrows_as_the_day_fills():
    profile = hourly_profile([0.0] * 24)
    seen = share_seen(profile, 10)
    assert abs(seen - 10 / 24) < 1e-9
    mean, low, high = nowcast(12, seen, 2.0, 0.0, 5.0)
    assert low >= 12 and mean >= 12 + (1 - seen) * 2 and high > mean
    assert nowcast(0, 0.0, 20.0, 12.0, 29.0)[0] == pytest.approx(20.0)
    assert nowcast(7, 1.0, 20.0, 12.0, 29.0) == (7, 7, 7)
    widths = [nowcast(20 * s, s, 20.0, 12.0, 29.0) for s in (0.1, 0.5, 0.9)]
    assert [round(m) for m, _, _ in widths] == [20, 20, 20]
    spans = [hi - lo for _, lo, hi in widths]
    assert spans[0] > spans[1] > spans[2]


def make_docs(days: int, spike: bool = False, end: date = TODAY) -> list[Document]:
    docs = []
    start = datetime.combine(end, datetime.min.time(), HCM).replace(hour=10) - timedelta(days=days)
    counts = weekly_series(days, seed=3)
    if spike:
        counts[-3:] = counts[-3:] * 4 + 20
    for day, count in enumerate(counts):
        for i in range(int(count)):
            url = f"https://baolaocai.vn/{day}/{i}"
            docs.append(Document(id=doc_id_for_url(url), url=url, source=Source(id="bao", kind="press"),
                                 title=f"Tin {day} {i}", published_at=start + timedelta(days=day, minutes=20 * i),
                                 topics=["thien-tai"] if i % 2 else ["giao-thong"],
                                 places=["Văn Bàn"] if i % 3 == 0 else ["Lào Cai"],
                                 sentiment=Sentiment("negative" if i % 4 == 0 else "neutral",
                                                     -0.5 if i % 4 == 0 else 0.0)))
    return docs


def today_docs(n: int, day: date = TODAY, before_hour: int = 10) -> list[Document]:
    first = datetime.combine(day, datetime.min.time(), HCM).replace(hour=before_hour) - timedelta(hours=4)
    return [Document(id=doc_id_for_url(f"https://baolaocai.vn/hom-nay/{i}"), url=f"https://baolaocai.vn/hom-nay/{i}",
                     source=Source(id="bao", kind="press"), title=f"Tin hôm nay {i}",
                     published_at=first + timedelta(minutes=15 * i), topics=["thien-tai"])
            for i in range(n)]


def quiet_docs(days: int, end: date) -> list[Document]:
    """Two items a day, one at 08:00 and one at 20:00: a quiet province."""
    docs = []
    for d in range(days):
        day = end - timedelta(days=days - d)
        for hour in (8, 20):
            url = f"https://baolaocai.vn/tin/{day.isoformat()}/{hour}"
            docs.append(Document(id=doc_id_for_url(url), url=url, source=Source(id="bao", kind="press"), title="Tin",
                                 published_at=datetime.combine(day, datetime.min.time(), HCM).replace(hour=hour)))
    return docs


def test_twelve_items_by_ten_oclock_and_the_forecast_for_today(tmp_path):
    """The issue: the digest forecast 2 items for a day that already had 12."""
    store = SQLiteStore(tmp_path / "mw.db")
    store.upsert(quiet_docs(40, TODAY) + today_docs(12))
    settings = Settings()
    nightly = run_forecast(settings, store, now=datetime.combine(TODAY, datetime.min.time(), HCM).replace(hour=2))
    first = nightly[f"{ALL}|{ALL}"].points[0]
    assert first.date == TODAY and first.volume < 4  # at 02:00 nothing of today is known yet
    ten = datetime.combine(TODAY, datetime.min.time(), HCM).replace(hour=10)
    stored = stored_forecasts(store, now=ten)[f"{ALL}|{ALL}"]
    later = update_today(stored, 12, ten)
    point = later.points[0]
    assert later.today.so_far == 12 and 0.3 < later.today.seen < 0.7  # 08:00 items: half the day seen by 10:00
    assert point.volume_lower >= 12 and point.volume > 12 and point.volume_upper > point.volume
    evening = update_today(stored, 12, ten.replace(hour=21))
    assert evening.points[0].volume_upper - evening.points[0].volume_lower < point.volume_upper - point.volume_lower
    # A run during the day does the same from the store's own count.
    run = run_forecast(settings, store, now=ten)[f"{ALL}|{ALL}"]
    assert run.today.so_far == 12 and run.points[0].volume_lower >= 12
    store.close()


# --- run_forecast and its store home ------------------------------------------------------------------

def test_run_forecast_saves_one_row_per_series(tmp_path):
    store = SQLiteStore(tmp_path / "mw.db")
    store.upsert(make_docs(49, spike=True))
    settings = Settings(topics=[{"name": "thien-tai", "query": "lũ OR sạt lở"}])
    results = run_forecast(settings, store, today=TODAY)
    assert f"{ALL}|{ALL}" in results and f"thien-tai|{ALL}" in results and f"{ALL}|Văn Bàn" in results
    assert f"giao-thong|{ALL}" in results  # not configured, but covered: forecast too
    assert [r.key for r in store.forecasts()] == sorted(results)
    record = stored_forecasts(store, now=datetime.combine(TODAY, datetime.min.time(), HCM))[f"{ALL}|{ALL}"]
    assert record == results[f"{ALL}|{ALL}"]
    assert record.model in fm.MODELS and set(record.backtest["mase"]) == set(fm.MODELS)
    assert record.choice in ("backtest", "baseline") and record.calibrated
    # History ends with the last complete day; the forecast starts "today".
    assert record.points[0].date == TODAY and len(record.points) == 7
    assert record.history[-1].date == TODAY - timedelta(days=1) and len(record.history) == 28
    point = record.points[0]
    assert point.volume_lower <= point.volume <= point.volume_upper
    assert 0.1 < point.negative_share < 0.5
    # The last days quadrupled: the last 7 days against the 7 before say so, with both counts.
    assert record.trend == "rising" and record.last_week >= 1.5 * record.previous_week
    data = json.loads(json.dumps(record.to_dict()))
    assert ForecastRecord.from_dict(data) == record
    store.close()


def test_old_forecasts_in_the_state_table_are_dropped_for_recomputation(tmp_path):
    """Migration path: schema 1 kept forecasts as state values; schema 2 drops them (derived data,
    recomputed by the next run) and keeps every other state entry."""
    from mediawatch.store.sqlite_schema import MIGRATIONS, _split

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for statement in _split(MIGRATIONS[0][1]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    rows = [("forecast", "*|*", '{"model": "ets->seasonal_naive"}'), ("forecast", "_index", '{"keys": ["*|*"]}'),
            ("etag", "https://baolaocai.vn/rss", '{"etag": "x"}')]
    conn.executemany("INSERT INTO state VALUES (?, ?, ?, '2026-11-01T00:00:00Z')", rows)
    conn.commit()
    conn.close()
    with SQLiteStore(path) as store:
        assert store.get_state("forecast", "*|*") is None and store.get_state("forecast", "_index") is None
        assert store.get_state("etag", "https://baolaocai.vn/rss") == {"etag": "x"}
        assert store.forecasts() == []
        store.upsert(make_docs(21))
        run_forecast(Settings(), store, today=TODAY)
        assert [r.key for r in store.forecasts(topic=ALL, place=ALL)] == [f"{ALL}|{ALL}"]


# --- the published back-test and the CLI --------------------------------------------------------------

def test_backtest_on_reintel_meets_the_gates_and_the_cli_prints_it(tmp_path, monkeypatch):
    """The published figures (docs/forecasting.md): every gate in flows/forecast/floors.json holds."""
    from mediawatch.app.cli import app

    config = tmp_path / "mediawatch.toml"
    config.write_text(f'store = {{ url = "sqlite:///{tmp_path / "mw.db"}" }}\n', encoding="utf-8")
    monkeypatch.setenv("MEDIAWATCH_CONFIG", str(config))
    result = CliRunner().invoke(app, ["forecast", "--backtest", "--json",
                                      "--reintel", str(DATASETS / "reintel" / "train.csv")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["gates_failed"] == []
    by_name = {r["series"]: r for r in data["results"]}
    assert set(floors()) == {REINTEL_ALL, REINTEL_UNRELIABLE} <= set(by_name)
    for name, bar in floors().items():
        r = by_name[name]
        assert r["days"] == 148 and r["origins"] == 17 and r["choice"] == "backtest"
        chosen = r["chosen"]
        assert r["mase"][chosen] <= bar["mase_ratio_max"] * r["mase"]["seasonal_naive"]
        assert bar["coverage_min"] <= r["coverage"][chosen] <= bar["coverage_max"]
    assert by_name[REINTEL_ALL]["chosen"] == "ets"


def test_cli_forecast_speaks_vietnamese(tmp_path, monkeypatch):
    from mediawatch.app.cli import app

    db = tmp_path / "mw.db"
    store = SQLiteStore(db)
    store.upsert(make_docs(21, end=datetime.now(HCM).date()))
    store.close()
    config = tmp_path / "mediawatch.toml"
    config.write_text(f'store = {{ url = "sqlite:///{db}" }}\n', encoding="utf-8")
    monkeypatch.setenv("MEDIAWATCH_CONFIG", str(config))
    runner = CliRunner()
    result = runner.invoke(app, ["forecast", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[f"{ALL}|{ALL}"]["choice"] == "short"
    result = runner.invoke(app, ["forecast"])
    assert result.exit_code == 0, result.output
    assert "Dùng dự báo đơn giản: lặp lại tuần trước. Mới có 21 ngày dữ liệu" in result.output
    assert "seasonal_naive" not in result.output and "->" not in result.output
    assert "Hôm nay " in result.output and "/20" in result.output  # dd/mm/yyyy dates
    english = runner.invoke(app, ["forecast", "--lang", "en"])
    assert "Using the simple forecast: repeat last week." in english.output
    backtest_run = runner.invoke(app, ["forecast", "--backtest", "--reintel", str(tmp_path / "missing.csv")])
    assert backtest_run.exit_code == 1
    assert "Mới có 21 ngày dữ liệu, cần 35 ngày" in backtest_run.output
    result = runner.invoke(app, ["summary", "--since", "30d", "--format", "json", "--topic", "thien-tai"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["topic"] == "thien-tai"
    assert runner.invoke(app, ["summary", "--since", "30d", "--format", "pdf"]).exit_code == 2
    out = tmp_path / "d.html"
    result = runner.invoke(app, ["digest", "--date", "20/11/2026", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Bản tin dư luận Lào Cai ngày 20/11/2026" in out.read_text(encoding="utf-8")


def test_topic_labels_load_outside_the_checkout(tmp_path):
    """Forecast and digest lines name topics by their labels; the installed command runs from any
    folder, where the default topics must still load (they once were looked up as `classifiers`)."""
    import subprocess
    import sys

    code = ("from mediawatch.flows.reports.summary_render import topic_labels\n"
            "from mediawatch.settings import Settings\n"
            "print(topic_labels(Settings())['flood'])")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "Lũ, lũ quét, ngập lụt", out.stderr


def test_eval_prints_the_forecast_backtest_beside_the_models(tmp_path, monkeypatch):
    """`mediawatch eval forecast` (and `eval all`) print the same back-test and gates."""
    from mediawatch.app.cli import app

    config = tmp_path / "mediawatch.toml"
    config.write_text(f'store = {{ url = "sqlite:///{tmp_path / "mw.db"}" }}\n', encoding="utf-8")
    monkeypatch.setenv("MEDIAWATCH_CONFIG", str(config))
    result = CliRunner().invoke(app, ["eval", "forecast", "--datasets", str(DATASETS)])
    assert result.exit_code == 0, result.output
    assert "ReINTEL: mọi bài đăng" in result.output and "Ngưỡng (flows/forecast/floors.json): đạt" in result.output
    unknown = CliRunner().invoke(app, ["eval", "nope"])
    assert unknown.exit_code == 2 and "forecast" in unknown.output and "all" in unknown.output
    missing = CliRunner().invoke(app, ["eval", "forecast", "--datasets", str(tmp_path)])
    assert missing.exit_code == 2 and "reintel/train.csv" in missing.output and "--datasets" in missing.output
