"""The one description of the dashboard panels, rendered to Kibana saved objects (kibana.py) and to
the embedded Datasette dashboards (datasette_config.py).

A panel says *what* is shown in store terms - which records, grouped by which field, which
measure - and both renderers translate the same words: ``group_by="places"`` is a terms
aggregation on ``places`` in Kibana and a GROUP BY over ``doc_tags`` in SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Lang = Literal["vi", "en"]


@dataclass(frozen=True, slots=True)
class Label:
    vi: str
    en: str

    def __call__(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: a store field (see FIELDS) and its header."""

    field: str
    label: Label


@dataclass(frozen=True, slots=True)
class Panel:
    id: str
    title: Label
    # metric: one number; timeseries: counts per day; bar: top values; table: rows; change: top values with the count
    # of the previous period of the same length; forecast: the stored 7-day forecast.
    kind: Literal["metric", "timeseries", "bar", "table", "change", "forecast"]
    records: Literal["documents", "flagged", "alerts", "forecast"] = "documents"
    group_by: str | None = None  # a field of FIELDS (bar, change) or "story_id" (stories table)
    split_by: str | None = None  # timeseries series (sentiment, source_kind)
    size: int = 10
    columns: tuple[Column, ...] = ()
    width: int = 24  # on Kibana's 48-column grid; Datasette lays out two panels a row
    height: int = 15
    description: Label = field(default_factory=lambda: Label("", ""))


# Store fields the panels may use, with their Vietnamese/English names.
FIELDS: dict[str, Label] = {
    "when": Label("Thời gian", "Time"),
    "day": Label("Ngày", "Day"),
    "count": Label("Số tin", "Items"),
    "sentiment": Label("Sắc thái", "Sentiment"),
    "source_kind": Label("Loại nguồn", "Source kind"),
    "source_id": Label("Nguồn", "Source"),
    "topics": Label("Chủ đề", "Topic"),
    "places": Label("Địa bàn", "Place"),
    "place_level": Label("Cấp", "Level"),
    "story_id": Label("Sự kiện", "Story"),
    "title": Label("Tiêu đề", "Title"),
    "url": Label("Liên kết", "Link"),
    "sources": Label("Số nguồn", "Sources"),
    "previous": Label("Kỳ trước", "Previous period"),
    "change": Label("Thay đổi (%)", "Change (%)"),
    "claim": Label("Nhận định cần kiểm chứng", "Claim"),
    "evidence_url": Label("Bằng chứng", "Evidence"),
    "misinfo_score": Label("Điểm", "Score"),
    "misinfo_status": Label("Trạng thái", "Status"),
    "fired_at": Label("Thời điểm", "Fired at"),
    "severity": Label("Mức độ", "Severity"),
    "rule": Label("Quy tắc", "Rule"),
    "alert_title": Label("Cảnh báo", "Alert"),
    "date": Label("Ngày", "Date"),
    "volume": Label("Dự báo số tin", "Forecast volume"),
    "volume_lower": Label("Cận dưới", "Lower bound"),
    "volume_upper": Label("Cận trên", "Upper bound"),
}

# Values shown to people (facet values stay as stored for filters).
VALUE_LABELS: dict[str, dict[str, Label]] = {
    "sentiment": {"negative": Label("tiêu cực", "negative"), "neutral": Label("trung tính", "neutral"),
                  "positive": Label("tích cực", "positive")},
    "source_kind": {"press": Label("báo chí", "press"), "social": Label("mạng xã hội", "social"),
                    "web": Label("trang web", "web")},
    "misinfo_status": {"pending": Label("chờ xem xét", "pending"), "false": Label("sai sự thật", "false"),
                       "misleading": Label("gây hiểu lầm", "misleading"), "true": Label("đúng", "true"),
                       "not-a-claim": Label("không phải nhận định", "not a claim")},
}

# The dashboard's filters: time range, topic, place, source kind (and a full-text search).
FILTERS: dict[str, Label] = {
    "date_start": Label("Từ ngày", "From"),
    "date_end": Label("Đến ngày (không gồm)", "To (exclusive)"),
    "topic": Label("Chủ đề", "Topic"),
    "place": Label("Địa bàn", "Place"),
    "kind": Label("Loại nguồn", "Source kind"),
    "q": Label("Tìm kiếm (không dấu cũng được)", "Search (diacritics optional)"),
}

DASHBOARD_TITLE = Label("Theo dõi thông tin - tỉnh {province}", "Media monitor - {province}")
DASHBOARD_DESCRIPTION = Label(
    "Khối lượng tin theo thời gian và sắc thái, báo chí và mạng xã hội, nguồn, chủ đề, địa bàn, sự kiện, "
    "hàng đợi kiểm chứng tin sai, cảnh báo và dự báo 7 ngày.",
    "Volume over time by sentiment, press versus social, sources, topics, places, stories, the "
    "misinformation review queue, alerts and the 7-day forecast.")

PANELS: tuple[Panel, ...] = (
    Panel("total", Label("Tổng số tin trong kỳ", "Items in the period"), "metric", width=48, height=6),
    Panel("volume_sentiment", Label("Số tin theo ngày và sắc thái", "Volume per day by sentiment"),
          "timeseries", split_by="sentiment", width=24),
    Panel("press_social", Label("Báo chí và mạng xã hội", "Press versus social"),
          "timeseries", split_by="source_kind", width=24),
    Panel("top_sources", Label("Nguồn đăng nhiều nhất", "Top sources"), "bar", group_by="source_id"),
    Panel("topics_change", Label("Chủ đề và thay đổi so với kỳ trước", "Topics and change on the previous period"),
          "change", group_by="topics", size=15),
    Panel("places", Label("Địa bàn (tỉnh và đơn vị cũ)", "Places (province and former units)"), "bar",
          group_by="places", size=15),
    Panel("top_stories", Label("Sự kiện nổi bật", "Top stories"), "table", group_by="story_id",
          columns=(Column("title", FIELDS["title"]), Column("count", FIELDS["count"]),
                   Column("sources", FIELDS["sources"]), Column("when", FIELDS["when"]))),
    Panel("misinfo_queue", Label("Hàng đợi kiểm chứng tin sai", "Misinformation review queue"), "table",
          records="flagged", size=50, width=48,
          columns=(Column("when", FIELDS["when"]), Column("title", FIELDS["title"]),
                   Column("claim", FIELDS["claim"]), Column("evidence_url", FIELDS["evidence_url"]),
                   Column("misinfo_score", FIELDS["misinfo_score"]),
                   Column("misinfo_status", FIELDS["misinfo_status"]))),
    Panel("alerts", Label("Cảnh báo đã phát", "Alerts fired"), "table", records="alerts", size=50,
          columns=(Column("fired_at", FIELDS["fired_at"]), Column("severity", FIELDS["severity"]),
                   Column("rule", FIELDS["rule"]), Column("alert_title", FIELDS["alert_title"]))),
    Panel("forecast", Label("Dự báo số tin 7 ngày tới", "7-day volume forecast"), "forecast",
          records="forecast"),
)


def panel(panel_id: str) -> Panel:
    return next(p for p in PANELS if p.id == panel_id)
