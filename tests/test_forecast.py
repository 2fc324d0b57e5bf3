"""Forecast models, the rolling-origin back-test on real ReINTEL timestamps, and run_forecast."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest
from typer.testing import CliRunner

from mediawatch.flows.forecast import models as fm
from tests.support.paths import DATASETS
from mediawatch.flows.forecast.series import (ALL, INDEX_KEY, backtest_series, format_backtest,
                            reintel_series, run_forecast, stored_forecasts)
from mediawatch.document import Document, Sentiment, Source, doc_id_for_url
from mediawatch.settings import Settings
from mediawatch.store.sqlite import SQLiteStore

TODAY = date(2026, 11, 20)


def weekly_series(days: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pattern = np.array([20, 22, 21, 19, 18, 8, 6], dtype=float)
    return rng.poisson(np.tile(pattern, days // 7 + 1)[:days]).astype(float)


@pytest.mark.parametrize("model", fm.MODELS)
def test_models_give_ordered_non_negative_intervals(model):
    result = fm.forecast(model, weekly_series(56), horizon=7, level=0.8)
    assert len(result.mean) == len(result.lower) == len(result.upper) == 7
    for low, mid, high in zip(result.lower, result.mean, result.upper):
        assert 0 <= low <= mid + 1e-9 and mid <= high + 1e-9
    # A strong weekly pattern: the forecast's weekend dips below its weekdays.
    assert min(result.mean) < max(result.mean) * 0.7


def test_seasonal_naive_repeats_last_week_and_short_history_falls_back():
    history = list(range(1, 15))
    assert fm.seasonal_naive(history).mean == [8, 9, 10, 11, 12, 13, 14]
    assert fm.forecast("ets", [3, 4, 5]).model == "ets->seasonal_naive"
    with pytest.raises(ValueError, match="unknown forecast model"):
        fm.forecast("prophet", history)


def test_backtest_scores_every_model_and_picks_the_lowest_mase():
    result = fm.backtest(weekly_series(70), name="synthetic", min_train=28, step=7)
    assert result.origins == 6 and set(result.mase) == set(fm.MODELS)
    assert result.best == min(result.mase, key=result.mase.get)
    with pytest.raises(ValueError, match="too short"):
        fm.backtest([1, 2, 3], name="tiny")


def test_rising_signal_and_share():
    calm = [10.0] * 28
    assert not fm.is_rising(calm, [11, 10, 12])
    assert fm.is_rising(calm, [10, 30, 12])
    share = fm.share_forecast([2] * 14, [10] * 14, [10] * 7)
    assert abs(share.mean[0] - 0.2) < 1e-9 and 0 <= share.lower[0] < 0.2 < share.upper[0] <= 1


def test_backtest_on_reintel_timestamps():
    """The published figures (docs/forecasting.md): the winner beats the weekly seasonal-naive."""
    series = reintel_series(DATASETS / "reintel" / "train.csv")
    assert series[0].name == "reintel: all posts" and len(series[0].counts) > 100
    results = backtest_series(series)
    table = format_backtest(results)
    assert "| reintel: all posts |" in table
    for result in results:
        assert result.mase[result.best] < result.mase["seasonal_naive"]
    assert results[0].best == "ets"  # the DEFAULT_MODEL for short series


def make_docs(days: int, spike: bool = False) -> list[Document]:
    docs = []
    start = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc) - timedelta(days=days - 1)
    counts = weekly_series(days, seed=3)
    if spike:
        counts[-3:] = counts[-3:] * 4 + 20
    for day, count in enumerate(counts):
        for i in range(int(count)):
            url = f"https://baolaocai.vn/{day}/{i}"
            docs.append(Document(id=doc_id_for_url(url), url=url, source=Source(id="bao", kind="press"),
                                 title=f"Tin {day} {i}", published_at=start + timedelta(days=day, minutes=i),
                                 topics=["thien-tai"] if i % 2 else ["giao-thong"],
                                 places=["Văn Bàn"] if i % 3 == 0 else ["Lào Cai"],
                                 sentiment=Sentiment("negative" if i % 4 == 0 else "neutral", -0.5 if i % 4 == 0 else 0.0)))
    return docs


def test_run_forecast_stores_documented_shape(tmp_path):
    store = SQLiteStore(tmp_path / "mw.db")
    store.upsert(make_docs(49, spike=True))
    settings = Settings(topics=[{"name": "thien-tai", "query": "lũ OR sạt lở"}])
    results = run_forecast(settings, store, today=TODAY)
    assert f"{ALL}|{ALL}" in results and f"thien-tai|{ALL}" in results and f"{ALL}|Văn Bàn" in results
    assert f"giao-thong|{ALL}" in results  # not configured, but covered: forecast too
    index = store.get_state("forecast", INDEX_KEY)
    assert index["keys"] == sorted(results)
    value = stored_forecasts(store)[f"{ALL}|{ALL}"]
    assert set(value) == {"topic", "place", "generated_at", "tz", "model", "level", "backtest", "history",
                          "forecast", "usual_range", "rising"}
    assert value["model"] in fm.MODELS and set(value["backtest"]["mase"]) == set(fm.MODELS)
    # History ends with the last complete day; the forecast starts "today".
    assert value["forecast"][0]["date"] == "2026-11-20" and len(value["forecast"]) == 7
    assert value["history"][-1]["date"] == "2026-11-19" and len(value["history"]) == 28
    point = value["forecast"][0]
    assert point["volume_lower"] <= point["volume"] <= point["volume_upper"]
    assert 0.1 < point["negative_share"] < 0.5
    assert value["rising"] is True  # the last days quadrupled
    json.dumps(value)  # JSON-safe as stored
    store.close()


def test_cli_forecast_and_summary(tmp_path, monkeypatch):
    from mediawatch.app.cli import app

    db = tmp_path / "mw.db"
    store = SQLiteStore(db)
    store.upsert(make_docs(21))
    store.close()
    config = tmp_path / "mediawatch.toml"
    config.write_text(f'store = {{ url = "sqlite:///{db}" }}\n', encoding="utf-8")
    monkeypatch.setenv("MEDIAWATCH_CONFIG", str(config))
    runner = CliRunner()
    result = runner.invoke(app, ["forecast", "--json"])
    assert result.exit_code == 0, result.output
    assert f"{ALL}|{ALL}" in json.loads(result.output)
    result = runner.invoke(app, ["summary", "--since", "30d", "--format", "json", "--topic", "thien-tai"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["topic"] == "thien-tai"
    result = runner.invoke(app, ["summary", "--since", "30d", "--format", "pdf"])
    assert result.exit_code == 2
    out = tmp_path / "d.html"
    result = runner.invoke(app, ["digest", "--date", "20/11/2026", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Bản tin dư luận Lào Cai ngày 20/11/2026" in out.read_text(encoding="utf-8")
