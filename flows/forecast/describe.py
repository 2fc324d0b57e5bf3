"""How a stored forecast explains itself to a reader: the model by a readable name, why it was
chosen (or why the simple forecast is used), and how well its interval held when tested."""

from __future__ import annotations

from mediawatch.i18n import model_name, t
from mediawatch.store.forecasts import ForecastRecord

from .backtest import min_history_days
from .models import BASELINE


def choice_line(record: ForecastRecord, lang: str = "vi") -> str:
    tested = record.backtest or {}
    mase = tested.get("mase") or {}
    if record.choice == "backtest" and mase:
        return t("choice_backtest", lang, model=model_name(record.model, lang), origins=tested.get("origins"),
                 mase=f"{mase[record.model]:.2f}", base=f"{mase[BASELINE]:.2f}")
    if record.choice == "baseline" and mase:
        others = [v for m, v in mase.items() if m != BASELINE and m not in (tested.get("fell_back") or [])]
        return t("choice_baseline", lang, origins=tested.get("origins"), base=f"{mase[BASELINE]:.2f}",
                 best=f"{min(others):.2f}" if others else "–")
    return t("choice_short", lang, days=record.history_days, need=min_history_days())


def interval_line(record: ForecastRecord, lang: str = "vi") -> str:
    level = round(record.level * 100)
    coverage = ((record.backtest or {}).get("coverage") or {}).get(record.model)
    if record.calibrated and coverage is not None:
        return t("interval_calibrated", lang, level=level, coverage=round(coverage * 100))
    return t("interval_uncalibrated", lang, level=level)
