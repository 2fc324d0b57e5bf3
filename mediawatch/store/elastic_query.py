"""Pure translation of store queries into Elasticsearch request bodies (no client, no I/O).

The user query syntax is parsed by :mod:`.query`, shared with SQLite. Terms become phrase matches
over the folded ``title``/``text`` fields (so ``covid-19`` keeps its two tokens together) and
``word*`` becomes a prefix query on the folded term; AND-ed groups of OR-ed terms map to a bool
query in filter context.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from ..document import format_ts
from .base import Bucket, SearchQuery
from .query import Term, parse_user_query

TEXT_FIELDS = ("title", "text")

# Store facet names -> document fields in the index.
FACET_FIELD_MAP = {
    "source_id": "source.id",
    "source_kind": "source.kind",
    "platform": "source.platform",
    "topics": "topics",
    "places": "places",
    "sentiment": "sentiment.label",
    "misinfo_status": "misinfo.review_status",
    "lang": "lang",
    "story_id": "story_id",
    "section": "section",
}

SORT = [{"when": {"order": "desc"}}, {"id": {"order": "desc"}}]

_SIMPLE = re.compile(r"^[0-9a-z]+$")


def term_clause(term: Term) -> dict[str, Any]:
    """One parsed term (see :mod:`.query`) as a match over the folded title and text (or, for a
    ``title:`` term, the title only)."""
    words = " ".join(term.words)
    fields = [term.field] if term.field else list(TEXT_FIELDS)
    if term.prefix and len(term.words) == 1 and _SIMPLE.match(words):
        return {"bool": {"should": [{"prefix": {f: {"value": words}}} for f in fields],
                         "minimum_should_match": 1}}
    if term.prefix:
        # "covid-1*": a phrase whose last word is a prefix.
        return {"multi_match": {"query": words, "type": "phrase_prefix", "fields": fields,
                                "max_expansions": 10000}}
    return {"multi_match": {"query": words, "type": "phrase", "fields": fields}}


def text_clauses(text: str | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(clauses that must all match, clauses that must not) for a user query."""
    parsed = parse_user_query(text)
    must = []
    for group in parsed.must:
        if len(group) == 1:
            must.append(term_clause(group[0]))
        else:
            must.append({"bool": {"should": [term_clause(t) for t in group], "minimum_should_match": 1}})
    return must, [term_clause(t) for t in parsed.must_not]


def _terms(field: str, values: list[str]) -> dict[str, Any]:
    return {"terms": {field: list(values)}}


def build_query(query: SearchQuery | None) -> dict[str, Any]:
    """A bool query in filter context (scores are never used: results sort by time)."""
    query = query or SearchQuery()
    must, must_not = text_clauses(query.text)
    filters: list[dict[str, Any]] = list(must)
    if query.since or query.until:
        rng: dict[str, str] = {}
        if query.since:
            rng["gte"] = format_ts(query.since)
        if query.until:
            rng["lt"] = format_ts(query.until)
        filters.append({"range": {"when": rng}})
    for field, values in (("source.id", query.source_ids), ("source.kind", query.kinds),
                          ("source.platform", query.platforms), ("topics", query.topics),
                          ("places", query.places), ("sentiment.label", query.sentiments),
                          ("story_id", query.story_ids), ("duplicate_of", query.duplicate_of)):
        if values:
            filters.append(_terms(field, values))
    if query.misinfo_statuses:
        filters.append(_terms("misinfo.review_status", query.misinfo_statuses))
    if query.flagged_only:
        filters.append({"term": {"misinfo.flagged": True}})
    if not query.include_duplicates:
        must_not.append({"exists": {"field": "duplicate_of"}})
    if not filters and not must_not:
        return {"match_all": {}}
    body: dict[str, Any] = {"bool": {}}
    if filters:
        body["bool"]["filter"] = filters
    if must_not:
        body["bool"]["must_not"] = must_not
    return body


def facet_aggs(fields: list[str], size: int) -> dict[str, Any]:
    unknown = [f for f in fields if f not in FACET_FIELD_MAP]
    if unknown:
        raise ValueError(f"unknown facet field(s) {', '.join(unknown)}; use {', '.join(FACET_FIELD_MAP)}")
    # A generous shard_size keeps the top-N exact across monthly indices for our volumes.
    return {name: {"terms": {"field": FACET_FIELD_MAP[name], "size": size, "shard_size": max(size * 20, 500),
                             "order": [{"_count": "desc"}, {"_key": "asc"}]}} for name in fields}


def facet_values(aggregations: dict[str, Any], fields: list[str]) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    for name in fields:
        buckets = aggregations.get(name, {}).get("buckets", [])
        pairs = [(str(b.get("key_as_string", b["key"])), int(b["doc_count"])) for b in buckets]
        out[name] = sorted(pairs, key=lambda p: (-p[1], p[0]))
    return out


def histogram_agg(interval: str, tz: str) -> dict[str, Any]:
    if interval not in ("hour", "day"):
        raise ValueError(f"histogram interval {interval!r}: use 'hour' or 'day'")
    ZoneInfo(tz)  # fail early on an unknown zone, naming it
    return {"h": {"date_histogram": {"field": "when", "calendar_interval": interval, "time_zone": tz,
                                     "min_doc_count": 1},
                  "aggs": {"avg": {"avg": {"field": "sentiment.score"}},
                           "neg": {"filter": {"term": {"sentiment.label": "negative"}}}}}}


def _step(start: datetime, interval: str, zone: ZoneInfo) -> datetime:
    if interval == "hour":
        return (start.astimezone(timezone.utc) + timedelta(hours=1)).astimezone(zone)
    nxt = (start.replace(tzinfo=None) + timedelta(days=1)).replace(tzinfo=zone)
    return nxt


def histogram_buckets(aggregations: dict[str, Any], interval: str, tz: str) -> list[Bucket]:
    """Turn date_histogram buckets into Buckets, filling the empty ones between first and last."""
    zone = ZoneInfo(tz)
    found: dict[datetime, Bucket] = {}
    for b in aggregations.get("h", {}).get("buckets", []):
        if not b["doc_count"]:
            continue
        start = datetime.fromtimestamp(b["key"] / 1000, tz=timezone.utc).astimezone(zone)
        avg = b.get("avg", {}).get("value")
        found[start] = Bucket(start=start, count=int(b["doc_count"]),
                              avg_sentiment=None if avg is None else float(avg),
                              negative=int(b.get("neg", {}).get("doc_count", 0)))
    if not found:
        return []
    keys = sorted(found)
    out: list[Bucket] = []
    cur, last = keys[0], keys[-1]
    while cur <= last:
        out.append(found.get(cur) or Bucket(start=cur, count=0, avg_sentiment=None, negative=0))
        cur = _step(cur, interval, zone)
    return out


def month_of(when: datetime) -> str:
    """The monthly index suffix a document belongs to (UTC month of its time), e.g. ``2025.07``."""
    return when.astimezone(timezone.utc).strftime("%Y.%m")
