"""Fake Graph API (v21.0 shapes): /{page}/posts and /{post-id}/comments with cursor paging."""

from __future__ import annotations

import base64
import json
import re
import zlib
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from .base import FakePlatform, Reply, Request
from .data import AUTHORS, fb_time, text_for, when

TOKEN = "EAAtest-page-token"


def _cursor(index: int) -> str:
    return base64.b64encode(f"idx:{index}".encode()).decode()


def _index(cursor: str) -> int:
    return int(base64.b64decode(cursor).decode().split(":", 1)[1])


def graph_error(message: str, code: int, kind: str = "OAuthException", status: int = 400,
                subcode: int | None = None) -> Reply:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf123"}
    if subcode:
        error["error_subcode"] = subcode
    return Reply.json({"error": error}, status=status)


class FakeGraph(FakePlatform):
    def __init__(self, pages: dict[str, int] | None = None, comments_per_post: int = 2,
                 usage: int = 5, photo_every: int = 9) -> None:
        super().__init__()
        self.photo_every = photo_every  # every n-th post is photo-only (no message); 0: none
        self.posts: dict[str, list[dict[str, Any]]] = {}
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.deleted: set[str] = set()
        self.usage = usage
        for page, count in (pages or {"soyte.laocai": 7}).items():
            for i in range(count):  # i grows older: the list stays newest first
                self.add_post(page, i, comments_per_post, keep_sorted=False)

    def add_post(self, page: str, i: int, comments: int = 2, created: datetime | None = None,
                 message: str | None = None, keep_sorted: bool = True) -> dict[str, Any]:
        post_id = f"1000{zlib.crc32(page.encode()) % 10_000}_{9_000_000 - i}"
        created = created or when(i)
        post = {"id": post_id, "created_time": fb_time(created),
                "permalink_url": f"https://www.facebook.com/{page}/posts/{9_000_000 - i}",
                "shares": {"count": i % 4}, "_ts": created.timestamp(),
                "reactions": {"data": [], "summary": {"total_count": 10 + i, "viewer_reaction": "NONE"}},
                "comments": {"data": [], "summary": {"order": "ranked", "total_count": comments,
                                                     "can_comment": False}}}
        if message is not None or not self.photo_every or i % self.photo_every != self.photo_every - 1:
            post["message"] = message if message is not None else text_for(i)
        self.posts.setdefault(page, []).append(post)
        if keep_sorted:
            self.posts[page].sort(key=lambda p: -p["_ts"])
        self.comments[post_id] = []
        for c in range(comments):
            author = AUTHORS[(i + c) % len(AUTHORS)]
            self.comments[post_id].append({
                "id": f"{post_id.split('_')[1]}_{zlib.crc32(page.encode()) % 10_000}{700_000 + c}",
                "created_time": fb_time(created.replace(second=min(59, c + 1))),
                "from": {"name": author["name"], "id": author["id"]},
                "message": f"Bình luận {c} 👏 về bài {i}: đồng ý với chính quyền xã",
                "like_count": c, "comment_count": 0})
        return post

    def handle(self, request: Request) -> Reply:
        header = request.headers.get("Authorization", "")
        token = header.split(" ", 1)[1] if " " in header else request.query.get("access_token")
        if token != TOKEN:
            return graph_error("Invalid OAuth access token - Cannot parse access token", 190)
        parts = [p for p in request.path.split("/") if p]
        headers = {"X-App-Usage": json.dumps({"call_count": self.usage, "total_cputime": 1, "total_time": 2})}
        if len(parts) == 2 and parts[1] == "posts":
            page = parts[0]
            if page not in self.posts:
                return graph_error(f"(#803) Some of the aliases you requested do not exist: {page}", 803)
            items = self.posts[page]
            since = request.query.get("since")
            if since:
                items = [p for p in items if p["_ts"] >= int(since)]
            return self._page(request, items, headers, lambda p: self._expand(
                request, {k: v for k, v in p.items() if not k.startswith("_")}))
        if len(parts) == 2 and parts[1] == "comments":
            post_id = parts[0]
            if post_id in self.deleted or post_id not in self.comments:
                return graph_error(f"Unsupported get request. Object with ID '{post_id}' does not exist, "
                                   "cannot be loaded due to missing permissions, or does not support "
                                   "this operation.", 100, "GraphMethodException", subcode=33)
            return self._page(request, self.comments[post_id], headers)
        return graph_error("Unknown path components", 2500)

    def _expand(self, request: Request, post: dict[str, Any]) -> dict[str, Any]:
        """Field expansion: comments.limit(N){fields} embeds the first N comments with paging."""
        match = re.search(r"comments\.[^{,]*limit\((\d+)\)\{", request.query.get("fields", ""))
        if not match:
            return post
        limit = int(match.group(1))
        comments = self.comments.get(post["id"], [])
        edge = dict(post["comments"])
        edge["data"] = comments[:limit]
        if comments:
            edge["paging"] = {"cursors": {"before": _cursor(0), "after": _cursor(min(limit, len(comments)))}}
            if len(comments) > limit:
                query = urlencode({"limit": limit, "after": _cursor(limit), "fields": "id,message"})
                edge["paging"]["next"] = f"{self.base}/{post['id']}/comments?{query}"
        return {**post, "comments": edge}

    def _page(self, request: Request, items: list[dict[str, Any]], headers: dict[str, str],
              shape=None) -> Reply:
        limit = int(request.query.get("limit", 25))
        start = _index(request.query["after"]) if request.query.get("after") else 0
        chunk = items[start:start + limit]
        if shape is not None:
            chunk = [shape(item) for item in chunk]
        body: dict[str, Any] = {"data": chunk}
        if chunk:
            body["paging"] = {"cursors": {"before": _cursor(start), "after": _cursor(start + len(chunk))}}
            if start + limit < len(items):
                query = dict(request.query)
                query["after"] = _cursor(start + len(chunk))
                body["paging"]["next"] = f"{self.base}{request.path}?{urlencode(query)}"
        return Reply.json(body, headers=headers)
