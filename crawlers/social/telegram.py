"""Telegram public channels through their public web preview (``https://t.me/s/<channel>``).

No login and no API key: only channels that publish a web preview can be read. Options:
``channels`` (usernames without @). Pages go back with ``?before=<id>``; the cursor per channel is
the highest message id seen, and the next run stops paging once it reaches it.

A post's signature (``from_author``) is an author: it becomes ``author_key``. The name of a
forwarded-from chat is not kept.
"""

from __future__ import annotations

import re
import urllib.robotparser
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator
from urllib.parse import urlsplit

import lxml.html

from mediawatch.document import Document, doc_id_for_post
from mediawatch.errors import ErrorKind
from mediawatch.settings import SourceSettings

from ..base import CollectContext
from .common import SocialRun, engagement, html_to_text, parse_time, title_from, to_int
from .http import ApiError

PLATFORM = "telegram"


@dataclass(slots=True)
class TelegramPost:
    channel: str
    message_id: int
    text: str
    published_at: datetime | None
    views: int
    reactions: int
    signature: str | None  # raw author signature: pseudonymise, never store
    forwarded: bool


def _text_of(node) -> str:
    raw = lxml.html.tostring(node, encoding="unicode")
    return html_to_text(raw)


def parse_page(html: str, channel: str) -> tuple[list[TelegramPost], int]:
    """Posts on one preview page, oldest first, and the number of message blocks that failed."""
    if not html.strip():
        return [], 0
    root = lxml.html.fromstring(html)
    posts: list[TelegramPost] = []
    broken = 0
    for node in root.xpath('//div[contains(concat(" ", @class, " "), " tgme_widget_message ")][@data-post]'):
        data_post = node.get("data-post") or ""
        _, _, number = data_post.rpartition("/")
        if not number.isdigit():
            broken += 1
            continue
        if node.xpath('.//*[contains(@class, "service_message")]') or "service_message" in (node.get("class") or ""):
            continue
        text_nodes = node.xpath('.//div[contains(concat(" ", @class, " "), " tgme_widget_message_text ")]')
        text = _text_of(text_nodes[0]) if text_nodes else ""
        times = node.xpath('.//a[contains(@class, "tgme_widget_message_date")]//time/@datetime')
        views = node.xpath('.//span[contains(@class, "tgme_widget_message_views")]/text()')
        signature = node.xpath('.//span[contains(@class, "tgme_widget_message_from_author")]//text()')
        reactions = 0
        for counter in node.xpath('.//*[contains(@class, "tgme_reaction")]'):
            # The emoji and the count share one text run ("❤1.2K"): take the trailing count.
            count = re.search(r"([0-9][0-9.,]*[KkMm]?)\s*$", "".join(counter.itertext()))
            reactions += to_int(count.group(1)) if count else 0
        posts.append(TelegramPost(
            channel=channel, message_id=int(number), text=text,
            published_at=parse_time(times[0]) if times else None,
            views=to_int(views[0]) if views else 0, reactions=reactions,
            signature=" ".join("".join(signature).split()) or None,
            forwarded=bool(node.xpath('.//*[contains(@class, "tgme_widget_message_forwarded_from")]'))))
    posts.sort(key=lambda p: p.message_id)
    return posts, broken


def post_document(run: SocialRun, post: TelegramPost) -> Document | None:
    if not post.text:
        return None  # media-only or deleted message
    extra = {"platform_id": f"{post.channel}/{post.message_id}", "channel": post.channel, "type": "post"}
    if post.forwarded:
        extra["forwarded"] = True
    return Document(
        id=doc_id_for_post(PLATFORM, f"{post.channel}/{post.message_id}"),
        url=f"https://t.me/{post.channel}/{post.message_id}", source=run.publisher,
        title=title_from(post.text), text=post.text, published_at=post.published_at,
        author_key=run.author(post.signature),
        engagement=engagement(likes=post.reactions, views=post.views), extra=extra)


def collect_telegram(source: SourceSettings, ctx: CollectContext) -> Iterable[Document]:
    run = SocialRun.start(PLATFORM, source, ctx)
    if run is None:
        return
    try:
        # At least one channel: checked when the configuration is loaded.
        for channel in [c.lstrip("@") for c in source.options.channels]:
            yield from run.guarded(_collect_channel(run, channel))
    finally:
        run.close()


def robots_allow(run: SocialRun, base: str, path: str) -> bool:
    """The preview pages are web pages, not an API: robots.txt decides (crawl.obey_robots)."""
    if not run.ctx.settings.crawl.obey_robots:
        return True
    parser = run.ctx.extras.get(("robots", base))
    if parser is None:
        parser = urllib.robotparser.RobotFileParser()
        try:
            response = run.client.request(f"{base}/robots.txt")
            parser.parse(response.text.splitlines())
        except ApiError:  # RFC 9309: an unavailable (4xx) robots.txt allows everything
            parser.parse([])
        run.ctx.extras[("robots", base)] = parser
    return parser.can_fetch(run.ctx.settings.user_agent(), f"{base}{path}")


def _collect_channel(run: SocialRun, channel: str) -> Iterator[Document]:
    base = run.ctx.settings.social.telegram_base.rstrip("/")
    if not robots_allow(run, base, f"/s/{channel}"):
        run.ctx.report.error("robots", f"{base}/robots.txt disallows /s/{channel} for our User-Agent; "
                             "channel skipped", kind=ErrorKind.PERMANENT)
        return
    state = run.cursor(f"telegram:{channel}")
    last_id = int(state.get("last_id") or 0)
    newest = last_id
    before: int | None = None
    for page in range(run.ctx.settings.social.max_pages):
        params = {"before": before} if before else None
        response = run.client.request(f"{base}/s/{channel}", params=params)
        posts, broken = parse_page(response.text, channel)
        if broken:
            run.skip("parse", f"{broken} message block(s) of channel {channel} could not be read")
        if not posts:
            if page == 0 and not last_id:
                run.ctx.report.error("no_preview", f"telegram channel {channel} shows no public "
                                     "messages (no web preview, or the name is wrong)",
                                     kind=ErrorKind.PERMANENT)
            break
        for post in reversed(posts):  # newest first, so a stop keeps the cursor honest
            if post.message_id <= last_id:
                continue
            newest = max(newest, post.message_id)
            doc = post_document(run, post)
            if doc is not None:
                run.emit(doc)
                yield doc
        oldest = posts[0].message_id
        if oldest <= last_id + 1 or oldest <= 1:
            break
        before = oldest
    if newest > last_id:
        run.save_cursor(f"telegram:{channel}", {"last_id": newest}, state, run.last_doc_id)


def politeness_key(source: SourceSettings, settings) -> str:
    """All sources of this connector share the public channel preview (and its rate limit): one at a time."""
    return urlsplit(settings.social.telegram_base).hostname or PLATFORM
