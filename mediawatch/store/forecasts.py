"""The stored forecast of one series (a topic, a place, or everything): one row per series.

Written by ``mediawatch.flows.forecast.series.run_forecast`` through ``Store.save_forecast`` and
read by the digest, the dashboards and the CLI through ``Store.forecasts``. A save replaces the
series' row unless the row already holds a newer forecast, so two hosts forecasting at the same
time never lose each other's series and an old run finishing late never overwrites a new one.
The JSON form (``to_dict``) is what both backends keep and what ``mediawatch forecast --json`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..document import format_ts, parse_ts

ALL = "*"  # the topic or place of a series over every topic / every place


@dataclass(slots=True)
class ForecastPoint:
    date: date
    volume: float
    volume_lower: float
    volume_upper: float
    negative_share: float = 0.0
    negative_share_lower: float = 0.0
    negative_share_upper: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "volume": self.volume, "volume_lower": self.volume_lower,
                "volume_upper": self.volume_upper, "negative_share": self.negative_share,
                "negative_share_lower": self.negative_share_lower,
                "negative_share_upper": self.negative_share_upper}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ForecastPoint":
        return cls(date=date.fromisoformat(data["date"]), volume=float(data["volume"]),
                   volume_lower=float(data["volume_lower"]), volume_upper=float(data["volume_upper"]),
                   negative_share=float(data.get("negative_share") or 0.0),
                   negative_share_lower=float(data.get("negative_share_lower") or 0.0),
                   negative_share_upper=float(data.get("negative_share_upper") or 0.0))


@dataclass(slots=True)
class DayCount:
    date: date
    count: int
    negative: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "count": self.count, "negative": self.negative}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DayCount":
        return cls(date.fromisoformat(data["date"]), int(data["count"]), int(data.get("negative") or 0))


@dataclass(slots=True)
class TodaySoFar:
    """Today as it stood when the forecast was made: the first point combines the two."""

    as_of: datetime
    so_far: int  # items today before as_of
    seen: float  # the usual share of a day's volume before as_of (local time)
    prior: tuple[float, float, float]  # the model's (mean, lower, upper) for the whole of today

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": format_ts(self.as_of), "so_far": self.so_far, "seen": self.seen,
                "prior": list(self.prior)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TodaySoFar":
        mean, lower, upper = (float(v) for v in data["prior"])
        return cls(parse_ts(data["as_of"]), int(data["so_far"]), float(data["seen"]), (mean, lower, upper))


@dataclass(slots=True)
class ForecastRecord:
    topic: str  # ALL for every topic
    place: str  # ALL for every place
    generated_at: datetime
    model: str  # what produced the points: seasonal_naive | ets | poisson
    choice: str  # why: backtest (beat the baseline) | baseline (nothing did) | short (too little history)
    points: list[ForecastPoint]  # from today on, local days
    history: list[DayCount] = field(default_factory=list)  # the last complete days
    history_days: int = 0  # days of history the forecast was made from (history keeps the last 28)
    tz: str = "Asia/Ho_Chi_Minh"
    level: float = 0.8
    calibrated: bool = False  # intervals calibrated on back-test errors
    backtest: dict[str, Any] | None = None  # origins, mase, coverage per model (see BacktestResult)
    today: TodaySoFar | None = None
    profile: list[float] = field(default_factory=list)  # usual share of a day's volume per local hour
    usual_range: tuple[float, float] = (0.0, 0.0)
    trend: str = "steady"  # last 7 complete days vs the 7 before: new | rising | falling | steady
    last_week: int = 0
    previous_week: int = 0
    cleaned: list[date] = field(default_factory=list)  # one-off days replaced before fitting

    @property
    def key(self) -> str:
        return f"{self.topic}|{self.place}"

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "place": self.place, "generated_at": format_ts(self.generated_at),
                "tz": self.tz, "model": self.model, "choice": self.choice, "level": self.level,
                "calibrated": self.calibrated, "backtest": self.backtest,
                "today": self.today.to_dict() if self.today else None,
                "history": [h.to_dict() for h in self.history], "history_days": self.history_days,
                "forecast": [p.to_dict() for p in self.points],
                "profile": list(self.profile), "usual_range": list(self.usual_range), "trend": self.trend,
                "last_week": self.last_week, "previous_week": self.previous_week,
                "cleaned": [d.isoformat() for d in self.cleaned]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ForecastRecord":
        low, high = data.get("usual_range") or (0.0, 0.0)
        return cls(topic=data["topic"], place=data["place"], generated_at=parse_ts(data["generated_at"]),
                   model=data["model"], choice=data.get("choice", "baseline"),
                   points=[ForecastPoint.from_dict(p) for p in data.get("forecast") or []],
                   history=[DayCount.from_dict(h) for h in data.get("history") or []],
                   history_days=int(data.get("history_days") or len(data.get("history") or [])),
                   tz=data.get("tz", "Asia/Ho_Chi_Minh"), level=float(data.get("level", 0.8)),
                   calibrated=bool(data.get("calibrated")), backtest=data.get("backtest"),
                   today=TodaySoFar.from_dict(data["today"]) if data.get("today") else None,
                   profile=[float(v) for v in data.get("profile") or []],
                   usual_range=(float(low), float(high)), trend=data.get("trend", "steady"),
                   last_week=int(data.get("last_week", 0)), previous_week=int(data.get("previous_week", 0)),
                   cleaned=[date.fromisoformat(d) for d in data.get("cleaned") or []])
