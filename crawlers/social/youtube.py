"""YouTube Data API v3: videos matching the province's keywords, their statistics and comments.

Options: ``keywords`` (default: the province's name and former names), ``comments`` (default true),
``search_pages`` (default 5; each search page costs 100 quota units of the 10,000 a day),
``comment_pages`` (per video, default 2). Needs ``social.youtube_api_key``. The cursor is the newest
video's ``publishedAt``; the next run searches with ``publishedAfter`` for newer videos only.

Channels found by search are authors, not configured publishers: their id becomes ``author_key``
and their name is not kept.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from mediawatch.document import Document, doc_id_for_post, format_ts, utcnow
from mediawatch.errors import ErrorKind
from mediawatch.settings import SourceSettings

from ..base import CollectContext
from .common import SocialRun, engagement, parse_time, title_from
from .http import ApiError, Response

PLATFORM = "youtube"
RETRY_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}


def error_reason(payload: Any) -> str | None:
    """The first ``errors[].reason`` of a YouTube error body."""
    try:
        return payload["error"]["errors"][0]["reason"]
    except (KeyError, IndexError, TypeError):
        return None


def seconds_to_quota_reset(now: datetime | None = None) -> float:
    """The daily quota resets at midnight Pacific time."""
    pacific = (now or utcnow()).astimezone(ZoneInfo("America/Los_Angeles"))
    midnight = (pacific + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - pacific).total_seconds()


def inspect(response: Response) -> float | None:
    if response.status != 403:
        return None
    try:
        reason = error_reason(json.loads(response.body))
    except (ValueError, UnicodeDecodeError):
        return None
    if reason in ("quotaExceeded", "dailyLimitExceeded"):
        return seconds_to_quota_reset()
    if reason in RETRY_REASONS:
        return 1.0
    return None


def video_document(run: SocialRun, item: dict[str, Any]) -> Document | None:
    video_id = item.get("id")
    snippet = item.get("snippet") or {}
    if not isinstance(video_id, str) or not snippet:
        return None
    title = (snippet.get("title") or "").strip()
    description = (snippet.get("description") or "").strip()
    stats = item.get("statistics") or {}
    return Document(
        id=doc_id_for_post(PLATFORM, video_id), url=f"https://www.youtube.com/watch?v={video_id}",
        source=run.publisher, title=title or title_from(description),
        text="\n".join(p for p in (title, description) if p),
        published_at=parse_time(snippet.get("publishedAt")),
        author_key=run.author(snippet.get("channelId")),
        lang=(snippet.get("defaultAudioLanguage") or snippet.get("defaultLanguage") or None),
        engagement=engagement(likes=stats.get("likeCount"), comments=stats.get("commentCount"),
                              views=stats.get("viewCount")),
        extra={"platform_id": video_id, "type": "video"})


def comment_document(run: SocialRun, thread: dict[str, Any], video: Document) -> Document | None:
    top = ((thread.get("snippet") or {}).get("topLevelComment") or {})
    snippet = top.get("snippet") or {}
    comment_id = top.get("id") or thread.get("id")
    text = (snippet.get("textOriginal") or snippet.get("textDisplay") or "").strip()
    if not comment_id or not text:
        return None
    channel = snippet.get("authorChannelId")
    raw_author = channel.get("value") if isinstance(channel, dict) else None
    return Document(
        id=doc_id_for_post(PLATFORM, comment_id),
        url=f"https://www.youtube.com/watch?v={video.extra['platform_id']}&lc={comment_id}",
        source=run.publisher, title=title_from(text), text=text,
        published_at=parse_time(snippet.get("publishedAt")), author_key=run.author(raw_author),
        engagement=engagement(likes=snippet.get("likeCount"),
                              comments=(thread.get("snippet") or {}).get("totalReplyCount")),
        parent_id=video.id, extra={"platform_id": comment_id, "type": "comment"})


def collect_youtube(source: SourceSettings, ctx: CollectContext) -> Iterable[Document]:
    social = ctx.settings.social
    run = SocialRun.start(PLATFORM, source, ctx, token=social.youtube_api_key,
                          token_setting="youtube_api_key", inspect=inspect)
    if run is None:
        return
    # The key travels in a header, never in the URL: URLs end up in debug logs.
    run.client.session.headers["X-Goog-Api-Key"] = social.youtube_api_key.get_secret_value()
    try:
        yield from run.guarded(_collect(run))
    finally:
        run.close()


def _collect(run: SocialRun) -> Iterator[Document]:
    settings = run.ctx.settings
    base = settings.social.youtube_api_base.rstrip("/")
    keywords = list(run.source.options.keywords) or [settings.province.name, *settings.province.former_names]
    state = run.cursor("youtube:search")
    after = parse_time(state.get("published_after"))
    newest = after
    params: dict[str, Any] = {"part": "snippet", "type": "video", "order": "date", "maxResults": 50,
                              "q": "|".join(f'"{k}"' if " " in k else k for k in keywords),
                              "regionCode": "VN", "relevanceLanguage": "vi"}
    if after:
        params["publishedAfter"] = format_ts(after)
    pages = run.source.options.search_pages
    with_comments = run.source.options.comments
    for _ in range(min(pages, settings.social.max_pages)):
        data, _r = run.client.get_json(f"{base}/search", params)
        ids = [i["id"]["videoId"] for i in data.get("items") or []
               if isinstance(i, dict) and isinstance(i.get("id"), dict) and i["id"].get("videoId")]
        for video in _videos(run, base, ids):
            if after and video.published_at and video.published_at <= after:
                continue  # publishedAfter is inclusive of the boundary second
            if video.published_at and (newest is None or video.published_at > newest):
                newest = video.published_at
            run.emit(video)
            yield video
            if with_comments and video.engagement.comments:
                yield from _comments(run, base, video)
        token = data.get("nextPageToken")
        if not token:
            break
        params["pageToken"] = token
    if newest and newest != after:
        run.save_cursor("youtube:search", {"published_after": format_ts(newest)}, state, run.last_doc_id)


def _videos(run: SocialRun, base: str, ids: list[str]) -> Iterator[Document]:
    if not ids:
        return
    data, _r = run.client.get_json(f"{base}/videos", {"part": "snippet,statistics", "id": ",".join(ids),
                                                      "maxResults": 50})
    # Deleted or private videos are simply absent from videos.list.
    for item in data.get("items") or []:
        doc = video_document(run, item) if isinstance(item, dict) else None
        if doc is None:
            run.skip("parse", "a videos.list item without id or snippet was skipped")
            continue
        yield doc


def _comments(run: SocialRun, base: str, video: Document) -> Iterator[Document]:
    params: dict[str, Any] = {"part": "snippet", "videoId": video.extra["platform_id"], "maxResults": 100,
                              "order": "time", "textFormat": "plainText"}
    for _ in range(run.source.options.comment_pages):
        try:
            data, _r = run.client.get_json(f"{base}/commentThreads", params)
        except ApiError as exc:
            reason = error_reason(exc.payload) or f"http_{exc.status}"
            if reason != "commentsDisabled":
                run.ctx.report.error(reason, f"comments of video {video.extra['platform_id']} "
                                     f"unavailable ({reason})", kind=ErrorKind.PERMANENT)
            return
        for thread in data.get("items") or []:
            doc = comment_document(run, thread, video) if isinstance(thread, dict) else None
            if doc is not None:
                run.emit(doc)
                yield doc
        token = data.get("nextPageToken")
        if not token:
            return
        params["pageToken"] = token


def politeness_key(source: SourceSettings, settings) -> str:
    """All sources of this connector share the YouTube Data API (and its rate limit): one at a time."""
    return urlsplit(settings.social.youtube_api_base).hostname or PLATFORM
