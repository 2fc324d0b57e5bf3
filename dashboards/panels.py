"""The one description of the dashboard panels, rendered to Kibana saved objects (kibana.py) and to
the embedded Datasette dashboards (datasette_config.py).

A panel says *what* is shown in store terms - which records, grouped by which field, which
measure - and both renderers translate the same words: ``group_by="places"`` is a terms
aggregation on ``places`` in Kibana and a GROUP BY over ``doc_tags`` in SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mediawatch.i18n import t

Lang = Literal["vi", "en"]


@dataclass(frozen=True, slots=True)
class Label:
    """Words people read, by their key in the i18n catalogue (mediawatch/i18n/dashboards.py)."""

    key: str

    def __call__(self, lang: Lang) -> str:
        return t(self.key, lang) if self.key else ""


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
    description: Label = field(default_factory=lambda: Label(""))


# Store fields the panels may use; their names are in the catalogue as dash.field.<name>.
FIELDS: dict[str, Label] = {name: Label(f"dash.field.{name}") for name in (
    "when", "day", "count", "sentiment", "source_kind", "source_id", "topics", "places", "place_level", "story_id",
    "title", "url", "sources", "previous", "change", "claim", "evidence_url", "misinfo_score", "misinfo_status",
    "fired_at", "severity", "rule", "alert_title", "date", "volume", "volume_lower", "volume_upper")}

# Values shown to people (facet values stay as stored for filters): field -> (label group, values).
VALUE_LABELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sentiment": ("sentiment", ("negative", "neutral", "positive")),
    "source_kind": ("source_kind", ("press", "social", "web")),
    "misinfo_status": ("review_status", ("pending", "false", "misleading", "true", "not-a-claim")),
    "severity": ("severity", ("high", "medium", "low")),
}

# The dashboard's filters: time range, topic, place, source kind (and a full-text search).
FILTERS: dict[str, Label] = {name: Label(f"dash.filter.{name}")
                             for name in ("date_start", "date_end", "topic", "place", "kind", "q")}

DASHBOARD_TITLE = Label("dash.title")
DASHBOARD_DESCRIPTION = Label("dash.description")

PANELS: tuple[Panel, ...] = (
    Panel("total", Label("dash.panel.total"), "metric", width=48, height=6),
    Panel("volume_sentiment", Label("dash.panel.volume_sentiment"),
          "timeseries", split_by="sentiment", width=24),
    Panel("press_social", Label("dash.panel.press_social"),
          "timeseries", split_by="source_kind", width=24),
    Panel("top_sources", Label("dash.panel.top_sources"), "bar", group_by="source_id"),
    Panel("topics_change", Label("dash.panel.topics_change"),
          "change", group_by="topics", size=15),
    Panel("places", Label("dash.panel.places"), "bar",
          group_by="places", size=15),
    Panel("top_stories", Label("dash.panel.top_stories"), "table", group_by="story_id",
          columns=(Column("title", FIELDS["title"]), Column("count", FIELDS["count"]),
                   Column("sources", FIELDS["sources"]), Column("when", FIELDS["when"]))),
    Panel("misinfo_queue", Label("dash.panel.misinfo_queue"), "table",
          records="flagged", size=50, width=48,
          columns=(Column("when", FIELDS["when"]), Column("title", FIELDS["title"]),
                   Column("claim", FIELDS["claim"]), Column("evidence_url", FIELDS["evidence_url"]),
                   Column("misinfo_score", FIELDS["misinfo_score"]),
                   Column("misinfo_status", FIELDS["misinfo_status"]))),
    Panel("alerts", Label("dash.panel.alerts"), "table", records="alerts", size=50,
          columns=(Column("fired_at", FIELDS["fired_at"]), Column("severity", FIELDS["severity"]),
                   Column("rule", FIELDS["rule"]), Column("alert_title", FIELDS["alert_title"]))),
    Panel("forecast", Label("dash.panel.forecast"), "forecast",
          records="forecast"),
)


def panel(panel_id: str) -> Panel:
    return next(p for p in PANELS if p.id == panel_id)
