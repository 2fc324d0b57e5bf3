"""Per topic and place: the next 7 days of volume and negative share, stored for dashboards and digest.

``run_forecast(settings, store)`` reads daily series from the store (``Store.histogram``), and for
each series:

1. replaces one-off days (a storm spike, an outage) by their usual level (``models.robust_history``);
2. with at least five weeks of history, back-tests every model against the seasonal-naive baseline
   (``backtest.backtest``) and forecasts with the best one if it beats the baseline, else with the
   baseline, saying so (``choice``: ``backtest`` | ``baseline``); with less history, the baseline,
   saying so (``short``);
3. calibrates the interval on the chosen model's back-test errors;
4. combines today's forecast with today's count so far and the usual intraday profile
   (``nowcast``), so a run at 10:00 never forecasts fewer items than already exist;
5. saves one row per series with ``Store.save_forecast`` (a ``ForecastRecord``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from mediawatch.document import utcnow
from mediawatch.settings import Settings
from mediawatch.store.base import SearchQuery, Store
from mediawatch.store.forecasts import ALL, DayCount, ForecastPoint, ForecastRecord, TodaySoFar

from . import models as fm
from .backtest import backtest, calibrated_interval, interval_scale, min_history_days
from .nowcast import HOURS, hourly_profile, nowcast, share_seen
from .trend import trend

log = logging.getLogger("mediawatch.forecast")

HORIZON = 7
LEVEL = 0.8
HISTORY_DAYS = 120
KEEP_HISTORY = 28
PROFILE_DAYS = 28  # complete days of hourly history behind the intraday profile
MAX_PLACES = 8
# A stored forecast older than this is not shown: its days are past.
MAX_AGE = timedelta(days=7)


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


def _query(topic: str | None, place: str | None, since: datetime, until: datetime) -> SearchQuery:
    return SearchQuery(since=since, until=until, topics=[topic] if topic else [], places=[place] if place else [],
                       include_duplicates=False)


def _midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, datetime.min.time(), ZoneInfo(tz))


def store_series(store: Store, *, topic: str | None = None, place: str | None = None,
                 end: date, days: int = HISTORY_DAYS, tz: str = "Asia/Ho_Chi_Minh") -> DailySeries:
    """Daily counts for [end - days + 1, end] in local days, zero-filled at both ends."""
    zone = ZoneInfo(tz)
    start = end - timedelta(days=days - 1)
    query = _query(topic, place, _midnight(start, tz), _midnight(end + timedelta(days=1), tz))
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


def count_today(store: Store, now: datetime, *, topic: str | None = None, place: str | None = None,
                tz: str = "Asia/Ho_Chi_Minh") -> int:
    """Items of the series from local midnight to ``now``."""
    day = now.astimezone(ZoneInfo(tz)).date()
    return store.count(_query(topic, place, _midnight(day, tz), now))


def store_profile(store: Store, *, end: date, tz: str = "Asia/Ho_Chi_Minh", days: int = PROFILE_DAYS) -> list[float]:
    """The usual share of a day's volume per local hour, over the ``days`` complete days up to ``end``."""
    zone = ZoneInfo(tz)
    query = SearchQuery(since=_midnight(end - timedelta(days=days - 1), tz),
                        until=_midnight(end + timedelta(days=1), tz), include_duplicates=False)
    by_hour = [0.0] * HOURS
    for bucket in store.histogram(query, interval="hour", tz=tz):
        by_hour[bucket.start.astimezone(zone).hour] += bucket.count
    return hourly_profile(by_hour)


def forecast_series(series: DailySeries, *, generated_at: datetime | None = None, today: date | None = None,
                    now: datetime | None = None, so_far: int = 0, profile: list[float] | None = None,
                    horizon: int = HORIZON, level: float = LEVEL, tz: str = "Asia/Ho_Chi_Minh") -> ForecastRecord:
    """The forecast of one series whose history ends the day before ``today``.

    With ``now`` (a moment of ``today``), today's point combines the model's forecast with the
    ``so_far`` items already counted and the usual share of the day seen by then (``profile``).
    """
    last = series.start + timedelta(days=len(series.counts) - 1)
    today = today or last + timedelta(days=1)
    start_dow = series.start.weekday()
    cleaned, flagged = fm.robust_history(series.counts, start_dow)
    tested = None
    if len(series.counts) >= min_history_days(horizon) and sum(series.counts) > 0:
        tested = backtest(series.counts, name=series.name, horizon=horizon, level=level, start_dow=start_dow)
        model, choice = tested.choice()
    else:
        model, choice = fm.BASELINE, "short"
    result = fm.forecast(model, cleaned, horizon, level, start_dow=start_dow)
    lower, upper = result.lower, result.upper
    if tested is not None:
        lower, upper = calibrated_interval(result.mean, interval_scale(cleaned), tested.bounds[model])
    mean = list(result.mean)
    days = [last + timedelta(days=h + 1) for h in range(horizon)]
    today_info = None
    if now is not None and days[0] == today:
        profile = profile or hourly_profile([0.0] * HOURS)
        local = now.astimezone(ZoneInfo(tz))
        seen = share_seen(profile, local.hour, local.minute)
        prior = (mean[0], lower[0], upper[0])
        mean[0], lower[0], upper[0] = nowcast(so_far, seen, *prior, level=level)
        today_info = TodaySoFar(now.replace(microsecond=0), int(so_far), round(seen, 4),
                                tuple(round(v, 2) for v in prior))
    share = fm.share_forecast(series.negative, series.counts, mean, level)
    low, high = fm.usual_range(series.counts)
    topic, _, place = series.name.partition("|")
    recent = series.counts[-7:]
    before = series.counts[-14:-7]
    return ForecastRecord(
        topic=topic, place=place, generated_at=generated_at or utcnow().replace(microsecond=0),
        model=result.model, choice=choice,
        points=[ForecastPoint(d, round(mean[h], 2), round(lower[h], 2), round(upper[h], 2),
                              round(share.mean[h], 3), round(share.lower[h], 3), round(share.upper[h], 3))
                for h, d in enumerate(days)],
        history=[DayCount(d, int(c), int(n)) for d, c, n in
                 list(zip(series.dates, series.counts, series.negative))[-KEEP_HISTORY:]],
        history_days=len(series.counts),
        tz=tz, level=level, calibrated=tested is not None,
        backtest={k: v for k, v in tested.to_dict().items() if k not in ("series", "bounds")} if tested else None,
        today=today_info, profile=[round(p, 5) for p in (profile or [])],
        usual_range=(round(low, 2), round(high, 2)),
        trend=trend(int(sum(recent)), int(sum(before))), last_week=int(sum(recent)), previous_week=int(sum(before)),
        cleaned=[d for d, f in zip(series.dates, flagged) if f])


def series_keys(settings: Settings, store: Store, *, since: datetime) -> list[tuple[str | None, str | None]]:
    """All documents, each configured topic, the most-covered topics (the classifiers add default
    crisis topics to the configured ones) and the most-covered places."""
    facets = store.facets(SearchQuery(since=since), ["topics", "places"], size=MAX_PLACES)
    topics = list(dict.fromkeys([t.name for t in settings.topics] + [n for n, _ in facets.get("topics", [])]))
    keys: list[tuple[str | None, str | None]] = [(None, None)]
    keys += [(t, None) for t in topics]
    keys += [(None, name) for name, _ in facets.get("places", [])]
    return keys


def run_forecast(settings: Settings, store: Store, *, today: date | None = None, now: datetime | None = None,
                 topic: str | None = None, place: str | None = None) -> dict[str, ForecastRecord]:
    """Forecast every series (or only the one asked for) and save each in its own row.

    History ends with yesterday, the last complete local day; the forecast starts today. With
    ``now`` (default: the current time unless ``today`` is given), today's count so far is used.
    """
    tz = settings.timezone
    if now is None and today is None:
        now = utcnow()
    today = now.astimezone(ZoneInfo(tz)).date() if now is not None else today
    last_day = today - timedelta(days=1)
    since = _midnight(today - timedelta(days=HISTORY_DAYS), tz)
    wanted = [(topic, place)] if (topic or place) else series_keys(settings, store, since=since)
    profile = store_profile(store, end=last_day, tz=tz)
    generated_at = utcnow().replace(microsecond=0)  # stored to the second
    results: dict[str, ForecastRecord] = {}
    for t, p in wanted:
        series = store_series(store, topic=t, place=p, end=last_day, tz=tz)
        if sum(series.counts) == 0:
            log.info("forecast %s: no documents in the last %d days, skipped", series.name, HISTORY_DAYS)
            continue
        so_far = count_today(store, now, topic=t, place=p, tz=tz) if now is not None else 0
        record = forecast_series(series, generated_at=generated_at, today=today, now=now, so_far=so_far,
                                 profile=profile, tz=tz)
        store.save_forecast(record)
        results[record.key] = record
    up = [k for k, r in results.items() if r.trend in ("new", "rising")]
    log.info("forecast: %d series, rising over the last 7 days: %s", len(results), ", ".join(up) or "none")
    return results


def stored_forecasts(store: Store, *, now: datetime | None = None) -> dict[str, ForecastRecord]:
    """The stored forecasts still about the coming days, by series key."""
    now = now or utcnow()
    return {r.key: r for r in store.forecasts(generated_since=now - MAX_AGE)}


def update_today(record: ForecastRecord, so_far: int, now: datetime) -> ForecastRecord:
    """The record as of ``now``: past days dropped, today's point re-combined with today's count so far."""
    day = now.astimezone(ZoneInfo(record.tz)).date()
    points = [p for p in record.points if p.date >= day]
    if not points or points[0].date != day:
        return replace(record, points=points)
    first = points[0]
    if record.today is not None and record.today.as_of.astimezone(ZoneInfo(record.tz)).date() == day:
        prior = record.today.prior
    else:
        prior = (first.volume, first.volume_lower, first.volume_upper)
    local = now.astimezone(ZoneInfo(record.tz))
    seen = share_seen(record.profile or hourly_profile([0.0] * HOURS), local.hour, local.minute)
    mean, lower, upper = nowcast(so_far, seen, *prior, level=record.level)
    points[0] = replace(first, volume=round(mean, 2), volume_lower=round(lower, 2), volume_upper=round(upper, 2))
    return replace(record, points=points,
                   today=TodaySoFar(now.replace(microsecond=0), int(so_far), round(seen, 4), prior))


def as_json(records: dict[str, ForecastRecord]) -> dict[str, dict[str, Any]]:
    return {key: record.to_dict() for key, record in records.items()}
