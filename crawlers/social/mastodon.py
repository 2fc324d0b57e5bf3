"""Mastodon: public hashtag timelines and public accounts' statuses, no authentication.

Source ``url`` (or ``options.instance``) is the instance, e.g. ``https://mastodon.social``. Options:
``hashtags`` (without #), ``accounts`` (``user`` or ``user@host``: publishers, they keep their
name), ``backfill_pages`` (pages read back on the first run, default 5). The cursor per hashtag or
account is the highest status id seen; the next run asks with ``min_id`` and walks the Link
header's ``prev`` pages forward until nothing newer is left.

Statuses found by hashtag are by authors, not publishers: their account becomes ``author_key``,
and the document URL is the handle-free API address of the status (every web URL of a status
embeds the author's handle).
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator
from urllib.parse import quote, urlsplit

from requests.utils import parse_header_links

from mediawatch.document import Document, doc_id_for_post
from mediawatch.errors import ErrorKind
from mediawatch.settings import SourceSettings

from ..base import CollectContext
from .common import SocialRun, engagement, html_to_text, parse_time, title_from
from .http import ApiError, Response

PLATFORM = "mastodon"
PAGE = 40  # the API's maximum for timelines and account statuses


def links(response: Response) -> dict[str, str]:
    """rel -> URL from the Link header (Mastodon pages with rel="next" older, rel="prev" newer)."""
    header = response.headers.get("Link")
    if not header:
        return {}
    return {link["rel"]: link["url"] for link in parse_header_links(header) if "rel" in link and "url" in link}


def status_document(run: SocialRun, status: dict[str, Any], instance: str, *,
                    publisher_acct: str | None = None) -> Document | None:
    status_id = status.get("id")
    if not status_id or status.get("reblog"):
        return None  # boosts repeat someone else's post
    host = urlsplit(instance).netloc
    text = "\n".join(p for p in (html_to_text(status.get("spoiler_text")),
                                 html_to_text(status.get("content"))) if p)
    if not text:
        return None
    account = status.get("account") or {}
    extra: dict[str, Any] = {"platform_id": f"{host}/{status_id}", "type": "post", "instance": host}
    tags = [t.get("name") for t in status.get("tags") or [] if isinstance(t, dict) and t.get("name")]
    if tags:
        extra["tags"] = tags
    if publisher_acct:
        url = status.get("url") or f"{instance}/api/v1/statuses/{status_id}"
        extra["account"] = publisher_acct
        author = None
    else:
        url = f"{instance}/api/v1/statuses/{status_id}"
        acct = account.get("acct") if isinstance(account, dict) else None
        author = run.author(f"{acct}@{host}" if acct and "@" not in acct else acct)
    reply_to = status.get("in_reply_to_id")
    return Document(
        id=doc_id_for_post(PLATFORM, f"{host}/{status_id}"), url=url, source=run.publisher,
        title=title_from(text), text=text, lang=status.get("language") or None,
        published_at=parse_time(status.get("created_at")), author_key=author,
        engagement=engagement(likes=status.get("favourites_count"), comments=status.get("replies_count"),
                              shares=status.get("reblogs_count")),
        parent_id=doc_id_for_post(PLATFORM, f"{host}/{reply_to}") if reply_to else None, extra=extra)


def collect_mastodon(source: SourceSettings, ctx: CollectContext) -> Iterable[Document]:
    run = SocialRun.start(PLATFORM, source, ctx)
    if run is None:
        return
    try:
        # The instance and at least one target: checked when the configuration is loaded.
        instance = (source.options.instance or source.url or "").rstrip("/")
        targets = [("tag", t.lstrip("#")) for t in source.options.hashtags]
        targets += [("account", a.lstrip("@")) for a in source.options.accounts]
        for kind, name in targets:
            yield from run.guarded(_collect_target(run, instance, kind, name))
    finally:
        run.close()


def _account_id(run: SocialRun, instance: str, acct: str) -> str | None:
    state = run.ctx.state(f"mastodon:lookup:{acct}")
    if state.get("id"):
        return str(state["id"])
    try:
        data, _r = run.client.get_json(f"{instance}/api/v1/accounts/lookup", {"acct": acct})
    except ApiError as exc:
        run.ctx.report.error(f"http_{exc.status}", f"mastodon account {acct} not found on {instance}",
                             kind=ErrorKind.PERMANENT)
        return None
    account_id = data.get("id") if isinstance(data, dict) else None
    if account_id:
        run.ctx.save_state(f"mastodon:lookup:{acct}", {"id": str(account_id)})
    return str(account_id) if account_id else None


def _collect_target(run: SocialRun, instance: str, kind: str, name: str) -> Iterator[Document]:
    if kind == "tag":
        url = f"{instance}/api/v1/timelines/tag/{quote(name)}"
        params: dict[str, Any] = {"limit": PAGE}
        publisher = None
    else:
        account_id = _account_id(run, instance, name)
        if account_id is None:
            return
        url = f"{instance}/api/v1/accounts/{account_id}/statuses"
        params = {"limit": PAGE, "exclude_reblogs": "true"}
        publisher = name
    key = f"mastodon:{kind}:{name}"
    state = run.cursor(key)
    cursor = state.get("min_id")
    forward = cursor is not None
    if forward:
        params["min_id"] = cursor
    pages = run.ctx.settings.social.max_pages if forward else run.source.options.backfill_pages
    newest = int(cursor) if cursor else 0
    for _ in range(pages):
        data, response = run.client.get_json(url, params)
        if not isinstance(data, list):
            run.skip("parse", f"mastodon {kind} {name}: answer is not a list of statuses")
            break
        if not data:
            break
        for status in data:
            if not isinstance(status, dict) or not str(status.get("id", "")).isdigit():
                run.skip("parse", f"mastodon {kind} {name}: a status without a valid id was skipped")
                continue
            newest = max(newest, int(status["id"]))
            doc = status_document(run, status, instance, publisher_acct=publisher)
            if doc is not None:
                run.emit(doc)
                yield doc
        following = links(response).get("prev" if forward else "next")
        if not following:
            break
        url, params = following, None
    if newest and str(newest) != cursor:
        run.save_cursor(key, {"min_id": str(newest)}, state, run.last_doc_id)


def politeness_key(source: SourceSettings, settings=None) -> str:
    """Sources on one Mastodon instance share its API and rate limit: one at a time."""
    instance = str(source.options.instance or source.url or "")
    return urlsplit(instance).hostname or f"{PLATFORM}:{source.id}"
