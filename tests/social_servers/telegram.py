"""Fake t.me web preview: /s/<channel> pages of 20 messages, older ones with ?before=<id>."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from .base import FakePlatform, Reply, Request
from .data import AUTHORS, text_for, when

PAGE = 20

HEAD = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title} – Telegram</title>
<meta property="og:title" content="{title}"></head>
<body class="widget_frame_base tgme_webpreview_body">
<header class="tgme_header"><div class="tgme_channel_info_header_title"><span dir="auto">{title}</span></div></header>
<main class="tgme_main"><section class="tgme_channel_history js-message_history">
"""

MESSAGE = """<div class="tgme_widget_message_wrap js-widget_message_wrap">
<div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="{channel}/{id}" data-view="eyJjIjoxfQ">
 <div class="tgme_widget_message_user"><a href="https://t.me/{channel}"><i class="tgme_widget_message_user_photo"></i></a></div>
 <div class="tgme_widget_message_bubble">
  <div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="https://t.me/{channel}"><span dir="auto">{title}</span></a></div>
  {forwarded}
  <div class="tgme_widget_message_text js-message_text" dir="auto">{text}</div>
  <div class="tgme_widget_message_reactions js-message_reactions">{reactions}</div>
  <div class="tgme_widget_message_footer compact js-message_footer">
   <div class="tgme_widget_message_info short js-message_info">
    <span class="tgme_widget_message_views">{views}</span>{signature}
    <span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="https://t.me/{channel}/{id}"><time datetime="{time}" class="time">{hhmm}</time></a></span>
   </div>
  </div>
 </div>
</div>
</div>
"""

SERVICE = """<div class="tgme_widget_message_wrap js-widget_message_wrap">
<div class="tgme_widget_message service_message js-widget_message" data-post="{channel}/{id}">
 <div class="tgme_widget_message_bubble"><div class="tgme_widget_message_text js-message_text">Channel photo updated</div></div>
</div></div>
"""

TAIL = "</section></main></body></html>"


def fmt_views(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 1000:
        return f"{n / 1000:.1f}K"
    return str(n)


class FakeTelegram(FakePlatform):
    def __init__(self, channels: dict[str, int] | None = None) -> None:
        super().__init__()
        self.titles: dict[str, str] = {}
        self.robots: str | None = None  # None: /robots.txt answers 404
        self.messages: dict[str, list[dict[str, Any]]] = {}
        for channel, count in (channels or {"tinlaocai": 45}).items():
            self.titles[channel] = "Tin tức Lào Cai 24h"
            for i in range(1, count + 1):
                self.add_message(channel)

    def add_message(self, channel: str, text: str | None = None, created: datetime | None = None) -> int:
        messages = self.messages.setdefault(channel, [])
        number = len(messages) + 1
        i = 1000 - number
        kind = "service" if number % 15 == 0 else "deleted" if number % 11 == 0 else "post"
        messages.append({"id": number, "kind": kind, "text": text or text_for(number),
                         "time": created or when(i), "views": 137 * number,
                         "signature": AUTHORS[number % len(AUTHORS)]["name"] if number % 3 == 0 else None,
                         "forwarded": AUTHORS[1]["name"] if number % 7 == 0 else None})
        return number

    def handle(self, request: Request) -> Reply:
        if request.path == "/robots.txt":
            if self.robots is None:
                return Reply(404, b"Not Found", {"Content-Type": "text/plain"})
            return Reply(200, self.robots.encode(), {"Content-Type": "text/plain"})
        parts = [p for p in request.path.split("/") if p]
        if len(parts) != 2 or parts[0] != "s":
            return Reply.html("<html><body>Not found</body></html>", status=404)
        channel = parts[1]
        if channel not in self.messages:
            # t.me answers 200 with the channel card and no messages for unknown or preview-less chats.
            return Reply.html(HEAD.format(title="Telegram: Contact") + TAIL)
        before = int(request.query.get("before") or 10**9)
        older = [m for m in self.messages[channel] if m["id"] < before]
        page = older[-PAGE:]
        body = [HEAD.format(title=html.escape(self.titles[channel]))]
        if older[:-PAGE]:
            body.append(f'<div class="tgme_widget_message_centered js-messages_more_wrap"><a href="/s/{channel}'
                        f'?before={page[0]["id"]}" class="tme_messages_more js-messages_more" '
                        f'data-before="{page[0]["id"]}"></a></div>')
        for message in page:
            body.append(self._render(channel, message))
        body.append(TAIL)
        return Reply.html("".join(body))

    def _render(self, channel: str, message: dict[str, Any]) -> str:
        if message["kind"] == "service":
            return SERVICE.format(channel=channel, id=message["id"])
        text = "" if message["kind"] == "deleted" else \
            html.escape(message["text"]).replace(" 🌧️", "<br/>🌧️") + ' <a href="https://laocai.gov.vn">laocai.gov.vn</a>'
        forwarded = ""
        if message["forwarded"]:
            forwarded = ('<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from '
                         f'<a class="tgme_widget_message_forwarded_from_name" href="https://t.me/'
                         f'{AUTHORS[1]["handle"]}"><span dir="auto">{html.escape(message["forwarded"])}</span></a></div>')
        signature = ""
        if message["signature"]:
            signature = (f'<span class="tgme_widget_message_from_author" dir="auto">'
                         f'{html.escape(message["signature"])}</span>')
        reactions = ('<span class="tgme_reaction"><i class="emoji"><b>👍</b></i>12</span>'
                     '<span class="tgme_reaction"><i class="emoji"><b>❤</b></i>1.2K</span>')
        time = message["time"]
        return MESSAGE.format(channel=channel, id=message["id"], title=html.escape(self.titles[channel]),
                              text=text, views=fmt_views(message["views"]), signature=signature,
                              time=time.isoformat(), hhmm=time.strftime("%H:%M"), forwarded=forwarded,
                              reactions=reactions)
