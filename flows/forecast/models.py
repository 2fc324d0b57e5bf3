"""Daily-count forecasting models (pure: arrays in, arrays out).

Three models share one signature, ``fit_predict(history, horizon, level) -> Forecast``:

- ``seasonal_naive``: next week repeats last week (the baseline every model must beat);
- ``ets``: additive Holt-Winters exponential smoothing with a weekly season (statsmodels);
- ``poisson``: a Poisson regression (scikit-learn) on day-of-week, the level of the last week and
  the value a week ago, forecast recursively.

Each model's own interval is kept for reference only: production intervals are calibrated on the
model's back-test errors (:mod:`.backtest`). Before any model sees a history, :func:`robust_history`
replaces one-off spikes (a storm day, a crawler outage) by the day's usual level, so a spike last
week is not forecast to come back next week.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

SEASON = 7
BASELINE = "seasonal_naive"
MODELS = (BASELINE, "ets", "poisson")
# Fewest days each model fits on; with less it hands over to the baseline and says so (fell_back).
MIN_FIT_DAYS = {BASELINE: 1, "ets": 2 * SEASON + 2, "poisson": 2 * SEASON}
# A day is a one-off when it is this many robust standard deviations from its usual level.
OUTLIER_K = 3.5


@dataclass(slots=True)
class Forecast:
    model: str  # the model that produced the numbers
    mean: list[float]
    lower: list[float]
    upper: list[float]
    level: float = 0.8
    fell_back: bool = False  # the requested model had too little history: these are the baseline's


def _z(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


def _as_array(history: Sequence[float]) -> np.ndarray:
    values = np.asarray(history, dtype=float)
    if values.ndim != 1 or len(values) == 0:
        raise ValueError("history must be a non-empty sequence of daily values")
    return np.nan_to_num(values, nan=0.0)


def robust_history(history: Sequence[float], start_dow: int = 0, k: float = OUTLIER_K,
                   half_window: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """The history with one-off days replaced by their usual level, and which days those were.

    A day's usual level is the median of the week around it (days before and after, so a spike
    stands out from its neighbours while a lasting change of level does not) times the weekday's
    typical ratio to it. A day further from it than ``k`` robust standard deviations (1.4826 x the
    median absolute deviation, and never less than the Poisson spread of the level) is one-off.
    """
    y = _as_array(history)
    n = len(y)
    local = np.array([np.median(y[max(0, t - half_window):t + half_window + 1]) for t in range(n)])
    dow = (np.arange(n) + start_dow) % SEASON
    # Weekday effects scale with the level (a louder week has louder weekends): ratios, with one
    # item added on both sides so quiet series with zero days stay defined.
    ratio = (y + 1.0) / (local + 1.0)
    factor = np.ones(SEASON)
    for day in range(SEASON):
        if np.any(dow == day):
            factor[day] = np.median(ratio[dow == day])
    usual = np.maximum((local + 1.0) * factor[dow] - 1.0, 0.0)
    resid = y - usual
    spread = 1.4826 * float(np.median(np.abs(resid - np.median(resid))))
    threshold = k * np.maximum(spread, np.sqrt(np.maximum(usual, 1.0)))
    flagged = np.abs(resid) > threshold
    return np.where(flagged, usual, y), flagged


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
    return Forecast(BASELINE, _clip(mean), _clip(mean - z * spread), _clip(mean + z * spread), level)


def ets(history: Sequence[float], horizon: int = 7, level: float = 0.8) -> Forecast:
    """ETS(A,N,A). statsmodels' Holt-Winters fit gives the same point forecasts as its ETSModel at a
    third of the cost; the interval is the model's analytic one (Hyndman & Athanasopoulos, FPP3 §8.7):
    var(h) = σ²·(1 + (h-1)·α² + k·γ·(2α + γ)), k = the number of whole seasons before step h."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    y = _as_array(history)
    if len(y) < MIN_FIT_DAYS["ets"] or np.all(y == y[0]):
        return _fallback(y, horizon, level)
    with warnings.catch_warnings():
        # Short, spiky count series make the optimiser chatty; the fit is still usable.
        warnings.simplefilter("ignore")
        fitted = ExponentialSmoothing(y, trend=None, seasonal="add", seasonal_periods=SEASON,
                                      initialization_method="estimated").fit()
    mean = np.asarray(fitted.forecast(horizon), dtype=float)
    if not np.all(np.isfinite(mean)):
        return _fallback(y, horizon, level)
    alpha = float(fitted.params["smoothing_level"])
    gamma = float(fitted.params["smoothing_seasonal"] or 0.0)
    sigma2 = float(fitted.sse) / len(y)
    steps = np.arange(1, horizon + 1)
    variance = sigma2 * (1 + (steps - 1) * alpha ** 2 + ((steps - 1) // SEASON) * gamma * (2 * alpha + gamma))
    half = _z(level) * np.sqrt(variance)
    return Forecast("ets", _clip(mean), _clip(mean - half), _clip(mean + half), level)


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
    if len(y) < MIN_FIT_DAYS["poisson"] or y.sum() == 0:
        return _fallback(y, horizon, level)
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
    for _ in range(horizon):
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


def _fallback(y: np.ndarray, horizon: int, level: float) -> Forecast:
    """Too little history for the model: the baseline's numbers, marked as such."""
    base = seasonal_naive(y, horizon, level)
    base.fell_back = True
    return base


def _clip(values) -> list[float]:
    return [max(0.0, float(v)) for v in np.asarray(values, dtype=float)]


FORECASTERS: dict[str, Callable[..., Forecast]] = {
    BASELINE: seasonal_naive,
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


def mase_scale(train: Sequence[float]) -> float:
    """Mean absolute error of the in-sample weekly seasonal-naive forecast (the MASE denominator)."""
    y = _as_array(train)
    if len(y) <= SEASON:
        return float(np.mean(np.abs(np.diff(y)))) if len(y) > 1 else 1.0
    return float(np.mean(np.abs(y[SEASON:] - y[:-SEASON])))


def usual_range(history: Sequence[float], window: int = 28, k: float = 2.0) -> tuple[float, float]:
    """mean ± k·σ of the recent window: what 'normal' looks like for this series (the chart's line)."""
    y = _as_array(history)[-window:]
    mean, sigma = float(y.mean()), float(y.std())
    return max(0.0, mean - k * sigma), mean + k * max(sigma, math.sqrt(max(mean, 1.0)))


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
