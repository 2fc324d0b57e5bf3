"""Source type -> collector. Factories import lazily so `mediawatch --help` stays fast."""

from __future__ import annotations

from typing import Callable


def _rss():
    from .feeds import collect_feed

    return collect_feed


def _social(module: str, name: str) -> Callable[[], Callable]:
    def factory():
        import importlib

        return getattr(importlib.import_module(f"crawlers.social.{module}"), name)

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
