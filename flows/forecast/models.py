"""Daily-count forecasting models and their rolling-origin back-test (pure: arrays in, arrays out).

Three models share one signature, ``fit_predict(history, horizon, level) -> Forecast``:

- ``seasonal_naive``: next week repeats last week (the baseline every model must beat);
- ``ets``: additive Holt-Winters exponential smoothing with a weekly season (statsmodels ETSModel),
  prediction intervals from the model's own error distribution;
- ``poisson``: a Poisson regression (scikit-learn) on day-of-week, the level of the last week and
  the value a week ago, forecast recursively; intervals from a quasi-Poisson (over-dispersed) spread.

The back-test is rolling-origin: at each origin the model sees only the days before it and forecasts
the next ``horizon`` days; errors are scaled by the in-sample weekly seasonal-naive error (MASE),
so a MASE below the baseline's means the model earns its keep.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

SEASON = 7
MODELS = ("seasonal_naive", "ets", "poisson")


@dataclass(slots=True)
class Forecast:
    model: str
    mean: list[float]
    lower: list[float]
    upper: list[float]
    level: float = 0.8


def _z(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


def _as_array(history: Sequence[float]) -> np.ndarray:
    values = np.asarray(history, dtype=float)
    if values.ndim != 1 or len(values) == 0:
        raise ValueError("history must be a non-empty sequence of daily values")
    return np.nan_to_num(values, nan=0.0)


def seasonal_naive(history: Sequence[float], horizon: int = 7, level: float = 0.8) -> Forecast:
    y = _as_array(history)
    if len(y) < SEASON:
        mean = np.full(horizon, y.mean())
        spread = np.full(horizon, y.std() if len(y) > 1 else max(1.0, y.mean()))
    else:
        last_week = y[-SEASON:]
        mean = np.array([last_week[h % SEASON] for h in range(horizon)])
        diffs = y[SEASON:] - y[:-SEASON]
        sigma = float(np.sqrt(np.mean(diffs ** 2))) if len(diffs) else float(y.std())
        # Error grows with the number of seasons stepped over (h=1..7 is one season).
        spread = np.array([sigma * math.sqrt(h // SEASON + 1) for h in range(horizon)])
    z = _z(level)
    return Forecast("seasonal_naive", _clip(mean), _clip(mean - z * spread), _clip(mean + z * spread), level)


def ets(history: Sequence[float], horizon: int = 7, level: float = 0.8) -> Forecast:
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = _as_array(history)
    if len(y) < 2 * SEASON + 2 or np.all(y == y[0]):
        return _fallback("ets", y, horizon, level)
    with warnings.catch_warnings():
        # Short, spiky count series make the optimiser chatty; the fit is still usable.
        warnings.simplefilter("ignore")
        model = ETSModel(pd.Series(y), error="add", trend=None, seasonal="add", seasonal_periods=SEASON)
        fitted = model.fit(disp=False, maxiter=200)
        prediction = fitted.get_prediction(start=len(y), end=len(y) + horizon - 1)
        frame = prediction.summary_frame(alpha=1 - level)
    mean = frame["mean"].to_numpy()
    lower = frame["pi_lower"].to_numpy()
    upper = frame["pi_upper"].to_numpy()
    if not np.all(np.isfinite(mean)):
        return _fallback("ets", y, horizon, level)
    return Forecast("ets", _clip(mean), _clip(lower), _clip(upper), level)


def _poisson_features(series: np.ndarray, t: int, start_dow: int) -> list[float]:
    """Features for day t from days before t only (so recursion never peeks ahead)."""
    dow = np.zeros(SEASON)
    dow[(start_dow + t) % SEASON] = 1.0
    week = series[max(0, t - SEASON):t]
    level = math.log1p(week.mean()) if len(week) else 0.0
    lag7 = math.log1p(series[t - SEASON]) if t >= SEASON else level
    lag1 = math.log1p(series[t - 1]) if t >= 1 else level
    return [*dow[1:], level, lag7, lag1]


def poisson(history: Sequence[float], horizon: int = 7, level: float = 0.8,
            start_dow: int = 0) -> Forecast:
    from scipy.stats import nbinom, poisson as poisson_dist
    from sklearn.linear_model import PoissonRegressor

    y = _as_array(history)
    if len(y) < 2 * SEASON or y.sum() == 0:
        return _fallback("poisson", y, horizon, level)
    rows = range(SEASON, len(y))
    features = np.array([_poisson_features(y, t, start_dow) for t in rows])
    target = y[SEASON:]
    model = PoissonRegressor(alpha=1e-3, max_iter=500, solver="newton-cholesky")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(features, target)
    fitted = model.predict(features)
    # Quasi-Poisson dispersion: counts of news and posts are burstier than Poisson.
    dof = max(1, len(target) - features.shape[1] - 1)
    phi = max(1.0, float(np.sum((target - fitted) ** 2 / np.maximum(fitted, 1e-6)) / dof))
    extended = list(y)
    mean = []
    for step in range(horizon):
        t = len(extended)
        row = np.array([_poisson_features(np.asarray(extended), t, start_dow)])
        mu = float(model.predict(row)[0])
        mean.append(mu)
        extended.append(mu)
    tail = (1 - level) / 2
    lower, upper = [], []
    for step, mu in enumerate(mean):
        # Uncertainty in the recursive inputs grows with the step; widen the dispersion with it.
        phi_h = phi * (1 + 0.1 * step)
        if phi_h <= 1.0001 or mu <= 0:
            lower.append(float(poisson_dist.ppf(tail, max(mu, 1e-9))))
            upper.append(float(poisson_dist.ppf(1 - tail, max(mu, 1e-9))))
        else:
            # Negative binomial with the same mean and variance phi·mu.
            n = mu / (phi_h - 1)
            p = n / (n + mu)
            lower.append(float(nbinom.ppf(tail, n, p)))
            upper.append(float(nbinom.ppf(1 - tail, n, p)))
    return Forecast("poisson", _clip(mean), _clip(lower), _clip(upper), level)


def _fallback(name: str, y: np.ndarray, horizon: int, level: float) -> Forecast:
    """Too little history for the model: the baseline, labelled as what actually ran."""
    base = seasonal_naive(y, horizon, level)
    base.model = f"{name}->seasonal_naive"
    return base


def _clip(values) -> list[float]:
    return [max(0.0, float(v)) for v in np.asarray(values, dtype=float)]


FORECASTERS: dict[str, Callable[..., Forecast]] = {
    "seasonal_naive": seasonal_naive,
    "ets": ets,
    "poisson": poisson,
}


def forecast(model: str, history: Sequence[float], horizon: int = 7, level: float = 0.8,
             start_dow: int = 0) -> Forecast:
    from threadpoolctl import threadpool_limits

    if model not in FORECASTERS:
        raise ValueError(f"unknown forecast model {model!r}; use one of {', '.join(MODELS)}")
    # Tiny fits: a multi-threaded BLAS/OpenMP pool spends 100x the work spinning up threads.
    with threadpool_limits(1):
        if model == "poisson":
            return poisson(history, horizon, level, start_dow=start_dow)
        return FORECASTERS[model](history, horizon, level)


# --- back-test --------------------------------------------------------------------------------

def mase_scale(train: np.ndarray) -> float:
    """Mean absolute error of the in-sample weekly seasonal-naive forecast (the MASE denominator)."""
    if len(train) <= SEASON:
        return float(np.mean(np.abs(np.diff(train)))) if len(train) > 1 else 1.0
    return float(np.mean(np.abs(train[SEASON:] - train[:-SEASON])))


@dataclass(slots=True)
class BacktestResult:
    series: str
    days: int
    origins: int
    horizon: int
    mase: dict[str, float] = field(default_factory=dict)
    mae: dict[str, float] = field(default_factory=dict)
    coverage: dict[str, float] = field(default_factory=dict)  # share of actuals inside the interval

    @property
    def best(self) -> str:
        return min(self.mase, key=lambda name: (self.mase[name], MODELS.index(name)))


def backtest(series: Sequence[float], *, name: str = "series", horizon: int = 7,
             min_train: int = 28, step: int = 7, models: Sequence[str] = MODELS,
             level: float = 0.8, start_dow: int = 0) -> BacktestResult:
    """Rolling-origin evaluation: origins every ``step`` days from ``min_train`` to the end."""
    y = _as_array(series)
    if len(y) < min_train + horizon:
        raise ValueError(f"{name}: {len(y)} days is too short for a back-test "
                         f"(needs {min_train + horizon}: {min_train} to train, {horizon} to score)")
    origins = list(range(min_train, len(y) - horizon + 1, step))
    errors: dict[str, list[float]] = {m: [] for m in models}
    abs_errors: dict[str, list[float]] = {m: [] for m in models}
    inside: dict[str, list[bool]] = {m: [] for m in models}
    for origin in origins:
        train, actual = y[:origin], y[origin:origin + horizon]
        scale = mase_scale(train) or 1.0
        for model in models:
            result = forecast(model, train, horizon, level, start_dow=start_dow)
            err = np.abs(np.asarray(result.mean) - actual)
            errors[model].append(float(err.mean() / scale))
            abs_errors[model].extend(err.tolist())
            inside[model].extend(bool(lo <= a <= hi) for lo, a, hi in
                                 zip(result.lower, actual, result.upper))
    return BacktestResult(
        series=name, days=len(y), origins=len(origins), horizon=horizon,
        mase={m: round(float(np.mean(v)), 3) for m, v in errors.items()},
        mae={m: round(float(np.mean(v)), 3) for m, v in abs_errors.items()},
        coverage={m: round(float(np.mean(v)), 3) for m, v in inside.items()})


def choose_model(result: BacktestResult | None, default: str = "ets") -> str:
    """The back-test's winner; the documented default when a series is too short to test."""
    return result.best if result is not None else default


def usual_range(history: Sequence[float], window: int = 28, k: float = 2.0) -> tuple[float, float]:
    """mean ± k·σ of the recent window: what 'normal' looks like for this series."""
    y = _as_array(history)[-window:]
    mean, sigma = float(y.mean()), float(y.std())
    return max(0.0, mean - k * sigma), mean + k * max(sigma, math.sqrt(max(mean, 1.0)))


def is_rising(history: Sequence[float], forecast_mean: Sequence[float], window: int = 28,
              k: float = 2.0) -> bool:
    """True when the forecast leaves the usual range upwards on at least one day."""
    _, high = usual_range(history, window, k)
    return any(v > high for v in forecast_mean)


def share_forecast(negative: Sequence[float], volume: Sequence[float], volume_mean: Sequence[float],
                   level: float = 0.8, halflife: float = 7.0) -> Forecast:
    """Negative share for the next days: an exponentially weighted share, binomial intervals.

    A share is bounded and noisy on small days; weighting each day by its volume and by recency
    keeps one quiet day with one angry post from dominating.
    """
    neg = _as_array(negative)
    vol = _as_array(volume)
    weights = vol * 0.5 ** (np.arange(len(vol))[::-1] / halflife)
    share = float((neg / np.maximum(vol, 1) * weights).sum() / weights.sum()) if weights.sum() else 0.0
    z = _z(level)
    lower, upper, mean = [], [], []
    for n in volume_mean:
        n = max(float(n), 1.0)
        half = z * math.sqrt(share * (1 - share) / n)
        mean.append(share)
        lower.append(max(0.0, share - half))
        upper.append(min(1.0, share + half))
    return Forecast("ewm_share", mean, lower, upper, level)
