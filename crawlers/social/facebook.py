"""Facebook Graph API: posts and public comments of the Pages the operator configured.

Options: ``pages`` (page ids or usernames), ``comments`` (default true). Comments follow the
edge's pages up to ``social.max_pages``. Needs ``social.facebook_access_token``. The cursor per page is the
newest post's ``created_time``; the next run asks with ``since`` for newer posts only.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

from mediawatch.document import Document, doc_id_for_post
from mediawatch.errors import ErrorKind, MediawatchError
from mediawatch.settings import SourceSettings

from ..base import CollectContext
from .common import SocialRun, engagement, parse_time, title_from
from .http import ApiError, RateLimited, Response, parse_wait

PLATFORM = "facebook"
COMMENT_FIELDS = "id,message,created_time,from,like_count,comment_count"
INLINE_COMMENTS = 25
_POST_BASE = "id,message,created_time,permalink_url,shares,reactions.summary(total_count).limit(0),"
# Field expansion brings each post's first comments with the post: one call per 100 posts
# instead of one more per post. Only posts with more comments follow the edge's paging.next.
POST_FIELDS = (_POST_BASE + f"comments.summary(total_count).filter(toplevel).limit({INLINE_COMMENTS})"
               f"{{{COMMENT_FIELDS}}}")
POST_FIELDS_NO_COMMENTS = _POST_BASE + "comments.summary(total_count).limit(0)"
# Graph error codes meaning "throttled": app, user, page and custom-rate limits.
THROTTLE_CODES = {4, 17, 32, 613, 80001}
USAGE_HEADERS = ("X-App-Usage", "X-Page-Usage", "X-Ad-Account-Usage")
PAUSE_AT_PCT = 95  # above this share of the quota, pause before the next call
THROTTLE_WAIT_S = 300.0  # Graph names no reset time for app-level throttling


def usage_pct(response: Response) -> float:
    """Highest percentage in Graph's usage headers (X-App-Usage etc., JSON objects of percentages)."""
    highest = 0.0
    for name in USAGE_HEADERS + ("X-Business-Use-Case-Usage",):
        raw = response.headers.get(name)
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        entries = [data] if name != "X-Business-Use-Case-Usage" else [
            e for items in data.values() if isinstance(items, list) for e in items]
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            for field in ("call_count", "total_time", "total_cputime"):
                value = entry.get(field)
                if isinstance(value, (int, float)):
                    highest = max(highest, float(value))
    return highest


def regain_wait(response: Response) -> float | None:
    """Seconds from X-Business-Use-Case-Usage's estimated_time_to_regain_access (minutes)."""
    raw = response.headers.get("X-Business-Use-Case-Usage")
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    minutes = [e.get("estimated_time_to_regain_access", 0) for items in data.values()
               if isinstance(items, list) for e in items if isinstance(e, dict)]
    return max(minutes) * 60.0 if minutes and max(minutes) > 0 else None


def inspect(response: Response) -> float | None:
    if response.status >= 400:
        try:
            code = (json.loads(response.body).get("error") or {}).get("code")
        except (ValueError, AttributeError, UnicodeDecodeError):
            code = None
        if code in THROTTLE_CODES:
            return regain_wait(response) or parse_wait(response.headers.get("Retry-After")) or THROTTLE_WAIT_S
        return None
    if usage_pct(response) >= PAUSE_AT_PCT:
        return regain_wait(response) or 60.0
    return None


def post_document(run: SocialRun, item: dict[str, Any], page: str) -> Document | None:
    post_id = str(item.get("id") or "")
    text = (item.get("message") or "").strip()
    if not post_id or not text:
        return None  # photo-only or deleted: nothing to read
    url = item.get("permalink_url") or f"https://www.facebook.com/{post_id}"
    return Document(
        id=doc_id_for_post(PLATFORM, post_id), url=url, source=run.publisher, title=title_from(text),
        text=text, published_at=parse_time(item.get("created_time")),
        engagement=engagement(likes=_summary(item.get("reactions")),
                              comments=_summary(item.get("comments")),
                              shares=(item.get("shares") or {}).get("count", 0)),
        extra={"platform_id": post_id, "page": page, "type": "post"})


def comment_document(run: SocialRun, item: dict[str, Any], post: Document) -> Document | None:
    comment_id = str(item.get("id") or "")
    text = (item.get("message") or "").strip()
    if not comment_id or not text:
        return None
    local_id = comment_id.rsplit("_", 1)[-1]
    # The post's permalink plus the comment id: never the commenter's profile or id.
    url = f"{post.url.split('?', 1)[0]}?comment_id={local_id}"
    author = item.get("from") or {}
    return Document(
        id=doc_id_for_post(PLATFORM, comment_id), url=url, source=run.publisher,
        title=title_from(text), text=text, published_at=parse_time(item.get("created_time")),
        author_key=run.author(author.get("id") if isinstance(author, dict) else None),
        engagement=engagement(likes=item.get("like_count"), comments=item.get("comment_count")),
        parent_id=post.id, extra={"platform_id": comment_id, "type": "comment"})


def _summary(edge: Any) -> int:
    if isinstance(edge, dict):
        return int((edge.get("summary") or {}).get("total_count") or 0)
    return 0


def _pages(run: SocialRun, url: str, params: dict[str, Any] | None) -> Iterator[list[dict[str, Any]]]:
    """Follow paging.next, which already carries the fields and the cursor."""
    for _ in range(run.ctx.settings.social.max_pages):
        data, _response = run.client.get_json(url, params)
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list):
            run.skip("parse", f"facebook answered without a data list for {url.split('?')[0]}")
            return
        yield [i for i in items if isinstance(i, dict)]
        url = (data.get("paging") or {}).get("next")
        params = None
        if not url:
            return


def collect_facebook(source: SourceSettings, ctx: CollectContext) -> Iterable[Document]:
    social = ctx.settings.social
    run = SocialRun.start(PLATFORM, source, ctx, token=social.facebook_access_token,
                          token_setting="facebook_access_token", inspect=inspect)
    if run is None:
        return
    # The token travels in a header, never in the URL: URLs end up in debug logs and paging links.
    run.client.session.headers["Authorization"] = f"OAuth {social.facebook_access_token.get_secret_value()}"
    try:
        for page in source.options.pages:  # at least one: checked when the configuration is loaded
            try:
                yield from _collect_page(run, page)
            except MediawatchError as exc:
                ctx.report.failure(exc, "rate_limited" if isinstance(exc, RateLimited) else None)
    finally:
        run.close()


def _collect_page(run: SocialRun, page: str) -> Iterator[Document]:
    social = run.ctx.settings.social
    state = run.cursor(f"facebook:{page}")
    since = state.get("since")
    with_comments = run.source.options.comments
    params: dict[str, Any] = {"fields": POST_FIELDS if with_comments else POST_FIELDS_NO_COMMENTS,
                              "limit": 100}
    if since:
        params["since"] = int(since) + 1
    newest = since or 0
    base = social.facebook_api_base.rstrip("/")
    for items in _pages(run, f"{base}/{page}/posts", params):
        for item in items:
            post = post_document(run, item, page)
            if post is None:
                continue
            if post.published_at:
                newest = max(newest, int(post.published_at.timestamp()))
            run.emit(post)
            yield post
            if with_comments:
                yield from _comments(run, item.get("comments"), post)
    if newest:
        run.save_cursor(f"facebook:{page}", {"since": newest}, state, run.last_doc_id)


def _comments(run: SocialRun, edge: Any, post: Document) -> Iterator[Document]:
    """The comments embedded in the post, then the rest of the edge's pages."""
    if not isinstance(edge, dict):
        return
    post_id = post.extra["platform_id"]

    def pages() -> Iterator[list[dict[str, Any]]]:
        yield [c for c in edge.get("data") or [] if isinstance(c, dict)]
        following = (edge.get("paging") or {}).get("next")
        if following:
            yield from _pages(run, following, None)

    try:
        for items in pages():
            for item in items:
                comment = comment_document(run, item, post)
                if comment is not None:
                    run.emit(comment)
                    yield comment
    except ApiError as exc:
        # A post deleted between the listing and this call answers 400 (code 100): skip its comments.
        run.ctx.report.error("http_%d" % exc.status, f"comments of post {post_id} unavailable: {exc}",
                             kind=ErrorKind.PERMANENT)


def politeness_key(source: SourceSettings, settings) -> str:
    """All sources of this connector share the Graph API (and its rate limit): one at a time."""
    return urlsplit(settings.social.facebook_api_base).hostname or PLATFORM
