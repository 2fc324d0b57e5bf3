"""Forecast back-test figures and timings: `.venv/bin/python -m bench.forecast`.

Prints the rolling-origin MASE table on ReINTEL (the numbers in docs/forecasting.md) and the time
one fit + 7-day forecast takes per model on a 120-day series (run_forecast does one per series).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from mediawatch.flows.forecast import models as fm
from mediawatch.flows.forecast.series import backtest_series, format_backtest, reintel_series


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reintel", default="../shared/datasets/reintel/train.csv", help="ReINTEL train.csv")
    args = parser.parse_args()
    started = time.perf_counter()
    series = reintel_series(Path(args.reintel))
    results = backtest_series(series)
    print(format_backtest(results))
    print(f"\nback-test wall time: {time.perf_counter() - started:.1f}s "
          f"({sum(r.origins for r in results)} origins x {len(fm.MODELS)} models)")
    history = np.random.default_rng(0).poisson(20, size=120).astype(float)
    for model in fm.MODELS:
        fm.forecast(model, history)  # warm imports
        runs = 10
        t0 = time.perf_counter()
        for _ in range(runs):
            fm.forecast(model, history)
        print(f"{model:15s} fit+forecast on 120 days: {(time.perf_counter() - t0) / runs * 1000:.1f} ms")


if __name__ == "__main__":
    main()
