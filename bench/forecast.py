"""Forecast back-test figures and timings: `.venv/bin/python -m bench.forecast`.

Prints the rolling-origin back-test on ReINTEL (MASE per model, the chosen model, the calibrated
80% interval's coverage and coverage by horizon: the numbers in docs/forecasting.md), whether the
gates in flows/forecast/floors.json hold, the time one fit + 7-day forecast takes per model on a
120-day series, and the time one series takes in run_forecast (back-test, fit, calibration).
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

import numpy as np

from mediawatch.flows.forecast import models as fm
from mediawatch.flows.forecast.evaluate import backtest_series, check_floors, format_backtest, reintel_series
from mediawatch.flows.forecast.series import DailySeries, forecast_series


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reintel", default="../shared/datasets/reintel/train.csv", help="ReINTEL train.csv")
    parser.add_argument("--lang", default="vi", help="vi or en")
    args = parser.parse_args()
    history = np.random.default_rng(0).poisson(20, size=120).astype(float)
    for model in fm.MODELS:
        fm.forecast(model, history)  # imports (statsmodels, scikit-learn, scipy) are not the back-test's cost
    series = reintel_series(Path(args.reintel))
    started, cpu = time.perf_counter(), time.process_time()
    results, skipped = backtest_series(series)
    print(format_backtest(results, skipped, args.lang))
    print(f"\nback-test: {time.perf_counter() - started:.1f}s wall, {time.process_time() - cpu:.1f}s CPU "
          f"({sum(r.origins for r in results)} origins x {len(fm.MODELS)} models)")
    for r in results:
        chosen = r.best
        print(f"{r.series}: coverage of the calibrated interval by horizon ({chosen}): "
              + ", ".join(f"{v:.0%}" for v in r.coverage_by_step[chosen]) + f"; one-off days cleaned: {r.cleaned}")
    failures = check_floors(results)
    print("gates (flows/forecast/floors.json): " + ("; ".join(failures) if failures else "all met"))
    for model in fm.MODELS:
        runs = 10
        t0 = time.process_time()
        for _ in range(runs):
            fm.forecast(model, history)
        print(f"{model:15s} fit+forecast on 120 days: {(time.process_time() - t0) / runs * 1000:.1f} ms CPU")
    t0 = time.process_time()
    forecast_series(DailySeries("*|*", date(2026, 1, 5), history.tolist(), (history // 4).tolist()))
    print(f"one series in run_forecast (120 days: back-test, fit, calibration): {time.process_time() - t0:.2f}s CPU")


if __name__ == "__main__":
    main()
