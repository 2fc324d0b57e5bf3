"""Probe a configured press source now: reachable, allowed by robots.txt, a valid feed or sitemap."""

from __future__ import annotations

import time
from dataclasses import dataclass

from mediawatch.errors import BadInputError
from mediawatch.settings import SourceSettings

from .fetch import FetchError, Fetcher

PROBED_TYPES = ("rss", "sitemap", "listing")


@dataclass
class Probe:
    source_id: str
    checked: bool = True  # False for types not probed here (social connectors, file import)
    reachable: bool = False
    status: int | None = None
    seconds: float | None = None
    robots_allowed: bool | None = None
    valid: bool | None = None
    entries: int | None = None
    reason: str | None = None  # failure reason (dns, timeout, http_404, parse, robots, ...)
    detail: str = ""

    @property
    def ok(self) -> bool:
        return not self.checked or (self.reachable and self.robots_allowed is not False and self.valid is not False)


def probe_source(source: SourceSettings, fetcher: Fetcher) -> Probe:
    probe = Probe(source.id)
    if source.type not in PROBED_TYPES:
        probe.checked = False
        return probe
    if not source.url:
        probe.reason, probe.detail = "config", "no url"
        return probe
    try:
        probe.robots_allowed = fetcher.allowed(source.url)
    except FetchError as exc:
        probe.reason, probe.detail = exc.reason, str(exc)
        return probe
    if not probe.robots_allowed:
        probe.reason, probe.detail = "robots", "disallowed by robots.txt"
        return probe
    started = time.monotonic()
    try:
        result = fetcher.get(source.url)
    except FetchError as exc:
        probe.seconds = time.monotonic() - started
        probe.status, probe.reason, probe.detail = exc.status, exc.reason, str(exc)
        return probe
    probe.seconds = time.monotonic() - started
    probe.reachable, probe.status = True, result.status
    try:
        if source.type == "rss":
            from .feeds import parse_feed

            feed = parse_feed(result.body, result.charset)
            probe.entries, probe.valid = len(feed.links), True
            if feed.problem:
                probe.reason, probe.detail = "parse", feed.problem
        elif source.type == "sitemap":
            from .sitemaps import parse_sitemap

            kind, entries = parse_sitemap(result.body)
            probe.entries, probe.valid, probe.detail = len(entries), True, kind
        else:
            from .extract import parse_html

            tree, _ = parse_html(result.body, result.charset)
            probe.entries, probe.valid = len(tree.xpath("//a[@href]")), True
    except (BadInputError, ValueError) as exc:
        probe.valid, probe.reason, probe.detail = False, "parse", str(getattr(exc, "message", exc))
    return probe
