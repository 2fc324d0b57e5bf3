"""Today's forecast once part of today is known (pure).

When a forecast or digest runs during a day, the day's count so far is a fact: the forecast for
today must be at least that, and the later in the day the narrower its interval. The usual
intraday profile (the share of a day's volume seen by each local hour, from history) says how
much of the day has been seen; the model's forecast for the day is combined with the count so far
as a gamma prior with Poisson arrivals:

- the prior for today's rate has the model's mean, and the variance its (calibrated) interval
  leaves once the Poisson spread is taken out: the wider the interval, the less the prior weighs;
- by the hour seen, the day has run a share ``seen`` of its usual volume and brought ``so_far``;
- the rest of the day is negative binomial with the posterior rate; today = so far + the rest.

At the start of the day this gives the model's forecast back (its mean and about its interval); at
the end of the day the count itself.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

HOURS = 24
# Pseudo-counts spread evenly over the hours: a store with little history gets a near-flat profile.
PROFILE_PRIOR = 24.0
# How much the model's forecast can weigh, in days of observation: a wide interval at least a
# tenth of one; a confident model at most three, because a busy morning usually means a busy
# afternoon (news comes in bursts) and the count so far must be able to pull the day up.
PRIOR_DAYS = (0.1, 3.0)


def hourly_profile(counts_by_hour: Sequence[float], prior: float = PROFILE_PRIOR) -> list[float]:
    """The share of a day's volume in each local hour (24 values summing to 1)."""
    counts = np.asarray(counts_by_hour, dtype=float)
    if counts.shape != (HOURS,):
        raise ValueError("counts_by_hour must have 24 values (local hours 0-23)")
    return ((counts + prior / HOURS) / (counts.sum() + prior)).tolist()


def share_seen(profile: Sequence[float], hour: int, minute: int = 0) -> float:
    """The usual share of the day's volume before hour:minute (local)."""
    p = np.asarray(profile, dtype=float)
    return float(min(1.0, p[:hour].sum() + p[hour] * minute / 60.0)) if hour < HOURS else 1.0


def nowcast(so_far: float, seen: float, mean: float, lower: float, upper: float,
            level: float = 0.8) -> tuple[float, float, float]:
    """Today's (mean, lower, upper) given ``so_far`` items with a share ``seen`` of the day gone."""
    from scipy.stats import nbinom, norm

    seen = min(max(float(seen), 0.0), 1.0)
    so_far = max(float(so_far), 0.0)
    if seen >= 1.0:
        return so_far, so_far, so_far
    m = max(float(mean), 1e-6)
    sd = max(float(upper) - float(lower), 0.0) / (2 * float(norm.ppf(0.5 + level / 2)))
    extra = sd * sd - m  # what the interval holds beyond Poisson noise: uncertainty about the rate
    days = m / extra if extra > 0 else PRIOR_DAYS[1]
    days = min(max(days, PRIOR_DAYS[0]), PRIOR_DAYS[1])
    shape, rate = m * days + so_far, days + seen
    left = 1.0 - seen
    p = rate / (rate + left)
    tail = (1 - level) / 2
    rest_mean = shape * left / rate
    return (so_far + rest_mean, so_far + float(nbinom.ppf(tail, shape, p)),
            so_far + float(nbinom.ppf(1 - tail, shape, p)))
