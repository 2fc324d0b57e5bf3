"""The ingest plan: which sources run, grouped by the politeness key their connector declares.

A pure function of the settings. Two executors carry it out with the same semantics: the sequential
one in ``ingest.py`` (``mediawatch run``) runs the groups one after the other, the Prefect one in
``prefect_flows.py`` (``run --prefect``, ``serve``) runs groups in parallel. In both, the sources
of one group run one after the other, in configuration order, so a host (a press site, a
platform's API, an import file) never sees two of our collectors at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterable

from mediawatch.crawlers.registry import politeness_key
from mediawatch.settings import Settings, SourceSettings

log = logging.getLogger("mediawatch.ingest")


@dataclass(frozen=True)
class SourceGroup:
    key: str  # the politeness key: a host, an API host, a file path
    sources: tuple[SourceSettings, ...]


@dataclass(frozen=True)
class IngestPlan:
    groups: tuple[SourceGroup, ...]

    @property
    def sources(self) -> list[SourceSettings]:
        return [s for g in self.groups for s in g.sources]

    def position(self) -> dict[str, int]:
        """Source id -> place in the plan, to order results that arrive in any order."""
        return {s.id: i for i, s in enumerate(self.sources)}


def plan_ingest(settings: Settings, sources: Iterable[SourceSettings] | None = None) -> IngestPlan:
    """Enabled sources (all configured ones, or those given), grouped by politeness key.

    Groups keep the order in which their first source is configured; sources keep theirs.
    """
    chosen = [s for s in (sources if sources is not None else settings.sources) if s.enabled]
    if not chosen:
        log.warning("no enabled sources in the configuration: nothing to ingest "
                    "(add [[sources]] entries, see docs/configuration.md)")
    groups: dict[str, list[SourceSettings]] = {}
    for source in chosen:
        groups.setdefault(politeness_key(source, settings), []).append(source)
    return IngestPlan(tuple(SourceGroup(key, tuple(members)) for key, members in groups.items()))
