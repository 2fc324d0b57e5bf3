"""Labels of stored values people read: ``label(group, value, lang)`` looks up ``group.value``."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "severity.high": {"vi": "cao", "en": "high"},
    "severity.medium": {"vi": "trung bình", "en": "medium"},
    "severity.low": {"vi": "thấp", "en": "low"},

    "review_status.pending": {"vi": "chờ duyệt", "en": "pending"},
    "review_status.false": {"vi": "sai sự thật", "en": "false"},
    "review_status.misleading": {"vi": "gây hiểu lầm", "en": "misleading"},
    "review_status.true": {"vi": "đúng sự thật", "en": "true"},
    "review_status.not-a-claim": {"vi": "không phải nhận định", "en": "not a claim"},
    "review_status.all": {"vi": "mọi trạng thái", "en": "all"},

    "stance.repeats": {"vi": "lặp lại", "en": "repeats"},
    "stance.questions": {"vi": "đặt câu hỏi", "en": "questions"},
    "stance.refutes": {"vi": "bác bỏ, đính chính", "en": "refutes, corrects"},
    "sentiment.negative": {"vi": "tiêu cực", "en": "negative"},
    "sentiment.neutral": {"vi": "trung tính", "en": "neutral"},
    "sentiment.positive": {"vi": "tích cực", "en": "positive"},

    "source_kind.press": {"vi": "báo chí", "en": "press"},
    "source_kind.social": {"vi": "mạng xã hội", "en": "social"},
    "source_kind.web": {"vi": "trang web", "en": "web"},

    "rule_type.spike": {"vi": "tăng đột biến", "en": "spike"},
    "rule_type.negativity": {"vi": "tiêu cực tăng", "en": "negativity"},
    "rule_type.misinfo": {"vi": "tin sai lan truyền", "en": "misinformation"},
    "rule_type.silent_source": {"vi": "nguồn im lặng", "en": "silent source"},
    "rule_type.keyword": {"vi": "chủ đề khẩn", "en": "urgent topic"},

    "alert_status.new": {"vi": "mới", "en": "new"},
    "alert_status.update": {"vi": "cập nhật", "en": "update"},

    "run_engine.plain": {"vi": "chạy trực tiếp", "en": "plain"},
    "run_engine.prefect": {"vi": "qua Prefect", "en": "Prefect"},

    # Forecast models by the names a reader understands (flows/forecast/models.py MODELS).
    "forecast_model.seasonal_naive": {"vi": "dự báo đơn giản: lặp lại tuần trước",
                                      "en": "simple forecast: repeat last week"},
    "forecast_model.ets": {"vi": "làm trơn hàm mũ theo chu kỳ tuần (ETS)",
                           "en": "exponential smoothing with a weekly cycle (ETS)"},
    "forecast_model.poisson": {"vi": "hồi quy Poisson theo thứ trong tuần",
                               "en": "Poisson regression on the day of the week"},
    # ... and in the back-test table's narrow columns.
    "forecast_model_short.seasonal_naive": {"vi": "đơn giản (lặp lại tuần trước)", "en": "simple (repeat last week)"},
    "forecast_model_short.ets": {"vi": "ETS", "en": "ETS"},
    "forecast_model_short.poisson": {"vi": "Poisson", "en": "Poisson"},

    # The published back-test's series (flows/forecast/evaluate.py SERIES_KEYS).
    "forecast_series.reintel_all": {"vi": "ReINTEL: mọi bài đăng", "en": "ReINTEL: all posts"},
    "forecast_series.reintel_unreliable": {"vi": "ReINTEL: bài bị gắn nhãn không đáng tin",
                                           "en": "ReINTEL: posts labelled unreliable"},
}
