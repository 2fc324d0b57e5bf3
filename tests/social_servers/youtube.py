"""Fake YouTube Data API v3: search.list, videos.list, commentThreads.list with page tokens."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from .base import FakePlatform, Reply, Request
from .data import AUTHORS, iso_z, text_for, when
from mediawatch.document import parse_ts

API_KEY = "AIzaTestKey-0123456789"


def yt_error(code: int, reason: str, message: str, domain: str = "youtube.quota") -> Reply:
    return Reply.json({"error": {"code": code, "message": message,
                                 "errors": [{"message": message, "domain": domain, "reason": reason}]}},
                      status=code)


QUOTA_EXCEEDED = yt_error(403, "quotaExceeded", "The request cannot be completed because you have "
                          "exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.")


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"CAUQ{offset}".encode()).decode()


def _offset(token: str) -> int:
    return int(base64.urlsafe_b64decode(token.encode()).decode()[4:])


class FakeYouTube(FakePlatform):
    def __init__(self, videos: int = 30, comments_per_video: int = 3) -> None:
        super().__init__()
        self.videos: list[dict[str, Any]] = []
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.deleted: set[str] = set()
        self.comments_disabled: set[str] = set()
        for i in range(videos):
            self.add_video(i, comments_per_video)

    def add_video(self, i: int, comments: int = 3, published: datetime | None = None,
                  title: str | None = None) -> str:
        video_id = f"vid{i:08d}"[-11:]
        published = published or when(i, minutes=13)
        author = AUTHORS[i % len(AUTHORS)]
        self.videos.append({
            "id": video_id, "_ts": published.timestamp(),
            "snippet": {"publishedAt": iso_z(published), "channelId": author["channel"],
                        "title": title or f"Video {i}: {text_for(i)[:60]}",
                        "description": f"{text_for(i)}\nĐăng ký kênh để xem thêm 🔔",
                        "thumbnails": {"default": {"url": f"https://i.ytimg.com/vi/{video_id}/default.jpg"}},
                        "channelTitle": author["name"], "liveBroadcastContent": "none",
                        "defaultAudioLanguage": "vi"},
            "statistics": {"viewCount": str(1000 + i), "likeCount": str(10 + i), "favoriteCount": "0",
                           "commentCount": str(comments)}})
        self.videos.sort(key=lambda v: -v["_ts"])
        self.comments[video_id] = []
        for c in range(comments):
            commenter = AUTHORS[(i + c + 1) % len(AUTHORS)]
            comment_id = f"Ugz{video_id}{c:04d}AaABAg"
            text = f"Bình luận {c}: Đường lên Sa Pa hôm nay thế nào ạ? 🤔"
            self.comments[video_id].append({
                "kind": "youtube#commentThread", "etag": "e", "id": comment_id,
                "snippet": {"channelId": author["channel"], "videoId": video_id,
                            "topLevelComment": {"kind": "youtube#comment", "etag": "e", "id": comment_id,
                                                "snippet": {
                                                    "channelId": author["channel"], "videoId": video_id,
                                                    "textDisplay": text, "textOriginal": text,
                                                    "authorDisplayName": "@" + commenter["handle"],
                                                    "authorProfileImageUrl": "https://yt3.ggpht.com/x",
                                                    "authorChannelUrl": "http://www.youtube.com/@" + commenter["handle"],
                                                    "authorChannelId": {"value": commenter["channel"]},
                                                    "canRate": True, "viewerRating": "none",
                                                    "likeCount": c, "publishedAt": iso_z(published),
                                                    "updatedAt": iso_z(published)}},
                            "canReply": True, "totalReplyCount": c % 2, "isPublic": True}})
        return video_id

    def handle(self, request: Request) -> Reply:
        key = request.headers.get("X-Goog-Api-Key") or request.query.get("key")
        if key != API_KEY:
            return yt_error(400, "badRequest", "API key not valid. Please pass a valid API key.", "global")
        name = request.path.rsplit("/", 1)[-1]
        if name == "search":
            return self._search(request)
        if name == "videos":
            wanted = request.query.get("id", "").split(",")
            items = [{k: v for k, v in video.items() if not k.startswith("_")} | {"kind": "youtube#video"}
                     for video in self.videos if video["id"] in wanted and video["id"] not in self.deleted]
            return Reply.json({"kind": "youtube#videoListResponse", "etag": "e", "items": items,
                               "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}})
        if name == "commentThreads":
            video_id = request.query.get("videoId", "")
            if video_id in self.comments_disabled:
                return yt_error(403, "commentsDisabled", "The video identified by the <code><a href="
                                "\"/youtube/v3/docs/commentThreads/list#videoId\">videoId</a></code> "
                                "parameter has disabled comments.", "youtube.commentThread")
            if video_id not in self.comments or video_id in self.deleted:
                return yt_error(404, "videoNotFound", "The video identified by the videoId parameter "
                                "could not be found.", "youtube.commentThread")
            return self._paged(request, self.comments[video_id], "youtube#commentThreadListResponse", 20)
        return yt_error(404, "notFound", "Not Found", "global")

    def _search(self, request: Request) -> Reply:
        for param in ("regionCode", "relevanceLanguage", "q"):
            if not request.query.get(param):
                return yt_error(400, "missingRequiredParameter", f"missing {param}", "global")
        after = parse_ts(request.query.get("publishedAfter"))
        items = [{"kind": "youtube#searchResult", "etag": "e",
                  "id": {"kind": "youtube#video", "videoId": v["id"]},
                  "snippet": {k: v["snippet"][k] for k in ("publishedAt", "channelId", "title", "description",
                                                          "channelTitle", "liveBroadcastContent")}}
                 for v in self.videos if after is None or v["_ts"] >= after.timestamp()]
        return self._paged(request, items, "youtube#searchListResponse",
                           min(int(request.query.get("maxResults", 5)), 10), regionCode="VN")

    def _paged(self, request: Request, items: list[Any], kind: str, size: int, **more: Any) -> Reply:
        start = _offset(request.query["pageToken"]) if request.query.get("pageToken") else 0
        chunk = items[start:start + size]
        body: dict[str, Any] = {"kind": kind, "etag": "e", **more,
                                "pageInfo": {"totalResults": len(items), "resultsPerPage": size},
                                "items": chunk}
        if start + size < len(items):
            body["nextPageToken"] = _token(start + size)
        if start:
            body["prevPageToken"] = _token(max(0, start - size))
        return Reply.json(body)
