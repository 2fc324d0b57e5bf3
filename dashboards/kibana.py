"""Render the panel spec as Kibana 8.x saved objects (data views, Lens, saved searches, dashboard).

Objects carry ``coreMigrationVersion``/``typeMigrationVersion`` of Kibana 8.8, so any 8.8+ Kibana
imports them and migrates them forward. Ids are stable (prefix + panel id) so re-pushing with
``overwrite=true`` updates in place.
"""

from __future__ import annotations

import json
from typing import Any

from mediawatch.store.elastic_query import FACET_FIELD_MAP

from .panels import DASHBOARD_DESCRIPTION, DASHBOARD_TITLE, FIELDS, FILTERS, PANELS, Label, Lang, Panel

CORE_MIGRATION_VERSION = "8.8.0"
TYPE_MIGRATION_VERSIONS = {"index-pattern": "8.0.0", "lens": "8.9.0", "search": "8.0.0", "dashboard": "8.9.0"}

# Store field names -> fields of the Elasticsearch documents (see elastic_mappings.py).
ES_FIELDS = {**FACET_FIELD_MAP, "when": "when", "title": "title", "url": "url", "claim": "misinfo.claim",
             "evidence_url": "misinfo.evidence_url", "misinfo_score": "misinfo.score",
             "fired_at": "fired_at", "severity": "severity", "rule": "rule", "alert_title": "title"}

_RECORDS = "___records___"


def _ids(prefix: str) -> dict[str, str]:
    return {"docs": f"{prefix}-docs-dataview", "alerts": f"{prefix}-alerts-dataview",
            "forecast": f"{prefix}-forecast-dataview", "dashboard": f"{prefix}-overview"}


def _object(kind: str, object_id: str, attributes: dict[str, Any], references: list[dict[str, str]]
            ) -> dict[str, Any]:
    return {"type": kind, "id": object_id, "attributes": attributes, "references": references,
            "coreMigrationVersion": CORE_MIGRATION_VERSION, "typeMigrationVersion": TYPE_MIGRATION_VERSIONS[kind],
            "managed": False}


def _data_view(object_id: str, pattern: str, time_field: str, name: str) -> dict[str, Any]:
    return _object("index-pattern", object_id, {"title": pattern, "name": name, "timeFieldName": time_field,
                                                "fields": "[]", "fieldFormatMap": "{}",
                                                "runtimeFieldMap": "{}", "allowNoIndex": True}, [])


# --- Lens columns ---------------------------------------------------------------------------------
def _date_histogram(label: str, field: str) -> dict[str, Any]:
    return {"label": label, "customLabel": True, "dataType": "date", "operationType": "date_histogram",
            "sourceField": field, "isBucketed": True, "scale": "interval",
            "params": {"interval": "d", "includeEmptyRows": True, "dropPartials": False}}


def _terms(label: str, field: str, size: int, order_by: str) -> dict[str, Any]:
    return {"label": label, "customLabel": True, "dataType": "string", "operationType": "terms",
            "sourceField": field, "isBucketed": True, "scale": "ordinal",
            "params": {"size": size, "orderBy": {"type": "column", "columnId": order_by},
                       "orderDirection": "desc", "otherBucket": False, "missingBucket": False,
                       "parentFormat": {"id": "terms"}}}


def _count(label: str, time_shift: str | None = None) -> dict[str, Any]:
    column = {"label": label, "customLabel": True, "dataType": "number", "operationType": "count",
              "isBucketed": False, "scale": "ratio", "sourceField": _RECORDS, "params": {"emptyAsNull": False}}
    if time_shift:
        column["timeShift"] = time_shift
    return column


def _metric(label: str, operation: str, field: str, data_type: str = "number") -> dict[str, Any]:
    column: dict[str, Any] = {"label": label, "customLabel": True, "dataType": data_type,
                              "operationType": operation, "sourceField": field, "isBucketed": False,
                              "scale": "ratio" if data_type == "number" else "ordinal"}
    if operation == "last_value":
        column["params"] = {"sortField": "when", "showArrayValues": False}
    return column


def _lens(object_id: str, title: str, data_view: str, columns: dict[str, dict[str, Any]],
          visualization_type: str, visualization: dict[str, Any], query: str = "") -> dict[str, Any]:
    layer = "layer1"
    state = {
        "datasourceStates": {"formBased": {"layers": {layer: {
            "columns": columns, "columnOrder": list(columns), "incompleteColumns": {}, "sampling": 1}}}},
        "visualization": {**visualization, "layerId": layer} if "layers" not in visualization
        else {**visualization, "layers": [{**visualization["layers"][0], "layerId": layer}]},
        "query": {"query": query, "language": "kuery"},
        "filters": [], "internalReferences": [], "adHocDataViews": {},
    }
    return _object("lens", object_id, {"title": title, "description": "", "visualizationType": visualization_type,
                                       "state": state},
                   [{"type": "index-pattern", "id": data_view, "name": f"indexpattern-datasource-layer-{layer}"}])


def _xy(series: str, x: str, accessors: list[str], split: str | None = None) -> dict[str, Any]:
    layer: dict[str, Any] = {"layerType": "data", "seriesType": series, "xAccessor": x, "accessors": accessors,
                             "position": "top", "showGridlines": False}
    if split:
        layer["splitAccessor"] = split
    return {"legend": {"isVisible": True, "position": "right"}, "valueLabels": "hide",
            "preferredSeriesType": series, "layers": [layer]}


def _table(columns: list[str]) -> dict[str, Any]:
    return {"layerType": "data", "columns": [{"columnId": c, "isTransposed": False} for c in columns]}


def _label(name: str, lang: Lang) -> str:
    return FIELDS[name](lang)


def panel_object(p: Panel, lang: Lang, prefix: str) -> dict[str, Any]:
    """The saved object (Lens or saved search) of one panel."""
    ids = _ids(prefix)
    object_id = f"{prefix}-{p.id}"
    title = p.title(lang)
    if p.kind == "metric":
        return _lens(object_id, title, ids["docs"], {"m": _count(_label("count", lang))}, "lnsMetric",
                     {"layerType": "data", "metricAccessor": "m"})
    if p.kind == "timeseries":
        split = ES_FIELDS[p.split_by or "sentiment"]
        columns = {"x": _date_histogram(_label("day", lang), "when"),
                   "split": _terms(_label(p.split_by or "sentiment", lang), split, 5, "y"),
                   "y": _count(_label("count", lang))}
        series = "bar_stacked" if p.split_by == "sentiment" else "line"
        return _lens(object_id, title, ids["docs"], columns, "lnsXY", _xy(series, "x", ["y"], "split"))
    if p.kind == "bar":
        columns = {"x": _terms(_label(p.group_by, lang), ES_FIELDS[p.group_by], p.size, "y"),
                   "y": _count(_label("count", lang))}
        return _lens(object_id, title, ids["docs"], columns, "lnsXY", _xy("bar_horizontal", "x", ["y"]))
    if p.kind == "change":
        columns = {"k": _terms(_label(p.group_by, lang), ES_FIELDS[p.group_by], p.size, "now"),
                   "now": _count(_label("count", lang)),
                   "prev": _count(_label("previous", lang), time_shift="previous")}
        return _lens(object_id, title, ids["docs"], columns, "lnsDatatable", _table(list(columns)))
    if p.kind == "table" and p.records == "documents":  # stories
        columns = {"k": _terms(_label("story_id", lang), "story_id", p.size, "n"),
                   "t": _metric(_label("title", lang), "last_value", "title.keyword", "string"),
                   "n": _count(_label("count", lang)),
                   "s": _metric(_label("sources", lang), "unique_count", "source.id"),
                   "w": _metric(_label("when", lang), "max", "when", "date")}
        return _lens(object_id, title, ids["docs"], columns, "lnsDatatable", _table(list(columns)),
                     query="story_id:*")
    if p.kind == "forecast":
        columns = {"x": _date_histogram(_label("date", lang), "date"),
                   "v": _metric(_label("volume", lang), "average", "volume"),
                   "lo": _metric(_label("volume_lower", lang), "average", "volume_lower"),
                   "hi": _metric(_label("volume_upper", lang), "average", "volume_upper")}
        return _lens(object_id, title, ids["forecast"], columns, "lnsXY", _xy("line", "x", ["v", "lo", "hi"]),
                     query='topic:"*" and place:"*"')
    # Row tables (review queue, alerts) are saved searches: one row per record, newest first.
    data_view = ids["alerts"] if p.records == "alerts" else ids["docs"]
    query = "misinfo.flagged:true" if p.records == "flagged" else ""
    source = {"query": {"query": query, "language": "kuery"}, "filter": [],
              "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index"}
    time_field = "fired_at" if p.records == "alerts" else "when"
    return _object("search", object_id, {
        "title": title, "description": "", "columns": [ES_FIELDS[c.field] for c in p.columns],
        "sort": [[time_field, "desc"]], "grid": {}, "hideChart": True, "isTextBasedQuery": False,
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source, ensure_ascii=False)}},
        [{"name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern", "id": data_view}])


def _layout(panels: tuple[Panel, ...]) -> list[dict[str, int]]:
    """Pack panels left to right on the 48-column grid."""
    out, x, y, row_height = [], 0, 0, 0
    for p in panels:
        if x + p.width > 48:
            x, y, row_height = 0, y + row_height, 0
        out.append({"x": x, "y": y, "w": p.width, "h": p.height})
        x += p.width
        row_height = max(row_height, p.height)
    return out


def _controls(data_view: str, lang: Lang) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Options-list controls for topic, place and source kind (the time picker is the dashboard's)."""
    panels, refs = {}, []
    for order, (key, field_name) in enumerate((("topic", "topics"), ("place", "places"), ("kind", "source.kind"))):
        control_id = f"control_{key}"
        panels[control_id] = {"order": order, "width": "medium", "grow": True, "type": "optionsListControl",
                              "explicitInput": {"id": control_id, "fieldName": field_name,
                                                "title": FILTERS[key](lang), "searchTechnique": "prefix",
                                                "selectedOptions": [], "enhancements": {}}}
        refs.append({"name": f"controlGroup_{control_id}:optionsListDataView", "type": "index-pattern",
                     "id": data_view})
    return {"controlStyle": "oneLine", "chainingSystem": "HIERARCHICAL", "showApplySelections": False,
            "panelsJSON": json.dumps(panels, ensure_ascii=False),
            "ignoreParentSettingsJSON": json.dumps({"ignoreFilters": False, "ignoreQuery": False,
                                                    "ignoreTimerange": False, "ignoreValidations": False})}, refs


def saved_objects(*, lang: Lang = "vi", index_prefix: str = "mediawatch", province: str = "Lào Cai",
                  panels: tuple[Panel, ...] = PANELS) -> list[dict[str, Any]]:
    ids = _ids(index_prefix)
    names = {"docs": Label("dash.documents"), "alerts": Label("dash.alerts"), "forecast": Label("dash.forecasts")}
    objects = [
        _data_view(ids["docs"], f"{index_prefix}-docs", "when", f"mediawatch: {names['docs'](lang)}"),
        _data_view(ids["alerts"], f"{index_prefix}-alerts", "fired_at", f"mediawatch: {names['alerts'](lang)}"),
        _data_view(ids["forecast"], f"{index_prefix}-forecast", "date", f"mediawatch: {names['forecast'](lang)}"),
    ]
    panel_entries, references = [], []
    for index, (p, grid) in enumerate(zip(panels, _layout(panels)), start=1):
        obj = panel_object(p, lang, index_prefix)
        objects.append(obj)
        panel_index = f"p{index}"
        panel_entries.append({"type": obj["type"], "gridData": {**grid, "i": panel_index}, "panelIndex": panel_index,
                              "embeddableConfig": {"enhancements": {}}, "panelRefName": f"panel_{panel_index}"})
        references.append({"name": f"{panel_index}:panel_{panel_index}", "type": obj["type"], "id": obj["id"]})
    control_input, control_refs = _controls(ids["docs"], lang)
    search_source = {"query": {"query": "", "language": "kuery"}, "filter": []}
    objects.append(_object("dashboard", ids["dashboard"], {
        "title": DASHBOARD_TITLE(lang).format(province=province), "description": DASHBOARD_DESCRIPTION(lang),
        "panelsJSON": json.dumps(panel_entries, ensure_ascii=False),
        "optionsJSON": json.dumps({"useMargins": True, "syncColors": False, "syncCursor": True,
                                   "syncTooltips": False, "hidePanelTitles": False}),
        "timeRestore": True, "timeFrom": "now-30d", "timeTo": "now",
        "refreshInterval": {"pause": True, "value": 60000}, "version": 1,
        "controlGroupInput": control_input,
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(search_source)}},
        references + control_refs))
    return objects


def to_ndjson(objects: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(o, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n" for o in objects)


def render_ndjson(**kwargs: Any) -> str:
    return to_ndjson(saved_objects(**kwargs))
