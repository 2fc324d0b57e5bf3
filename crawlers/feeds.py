"""RSS/Atom feeds: conditional GET, tolerant parsing, then each new article page fetched and extracted.

The ETag/Last-Modified validators are kept in the store's state so an unchanged feed costs one
304. Malformed ("bozo") feeds keep the entries that parsed and the reason is recorded. Feeds in
legacy encodings (windows-1258 included) are decoded and NFC-normalised, since windows-1258 writes
tone marks as combining characters. Option ``fetch_articles = false`` stores the feed's own
summaries instead of fetching the pages (for feeds that carry the full text).
"""

from __future__ import annotations

import calendar
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable
from urllib.parse import urljoin, urlsplit

import feedparser

from mediawatch.document import Document, Source, doc_id_for_url, is_web_url
from mediawatch.errors import BadInputError, ErrorKind
from mediawatch.settings import SourceSettings

from .articles import ArticleCollector, Link, fetcher_for, release_fetcher
from .base import CollectContext
from .dates import parse_date
from .dedup import simhash, to_hex
from .extract import sniff_encoding
from .fetch import FetchError
from .urls import MAX_URL_CHARS, canonical_url, host_key

STATE_KEY = "feed"


@dataclass(slots=True)
class ParsedFeed:
    title: str
    links: list[Link] = field(default_factory=list)
    problem: str | None = None  # why the feed is malformed, when it is
    not_web: int = 0  # entries whose link is not http(s) (javascript:, data:, ...): skipped


def _nfc(value: str | None) -> str:
    return unicodedata.normalize("NFC", value or "").strip()


def strip_html(html: str) -> str:
    import lxml.html
    from lxml import etree

    if "<" not in html:
        return " ".join(html.split())
    try:
        return " ".join(lxml.html.fromstring(f"<div>{html}</div>").text_content().split())
    except (ValueError, etree.ParserError):
        return " ".join(html.split())


def _entry_date(entry, text_key: str, parsed_key: str) -> datetime | None:
    # Our reader first: feedparser drops Vietnamese formats ("23/03/2015 10:05") and zone-less times.
    # dict.get: FeedParserDict.get maps a missing 'updated' to 'published' with a DeprecationWarning.
    value = parse_date(dict.get(entry, text_key))
    parsed = dict.get(entry, parsed_key)
    if value is None and parsed:
        value = datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
    return value


def parse_feed(body: bytes, charset: str | None = None, base: str | None = None) -> ParsedFeed:
    """Feed bytes -> links. Raises BadInputError when nothing at all could be read.

    Relative links are resolved against ``base`` (the feed's URL); only http(s) links are kept."""
    encoding = sniff_encoding(body, charset)
    headers = {"content-type": f"application/xml; charset={encoding}"}
    parsed = feedparser.parse(body, response_headers=headers)
    if not parsed.entries and encoding not in ("utf-8", "ascii"):
        # Some feeds declare a charset feedparser cannot map; hand it text it can read.
        parsed = feedparser.parse(body.decode(encoding, "replace").encode("utf-8"),
                                  response_headers={"content-type": "application/xml; charset=utf-8"})
    problem = f"{parsed.get('bozo_exception')}" if parsed.bozo else None
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        raise BadInputError(f"not a readable feed: {problem or 'no RSS/Atom elements'}", data=body[:200],
                            fix="check that the URL points at RSS/Atom")
    feed = ParsedFeed(title=_nfc(parsed.feed.get("title")), problem=problem)
    for entry in parsed.entries:
        url = _nfc(entry.get("link") or (entry.get("id") if str(entry.get("id", "")).startswith("http") else ""))
        if not url:
            continue
        if base and not urlsplit(url).scheme:
            url = urljoin(base, url)
        if not is_web_url(url) or len(url) > MAX_URL_CHARS:
            feed.not_web += 1
            continue
        tags = [t.get("term") for t in entry.get("tags", []) if t.get("term")]
        published = _entry_date(entry, "published", "published_parsed")
        updated = _entry_date(entry, "updated", "updated_parsed")
        feed.links.append(Link(url=url, title=_nfc(entry.get("title")),
                               summary=_nfc(strip_html(entry.get("summary", "") or "")),
                               published_at=published or updated,
                               updated_at=updated if updated and updated != published else None,
                               section=_nfc(tags[0]) if tags else None))
    return feed


def links_to_documents(links: Iterable[Link], source: SourceSettings) -> list[Document]:
    """Documents from the feed alone (title + summary), for ``fetch_articles = false``."""
    src = Source(id=source.id, kind=source.kind, name=source.name or source.id)
    docs = []
    for link in links:
        url = canonical_url(link.url)
        text = link.summary or link.title
        docs.append(Document(id=doc_id_for_url(url), url=url, source=src, title=link.title, text=text,
                             published_at=link.published_at, section=link.section,
                             fingerprint=to_hex(simhash(text))))
    return docs


def collect_feed(source: SourceSettings, ctx: CollectContext) -> Iterable[Document]:
    if not source.url:
        raise BadInputError("rss source has no url", source=source.id, fix="set url in its [[sources]] entry")
    try:
        yield from _collect_feed(source, ctx)
    finally:
        release_fetcher(ctx)


def _collect_feed(source: SourceSettings, ctx: CollectContext) -> Iterable[Document]:
    report = ctx.report
    fetcher = fetcher_for(ctx)
    state = ctx.state(STATE_KEY)
    headers = {}
    if state.get("etag"):
        headers["If-None-Match"] = state["etag"]
    if state.get("last_modified"):
        headers["If-Modified-Since"] = state["last_modified"]
    try:
        result = fetcher.get(source.url, headers)
    except FetchError as exc:
        report.error(exc.reason, f"feed {exc}", kind=exc.kind)
        return
    if result.not_modified:
        report.not_modified += 1
        return
    try:
        feed = parse_feed(result.body, result.charset, base=result.url)
    except BadInputError as exc:
        report.error("parse", f"feed {source.url}: {exc.message}. Fix: {exc.fix}", kind=ErrorKind.BAD_INPUT)
        return
    if feed.problem:
        report.error("parse", f"feed {source.url} is malformed ({feed.problem}); kept the "
                              f"{len(feed.links)} entries that parsed", kind=ErrorKind.BAD_INPUT)
    if feed.not_web:
        report.error("bad_url", f"feed {source.url}: {feed.not_web} entries link to something other than an "
                     "http(s) page (javascript:, data:, ...); skipped", kind=ErrorKind.BAD_INPUT)
    if source.options.fetch_articles:
        yield from ArticleCollector(source, ctx).collect(feed.links)
    else:
        for doc in links_to_documents(feed.links, source):
            report.saw(doc)
            yield doc
    # Saved only once every entry was handled: an interrupted run re-reads the feed next time.
    validators = {k: v for k, v in (("etag", result.headers.get("etag")),
                                    ("last_modified", result.headers.get("last-modified"))) if v}
    ctx.save_state(STATE_KEY, validators)


def politeness_key(source: SourceSettings, settings=None) -> str:
    """Feeds and their articles on one host are fetched one after the other (per-host politeness)."""
    return host_key(source.url) or f"{source.type}:{source.id}"
