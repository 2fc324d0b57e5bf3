"""Per topic and place: the next 7 days of volume and negative share, stored for dashboards and digest.

``run_forecast(settings, store)`` reads daily series from the store (``Store.histogram``), chooses a
model per series by a rolling-origin back-test when the series is long enough (else the documented
default, the winner on ReINTEL, see docs/forecasting.md), and writes one state entry per series:

``store.set_state("forecast", "<topic>|<place>", value)`` where ``*`` means "all", and an index at
``store.get_state("forecast", "_index") == {"keys": [...], "generated_at": ...}``. The value is::

    {"topic": "*", "place": "*", "generated_at": "2026-11-21T02:00:00Z", "tz": "Asia/Ho_Chi_Minh",
     "model": "ets", "level": 0.8,
     "backtest": {"mase": {"seasonal_naive": 1.3, "ets": 1.1, "poisson": 1.3}, "origins": 5} | null,
     "history": [{"date": "2026-11-20", "count": 12, "negative": 3}, ...],   # last 28 days
     "forecast": [{"date": "2026-11-22", "volume": 11.2, "volume_lower": 6.0, "volume_upper": 16.1,
                   "negative_share": 0.21, "negative_share_lower": 0.1, "negative_share_upper": 0.33},
                  ...],                                                      # next 7 days
     "usual_range": [2.1, 19.5], "rising": false}
"""

from __future__ import annotations

import csv
import logging
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from mediawatch.document import format_ts, utcnow
from mediawatch.settings import Settings
from mediawatch.store.base import SearchQuery, Store

from mediawatch.flows.forecast import models as fm

log = logging.getLogger("mediawatch.forecast")

NAMESPACE = "forecast"
INDEX_KEY = "_index"
ALL = "*"
HORIZON = 7
HISTORY_DAYS = 120
KEEP_HISTORY = 28
# The model that won the ReINTEL back-test on total volume (docs/forecasting.md); used for series
# too short to back-test on their own.
DEFAULT_MODEL = "ets"
MIN_BACKTEST_DAYS = 35
MIN_RISING_DAYS = 14
MAX_PLACES = 8
REINTEL_ENV = "MEDIAWATCH_REINTEL_CSV"


@dataclass(slots=True)
class DailySeries:
    name: str
    start: date
    counts: list[float]
    negative: list[float]

    @property
    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(len(self.counts))]


def series_key(topic: str | None, place: str | None) -> str:
    return f"{topic or ALL}|{place or ALL}"


def store_series(store: Store, *, topic: str | None = None, place: str | None = None,
                 end: date, days: int = HISTORY_DAYS, tz: str = "Asia/Ho_Chi_Minh") -> DailySeries:
    """Daily counts for [end - days + 1, end] in local days, zero-filled at both ends."""
    zone = ZoneInfo(tz)
    start = end - timedelta(days=days - 1)
    since = datetime.combine(start, datetime.min.time(), zone)
    until = datetime.combine(end + timedelta(days=1), datetime.min.time(), zone)
    query = SearchQuery(since=since, until=until, topics=[topic] if topic else [],
                        places=[place] if place else [], include_duplicates=False)
    by_day = {b.start.astimezone(zone).date(): b for b in store.histogram(query, interval="day", tz=tz)}
    counts, negative = [], []
    for i in range(days):
        bucket = by_day.get(start + timedelta(days=i))
        counts.append(float(bucket.count) if bucket else 0.0)
        negative.append(float(bucket.negative) if bucket else 0.0)
    # Drop the leading empty stretch (before monitoring started): it is not "zero interest".
    first = next((i for i, c in enumerate(counts) if c > 0), len(counts) - 1)
    return DailySeries(series_key(topic, place), start + timedelta(days=first), counts[first:],
                       negative[first:])


def forecast_series(series: DailySeries, *, horizon: int = HORIZON, level: float = 0.8,
                    model: str | None = None) -> dict[str, Any]:
    """The state value for one series (see the module docstring)."""
    backtest = None
    if model is None:
        if len(series.counts) >= MIN_BACKTEST_DAYS and sum(series.counts) > 0:
            backtest = fm.backtest(series.counts, name=series.name, horizon=horizon,
                                   min_train=min(28, len(series.counts) - horizon),
                                   start_dow=series.start.weekday())
        model = fm.choose_model(backtest, DEFAULT_MODEL)
    result = fm.forecast(model, series.counts, horizon, level, start_dow=series.start.weekday())
    share = fm.share_forecast(series.negative, series.counts, result.mean, level)
    last = series.start + timedelta(days=len(series.counts) - 1)
    low, high = fm.usual_range(series.counts)
    topic, _, place = series.name.partition("|")
    return {
        "topic": topic, "place": place, "generated_at": format_ts(utcnow()), "model": result.model,
        "level": level,
        "backtest": {"mase": backtest.mase, "origins": backtest.origins} if backtest else None,
        "history": [{"date": d.isoformat(), "count": int(c), "negative": int(n)}
                    for d, c, n in list(zip(series.dates, series.counts, series.negative))[-KEEP_HISTORY:]],
        "forecast": [{"date": (last + timedelta(days=h + 1)).isoformat(),
                      "volume": round(result.mean[h], 2), "volume_lower": round(result.lower[h], 2),
                      "volume_upper": round(result.upper[h], 2),
                      "negative_share": round(share.mean[h], 3),
                      "negative_share_lower": round(share.lower[h], 3),
                      "negative_share_upper": round(share.upper[h], 3)} for h in range(horizon)],
        "usual_range": [round(low, 2), round(high, 2)],
        # Two weeks at least before "usual" means anything.
        "rising": len(series.counts) >= MIN_RISING_DAYS and fm.is_rising(series.counts, result.mean),
    }


def series_keys(settings: Settings, store: Store, *, since: datetime) -> list[tuple[str | None, str | None]]:
    """All documents, each configured topic, the most-covered topics (the classifiers add default
    crisis topics to the configured ones) and the most-covered places."""
    facets = store.facets(SearchQuery(since=since), ["topics", "places"], size=MAX_PLACES)
    topics = list(dict.fromkeys([t.name for t in settings.topics] + [n for n, _ in facets.get("topics", [])]))
    keys: list[tuple[str | None, str | None]] = [(None, None)]
    keys += [(t, None) for t in topics]
    keys += [(None, name) for name, _ in facets.get("places", [])]
    return keys


def run_forecast(settings: Settings, store: Store, *, today: date | None = None,
                 topic: str | None = None, place: str | None = None) -> dict[str, dict[str, Any]]:
    """Forecast every series (or only the one asked for) and store the results.

    History ends with yesterday, the last complete local day (the nightly run at 02:00 would
    otherwise read two hours of today as a collapse); the forecast starts today.
    """
    tz = settings.timezone
    today = today or utcnow().astimezone(ZoneInfo(tz)).date()
    last_day = today - timedelta(days=1)
    since = datetime.combine(today - timedelta(days=HISTORY_DAYS), datetime.min.time(), ZoneInfo(tz))
    wanted = [(topic, place)] if (topic or place) else series_keys(settings, store, since=since)
    results: dict[str, dict[str, Any]] = {}
    for t, p in wanted:
        series = store_series(store, topic=t, place=p, end=last_day, tz=tz)
        if sum(series.counts) == 0:
            log.info("forecast %s: no documents in the last %d days, skipped", series.name, HISTORY_DAYS)
            continue
        value = forecast_series(series)
        value["tz"] = tz
        store.set_state(NAMESPACE, series.name, value)
        results[series.name] = value
    if not (topic or place):
        store.set_state(NAMESPACE, INDEX_KEY, {"keys": sorted(results), "generated_at": format_ts(utcnow())})
    rising = [k for k, v in results.items() if v["rising"]]
    log.info("forecast: %d series, rising: %s", len(results), ", ".join(rising) or "none")
    return results


def stored_forecasts(store: Store) -> dict[str, dict[str, Any]]:
    index = store.get_state(NAMESPACE, INDEX_KEY) or {"keys": []}
    found = {}
    for key in index["keys"]:
        value = store.get_state(NAMESPACE, key)
        if value:
            found[key] = value
    return found


# --- back-test on real data ---------------------------------------------------------------------

def default_reintel_path(settings: Settings) -> Path:
    if os.environ.get(REINTEL_ENV):
        return Path(os.environ[REINTEL_ENV])
    return settings.datasets_path() / "reintel" / "train.csv"


def reintel_series(path: Path, tz: str = "Asia/Ho_Chi_Minh") -> list[DailySeries]:
    """Daily post counts (all, and those labelled unreliable) over ReINTEL's dense stretch.

    The posts span 2015-2020 but nearly all fall in a few months of 2020; the series runs from the
    first to the last day with at least 3 posts so years of empty days do not flatter the models.
    """
    csv.field_size_limit(1 << 27)
    zone = ZoneInfo(tz)
    total: dict[date, int] = {}
    unreliable: dict[date, int] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                stamp = float(row["timestamp_post"])
            except (TypeError, ValueError):
                continue  # a few rows have no timestamp
            day = datetime.fromtimestamp(stamp, zone).date()
            total[day] = total.get(day, 0) + 1
            if row.get("label") == "1":
                unreliable[day] = unreliable.get(day, 0) + 1
    dense = [d for d, n in total.items() if n >= 3]
    if not dense:
        raise ValueError(f"{path}: no day with 3 or more timestamped posts")
    start, end = min(dense), max(dense)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    counts = [float(total.get(d, 0)) for d in days]
    bad = [float(unreliable.get(d, 0)) for d in days]
    return [DailySeries("reintel: all posts", start, counts, bad),
            DailySeries("reintel: unreliable posts", start, bad, [0.0] * len(days))]


def backtest_series(series: Iterable[DailySeries], *, horizon: int = HORIZON) -> list[fm.BacktestResult]:
    """Back-test each series; short ones (the demo's two weeks) get a shorter training window."""
    results = []
    for s in series:
        n = len(s.counts)
        if n < horizon + 7:
            log.warning("back-test %s: %d days is too short (needs %d), skipped", s.name, n, horizon + 7)
            continue
        # Four weeks of training where the series allows; at least one week (the demo's two weeks).
        min_train = min(28, max(7, n - horizon - 14))
        step = 7 if n - min_train - horizon >= 14 else 1
        results.append(fm.backtest(s.counts, name=s.name, horizon=horizon, min_train=min_train,
                                   step=step, start_dow=s.start.weekday()))
    return results


def format_backtest(results: list[fm.BacktestResult], lang: str = "en") -> str:
    """A Markdown table: one row per series, MASE per model, the winner (model names as people read them)."""
    from mediawatch.i18n import fmt_num, model_name, t

    header = (f"| {t('cli.backtest.series', lang)} | {t('cli.backtest.days', lang)} | {t('cli.backtest.origins', lang)} | "
              + " | ".join(f"MASE {model_name(m, lang) if lang != 'en' else m}" for m in fm.MODELS)
              + f" | {t('cli.backtest.coverage', lang)} | {t('cli.backtest.winner', lang)} |")
    lines = [header, "|" + "---|" * (len(fm.MODELS) + 5)]
    for r in results:
        cells = " | ".join(fmt_num(r.mase[m], lang, 3) for m in fm.MODELS)
        winner = model_name(r.best, lang) if lang != "en" else r.best
        lines.append(f"| {r.series} | {r.days} | {r.origins} | {cells} | {r.coverage[r.best]:.0%} | {winner} |")
    return "\n".join(lines)
