"""Source type -> collector. Factories import lazily so `mediawatch --help` stays fast."""

from __future__ import annotations

from typing import Callable

from mediawatch.errors import ErrorKind, MediawatchError
from mediawatch.settings import SourceSettings

from .base import Collector


def _rss():
    from .feeds import collect_feed

    return collect_feed


def _social(module: str, name: str) -> Callable[[], Callable]:
    def factory():
        import importlib

        return getattr(importlib.import_module(f"mediawatch.crawlers.social.{module}"), name)

    return factory


def _sitemap():
    from .sitemaps import collect_sitemap

    return collect_sitemap


def _listing():
    from .listing import collect_listing

    return collect_listing


COLLECTORS: dict[str, Callable] = {
    "rss": _rss,
    "sitemap": _sitemap,
    "listing": _listing,
    "facebook": _social("facebook", "collect_facebook"),
    "youtube": _social("youtube", "collect_youtube"),
    "telegram": _social("telegram", "collect_telegram"),
    "mastodon": _social("mastodon", "collect_mastodon"),
    "bluesky": _social("bluesky", "collect_bluesky"),
    "file": _social("fileimport", "collect_file"),
}


def collector_for(source: SourceSettings) -> Collector:
    """The collector for a source's type. Imports lazily so the CLI starts fast."""
    try:
        return COLLECTORS[source.type]()
    except KeyError:
        raise MediawatchError(f"no collector for source type {source.type!r}", source=source.id,
                              kind=ErrorKind.BAD_INPUT,
                              fix=f"use one of: {', '.join(sorted(COLLECTORS))}") from None
