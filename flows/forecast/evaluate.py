"""The published back-test: ReINTEL's real daily counts (and the store's own series), the table
``mediawatch forecast --backtest`` prints, and the gates in ``floors.json`` the tests hold it to.

Every series goes through the same procedure as production (``backtest.backtest``: one-off days
cleaned, rolling origins, intervals calibrated on the other origins' errors), so the figures
published are the figures of the forecasts people read.
"""

from __future__ import annotations

import csv
import json
import logging
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from mediawatch.i18n import label, t
from mediawatch.settings import Settings

from .backtest import BacktestResult, backtest, min_history_days
from .models import MODELS
from .series import HORIZON, DailySeries

log = logging.getLogger("mediawatch.forecast")

REINTEL_ENV = "MEDIAWATCH_REINTEL_CSV"
REINTEL_ALL = "reintel: all posts"
REINTEL_UNRELIABLE = "reintel: unreliable posts"
# The series' names as people read them: forecast_series.* in mediawatch/i18n/labels.py.
SERIES_KEYS = {REINTEL_ALL: "reintel_all", REINTEL_UNRELIABLE: "reintel_unreliable"}


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
    return [DailySeries(REINTEL_ALL, start, counts, bad),
            DailySeries(REINTEL_UNRELIABLE, start, bad, [0.0] * len(days))]


@dataclass(slots=True)
class Skipped:
    series: str
    days: int
    need: int


def backtest_series(series: Iterable[DailySeries], *, horizon: int = HORIZON
                    ) -> tuple[list[BacktestResult], list[Skipped]]:
    """Back-test each series long enough for the production procedure; the others are listed."""
    results, skipped = [], []
    for s in series:
        need = min_history_days(horizon)
        if len(s.counts) < need:
            log.info("back-test %s: %d days, fewer than the %d needed", s.name, len(s.counts), need)
            skipped.append(Skipped(s.name, len(s.counts), need))
            continue
        results.append(backtest(s.counts, name=s.name, horizon=horizon, start_dow=s.start.weekday()))
    return results, skipped


def series_label(name: str, lang: str = "vi") -> str:
    key = SERIES_KEYS.get(name)
    return label("forecast_series", key, lang) if key else name


def format_backtest(results: list[BacktestResult], skipped: Iterable[Skipped] = (), lang: str = "vi") -> str:
    """A Markdown table: one row per series, MASE per model, the choice and the interval coverage."""
    level = round((results[0].level if results else 0.8) * 100)
    header = [t("cli.backtest.series", lang), t("cli.backtest.days", lang), t("cli.backtest.origins", lang)] + \
             [f"MASE {label('forecast_model_short', m, lang)}" for m in MODELS] + \
             [t("cli.backtest.chosen", lang), t("cli.backtest.coverage", lang, level=level),
              t("cli.backtest.coverage_raw", lang)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in results:
        chosen, _ = r.choice()
        cells = [f"{r.mase[m]:.3f}" if m not in r.fell_back else "–" for m in MODELS]
        lines.append(f"| {series_label(r.series, lang)} | {r.days} | {r.origins} | " + " | ".join(cells) +
                     f" | {label('forecast_model_short', chosen, lang)} | {r.coverage[chosen]:.0%} | "
                     f"{r.model_coverage[chosen]:.0%} |")
    notes = [t("choice_short", lang, days=s.days, need=s.need) + f" ({series_label(s.series, lang)})" for s in skipped]
    return "\n".join(lines + ([""] + notes if notes else []))


def results_json(results: list[BacktestResult], skipped: Iterable[Skipped] = ()) -> list[dict[str, Any]]:
    return [r.to_dict() for r in results] + [{"series": s.series, "days": s.days, "skipped": True,
                                              "needs_days": s.need} for s in skipped]


# --- gates -------------------------------------------------------------------------------------

def floors() -> dict[str, dict[str, float]]:
    """The bars the published back-test must clear (flows/forecast/floors.json)."""
    text = resources.files("mediawatch.flows.forecast").joinpath("floors.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def check_floors(results: list[BacktestResult], bars: dict[str, dict[str, float]] | None = None) -> list[str]:
    """What falls short of its bar, one sentence each; empty when every gate holds."""
    bars = floors() if bars is None else bars
    by_name = {r.series: r for r in results}
    failures = []
    for name, bar in bars.items():
        r = by_name.get(name)
        if r is None:
            failures.append(f"{name}: not back-tested")
            continue
        chosen, _ = r.choice()
        ratio = r.mase[chosen] / r.mase["seasonal_naive"]
        if ratio > bar["mase_ratio_max"]:
            failures.append(f"{name}: {chosen} MASE {r.mase[chosen]:.3f} is {ratio:.2f} of the baseline's, "
                            f"above the ceiling {bar['mase_ratio_max']}")
        if r.mase[chosen] > bar["mase_max"]:
            failures.append(f"{name}: {chosen} MASE {r.mase[chosen]:.3f} above the ceiling {bar['mase_max']}")
        if not bar["coverage_min"] <= r.coverage[chosen] <= bar["coverage_max"]:
            failures.append(f"{name}: coverage {r.coverage[chosen]:.3f} outside "
                            f"[{bar['coverage_min']}, {bar['coverage_max']}]")
    return failures
