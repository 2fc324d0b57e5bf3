"""Fake Mastodon REST API: tag timelines, account lookup and statuses, Link header paging."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from .base import FakePlatform, Reply, Request
from .data import AUTHORS, iso_ms, text_for, when

PUBLISHER = {"id": "109000000000000001", "username": "baolaocai", "acct": "baolaocai",
             "display_name": "Báo Lào Cai"}


class FakeMastodon(FakePlatform):
    def __init__(self, tagged: int = 50, published: int = 12) -> None:
        super().__init__()
        self.next_id = 110_000_000_000_000_000
        self.tags: dict[str, list[dict[str, Any]]] = {"laocai": []}
        self.accounts: dict[str, list[dict[str, Any]]] = {PUBLISHER["id"]: []}
        for i in range(tagged):
            self.add_status("laocai", when(tagged - i))
        for i in range(published):
            self.add_status(None, when(published - i), account=PUBLISHER)

    def account_json(self, author: dict[str, Any]) -> dict[str, Any]:
        if "username" in author:
            acct = author
        else:
            acct = {"id": author["id"], "username": author["handle"], "acct": author["handle"],
                    "display_name": author["name"]}
        return {**acct, "locked": False, "bot": False, "url": f"{self.base}/@{acct['username']}",
                "avatar": f"{self.base}/avatars/{acct['id']}.png", "note": "<p>Xin chào</p>",
                "followers_count": 3, "following_count": 4, "statuses_count": 5}

    def add_status(self, tag: str | None, created: datetime, *, account: dict[str, Any] | None = None,
                   text: str | None = None) -> dict[str, Any]:
        self.next_id += 1
        n = self.next_id
        author = account or AUTHORS[n % len(AUTHORS)]
        mention = AUTHORS[(n + 1) % len(AUTHORS)]
        body = html.escape(text or text_for(n))
        content = (f"<p>{body}</p><p><a href=\"{self.base_or()}/tags/laocai\" class=\"mention hashtag\" "
                   f"rel=\"tag\">#<span>laocai</span></a> &amp; cảm ơn "
                   f"<span class=\"h-card\"><a href=\"https://example.social/@bao\" class=\"u-url mention\">"
                   f"@<span>bao</span></a></span></p>")
        status = {
            "id": str(n), "created_at": iso_ms(created), "in_reply_to_id": None,
            "in_reply_to_account_id": None, "sensitive": False, "spoiler_text": "",
            "visibility": "public", "language": "vi", "replies_count": n % 3, "reblogs_count": n % 5,
            "favourites_count": n % 7, "edited_at": None, "content": content, "reblog": None,
            "account": author, "media_attachments": [], "mentions": [
                {"id": mention["id"], "username": mention["handle"], "acct": mention["handle"],
                 "url": f"https://example.social/@{mention['handle']}"}],
            "tags": [{"name": "laocai", "url": "/tags/laocai"}], "emojis": [], "card": None, "poll": None}
        if n % 10 == 0:
            status["in_reply_to_id"] = str(n - 1)
            status["in_reply_to_account_id"] = AUTHORS[0]["id"]
        if n % 13 == 0 and account is None:  # a boost: wrapper with empty content
            status["reblog"] = dict(status)
            status["content"] = ""
        if tag:
            self.tags.setdefault(tag, []).append(status)
        else:
            self.accounts[account["id"]].append(status)
        return status

    def base_or(self) -> str:
        try:
            return self.base
        except AssertionError:
            return "https://example.social"

    def handle(self, request: Request) -> Reply:
        path = request.path
        if path == "/api/v1/accounts/lookup":
            if request.query.get("acct") == PUBLISHER["acct"]:
                return Reply.json(self.account_json(PUBLISHER))
            return Reply.json({"error": "Record not found"}, status=404)
        if path.startswith("/api/v1/timelines/tag/"):
            tag = path.rsplit("/", 1)[-1]
            return self._page(request, self.tags.get(tag, []))
        if path.startswith("/api/v1/accounts/") and path.endswith("/statuses"):
            account_id = path.split("/")[4]
            if account_id not in self.accounts:
                return Reply.json({"error": "Record not found"}, status=404)
            items = self.accounts[account_id]
            if request.query.get("exclude_reblogs") == "true":
                items = [s for s in items if not s["reblog"]]
            return self._page(request, items)
        return Reply.json({"error": "Not found"}, status=404)

    def _page(self, request: Request, statuses: list[dict[str, Any]]) -> Reply:
        limit = min(int(request.query.get("limit", 20)), 40)
        ordered = sorted(statuses, key=lambda s: -int(s["id"]) if s["id"].isdigit() else 0)
        for status in ordered:
            if not status["account"]:
                continue  # a malformed status planted by a test
            if not isinstance(status["account"].get("url"), str):
                status["account"] = self.account_json(status["account"])
            if "url" not in status:  # web URLs embed the author's handle, as on a real instance
                username = status["account"]["username"]
                status["url"] = f"{self.base}/@{username}/{status['id']}"
                status["uri"] = f"{self.base}/users/{username}/statuses/{status['id']}"
        if any(request.query.get(k) for k in ("max_id", "min_id", "since_id")):
            ordered = [s for s in ordered if s["id"].isdigit()]
        else:  # a malformed status planted by a test shows once, on the first page
            ordered = [s for s in ordered if not s["id"].isdigit()] + [s for s in ordered if s["id"].isdigit()]
        if request.query.get("max_id"):
            ordered = [s for s in ordered if _num(s) < int(request.query["max_id"])]
        if request.query.get("since_id"):
            ordered = [s for s in ordered if _num(s) > int(request.query["since_id"])]
        if request.query.get("min_id"):
            # min_id: the statuses immediately newer than the id, still returned newest first.
            newer = [s for s in ordered if _num(s) > int(request.query["min_id"])]
            page = newer[-limit:]
        else:
            page = ordered[:limit]
        headers = {}
        if page:
            base = {k: v for k, v in request.query.items() if k not in ("max_id", "min_id", "since_id")}
            numeric = [s["id"] for s in page if s["id"].isdigit()] or ["0"]
            older = f"{self.base}{request.path}?{urlencode({**base, 'max_id': numeric[-1]})}"
            newer = f"{self.base}{request.path}?{urlencode({**base, 'min_id': numeric[0]})}"
            headers["Link"] = f'<{older}>; rel="next", <{newer}>; rel="prev"'
        headers["X-RateLimit-Limit"] = "300"
        headers["X-RateLimit-Remaining"] = "299"
        return Reply.json(page, headers=headers)


def _num(status: dict[str, Any]) -> int:
    return int(status["id"]) if status["id"].isdigit() else 0
