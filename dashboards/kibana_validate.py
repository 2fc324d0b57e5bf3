"""Offline checks of a saved-objects ndjson file against the rules Kibana's importer applies.

Kibana stores some attributes as JSON *strings* (panelsJSON, optionsJSON, searchSourceJSON,
controlGroupInput.panelsJSON): an object there instead of a string, or a string that does not
parse, breaks the import or the dashboard. Every reference a panel, a Lens layer or a saved search
uses must name an object in the same file (or it renders as "could not find"). Returns a list of
problems, empty when the file is good; never raises on bad input.
"""

from __future__ import annotations

import json
import re
from typing import Any

REQUIRED: dict[str, tuple[str, ...]] = {
    "index-pattern": ("title",),
    "lens": ("title", "visualizationType", "state"),
    "search": ("title", "columns", "kibanaSavedObjectMeta"),
    "dashboard": ("title", "panelsJSON", "optionsJSON", "kibanaSavedObjectMeta"),
    "visualization": ("title", "visState", "uiStateJSON", "kibanaSavedObjectMeta"),
}
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
GRID_COLUMNS = 48


def _json_string(value: Any, where: str, problems: list[str], kind: type) -> Any:
    if not isinstance(value, str):
        problems.append(f"{where} must be a JSON string, found {type(value).__name__}")
        return None
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        problems.append(f"{where} is not valid JSON: {exc}")
        return None
    if not isinstance(parsed, kind):
        problems.append(f"{where} must encode a JSON {kind.__name__}")
        return None
    return parsed


def validate_ndjson(text: str) -> list[str]:
    problems: list[str] = []
    objects: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            problems.append(f"line {number}: empty line (one object per line, no blank lines)")
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            problems.append(f"line {number}: not one JSON object per line: {exc}")
            continue
        if not isinstance(obj, dict):
            problems.append(f"line {number}: a saved object must be a JSON object")
            continue
        objects.append((number, obj))
    if not objects:
        return problems + ["no saved objects in the file"]

    present: set[tuple[str, str]] = set()
    for number, obj in objects:
        key = (str(obj.get("type")), str(obj.get("id")))
        if not obj.get("type") or not obj.get("id"):
            problems.append(f"line {number}: every object needs a type and an id")
        elif key in present:
            problems.append(f"line {number}: duplicate object {key[0]}/{key[1]}")
        present.add(key)

    for number, obj in objects:
        where = f"line {number} ({obj.get('type')}/{obj.get('id')})"
        problems.extend(f"{where}: {p}" for p in _check_object(obj, present))
    return problems


def _check_object(obj: dict[str, Any], present: set[tuple[str, str]]) -> list[str]:
    problems: list[str] = []
    kind = obj.get("type")
    attrs = obj.get("attributes")
    refs = obj.get("references")
    if not isinstance(attrs, dict):
        return ["attributes must be an object"]
    if not isinstance(refs, list) or not all(isinstance(r, dict) and {"name", "type", "id"} <= r.keys()
                                             for r in refs):
        return ["references must be a list of {name, type, id}"]
    for version_key in ("coreMigrationVersion", "typeMigrationVersion"):
        value = obj.get(version_key)
        if not isinstance(value, str) or not _VERSION.match(value):
            problems.append(f"{version_key} missing or not a version like 8.8.0")
    for name in REQUIRED.get(str(kind), ("title",)):
        if name not in attrs:
            problems.append(f"missing required attribute {name!r}")
    by_name = {r["name"]: r for r in refs}
    if len(by_name) != len(refs):
        problems.append("reference names must be unique")
    for ref in refs:
        if (ref["type"], ref["id"]) not in present:
            problems.append(f"reference {ref['name']!r} points at {ref['type']}/{ref['id']}, "
                            "which is not in the file")

    meta = attrs.get("kibanaSavedObjectMeta")
    if meta is not None:
        if not isinstance(meta, dict):
            problems.append("kibanaSavedObjectMeta must be an object")
        else:
            source = _json_string(meta.get("searchSourceJSON"), "kibanaSavedObjectMeta.searchSourceJSON",
                                  problems, dict)
            if source and source.get("indexRefName") and source["indexRefName"] not in by_name:
                problems.append(f"searchSourceJSON.indexRefName {source['indexRefName']!r} has no reference")
    if kind == "dashboard":
        _json_string(attrs.get("optionsJSON"), "optionsJSON", problems, dict)
        panels = _json_string(attrs.get("panelsJSON"), "panelsJSON", problems, list)
        if panels is not None:
            problems.extend(_check_panels(panels, by_name))
        controls = attrs.get("controlGroupInput")
        if controls is not None:
            control_panels = _json_string(controls.get("panelsJSON") if isinstance(controls, dict) else None,
                                          "controlGroupInput.panelsJSON", problems, dict) or {}
            for control_id in control_panels:
                if f"controlGroup_{control_id}:optionsListDataView" not in by_name:
                    problems.append(f"control {control_id!r} has no data view reference")
    if kind == "lens":
        problems.extend(_check_lens(attrs.get("state"), by_name))
    return problems


def _check_panels(panels: list[Any], by_name: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    cells: set[tuple[int, int]] = set()
    for position, entry in enumerate(panels):
        if not isinstance(entry, dict):
            problems.append(f"panel {position} is not an object")
            continue
        index = str(entry.get("panelIndex", ""))
        if not index:
            problems.append(f"panel {position} has no panelIndex")
        elif index in seen:
            problems.append(f"panelIndex {index!r} is used twice")
        seen.add(index)
        grid = entry.get("gridData")
        if not isinstance(grid, dict) or not all(isinstance(grid.get(k), int) for k in ("x", "y", "w", "h")):
            problems.append(f"panel {index}: gridData needs integer x, y, w, h")
        else:
            if grid["x"] < 0 or grid["w"] <= 0 or grid["x"] + grid["w"] > GRID_COLUMNS:
                problems.append(f"panel {index}: does not fit the {GRID_COLUMNS}-column grid")
            if grid.get("i") != index:
                problems.append(f"panel {index}: gridData.i must equal panelIndex")
            own = {(x, y) for x in range(grid["x"], grid["x"] + grid["w"]) for y in range(grid["y"], grid["y"] + grid["h"])}
            if own & cells:
                problems.append(f"panel {index}: overlaps another panel")
            cells |= own
        ref_name = entry.get("panelRefName")
        if not ref_name:
            problems.append(f"panel {index}: no panelRefName (by-value panels are not produced here)")
            continue
        ref = by_name.get(f"{index}:{ref_name}")
        if ref is None:
            problems.append(f"panel {index}: reference {index}:{ref_name} is missing")
        elif entry.get("type") and ref["type"] != entry["type"]:
            problems.append(f"panel {index}: type {entry['type']} but its reference is a {ref['type']}")
    return problems


def _check_lens(state: Any, by_name: dict[str, dict[str, Any]]) -> list[str]:
    if not isinstance(state, dict):
        return ["Lens state must be an object"]
    problems: list[str] = []
    layers = (state.get("datasourceStates") or {}).get("formBased", {}).get("layers")
    if not isinstance(layers, dict) or not layers:
        return ["Lens state has no formBased layers"]
    columns_by_layer: dict[str, set[str]] = {}
    for layer_id, layer in layers.items():
        ref = by_name.get(f"indexpattern-datasource-layer-{layer_id}")
        if ref is None or ref["type"] != "index-pattern":
            problems.append(f"Lens layer {layer_id!r} has no index-pattern reference")
        columns = layer.get("columns") if isinstance(layer, dict) else None
        if not isinstance(columns, dict) or not columns:
            problems.append(f"Lens layer {layer_id!r} has no columns")
            continue
        if list(layer.get("columnOrder") or []) != list(columns) and set(layer.get("columnOrder") or []) != set(columns):
            problems.append(f"Lens layer {layer_id!r}: columnOrder does not list its columns")
        for column_id, column in columns.items():
            if not isinstance(column, dict) or "operationType" not in column:
                problems.append(f"Lens column {column_id!r} has no operationType")
        columns_by_layer[layer_id] = set(columns)
    visualization = state.get("visualization") or {}
    vis_layers = visualization.get("layers") if "layers" in visualization else [visualization]
    for vis in vis_layers or []:
        layer_id = vis.get("layerId")
        if layer_id not in columns_by_layer:
            problems.append(f"visualization layer {layer_id!r} is not a datasource layer")
            continue
        used = list(vis.get("accessors") or []) + [vis[k] for k in ("xAccessor", "splitAccessor", "metricAccessor") if vis.get(k)]
        used += [c.get("columnId") for c in vis.get("columns") or [] if isinstance(c, dict)]
        for accessor in used:
            if accessor not in columns_by_layer[layer_id]:
                problems.append(f"visualization uses column {accessor!r} missing from layer {layer_id!r}")
    return problems
