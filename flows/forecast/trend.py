"""What "rising" means, once, for every place that says it (the digest's topics, the forecasts,
the CLI): a count compared with the count of the previous comparable period.

- new: nothing in the previous period and at least ``NEW_MIN`` now;
- rising: at least ``RISING_MIN`` now and at least ``RISING_FACTOR`` times the previous period,
  counting one extra item on each side so 1 -> 2 is not "doubling" (``(now + 1) >= 1.5 (before + 1)``);
- falling: the same rule the other way round;
- steady: anything else.

Whoever prints a status prints the two counts it came from, so the words always agree with them.
"""

from __future__ import annotations

from typing import Literal

NEW_MIN = 2
RISING_MIN = 3
RISING_FACTOR = 1.5

Trend = Literal["new", "rising", "falling", "steady"]


def trend(count: int, previous: int) -> Trend:
    if previous == 0 and count >= NEW_MIN:
        return "new"
    if count >= RISING_MIN and count + 1 >= RISING_FACTOR * (previous + 1):
        return "rising"
    if previous >= RISING_MIN and previous + 1 >= RISING_FACTOR * (count + 1):
        return "falling"
    return "steady"


def is_up(status: str) -> bool:
    return status in ("new", "rising")
