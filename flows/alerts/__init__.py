"""Crisis alert rules: pure maths (:mod:`.maths`), rules over the store (:mod:`.rules`), payload and
text (:mod:`.payload`), cool-down/dedup and back-test (:mod:`.engine`)."""

from .engine import AlertRun, BacktestResult, backtest, evaluate_alerts

__all__ = ["AlertRun", "BacktestResult", "backtest", "evaluate_alerts"]
