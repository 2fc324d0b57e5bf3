"""Source type -> connector: its collector and its politeness key. Modules import lazily so
`mediawatch --help` stays fast.

Every connector module defines ``collect_<type>(source, ctx)`` and ``politeness_key(source,
settings)``: the unit whose requests must not run in parallel (a press site's host, a platform's
API host, an import file's path). The ingest plan groups sources by that key.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from mediawatch.errors import ErrorKind, MediawatchError
from mediawatch.settings import Settings, SourceSettings

from .base import Collector

# type -> (module under mediawatch.crawlers, collector function)
CONNECTORS: dict[str, tuple[str, str]] = {
    "rss": ("feeds", "collect_feed"),
    "sitemap": ("sitemaps", "collect_sitemap"),
    "listing": ("listing", "collect_listing"),
    "facebook": ("social.facebook", "collect_facebook"),
    "youtube": ("social.youtube", "collect_youtube"),
    "telegram": ("social.telegram", "collect_telegram"),
    "mastodon": ("social.mastodon", "collect_mastodon"),
    "bluesky": ("social.bluesky", "collect_bluesky"),
    "file": ("social.fileimport", "collect_file"),
}


def _module(source: SourceSettings) -> tuple[ModuleType, str]:
    try:
        module, function = CONNECTORS[source.type]
    except KeyError:
        raise MediawatchError(f"no collector for source type {source.type!r}", source=source.id,
                              kind=ErrorKind.BAD_INPUT,
                              fix=f"use one of: {', '.join(sorted(CONNECTORS))}") from None
    return importlib.import_module(f"mediawatch.crawlers.{module}"), function


def collector_for(source: SourceSettings) -> Collector:
    """The collector for a source's type."""
    module, function = _module(source)
    return getattr(module, function)


def politeness_key(source: SourceSettings, settings: Settings) -> str:
    """What the source's connector says must not be fetched in parallel with it."""
    try:
        module, _ = _module(source)
    except MediawatchError:
        return f"{source.type}:{source.id}"  # the ingest reports the unknown type for this source alone
    return module.politeness_key(source, settings)
