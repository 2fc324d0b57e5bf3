"""Render the panel spec as a datasette-dashboards configuration over the SQLite store file.

Every chart is one read-only SELECT over the store's tables (documents, doc_tags, alerts, forecasts;
see mediawatch/store/sqlite_schema.py). Text from documents is passed through ``mw_html()`` (a SQL
function of our Datasette plugin) before it reaches a table cell, because datasette-dashboards
writes table cells with ``innerHTML``; charts are drawn by Vega as SVG text, which is never parsed
as HTML. Full-text search uses ``mw_fts_match()``/``mw_fts_exclude()``, which apply the store's own
query parser (mediawatch.store.query), so the dashboard finds what ``mediawatch search`` finds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from mediawatch.i18n import label as value_label
from mediawatch.i18n import t, words

from .panels import (DASHBOARD_DESCRIPTION, DASHBOARD_TITLE, FIELDS, FILTERS, PANELS, VALUE_LABELS, Lang,
                     Panel)

DASHBOARD_SLUG = "mediawatch"
# The review desk's accounts, sessions and audit log share the store file but are not for the
# dashboards' anonymous readers: hidden from the table list, and every column reads as NULL
# (an SQLite authorizer installed by our Datasette plugin) even to custom SQL.
PRIVATE_TABLES = ("accounts", "sessions", "audit")


@dataclass(slots=True)
class ViewOptions:
    db: str = "mediawatch"
    lang: Lang = "vi"
    tz: str = "Asia/Ho_Chi_Minh"
    province: str = "Lào Cai"
    former_names: list[str] = field(default_factory=list)
    date_start: date | None = None  # default filter values (usually the last 30 days of data)
    date_end: date | None = None
    # Topic name -> the label people read (configured and built-in topics); names without one show as they are.
    topic_labels: dict[str, str] = field(default_factory=dict)
    # Every other province, current and pre-2025, by name -> True when it is a former one: a place
    # tag naming another province is "another province", not a commune (issue 13, Lai Châu).
    other_provinces: dict[str, bool] = field(default_factory=dict)

    @property
    def offset_s(self) -> int:
        """The zone's UTC offset now, in seconds: local days in SQL are UTC shifted by it.

        Exact for zones without daylight saving such as Asia/Ho_Chi_Minh (UTC+7 all year)."""
        offset = datetime.now(ZoneInfo(self.tz)).utcoffset()
        return int(offset.total_seconds()) if offset else 0


def _q(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _case(column: str, field_name: str, lang: Lang, missing: str | None) -> str:
    """The stored value as people read it; ``missing`` for anything else (None: the value itself)."""
    group, values = VALUE_LABELS[field_name]
    whens = " ".join(f"WHEN {_q(v)} THEN {_q(value_label(group, v, lang))}" for v in values)
    return f"CASE {column} {whens} ELSE {column if missing is None else _q(missing)} END"


def _topic_label(o: ViewOptions, column: str) -> str:
    """A topic's label from its stored name (SQL), for tables and charts."""
    if not o.topic_labels:
        return column
    whens = " ".join(f"WHEN {_q(k)} THEN {_q(v)}" for k, v in sorted(o.topic_labels.items()))
    return f"CASE {column} {whens} ELSE {column} END"


def place_level(o: ViewOptions, column: str) -> str:
    """The level of a place tag: the province, a province merged into it, another province (current
    or former), or a unit (commune, ward, former district)."""
    lang = o.lang
    formers = ", ".join(_q(n) for n in o.former_names) or "''"
    others = ", ".join(_q(n) for n, old in sorted(o.other_provinces.items()) if not old) or "''"
    other_formers = ", ".join(_q(n) for n, old in sorted(o.other_provinces.items()) if old) or "''"
    return (f"CASE WHEN {column} = {_q(o.province)} THEN {_q(t('dash.level.province', lang))} "
            f"WHEN {column} IN ({formers}) THEN {_q(t('dash.level.former_province', lang))} "
            f"WHEN {column} IN ({others}) THEN {_q(t('dash.level.other_province', lang))} "
            f"WHEN {column} IN ({other_formers}) THEN {_q(t('dash.level.other_former_province', lang))} "
            f"ELSE {_q(t('dash.level.unit', lang))} END")


def doc_filters(o: ViewOptions, *, dates: bool = True, time_col: str = "d.time_ms", rowid: str = "d.rowid") -> str:
    """Optional filter blocks: datasette-dashboards drops a [[ ... ]] block whose :param is empty.

    Each block must stay on one line (the plugin matches them line by line)."""
    off = o.offset_s
    lines = []
    if dates:
        lines += [f"[[ AND {time_col} >= (strftime('%s', :date_start) - {off}) * 1000 ]]",
                  f"[[ AND {time_col} < (strftime('%s', :date_end) - {off}) * 1000 ]]"]
    lines += [
        f"[[ AND {rowid} IN (SELECT doc_rowid FROM doc_tags WHERE field = 'topic' AND value = :topic) ]]",
        f"[[ AND {rowid} IN (SELECT doc_rowid FROM doc_tags WHERE field = 'place' AND value = :place) ]]",
        "[[ AND d.source_kind = :kind ]]" if rowid == "d.rowid"
        else f"[[ AND {rowid} IN (SELECT rowid FROM documents WHERE source_kind = :kind) ]]",
        f"[[ AND (mw_fts_match(:q) IS NULL OR {rowid} IN (SELECT rowid FROM documents_fts WHERE documents_fts "
        f"MATCH mw_fts_match(:q))) AND (mw_fts_exclude(:q) IS NULL OR {rowid} NOT IN (SELECT rowid FROM "
        "documents_fts WHERE documents_fts MATCH mw_fts_exclude(:q))) ]]",
    ]
    return "\n".join(lines)


def _local_day(o: ViewOptions, ms: str) -> str:
    return f"date({ms} / 1000 + {o.offset_s}, 'unixepoch')"


def _local_time(o: ViewOptions, ms: str) -> str:
    return f"strftime('%d/%m/%Y %H:%M', {ms} / 1000 + {o.offset_s}, 'unixepoch')"


def _with_placeholder(sql: str, columns: list[str], message: str) -> str:
    """datasette-dashboards' table renderer cannot draw zero rows: show one row saying so."""
    blanks = ", ".join([_q(message)] + ["NULL"] * (len(columns) - 1))
    return f"WITH r AS ({sql})\nSELECT * FROM r UNION ALL SELECT {blanks} WHERE NOT EXISTS (SELECT 1 FROM r)"


def _svg(spec: dict[str, Any]) -> dict[str, Any]:
    # SVG rather than canvas: the numbers are text (and ARIA labels) in the page, for people using
    # screen readers and for the browser test that checks the charts drew the stored counts.
    return {"usermeta": {"embedOptions": {"renderer": "svg", "actions": False}}, **spec}


def chart(p: Panel, o: ViewOptions) -> dict[str, Any]:
    lang = o.lang
    label = {name: value(lang) for name, value in FIELDS.items()}
    base: dict[str, Any] = {"title": p.title(lang), "db": o.db}
    where = doc_filters(o)
    if p.kind == "timeseries":
        field_name = p.split_by or "sentiment"
        column = "d.sentiment" if field_name == "sentiment" else "d.source_kind"
        missing = t("dash.unlabelled", lang)
        sql = (f"SELECT {_local_day(o, 'd.time_ms')} AS day, {_case(column, field_name, lang, missing)} AS series, "
               f"count(*) AS n\nFROM documents d WHERE 1 = 1\n{where}\nGROUP BY 1, 2 ORDER BY 1, 2")
        mark = {"type": "bar", "tooltip": True} if field_name == "sentiment" else {"type": "line", "point": True,
                                                                                    "tooltip": True}
        display = _svg({"mark": mark, "encoding": {
            "x": {"field": "day", "type": "temporal", "timeUnit": "yearmonthdate", "title": label["day"],
                  "axis": {"format": "%d/%m"}},
            "y": {"field": "n", "type": "quantitative", "aggregate": "sum", "title": label["count"]},
            "color": {"field": "series", "type": "nominal", "title": label[field_name],
                      **(_sentiment_colours(lang, missing) if field_name == "sentiment" else {})}}})
        return {**base, "query": sql, "library": "vega-lite", "display": display}
    if p.kind == "bar":
        if p.group_by == "source_id":
            # Count by id over the covering index, then look up each of the few names.
            sql = (f"SELECT (SELECT COALESCE(NULLIF(x.source_name, ''), x.source_id) FROM documents x "
                   f"WHERE x.source_id = g.source_id LIMIT 1) AS label, g.n AS n, '' AS level FROM "
                   f"(SELECT d.source_id, count(*) AS n FROM documents d WHERE 1 = 1\n{where}\n"
                   f"GROUP BY d.source_id ORDER BY n DESC, d.source_id LIMIT {p.size}) g ORDER BY n DESC, label")
        else:
            sql = (f"SELECT t.value AS label, count(*) AS n, {place_level(o, 't.value')} AS level\n"
                   f"FROM doc_tags t WHERE t.field = 'place'\n"
                   f"{doc_filters(o, time_col='t.time_ms', rowid='t.doc_rowid')}\n"
                   f"GROUP BY t.value ORDER BY n DESC, label LIMIT {p.size}")
        encoding = {"y": {"field": "label", "type": "nominal", "sort": "-x", "title": label[p.group_by]},
                    "x": {"field": "n", "type": "quantitative", "title": label["count"]}}
        layers = [{"mark": {"type": "bar", "tooltip": True},
                   "encoding": {**encoding, **({"color": {"field": "level", "type": "nominal",
                                                          "title": label["place_level"]}}
                                               if p.group_by == "places" else {})}},
                  {"mark": {"type": "text", "align": "left", "dx": 3},
                   "encoding": {**encoding, "text": {"field": "n", "type": "quantitative"}}}]
        return {**base, "query": sql, "library": "vega-lite", "display": _svg({"layer": layers})}
    if p.kind == "metric":
        sql = f"SELECT count(*) AS n FROM documents d WHERE 1 = 1\n{where}"
        return {**base, "query": sql, "library": "metric",
                "display": {"field": "n", "suffix": t("dash.items_suffix", lang)}}
    if p.kind == "change":
        return {**base, "query": _change_sql(p, o), "library": "table"}
    if p.kind == "forecast":
        return {**base, "query": _forecast_sql(o), "library": "vega-lite", "display": _forecast_display(o)}
    return {**base, "query": _table_sql(p, o), "library": "table"}


def _change_sql(p: Panel, o: ViewOptions) -> str:
    off = o.offset_s
    label = {name: value(o.lang) for name, value in FIELDS.items()}
    # The period is the filter's (or the last 30 days); the previous period has the same length.
    bounds = (f"SELECT (strftime('%s', COALESCE(NULLIF(:date_start, ''), date('now', '-30 days'))) - {off}) * 1000 AS s, "
              f"(strftime('%s', COALESCE(NULLIF(:date_end, ''), date('now', '+1 day'))) - {off}) * 1000 AS e")
    # Tag rows carry the document time: the counts read the doc_tags index only.
    counts = ("SELECT t.value AS topic, count(*) AS n FROM doc_tags t, b "
              "WHERE t.field = 'topic' AND t.time_ms >= {lo} AND t.time_ms < {hi}\n"
              + doc_filters(o, dates=False, rowid="t.doc_rowid") + "\nGROUP BY t.value")
    sql = (f"WITH b AS ({bounds}),\ncur AS ({counts.format(lo='b.s', hi='b.e')}),\n"
           f"prev AS ({counts.format(lo='b.s - (b.e - b.s)', hi='b.s')})\n"
           f"SELECT mw_html({_topic_label(o, 'cur.topic')}) AS \"{label['topics']}\", cur.n AS \"{label['count']}\", "
           f"COALESCE(prev.n, 0) AS \"{label['previous']}\", "
           f"CASE WHEN prev.n > 0 THEN printf('%+.0f%%', 100.0 * (cur.n - prev.n) / prev.n) "
           f"ELSE {_q(t('dash.new', o.lang))} END "
           f"AS \"{label['change']}\"\nFROM cur LEFT JOIN prev ON prev.topic = cur.topic "
           f"ORDER BY cur.n DESC, cur.topic LIMIT {p.size}")
    return _with_placeholder(sql, [label["topics"], label["count"], label["previous"], label["change"]],
                             t("dash.no_data", o.lang))


def _table_sql(p: Panel, o: ViewOptions) -> str:
    label = {name: value(o.lang) for name, value in FIELDS.items()}
    cols = [c.label(o.lang) for c in p.columns]
    where = doc_filters(o)
    none = t("dash.no_data", o.lang)
    if p.records == "alerts":
        off = o.offset_s
        sql = (f"SELECT strftime('%d/%m/%Y %H:%M', strftime('%s', a.fired_at) + {off}, 'unixepoch') AS \"{cols[0]}\", "
               f"mw_html({_case('a.severity', 'severity', o.lang, None)}) AS \"{cols[1]}\", mw_html(a.rule) AS \"{cols[2]}\", mw_html(a.title) AS \"{cols[3]}\"\n"
               f"FROM alerts a WHERE 1 = 1\n"
               # strftime() returns text, and text never compares below a number in SQLite: cast.
               f"[[ AND CAST(strftime('%s', a.fired_at) AS INTEGER) >= strftime('%s', :date_start) - {off} ]]\n"
               f"[[ AND CAST(strftime('%s', a.fired_at) AS INTEGER) < strftime('%s', :date_end) - {off} ]]\n"
               f"ORDER BY a.fired_at DESC LIMIT {p.size}")
        return _with_placeholder(sql, cols, t("dash.no_alerts", o.lang))
    if p.records == "flagged":
        status = _case("d.misinfo_status", "misinfo_status", o.lang, "")
        sql = (f"SELECT {_local_time(o, 'd.time_ms')} AS \"{cols[0]}\", mw_html(d.title) AS \"{cols[1]}\", "
               f"mw_html(d.misinfo_claim) AS \"{cols[2]}\", mw_link(d.misinfo_evidence_url) AS \"{cols[3]}\", "
               f"round(d.misinfo_score, 2) AS \"{cols[4]}\", {status} AS \"{cols[5]}\"\n"
               # "+d.time_ms": keep the planner on the small flagged-only index, not the time index.
               f"FROM documents d WHERE d.misinfo_flagged = 1\n{doc_filters(o, time_col='+d.time_ms')}\n"
               f"ORDER BY d.misinfo_status = 'pending' DESC, d.time_ms DESC LIMIT {p.size}")
        return _with_placeholder(sql, cols, t("dash.nothing_to_review", o.lang))
    # Stories: the most engaging title of each story, how many items and sources, the latest time.
    sql = (f"SELECT mw_html((SELECT x.title FROM documents x WHERE x.story_id = d.story_id "
           f"ORDER BY x.engagement_total DESC, x.time_ms LIMIT 1)) AS \"{cols[0]}\", count(*) AS \"{cols[1]}\", "
           f"count(DISTINCT d.source_id) AS \"{cols[2]}\", {_local_time(o, 'max(d.time_ms)')} AS \"{cols[3]}\"\n"
           f"FROM documents d WHERE d.story_id IS NOT NULL\n{where}\n"
           f"GROUP BY d.story_id ORDER BY count(*) DESC, max(d.time_ms) DESC LIMIT {p.size}")
    del label
    return _with_placeholder(sql, cols, none)


def _forecast_sql(o: ViewOptions) -> str:
    """The all-topics forecast (the `forecasts` row written by flows/forecast/series.py); no rows when none yet."""
    actual, forecast = t("dash.actual", o.lang), t("dash.predicted", o.lang)
    none = t("dash.no_forecast", o.lang)
    return ("SELECT json_extract(h.value, '$.date') AS day, json_extract(h.value, '$.count') AS volume, "
            f"NULL AS lower, NULL AS upper, {_q(actual)} AS series\n"
            "FROM forecasts s, json_each(s.body, '$.history') h WHERE s.topic = '*' AND s.place = '*'\n"
            "UNION ALL\n"
            "SELECT json_extract(f.value, '$.date'), round(json_extract(f.value, '$.volume'), 1), "
            "round(json_extract(f.value, '$.volume_lower'), 1), round(json_extract(f.value, '$.volume_upper'), 1), "
            f"{_q(forecast)}\n"
            "FROM forecasts s, json_each(s.body, '$.forecast') f WHERE s.topic = '*' AND s.place = '*'\n"
            # No forecast yet: one empty row whose series name tells the reader why (shown in the legend).
            f"UNION ALL SELECT NULL, NULL, NULL, NULL, {_q(none)} WHERE NOT EXISTS (SELECT 1 FROM forecasts "
            "WHERE topic = '*' AND place = '*')\n"
            "ORDER BY 1")


def _forecast_display(o: ViewOptions) -> dict[str, Any]:
    label = {name: value(o.lang) for name, value in FIELDS.items()}
    x = {"field": "day", "type": "temporal", "title": label["date"], "axis": {"format": "%d/%m"}}
    return _svg({"layer": [
        {"mark": {"type": "area", "opacity": 0.25},
         "encoding": {"x": x, "y": {"field": "lower", "type": "quantitative", "title": label["count"]},
                      "y2": {"field": "upper"}}},
        {"mark": {"type": "line", "point": True, "tooltip": True},
         "encoding": {"x": x, "y": {"field": "volume", "type": "quantitative", "title": label["count"]},
                      "color": {"field": "series", "type": "nominal", "title": ""},
                      "strokeDash": {"field": "series", "type": "nominal"}}}]})


def dashboard_config(o: ViewOptions, panels: tuple[Panel, ...] = PANELS) -> dict[str, Any]:
    lang = o.lang
    charts = {p.id: chart(p, o) for p in panels}
    filters: dict[str, Any] = {
        "date_start": {"name": FILTERS["date_start"](lang), "type": "date"},
        "date_end": {"name": FILTERS["date_end"](lang), "type": "date"},
        # "labels": what our page template (datasette_templates/) shows for each stored value.
        "topic": {"name": FILTERS["topic"](lang), "type": "select", "db": o.db, "labels": dict(o.topic_labels),
                  "query": "SELECT DISTINCT value FROM doc_tags WHERE field = 'topic' ORDER BY value"},
        "place": {"name": FILTERS["place"](lang), "type": "select", "db": o.db,
                  "query": "SELECT DISTINCT value FROM doc_tags WHERE field = 'place' ORDER BY value"},
        "kind": {"name": FILTERS["kind"](lang), "type": "select", "options": ["press", "social", "web"],
                 "labels": {k: value_label("source_kind", k, lang) for k in ("press", "social", "web")}},
        "q": {"name": FILTERS["q"](lang), "type": "text"},
    }
    if o.date_start:
        filters["date_start"]["default"] = o.date_start.isoformat()
    if o.date_end:
        filters["date_end"]["default"] = o.date_end.isoformat()
    layout, row = [], []
    for p in panels:
        cells = [p.id, p.id] if p.width > 24 else [p.id]
        if len(row) + len(cells) > 2:
            layout.append(row + [row[-1]] * (2 - len(row)))
            row = []
        row += cells
    if row:
        layout.append(row + [row[-1]] * (2 - len(row)))
    return {"title": DASHBOARD_TITLE(lang).format(province=o.province), "description": DASHBOARD_DESCRIPTION(lang),
            "layout": layout, "filters": filters, "charts": charts, "lang": lang,
            "words": words("dash.page", lang)}


def metadata(o: ViewOptions, panels: tuple[Panel, ...] = PANELS) -> dict[str, Any]:
    """Datasette metadata: the dashboard, read-only SQL settings and Vietnamese table descriptions."""
    title = DASHBOARD_TITLE(o.lang).format(province=o.province)
    return {
        "title": title,
        "description": DASHBOARD_DESCRIPTION(o.lang),
        "databases": {o.db: {"tables": {
            "documents": {"label_column": "title", "sort_desc": "time_ms",
                          "description": t("dash.documents", o.lang)},
            **{name: {"hidden": True} for name in PRIVATE_TABLES},
        }}},
        "plugins": {"datasette-dashboards": {DASHBOARD_SLUG: dashboard_config(o, panels)}},
    }


def _sentiment_colours(lang: str, missing: str) -> dict[str, Any]:
    """Negative red, neutral grey, positive green, as in the digest: the same reading everywhere."""
    names = [value_label("sentiment", key, lang) for key in ("negative", "neutral", "positive")]
    return {"scale": {"domain": [*names, missing], "range": ["#c0392b", "#95a5a6", "#27ae60", "#d5d8dc"]}}


def default_range(last_ms: int | None, tz: str, days: int = 30) -> tuple[date, date]:
    """The 30 local days up to the newest document (today when the store is empty)."""
    zone = ZoneInfo(tz)
    last = datetime.fromtimestamp(last_ms / 1000, tz=zone).date() if last_ms else datetime.now(zone).date()
    end = last + timedelta(days=1)
    return end - timedelta(days=days), end
