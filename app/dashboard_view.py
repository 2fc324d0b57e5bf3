"""What the embedded dashboards need from the configuration and the classifiers, gathered here so
the dashboards layer reads neither: labels of topics, and which place names are other provinces."""

from __future__ import annotations

from typing import Any

from mediawatch.settings import Settings


def view_kwargs(settings: Settings, lang: str) -> dict[str, Any]:
    """Keyword arguments of :func:`mediawatch.dashboards.serve.view_options` for these settings."""
    from mediawatch.classifiers.places import provinces_by_name
    from mediawatch.classifiers.topics import topic_labels

    watched = settings.province.name
    # Another province's name (current, or merged into it in 2025) is "another province" in the
    # places chart; only the watched province's own units are communes, wards, former districts.
    others = {name: name != current for name, current in provinces_by_name().items()
              if current != watched and name not in settings.province.former_names}
    return {"lang": lang, "tz": settings.timezone, "province": watched,
            "former_names": settings.province.former_names, "topic_labels": topic_labels(settings.topics),
            "other_provinces": others}
