"""Bluesky: post search and author feeds through the public AppView API.

Options: ``keywords`` (``app.bsky.feed.searchPosts``; default the province's names), ``accounts``
(handles read with ``app.bsky.feed.getAuthorFeed``: publishers, they keep their name), ``lang``
(default ``vi``). No login is needed; when ``social.bluesky_handle`` and
``social.bluesky_app_password`` are both set, one ``com.atproto.server.createSession`` is made and
calls go through the PDS with that session (search is sometimes limited to signed-in clients).

Every bsky.app URL of a post embeds its author's DID or handle, so posts found by search get an
opaque ``urn:mediawatch:bluesky:<doc id>`` URL; author-feed posts keep their public URL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

from mediawatch.document import Document, doc_id_for_post, format_ts
from mediawatch.errors import MediawatchError
from mediawatch.settings import SourceSettings

from ..base import CollectContext
from .common import SocialRun, engagement, parse_time, title_from

PLATFORM = "bluesky"


def rkey_of(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def post_document(run: SocialRun, post: dict[str, Any], *, publisher: str | None = None) -> Document | None:
    uri = post.get("uri")
    record = post.get("record") or {}
    text = (record.get("text") or "").strip() if isinstance(record, dict) else ""
    if not isinstance(uri, str) or not uri.startswith("at://") or not text:
        return None  # deleted, blocked, or media-only
    doc_id = doc_id_for_post(PLATFORM, uri)
    author = post.get("author") or {}
    extra: dict[str, Any] = {"type": "post", "rkey": rkey_of(uri)}
    if publisher:
        url = f"https://bsky.app/profile/{publisher}/post/{rkey_of(uri)}"
        extra["account"] = publisher
        key = None
    else:
        url = f"urn:mediawatch:bluesky:{doc_id}"
        key = run.author(author.get("did") if isinstance(author, dict) else None)
    parent = ((record.get("reply") or {}).get("parent") or {}).get("uri")
    langs = record.get("langs") or []
    return Document(
        id=doc_id, url=url, source=run.publisher, title=title_from(text), text=text,
        lang=langs[0] if langs and isinstance(langs[0], str) else None,
        published_at=parse_time(record.get("createdAt") or post.get("indexedAt")), author_key=key,
        engagement=engagement(likes=post.get("likeCount"), comments=post.get("replyCount"),
                              shares=(post.get("repostCount") or 0) + (post.get("quoteCount") or 0)),
        parent_id=doc_id_for_post(PLATFORM, parent) if isinstance(parent, str) else None, extra=extra)


def collect_bluesky(source: SourceSettings, ctx: CollectContext) -> Iterable[Document]:
    run = SocialRun.start(PLATFORM, source, ctx)
    if run is None:
        return
    try:
        base = _session(run)
        keywords = list(source.options.keywords)
        accounts = [a.lstrip("@") for a in source.options.accounts]
        if not keywords and not accounts:
            province = ctx.settings.province
            keywords = [province.name, *province.former_names]
        targets = [("search", k) for k in keywords] + [("feed", a) for a in accounts]
        for kind, name in targets:
            yield from run.guarded(_search(run, base, name) if kind == "search" else _feed(run, base, name))
    finally:
        run.close()


def _session(run: SocialRun) -> str:
    """The base URL for xrpc calls: the public AppView, or the PDS after an optional login."""
    social = run.ctx.settings.social
    password = social.bluesky_app_password
    if not (social.bluesky_handle and password and password.get_secret_value()):
        return social.bluesky_api_base.rstrip("/")
    pds = social.bluesky_pds_base.rstrip("/")
    try:
        response = run.client.request(f"{pds}/xrpc/com.atproto.server.createSession", method="POST",
                                      json_body={"identifier": social.bluesky_handle,
                                                 "password": password.get_secret_value()})
        token = response.json().get("accessJwt")
    except MediawatchError as exc:
        run.ctx.report.error("login", f"bluesky app-password login failed ({exc}); reading the public "
                             "AppView instead. Fix: check social.bluesky_handle and bluesky_app_password")
        return social.bluesky_api_base.rstrip("/")
    if token:
        run.client.session.headers["Authorization"] = f"Bearer {token}"
        return pds
    return social.bluesky_api_base.rstrip("/")


def _search(run: SocialRun, base: str, query: str) -> Iterator[Document]:
    key = f"bluesky:search:{query}"
    state = run.cursor(key)
    since = parse_time(state.get("since"))
    newest = since
    params: dict[str, Any] = {"q": query, "limit": 100, "sort": "latest",
                              "lang": run.source.options.lang}
    if since:
        params["since"] = format_ts(since)
    for _ in range(run.ctx.settings.social.max_pages):
        data, _r = run.client.get_json(f"{base}/xrpc/app.bsky.feed.searchPosts", params)
        posts = data.get("posts") if isinstance(data, dict) else None
        if not isinstance(posts, list):
            run.skip("parse", f"bluesky search {query!r}: answer has no posts list")
            break
        for post in posts:
            doc = post_document(run, post) if isinstance(post, dict) else None
            if doc is None:
                continue
            if since and doc.published_at and doc.published_at <= since:
                continue
            newest = _later(newest, doc.published_at)
            run.emit(doc)
            yield doc
        cursor = data.get("cursor")
        if not cursor or not posts:
            break
        params["cursor"] = cursor
    if newest and newest != since:
        run.save_cursor(key, {"since": format_ts(newest)}, state, run.last_doc_id)


def _feed(run: SocialRun, base: str, actor: str) -> Iterator[Document]:
    key = f"bluesky:feed:{actor}"
    state = run.cursor(key)
    since = parse_time(state.get("since"))
    newest = since
    params: dict[str, Any] = {"actor": actor, "limit": 100, "filter": "posts_no_replies"}
    for _ in range(run.ctx.settings.social.max_pages):
        data, _r = run.client.get_json(f"{base}/xrpc/app.bsky.feed.getAuthorFeed", params)
        feed = data.get("feed") if isinstance(data, dict) else None
        if not isinstance(feed, list):
            run.skip("parse", f"bluesky feed {actor}: answer has no feed list")
            break
        reached = False
        for item in feed:
            if not isinstance(item, dict) or item.get("reason"):
                continue  # reposts and pins repeat posts out of time order
            doc = post_document(run, item.get("post") or {}, publisher=actor)
            if doc is None:
                continue
            if since and doc.published_at and doc.published_at <= since:
                reached = True
                continue
            newest = _later(newest, doc.published_at)
            run.emit(doc)
            yield doc
        cursor = data.get("cursor")
        if reached or not cursor or not feed:
            break
        params["cursor"] = cursor
    if newest and newest != since:
        run.save_cursor(key, {"since": format_ts(newest)}, state, run.last_doc_id)


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def politeness_key(source: SourceSettings, settings) -> str:
    """All sources of this connector share the public AppView API (and its rate limit): one at a time."""
    return urlsplit(settings.social.bluesky_api_base).hostname or PLATFORM
