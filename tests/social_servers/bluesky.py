"""Fake Bluesky AppView/PDS: app.bsky.feed.searchPosts, getAuthorFeed, createSession."""

from __future__ import annotations

import base64
import time
from datetime import datetime
from typing import Any

from mediawatch.document import parse_ts

from .base import FakePlatform, Reply, Request
from .data import AUTHORS, did_of, iso_ms, text_for, when

PUBLISHER = {"did": "did:plc:baolaocaiofficial", "handle": "baolaocai.bsky.social",
             "displayName": "Báo Lào Cai"}
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
JWT = "eyJhbGciOiJFUzI1NksifQ.test.jwt"


def xrpc_error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply.json({"error": error, "message": message}, status=status, headers=headers)


def rate_limited(reset_in: float = 1.0) -> Reply:
    return xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", {
        "ratelimit-limit": "3000", "ratelimit-remaining": "0", "ratelimit-policy": "3000;w=300",
        "ratelimit-reset": str(int(time.time() + reset_in))})


def _cursor(i: int) -> str:
    return base64.urlsafe_b64encode(str(i).encode()).decode()


class FakeBluesky(FakePlatform):
    def __init__(self, found: int = 60, published: int = 15, require_auth: bool = False) -> None:
        super().__init__()
        self.posts: list[dict[str, Any]] = []  # search corpus, newest first
        self.feed: list[dict[str, Any]] = []  # the publisher's feed items, newest first
        self.require_auth = require_auth
        self.sessions = 0
        for i in range(found):
            self.add_post(when(i, 5))
        for i in range(published):
            self.add_post(when(i, 11), author=PUBLISHER)
        self.feed.insert(3, {"post": self.posts[0], "reason": {"$type": "app.bsky.feed.defs#reasonRepost",
                                                              "by": PUBLISHER, "indexedAt": iso_ms(when(0))}})

    def add_post(self, created: datetime, *, author: dict[str, Any] | None = None,
                 text: str | None = None) -> dict[str, Any]:
        n = len(self.posts) + len(self.feed)
        person = AUTHORS[n % len(AUTHORS)]
        who = author or {"did": did_of(person), "handle": f"{person['handle']}.bsky.social",
                         "displayName": person["name"], "avatar": "https://cdn.bsky.app/img/avatar/x",
                         "labels": [], "createdAt": "2024-01-01T00:00:00.000Z"}
        rkey = f"3l{n:011d}"
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text or text_for(n),
                                  "createdAt": iso_ms(created), "langs": ["vi"]}
        if n % 8 == 7:
            parent = f"at://{did_of(AUTHORS[0])}/app.bsky.feed.post/3lparent0000"
            record["reply"] = {"parent": {"uri": parent, "cid": "bafyparent"},
                               "root": {"uri": parent, "cid": "bafyparent"}}
        post = {"uri": f"at://{who['did']}/app.bsky.feed.post/{rkey}", "cid": f"bafyrei{n:020d}",
                "author": who, "record": record, "replyCount": n % 4, "repostCount": n % 3,
                "likeCount": n % 9, "quoteCount": n % 2, "indexedAt": iso_ms(created), "labels": []}
        if n % 17 == 16:  # deleted/blocked record: no text
            post["record"] = {"$type": "app.bsky.feed.post", "text": "", "createdAt": iso_ms(created)}
        if author is None:
            self.posts.append(post)
            self.posts.sort(key=lambda p: p["indexedAt"], reverse=True)
        else:
            self.feed.append({"post": post})
            self.feed.sort(key=lambda item: item["post"]["indexedAt"], reverse=True)
        return post

    def handle(self, request: Request) -> Reply:
        name = request.path.rsplit("/", 1)[-1]
        if name == "com.atproto.server.createSession":
            body = request.json() or {}
            if body.get("password") != APP_PASSWORD:
                return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
            self.sessions += 1
            return Reply.json({"did": "did:plc:operator", "handle": body.get("identifier"),
                               "accessJwt": JWT, "refreshJwt": "refresh", "active": True})
        if self.require_auth and request.headers.get("Authorization") != f"Bearer {JWT}":
            return xrpc_error(403, "Forbidden", "search requires authentication")
        if name == "app.bsky.feed.searchPosts":
            if not request.query.get("q"):
                return xrpc_error(400, "InvalidRequest", "Error: Params must have the property \"q\"")
            since = parse_ts(request.query.get("since"))
            hits = [p for p in self.posts if since is None or parse_ts(p["indexedAt"]) >= since]
            page, cursor = self._slice(request, hits)
            body: dict[str, Any] = {"posts": page, "hitsTotal": len(hits)}
            if cursor:
                body["cursor"] = cursor
            return Reply.json(body)
        if name == "app.bsky.feed.getAuthorFeed":
            if request.query.get("actor") != PUBLISHER["handle"]:
                return xrpc_error(400, "InvalidRequest", "Profile not found")
            page, cursor = self._slice(request, self.feed)
            body = {"feed": page}
            if cursor:
                body["cursor"] = cursor
            return Reply.json(body)
        return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")

    def _slice(self, request: Request, items: list[Any]) -> tuple[list[Any], str | None]:
        limit = min(int(request.query.get("limit", 25)), 25)  # the fake pages by 25 to exercise paging
        start = int(base64.urlsafe_b64decode(request.query["cursor"]).decode()) if request.query.get("cursor") else 0
        page = items[start:start + limit]
        return page, _cursor(start + limit) if start + limit < len(items) else None
