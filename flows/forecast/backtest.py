"""Rolling-origin back-test, interval calibration and the choice of model (pure: arrays in, arrays out).

At each origin every model sees only the days before it (cleaned of one-off spikes, as in
production) and forecasts the next ``horizon`` days. Errors are scaled by the in-sample weekly
seasonal-naive error of the raw history before the origin (MASE; below 1 means better than "same
as last week" was on the training data).

Intervals are calibrated on the back-test errors (split-conformal): the 80% interval is the point
forecast plus the 10% and 90% quantiles of the model's errors, each divided by the seasonal-naive
error of its (cleaned) training window and multiplied back by the current one. The errors are
measured against the *usual* values of the scored days (one-off days replaced as in training): the
interval says where an ordinary day will fall, and a storm outside it is news, which the alert rules
and the rising topics report. The coverage the back-test reports is honest: each origin's interval is
calibrated on the other origins' errors only, and scored against the actual counts, storms included.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .models import BASELINE, MODELS, SEASON, _as_array, forecast, mase_scale, robust_history

# Three weeks to train on and two weekly origins to score: below this a series is forecast by the
# baseline and says so (choice "short").
MIN_TRAIN_DAYS = 3 * SEASON
MIN_ORIGINS = 4  # weekly origins that justify four weeks of training instead of three


def min_history_days(horizon: int = 7) -> int:
    return MIN_TRAIN_DAYS + horizon + SEASON


def origins_for(days: int, horizon: int = 7) -> list[int]:
    """Where the back-test cuts a series of ``days``: every week (so each day is scored once, and
    one storm is not counted seven times), after three weeks of training, or four once that still
    leaves four origins. Empty when the series is too short."""
    if days < min_history_days(horizon):
        return []
    min_train = 4 * SEASON if days >= 4 * SEASON + horizon + (MIN_ORIGINS - 1) * SEASON else MIN_TRAIN_DAYS
    return list(range(min_train, days - horizon + 1, SEASON))


def conformal_bounds(errors: Sequence[float], level: float = 0.8) -> tuple[float, float]:
    """Lower and upper error quantiles with the split-conformal finite-sample correction; with too
    few errors for the exact rank, the most extreme error seen."""
    e = np.sort(np.asarray(errors, dtype=float))
    n = len(e)
    if n == 0:
        raise ValueError("no back-test errors to calibrate on")
    tail = (1 - level) / 2
    k_hi = math.ceil((n + 1) * (1 - tail))
    k_lo = math.floor((n + 1) * tail)
    return float(e[max(k_lo, 1) - 1]), float(e[min(k_hi, n) - 1])


def calibrated_interval(mean: Sequence[float], scale: float, bounds: tuple[float, float]
                        ) -> tuple[list[float], list[float]]:
    """The point forecast widened by the calibrated scaled-error quantiles; never below zero and
    always around the point forecast."""
    m = np.asarray(mean, dtype=float)
    lower = np.minimum(np.maximum(m + bounds[0] * scale, 0.0), m)
    upper = np.maximum(m + bounds[1] * scale, m)
    return lower.tolist(), upper.tolist()


@dataclass(slots=True)
class BacktestResult:
    series: str
    days: int
    origins: int
    horizon: int
    level: float = 0.8
    mase: dict[str, float] = field(default_factory=dict)
    mae: dict[str, float] = field(default_factory=dict)
    # Share of actual days inside the calibrated interval, each origin calibrated on the others.
    coverage: dict[str, float] = field(default_factory=dict)
    coverage_by_step: dict[str, list[float]] = field(default_factory=dict)
    # Share inside the model's own (uncalibrated) interval: what calibration corrects.
    model_coverage: dict[str, float] = field(default_factory=dict)
    # Scaled-error quantiles over every origin: what production intervals use.
    bounds: dict[str, tuple[float, float]] = field(default_factory=dict)
    fell_back: list[str] = field(default_factory=list)  # could not fit at some origin: not candidates
    cleaned: int = 0  # one-off days in the whole series (replaced by their usual level)

    def choice(self) -> tuple[str, str]:
        """(model, why): the candidate with the lowest MASE when it beats the baseline's ("backtest"),
        else the baseline ("baseline")."""
        candidates = [m for m in self.mase if m != BASELINE and m not in self.fell_back]
        if candidates:
            best = min(candidates, key=lambda m: (self.mase[m], MODELS.index(m)))
            if self.mase[best] < self.mase[BASELINE]:
                return best, "backtest"
        return BASELINE, "baseline"

    @property
    def best(self) -> str:
        return self.choice()[0]

    def to_dict(self) -> dict:
        model, why = self.choice()
        return {"series": self.series, "days": self.days, "origins": self.origins, "horizon": self.horizon,
                "level": self.level, "mase": self.mase, "mae": self.mae, "coverage": self.coverage,
                "coverage_by_step": self.coverage_by_step, "model_coverage": self.model_coverage,
                "bounds": {m: list(b) for m, b in self.bounds.items()}, "fell_back": self.fell_back,
                "cleaned": self.cleaned, "chosen": model, "choice": why}


def backtest(series: Sequence[float], *, name: str = "series", horizon: int = 7,
             origins: Sequence[int] | None = None, models: Sequence[str] = MODELS, level: float = 0.8,
             start_dow: int = 0) -> BacktestResult:
    """Rolling-origin evaluation at ``origins`` (default :func:`origins_for`)."""
    y = _as_array(series)
    cuts = list(origins) if origins is not None else origins_for(len(y), horizon)
    if not cuts or cuts[0] < 2 or cuts[-1] + horizon > len(y):
        raise ValueError(f"{name}: {len(y)} days is too short for a back-test "
                         f"(needs {min_history_days(horizon)}: {MIN_TRAIN_DAYS} to train, then two weekly "
                         f"origins of {horizon} days to score)")
    usual, flagged = robust_history(y, start_dow)
    scaled: dict[str, list[np.ndarray]] = {m: [] for m in models}  # against actuals, by the MASE scale
    calibration: dict[str, list[np.ndarray]] = {m: [] for m in models}  # against usual values, by the spread
    means: dict[str, list[np.ndarray]] = {m: [] for m in models}
    inside_own: dict[str, list[bool]] = {m: [] for m in models}
    fell_back: set[str] = set()
    spreads, actuals = [], []
    for origin in cuts:
        raw = y[:origin]
        train, _ = robust_history(raw, start_dow)
        actual = y[origin:origin + horizon]
        scale = mase_scale(raw) or 1.0
        spread = interval_scale(train)
        spreads.append(spread)
        actuals.append(actual)
        for model in models:
            result = forecast(model, train, horizon, level, start_dow=start_dow)
            if result.fell_back:
                fell_back.add(model)
            mean = np.asarray(result.mean)
            means[model].append(mean)
            scaled[model].append((actual - mean) / scale)
            calibration[model].append((usual[origin:origin + horizon] - mean) / spread)
            inside_own[model].extend(bool(lo <= a <= hi) for lo, a, hi in zip(result.lower, actual, result.upper))
    out = BacktestResult(series=name, days=len(y), origins=len(cuts), horizon=horizon, level=level,
                         fell_back=[m for m in models if m in fell_back], cleaned=int(flagged.sum()))
    for model in models:
        errors = np.array(scaled[model])  # origins x horizon
        cal = np.array(calibration[model])
        out.mase[model] = round(float(np.mean(np.abs(errors))), 3)
        out.mae[model] = round(float(np.mean([np.mean(np.abs(a - m)) for a, m in zip(actuals, means[model])])), 3)
        out.model_coverage[model] = round(float(np.mean(inside_own[model])), 3)
        out.bounds[model] = tuple(round(b, 4) for b in conformal_bounds(cal.ravel(), level))
        hits = np.zeros_like(errors, dtype=bool)
        for i in range(len(cuts)):
            others = np.delete(cal, i, axis=0).ravel() if len(cuts) > 1 else cal.ravel()
            lower, upper = calibrated_interval(means[model][i], spreads[i], conformal_bounds(others, level))
            hits[i] = (np.asarray(lower) <= actuals[i]) & (actuals[i] <= np.asarray(upper))
        out.coverage[model] = round(float(hits.mean()), 3)
        out.coverage_by_step[model] = [round(float(v), 3) for v in hits.mean(axis=0)]
    return out


def interval_scale(cleaned: Sequence[float]) -> float:
    """What interval widths are measured in: the weekly seasonal-naive error of the cleaned history
    (a past storm must not widen every future interval); for a history that repeats exactly, the
    Poisson spread of its mean, so nothing divides by zero."""
    values = _as_array(cleaned)
    return mase_scale(values) or math.sqrt(max(float(values.mean()), 1.0))
