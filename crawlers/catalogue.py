"""The default press-source catalogue (crawlers/catalogue.toml) as [[sources]]-shaped dicts.

``mediawatch init --province X`` writes ``sources_for(X)`` into the new mediawatch.toml. The URLs
are unverified defaults: `mediawatch sources check` tells the operator which ones work.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from mediawatch.text import fold

CATALOGUE = Path(__file__).with_name("catalogue.toml")


@lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    return tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))


def _as_source(entry: dict[str, Any], role: str) -> dict[str, Any]:
    options = {"role": entry.get("role", role), "verified": False}
    options.update(entry.get("options", {}))
    return {"id": entry["id"], "name": entry["name"], "kind": "press", "type": entry.get("type", "rss"),
            "url": entry["url"], "enabled": entry.get("enabled", True),
            "local": options["role"] != "national", "options": options}


def provinces() -> list[str]:
    return [p["name"] for p in _load().get("province", [])]


def find_province(name: str) -> dict[str, Any] | None:
    """The catalogue's province for a current name, a pre-2025 name or an unaccented spelling."""
    wanted = fold(name)
    for province in _load().get("province", []):
        names = [province["name"], *province.get("former", []), *province.get("aliases", [])]
        if wanted in {fold(n) for n in names}:
            return province
    return None


def sources_for(province: str, *, national: bool = True) -> list[dict[str, Any]]:
    """National press plus the province's paper, portal and radio-TV (dicts shaped like SourceSettings).

    An unknown province gets the national outlets only; its own sources must be added by hand.
    """
    data = _load()
    sources = [_as_source(e, "national") for e in data.get("national", [])] if national else []
    found = find_province(province)
    if found is not None:
        sources += [_as_source(e, "provincial") for e in found.get("sources", [])]
    return sources
