"""Index names, the document index template, small-index mappings and the ILM policy (pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .elastic_desk import DESK_INDICES

# Standard tokenizer + lowercase + asciifolding folds Vietnamese the way mediawatch.text.fold does
# (asciifolding maps đ to d); the ``.vi`` subfield keeps diacritics for exact-tone searches in Kibana.
ANALYSIS: dict[str, Any] = {
    "analyzer": {
        "vi_folded": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
        "vi_exact": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
    },
    "normalizer": {
        "folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]},
    },
}


def _text(keyword: bool = False) -> dict[str, Any]:
    fields: dict[str, Any] = {"vi": {"type": "text", "analyzer": "vi_exact"}}
    if keyword:
        fields["keyword"] = {"type": "keyword", "ignore_above": 512}
    return {"type": "text", "analyzer": "vi_folded", "fields": fields}


def _kw() -> dict[str, Any]:
    """Exact values for filters and facets, with a folded subfield for case/diacritic-free lookups."""
    return {"type": "keyword", "fields": {"folded": {"type": "keyword", "normalizer": "folded"}}}


KEYWORD = {"type": "keyword"}

DOCUMENT_PROPERTIES: dict[str, Any] = {
    "id": KEYWORD,
    "url": {"type": "keyword", "ignore_above": 2048},
    "source": {"properties": {"id": _kw(), "kind": KEYWORD, "name": _kw(), "platform": KEYWORD}},
    "title": _text(keyword=True),
    "text": _text(),
    "lang": KEYWORD,
    "published_at": {"type": "date"},
    "fetched_at": {"type": "date"},
    "when": {"type": "date"},  # published_at else fetched_at: the time series and sort key
    "author_key": KEYWORD,
    "engagement": {"properties": {k: {"type": "long"} for k in ("likes", "comments", "shares", "views")}},
    "places": _kw(),
    "topics": _kw(),
    "sentiment": {"properties": {"label": KEYWORD, "score": {"type": "double"}}},
    "misinfo": {"properties": {
        "score": {"type": "double"}, "claim": _text(), "matched_claim": _text(), "matched_claim_id": KEYWORD,
        "evidence_url": {"type": "keyword", "ignore_above": 2048}, "reasons": KEYWORD,
        "review_status": KEYWORD, "flagged": {"type": "boolean"}, "stance": KEYWORD}},
    "story_id": KEYWORD,
    "duplicate_of": KEYWORD,
    "parent_id": KEYWORD,
    "section": _kw(),
    "fingerprint": KEYWORD,
    "content_hash": {"type": "keyword", "index": False},
    "extra": {"type": "object", "enabled": False},
}


@dataclass(frozen=True, slots=True)
class IndexNames:
    prefix: str

    @property
    def docs_pattern(self) -> str:
        return f"{self.prefix}-docs-*"

    @property
    def read_alias(self) -> str:
        return f"{self.prefix}-docs"

    @property
    def write_alias(self) -> str:
        return f"{self.prefix}-docs-write"

    @property
    def template(self) -> str:
        return f"{self.prefix}-docs"

    @property
    def policy(self) -> str:
        return f"{self.prefix}-retention"

    def month_index(self, month: str) -> str:
        return f"{self.prefix}-docs-{month}"

    def small(self, name: str) -> str:
        return f"{self.prefix}-{name}"


def document_template(names: IndexNames, *, ilm: bool, replicas: int | None = None) -> dict[str, Any]:
    settings: dict[str, Any] = {"number_of_shards": 1, "analysis": ANALYSIS}
    if replicas is not None:
        settings["number_of_replicas"] = replicas
    if ilm:
        settings["index.lifecycle.name"] = names.policy
    return {"index_patterns": [names.docs_pattern], "priority": 200,
            "template": {"settings": settings,
                         "mappings": {"dynamic": False, "properties": DOCUMENT_PROPERTIES},
                         "aliases": {names.read_alias: {}}},
            "_meta": {"managed_by": "mediawatch"}}


def ilm_policy(retention_days: int) -> dict[str, Any]:
    """Delete a monthly index once its newest possible document is past retention.

    A monthly index is written until its month ends; ``min_age`` counts from index creation, so the
    delete phase waits retention plus one month to never drop documents still inside retention.
    The store's own ``purge`` trims the exact boundary.
    """
    return {"phases": {"hot": {"min_age": "0ms", "actions": {"set_priority": {"priority": 100}}},
                       "delete": {"min_age": f"{retention_days + 31}d", "actions": {"delete": {}}}},
            "_meta": {"managed_by": "mediawatch"}}


SMALL_INDICES: dict[str, dict[str, Any]] = {
    "runs": {"dynamic": False, "properties": {
        "run_id": KEYWORD, "source_id": KEYWORD, "started_at": {"type": "date"},
        "finished_at": {"type": "date"}, "fetched": {"type": "long"}, "new": {"type": "long"},
        "updated": {"type": "long"}, "unchanged": {"type": "long"}, "error_count": {"type": "long"},
        "errors": {"type": "object", "enabled": False}, "messages": {"type": "object", "enabled": False},
        "error_kinds": {"type": "object", "enabled": False}, "aborted": {"type": "boolean"},
        "last_published_at": {"type": "date"}, "seq": {"type": "long"}}},
    "reviews": {"dynamic": False, "properties": {
        "doc_id": KEYWORD, "verdict": KEYWORD, "reviewer": KEYWORD, "note": {"type": "text"},
        "decided_at": {"type": "date"}, "previous_status": KEYWORD, "seq": {"type": "long"}}},
    "alerts": {"dynamic": False, "properties": {
        "alert_id": KEYWORD, "rule": KEYWORD, "dedup_key": KEYWORD, "fired_at": {"type": "date"},
        "updated_at": {"type": "date"}, "severity": KEYWORD, "title": {"type": "text"},
        "payload": {"type": "object", "enabled": False}}},
    # One document per forecast series (the store's home of forecasts: mediawatch/store/forecasts.py).
    "forecasts": {"dynamic": False, "properties": {
        "topic": KEYWORD, "place": KEYWORD, "generated_at": {"type": "date"}, "model": KEYWORD,
        "body": {"type": "object", "enabled": False}}},
    # Forecast points flattened out of the stored forecasts, for the Kibana forecast panel.
    "forecast": {"dynamic": False, "properties": {
        "key": KEYWORD, "topic": KEYWORD, "place": KEYWORD, "series": KEYWORD, "date": {"type": "date"},
        "volume": {"type": "double"}, "volume_lower": {"type": "double"}, "volume_upper": {"type": "double"},
        "negative_share": {"type": "double"}, "generated_at": {"type": "date"}}},
    "state": {"dynamic": False, "properties": {
        "namespace": KEYWORD, "key": KEYWORD, "value": {"type": "object", "enabled": False}}},
    **DESK_INDICES,  # claims, audit, alert acks, rule mutes, accounts, sessions (elastic_desk.py)
    # One row per original document (near-duplicate detection) and one per ingest run.
    "fingerprints": {"dynamic": False, "properties": {
        "doc_id": KEYWORD, "fp": KEYWORD, "seen_at": {"type": "date"}}},
    "run-summaries": {"dynamic": False, "properties": {
        "run_id": KEYWORD, "started_at": {"type": "date"}, "finished_at": {"type": "date"},
        "sort_at": {"type": "date"}, "value": {"type": "object", "enabled": False}}},
}
