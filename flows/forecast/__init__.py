"""Forecasting: pure models with their back-test (:mod:`.models`) and per topic/place series (:mod:`.series`)."""
