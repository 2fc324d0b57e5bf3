"""Every string a person reads in summaries and digests, in Vietnamese (default) and English.

One table so a translator edits one place. Dates are dd/mm/yyyy in the configured zone.
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
    "neutral": {"vi": "trung lập", "en": "neutral"},
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


def t(key: str, lang: str = "vi", **values: object) -> str:
    """The string in ``lang`` with ``values`` filled in; ``n == 1`` picks the ``_one`` form if any."""
    if values.get("n") == 1 and f"{key}_one" in STRINGS:
        key = f"{key}_one"
    entry = STRINGS[key]
    text = entry.get(lang) or entry["vi"]
    return text.format(**values) if values else text


def severity(value: str, lang: str = "vi") -> str:
    key = f"severity_{value}"
    return t(key, lang) if key in STRINGS else value


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


def fmt_pct(value: float | None, lang: str = "vi", signed: bool = False) -> str:
    if value is None:
        return "–"
    text = f"{value:+.0f}%" if signed else f"{value:.0f}%"
    return text
