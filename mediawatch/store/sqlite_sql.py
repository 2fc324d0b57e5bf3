"""Pure SQL building for the SQLite store: a SearchQuery becomes a WHERE clause and parameters."""

from __future__ import annotations

from .base import SearchQuery
from .query import parse_user_query, to_fts5

# Facet name -> column of `documents` (scalar facets) or field of `doc_tags` (multi-valued).
SCALAR_FACETS = {
    "source_id": "source_id", "source_kind": "source_kind", "platform": "platform",
    "sentiment": "sentiment", "misinfo_status": "misinfo_status", "lang": "lang",
    "story_id": "story_id", "section": "section",
}
TAG_FACETS = {"topics": "topic", "places": "place"}


def to_ms(value) -> int:
    return int(value.timestamp() * 1000)


def _in(column: str, values: list[str], params: list) -> str:
    params.extend(values)
    return f"{column} IN ({','.join('?' * len(values))})"


def only_text(query: SearchQuery) -> bool:
    """True when the text is the only condition, so counts can come from the FTS index alone."""
    return bool(query.text) and query == SearchQuery(text=query.text)


def fts_count_sql(query: SearchQuery) -> tuple[str, list] | None:
    match = fts_match(query)
    return None if match is None else ("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?", [match])


def tag_count_sql(query: SearchQuery) -> tuple[str, list] | None:
    """Count of a query on tags (and time) alone, answered inside doc_tags without the documents."""
    if not (query.topics or query.places):
        return None
    if query != SearchQuery(topics=query.topics, places=query.places, since=query.since, until=query.until):
        return None
    selects, params = [], []
    time_sql, time_params = time_clause(query, "t")
    for values, field in ((query.topics, "topic"), (query.places, "place")):
        if values:
            params.append(field)
            sub = _in("t.value", list(values), params)
            selects.append(f"SELECT t.doc_rowid FROM doc_tags t WHERE t.field = ? AND {sub} AND {time_sql}")
            params.extend(time_params)
    if len(selects) == 1:
        selects[0] = selects[0].replace("SELECT t.doc_rowid", "SELECT DISTINCT t.doc_rowid", 1)
    return f"SELECT count(*) FROM ({' INTERSECT '.join(selects)})", params


def only_time(query: SearchQuery) -> bool:
    """True when the query filters on time alone (the dashboards' common case)."""
    return query == SearchQuery(since=query.since, until=query.until)


def time_clause(query: SearchQuery, alias: str) -> tuple[str, list]:
    parts, params = [], []
    if query.since is not None:
        parts.append(f"{alias}.time_ms >= ?")
        params.append(to_ms(query.since))
    if query.until is not None:
        parts.append(f"{alias}.time_ms < ?")
        params.append(to_ms(query.until))
    return (" AND ".join(parts) or "1"), params


def fts_match(query: SearchQuery) -> str | None:
    """One FTS5 expression for the text ("pos NOT neg"), or None when it has no positive part."""
    if not query.text:
        return None
    positive, negative = to_fts5(parse_user_query(query.text))
    if not positive:
        return None
    return f"({positive}) NOT ({negative})" if negative else positive


def where_clause(query: SearchQuery, alias: str = "d", *, text: bool = True,
                 tags_as_exists: bool = False) -> tuple[str, list]:
    """WHERE clause (without the keyword; '1' when empty) over `documents AS {alias}`.

    ``text=False`` leaves the text out (the caller matches it through the FTS table itself);
    ``tags_as_exists`` probes tags row by row instead of building the whole list of tagged ids,
    which is cheaper when the caller walks documents in time order and stops after a page.
    """
    parts: list[str] = []
    params: list = []
    a = alias
    if query.text and text:
        positive, negative = to_fts5(parse_user_query(query.text))
        if positive:
            parts.append(f"{a}.rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
            params.append(positive)
        if negative:
            parts.append(f"{a}.rowid NOT IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
            params.append(negative)
    if query.since is not None or query.until is not None:
        clause, time_params = time_clause(query, a)
        parts.append(clause)
        params.extend(time_params)
    for values, column in ((query.source_ids, "source_id"), (query.kinds, "source_kind"),
                           (query.platforms, "platform"), (query.sentiments, "sentiment"),
                           (query.misinfo_statuses, "misinfo_status"), (query.story_ids, "story_id"),
                           (query.duplicate_of, "duplicate_of")):
        if values:
            parts.append(_in(f"{a}.{column}", list(values), params))
    for values, field in ((query.topics, "topic"), (query.places, "place")):
        if values:
            params.append(field)
            sub = _in("value", list(values), params)
            if tags_as_exists:
                parts.append(f"EXISTS (SELECT 1 FROM doc_tags WHERE field = ? AND {sub} AND doc_rowid = {a}.rowid)")
            else:
                parts.append(f"{a}.rowid IN (SELECT doc_rowid FROM doc_tags WHERE field = ? AND {sub})")
    if query.flagged_only:
        parts.append(f"{a}.misinfo_flagged = 1")
    if not query.include_duplicates:
        parts.append(f"{a}.duplicate_of IS NULL")
    return (" AND ".join(parts) or "1"), params
