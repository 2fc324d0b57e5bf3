"""Datasette plugin (loaded with --plugins-dir): SQL functions the dashboard queries use.

- ``mw_html(text)``: HTML-escaped text. datasette-dashboards fills table cells with innerHTML, so a
  post containing ``<script>`` or ``<img onerror>`` must arrive as inert text.
- ``mw_link(url)``: an escaped link for http(s) URLs, else the escaped text.
- ``mw_fts_match(q)`` / ``mw_fts_exclude(q)``: the store's user query syntax (mediawatch.store.query)
  as FTS5 MATCH expressions (NULL when there is nothing to match or exclude).

It also installs an SQLite authorizer on Datasette's connections, so whatever SQL is sent:
- people are not targets: ``author_key`` cannot be read. The key lives in ``documents.body`` (the
  document's JSON), so reads of that column (and of any column named ``author_key``) return NULL:
  ``json_extract(body, '$.author_key')``, ``GROUP BY``, sub-queries, views, facets;
- columns of the review desk's private tables (accounts, sessions, audit log) read as NULL.
"""

from __future__ import annotations

import html
import sqlite3

from datasette import hookimpl

from mediawatch.dashboards.datasette_config import PRIVATE_TABLES
from mediawatch.store.query import parse_user_query, to_fts5


def mw_html(value):
    return None if value is None else html.escape(str(value), quote=True)


def mw_link(value):
    if value is None or value == "":
        return None
    text = str(value)
    if not text.lower().startswith(("http://", "https://")):
        return html.escape(text, quote=True)
    safe = html.escape(text, quote=True)
    return f'<a href="{safe}" rel="noopener noreferrer nofollow" target="_blank">{safe}</a>'


def mw_fts_match(query):
    return to_fts5(parse_user_query(query))[0] if query else None


def mw_fts_exclude(query):
    return to_fts5(parse_user_query(query))[1] if query else None


# (table, column) pairs no dashboard SQL may read; "*" matches any table.
HIDDEN_COLUMNS = frozenset({("documents", "body"), ("*", "author_key")})


def authorize(action, arg1, arg2, db_name, trigger):
    """SQLite authorizer: hidden columns and private tables read as NULL (SQLITE_IGNORE)."""
    if action == sqlite3.SQLITE_READ:
        if arg1 in PRIVATE_TABLES:
            return sqlite3.SQLITE_IGNORE
        if arg2 is not None:
            column = arg2.lower()
            if ((arg1 or "").lower(), column) in HIDDEN_COLUMNS or ("*", column) in HIDDEN_COLUMNS:
                return sqlite3.SQLITE_IGNORE
    return sqlite3.SQLITE_OK


@hookimpl
def prepare_connection(conn):
    conn.set_authorizer(authorize)
    conn.create_function("mw_html", 1, mw_html, deterministic=True)
    conn.create_function("mw_link", 1, mw_link, deterministic=True)
    conn.create_function("mw_fts_match", 1, mw_fts_match, deterministic=True)
    conn.create_function("mw_fts_exclude", 1, mw_fts_exclude, deterministic=True)
