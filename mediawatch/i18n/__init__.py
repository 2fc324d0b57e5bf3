"""Every string a person reads, in Vietnamese (default) and English: one home, one mechanism.

``t(key, lang, **values)`` looks a key up in the catalogues: :data:`STRINGS` below (summaries and
the digest) and one module per area beside it (``cli``, ``alerts``, ``dashboards``, ``desk``,
``demo``, ``labels``, ``triage``), merged into :data:`WORDS` at import; a key defined twice is an
error. Each entry is ``{"vi": ..., "en": ...}`` with ``str.format`` fields; ``n == 1`` picks a
``_one`` form. Values
people see (severities, review statuses, sentiments, source kinds, forecast models) go through
:func:`label`, dates through :func:`fmt_date` (dd/mm/yyyy in the configured zone), numbers
through :func:`fmt_num` (decimal comma in Vietnamese).

New strings: add an entry to the area's catalogue, Vietnamese first.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LANGS = ("vi", "en")

STRINGS: dict[str, dict[str, str]] = {
    "digest_subject": {"vi": "Bản tin dư luận {province} ngày {day}",
                       "en": "{province} public-opinion digest for {day}"},
    "summary_title": {"vi": "Tổng hợp dư luận {period}", "en": "Public-opinion summary {period}"},
    "period_range": {"vi": "từ {start} đến {end}", "en": "from {start} to {end}"},
    "filters": {"vi": "Lọc theo", "en": "Filtered by"},
    "topic": {"vi": "chủ đề", "en": "topic"},
    "place": {"vi": "địa bàn", "en": "place"},
    "overview": {"vi": "Tổng quan", "en": "Overview"},
    "volume": {"vi": "Số tin bài, bài đăng", "en": "Articles and posts"},
    "previous": {"vi": "kỳ trước", "en": "previous period"},
    "change": {"vi": "thay đổi", "en": "change"},
    "press": {"vi": "báo chí", "en": "press"},
    "social": {"vi": "mạng xã hội", "en": "social media"},
    "web": {"vi": "trang web", "en": "web"},
    "sentiment_mix": {"vi": "Sắc thái", "en": "Sentiment"},
    "negative": {"vi": "tiêu cực", "en": "negative"},
    "neutral": {"vi": "trung tính", "en": "neutral"},
    "positive": {"vi": "tích cực", "en": "positive"},
    "points": {"vi": "điểm %", "en": "pts"},
    "top_stories": {"vi": "Sự việc nổi bật", "en": "Top stories"},
    "sources_n": {"vi": "{n} nguồn", "en": "{n} sources"},
    "sources_n_one": {"vi": "{n} nguồn", "en": "{n} source"},
    "items_n": {"vi": "{n} tin/bài", "en": "{n} items"},
    "items_n_one": {"vi": "{n} tin/bài", "en": "{n} item"},
    "press_social": {"vi": "{press} báo chí, {social} mạng xã hội",
                     "en": "{press} press, {social} social"},
    "people_say": {"vi": "Người dân đang nói gì", "en": "What people are saying"},
    "people_say_note": {"vi": "Cụm từ nổi bật so với kỳ trước; trích dẫn không kèm tên tác giả.",
                        "en": "Phrases that stand out against the previous period; quotes without authors."},
    "mentions_n": {"vi": "{n} lần", "en": "{n} mentions"},
    "mentions_n_one": {"vi": "{n} lần", "en": "{n} mention"},
    "topics_trend": {"vi": "Chủ đề mới hoặc đang tăng", "en": "New or rising topics"},
    "new": {"vi": "mới", "en": "new"},
    "rising": {"vi": "tăng", "en": "rising"},
    "misinfo_queue": {"vi": "Thông tin sai lệch cần xử lý", "en": "Misinformation queue"},
    "new_flags": {"vi": "Nghi vấn mới chờ thẩm định", "en": "New flags awaiting review"},
    "confirmed_false": {"vi": "Đã xác định sai sự thật", "en": "Confirmed false claims"},
    "claim": {"vi": "Nội dung", "en": "Claim"},
    "score": {"vi": "điểm", "en": "score"},
    "evidence": {"vi": "nguồn đối chứng", "en": "evidence"},
    "correction_spreading": {"vi": "Thông tin đính chính đang lan tỏa ({c} tin đính chính, {r} tin sai)",
                             "en": "The correction is spreading ({c} corrections, {r} false posts)"},
    "correction_lagging": {"vi": "Thông tin đính chính chưa lan tỏa ({c} tin đính chính, {r} tin sai)",
                           "en": "The correction is not spreading yet ({c} corrections, {r} false posts)"},
    "corrections_spreading": {"vi": "Đính chính đang lan tỏa", "en": "Corrections spreading"},
    "corrections_n": {"vi": "{c} tin đính chính, {r} tin lặp lại nhận định",
                      "en": "{c} corrections, {r} posts repeating the claim"},
    "alerts": {"vi": "Cảnh báo đã phát", "en": "Alerts fired"},
    "none": {"vi": "Không có.", "en": "None."},
    "charts": {"vi": "Diễn biến 14 ngày", "en": "The last 14 days"},
    "chart_volume": {"vi": "Số tin bài mỗi ngày", "en": "Items per day"},
    "chart_sentiment": {"vi": "Tỷ lệ tiêu cực", "en": "Negative share"},
    "forecast": {"vi": "Dự báo 7 ngày tới", "en": "Forecast for the next 7 days"},
    "forecast_all": {"vi": "Tất cả: trung bình {mean} tin/ngày (khoảng {low}–{high}), tỷ lệ tiêu cực khoảng {share}%.",
                     "en": "All: {mean} items/day on average (range {low}–{high}), negative share about {share}%."},
    "forecast_note": {"vi": "Mô hình {model}; khoảng dự báo {level}%.",
                      "en": "Model {model}; {level}% prediction interval."},
    "forecast_rising": {"vi": "Dự báo vượt mức thông thường: cần theo dõi {series}.",
                        "en": "The forecast leaves its usual range: watch {series}."},
    "forecast_none": {"vi": "Chưa có dự báo (chạy: mediawatch forecast).",
                      "en": "No forecast yet (run: mediawatch forecast)."},
    # Why a series uses the forecast model it does (model names: forecast_model.* in labels.py).
    "choice_backtest": {"vi": "Mô hình: {model}; khi kiểm tra lại trên {origins} mốc, sai số MASE {mase} so với "
                              "{base} của dự báo đơn giản.",
                        "en": "Model: {model}; tested on {origins} past cut-offs, its error (MASE) is {mase} against "
                              "{base} for the simple forecast."},
    "choice_baseline": {"vi": "Dùng dự báo đơn giản: lặp lại tuần trước. Khi kiểm tra lại trên {origins} mốc, chưa mô "
                              "hình nào tốt hơn (MASE {base}; tốt nhất trong các mô hình khác {best}).",
                        "en": "Using the simple forecast: repeat last week. Tested on {origins} past cut-offs, no model "
                              "did better (MASE {base}; best other model {best})."},
    "choice_short": {"vi": "Dùng dự báo đơn giản: lặp lại tuần trước. Mới có {days} ngày dữ liệu, cần {need} ngày "
                           "để kiểm tra lại và chọn mô hình.",
                     "en": "Using the simple forecast: repeat last week. Only {days} days of data so far; "
                           "{need} are needed to test and choose a model."},
    "interval_calibrated": {"vi": "Khoảng dự báo {level}%: khi kiểm tra lại chứa đúng {coverage}% số ngày.",
                            "en": "{level}% interval: it held {coverage}% of the days when tested."},
    "interval_uncalibrated": {"vi": "Khoảng dự báo {level}% chưa được kiểm định (chưa đủ dữ liệu).",
                              "en": "The {level}% interval is not yet checked (too little data)."},
    "forecast_today": {"vi": "Hôm nay {day}: đến {time} đã có {so_far} tin; dự kiến cả ngày khoảng {mean} tin "
                             "(từ {low} đến {high}).",
                       "en": "Today {day}: {so_far} items by {time}; about {mean} expected for the whole day "
                             "({low} to {high})."},
    "forecast_days": {"vi": "Từ {start} đến {end}: trung bình {mean} tin/ngày (từ {low} đến {high}), tỷ lệ tiêu "
                            "cực khoảng {share}%.",
                      "en": "From {start} to {end}: {mean} items/day on average ({low} to {high}), negative "
                            "share about {share}%."},
    "forecast_topic": {"vi": "{topic} ({status}: {count}, kỳ trước {previous}): hôm nay dự kiến khoảng {mean} tin "
                             "(từ {low} đến {high}).",
                       "en": "{topic} ({status}: {count}, previous period {previous}): about {mean} items expected "
                             "today ({low} to {high})."},
    "forecast_cleaned": {"vi": "Ngày đột biến không lặp lại trong dự báo: {days}.",
                         "en": "One-off days not repeated in the forecast: {days}."},
    "forecast_stale": {"vi": "Dự báo đã cũ (lập ngày {day}); chạy: mediawatch forecast.",
                       "en": "The forecast is out of date (made on {day}); run: mediawatch forecast."},
    "falling": {"vi": "giảm", "en": "falling"},
    "steady": {"vi": "ổn định", "en": "steady"},
    "topics_falling": {"vi": "Đang giảm", "en": "Falling"},
    "trend_rule": {"vi": "Cách tính: “tăng” khi có ít nhất {min} tin và (số tin + 1) gấp ít nhất {factor} lần "
                         "(số tin kỳ trước + 1); “mới” khi kỳ trước không có tin nào và nay có từ {new} tin.",
                   "en": "How it is counted: “rising” when there are at least {min} items and (items + 1) is at "
                         "least {factor} times (previous items + 1); “new” when there were none before and "
                         "{new} or more now."},
    "all": {"vi": "tất cả", "en": "all"},
    "history": {"vi": "thực tế", "en": "actual"},
    "predicted": {"vi": "dự báo", "en": "forecast"},
    "footer": {"vi": "Bản tin tự động của mediawatch. Số liệu tổng hợp theo chủ đề, địa bàn và nguồn; "
                     "không theo dõi cá nhân.",
               "en": "Automatic digest from mediawatch. Figures are aggregated by topic, place and source; "
                     "no individual is tracked."},
    "day": {"vi": "ngày {day}", "en": "{day}"},
    "week": {"vi": "tuần {start} - {end}", "en": "week {start} - {end}"},
    "severity_high": {"vi": "cao", "en": "high"},
    "severity_medium": {"vi": "trung bình", "en": "medium"},
    "severity_low": {"vi": "thấp", "en": "low"},
    "open": {"vi": "Xem", "en": "Open"},
}


def _merge(*catalogues: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    words: dict[str, dict[str, str]] = {}
    for catalogue in catalogues:
        twice = sorted(set(words) & set(catalogue))
        if twice:
            raise KeyError(f"i18n keys defined twice: {', '.join(twice)}")
        words.update(catalogue)
    return words


from .alerts import ALERTS  # noqa: E402  (the catalogues, after STRINGS)
from .cli import CLI  # noqa: E402
from .dashboards import DASHBOARDS  # noqa: E402
from .desk import DESK  # noqa: E402
from .demo import DEMO  # noqa: E402
from .labels import LABELS  # noqa: E402
from .triage import TRIAGE  # noqa: E402

WORDS = _merge(STRINGS, ALERTS, CLI, DASHBOARDS, DESK, DEMO, LABELS, TRIAGE)


def t(key: str, lang: str = "vi", **values: object) -> str:
    """The string in ``lang`` with ``values`` filled in; ``n == 1`` picks the ``_one`` form if any."""
    if values.get("n") == 1 and f"{key}_one" in WORDS:
        key = f"{key}_one"
    entry = WORDS[key]
    text = entry.get(lang) or entry["vi"]
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in WORDS


def words(prefix: str, lang: str = "vi") -> dict[str, str]:
    """The texts of one area in ``lang``, by the rest of their key: ``words("cli.sources")["none"]``.
    For modules that print many lines; the texts still live in the catalogues."""
    start = prefix + "."
    return {key[len(start):]: entry.get(lang) or entry["vi"] for key, entry in WORDS.items() if key.startswith(start)}


def label(group: str, value: str | None, lang: str = "vi") -> str:
    """What people read for a stored value: ``label("severity", "high")`` is "cao"; unknown values
    are shown as they are."""
    if value is None:
        return "–"
    key = f"{group}.{value}"
    return t(key, lang) if key in WORDS else str(value)


def severity(value: str, lang: str = "vi") -> str:
    return label("severity", value, lang)


def model_name(model: str, lang: str = "vi") -> str:
    """A forecast model as people read it."""
    return label("forecast_model", model, lang)


def check_lang(lang: str | None) -> str:
    lang = (lang or "vi").lower()
    if lang not in LANGS:
        raise ValueError(f"language {lang!r} is not supported: use vi or en")
    return lang


def fmt_date(value: date | datetime, tz: str = "Asia/Ho_Chi_Minh") -> str:
    """dd/mm/yyyy; datetimes are converted to the local zone first."""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(tz)).date()
    return value.strftime("%d/%m/%Y")


def fmt_datetime(value: datetime, tz: str = "Asia/Ho_Chi_Minh") -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%H:%M %d/%m/%Y")


def fmt_date_time(value: datetime | None, tz: str = "Asia/Ho_Chi_Minh") -> str:
    """dd/mm/yyyy HH:MM in the local zone, for tables; "-" when there is no time."""
    return value.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M") if value else "-"


def fmt_day(value: date | str) -> str:
    """An ISO day (as stored in forecasts) as dd/mm/yyyy."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


def fmt_num(value: float, lang: str = "vi", digits: int = 2, *, trim: bool = False) -> str:
    """A number with ``digits`` decimals: "0,80" in Vietnamese, "0.80" in English; ``trim`` drops
    trailing zeros ("1,5", "2")."""
    text = f"{value:.{digits}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "vi" else text


def fmt_pct(value: float | None, lang: str = "vi", signed: bool = False) -> str:
    if value is None:
        return "–"
    text = f"{value:+.0f}%" if signed else f"{value:.0f}%"
    return text
