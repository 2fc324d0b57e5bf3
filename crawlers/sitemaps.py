"""News sitemaps and sitemap indexes (Scrapy discovers links; the article path fetches them).

Options of a ``type = "sitemap"`` source: ``max_sitemaps`` (child sitemaps read from an index,
newest first, default 10), ``max_urls`` (default 500), ``since_days`` (skip URLs and child sitemaps
whose lastmod is older, default 7; 0 = no limit).

Hostile input: a raw ``.gz`` sitemap is decompressed in a streaming way and ``crawl.max_bytes``
applies to the decompressed size (a 1 MB bomb that unpacks to 1 GiB stops at the cap); a corrupt
gzip is a ``parse`` failure of the source; only http(s) ``<loc>`` values of sane length are used.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Iterator

import scrapy
from lxml import etree

from mediawatch.document import Document, is_web_url
from mediawatch.errors import BadInputError, ErrorKind
from mediawatch.settings import SourceSettings

from .articles import ArticleCollector, Link, release_fetcher
from .base import CollectContext
from .dates import parse_date
from .fetch import FetchPolicy
from .scrapy_runner import crawl, failure_reason
from .urls import MAX_URL_CHARS, host_key

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
DEFAULT_MAX_BYTES = 5_000_000
_CHUNK = 65536


class SitemapError(BadInputError):
    """A sitemap that cannot be used; ``reason`` is the health counter ('parse' or 'too_large')."""

    def __init__(self, reason: str, message: str, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.reason = reason


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def gunzip_capped(body: bytes, max_bytes: int) -> bytes:
    """Decompress a gzip body chunk by chunk, refusing to produce more than ``max_bytes``."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    out = bytearray()
    try:
        for start in range(0, len(body), _CHUNK):
            data = body[start:start + _CHUNK]
            while data:
                out += inflater.decompress(data, max(1, max_bytes + 1 - len(out)))
                if len(out) > max_bytes:
                    raise SitemapError("too_large", f"gzip sitemap unpacks to more than crawl.max_bytes "
                                       f"({max_bytes} bytes); not read further",
                                       fix="raise crawl.max_bytes if this sitemap is legitimate")
                data = inflater.unconsumed_tail
            if inflater.eof:
                break
        out += inflater.flush()
    except zlib.error as exc:
        raise SitemapError("parse", f"corrupt gzip sitemap ({exc})",
                           fix="check that the URL serves a valid .xml.gz file") from None
    if not inflater.eof:
        raise SitemapError("parse", "corrupt gzip sitemap (the compressed data ends early)",
                           fix="check that the URL serves a complete .xml.gz file")
    if len(out) > max_bytes:
        raise SitemapError("too_large", f"gzip sitemap unpacks to more than crawl.max_bytes ({max_bytes} bytes)")
    return bytes(out)


def parse_sitemap(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, list[dict[str, Any]]]:
    """('index' | 'urlset', entries). Each entry: loc, lastmod, and for news sitemaps title/published.

    Raises SitemapError ('parse' or 'too_large')."""
    if body[:2] == b"\x1f\x8b":
        body = gunzip_capped(body, max_bytes)
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise SitemapError("parse", f"not a sitemap: {str(exc)[:200]}") from None
    if root is None or _local(root.tag) not in ("sitemapindex", "urlset"):
        raise SitemapError("parse", f"not a sitemap (root element {str(getattr(root, 'tag', None))[:80]!r})")
    kind = "index" if _local(root.tag) == "sitemapindex" else "urlset"
    entries = []
    for node in root:
        entry: dict[str, Any] = {}
        for child in node.iter():
            name = _local(child.tag)
            text = (child.text or "").strip()
            if name == "loc" and "loc" not in entry:
                if len(text) <= MAX_URL_CHARS and is_web_url(text):
                    entry["loc"] = text
            elif name == "lastmod":
                entry["lastmod"] = text
            elif name == "publication_date":
                entry["published"] = text
            elif name == "title":
                entry["title"] = text
            elif name == "keywords":
                entry["keywords"] = text
        if entry.get("loc"):
            entries.append(entry)
    return kind, entries


class SitemapLinksSpider(scrapy.Spider):
    name = "mediawatch-sitemap"

    def __init__(self, url: str, sink: Callable[[dict], None], max_sitemaps: int = 10, max_urls: int = 500,
                 since_days: float = 7, max_bytes: int = DEFAULT_MAX_BYTES, **kwargs: Any):
        super().__init__(**kwargs)
        self.url = url
        self.max_bytes = max_bytes
        self.sink = sink
        self.max_sitemaps = max_sitemaps
        self.max_urls = max_urls
        self.since = (datetime.now(timezone.utc) - timedelta(days=since_days)) if since_days else None
        self.sent = 0

    async def start(self):
        yield scrapy.Request(self.url, callback=self.parse, errback=self.failed)

    def _fresh(self, lastmod: str | None) -> bool:
        when = parse_date(lastmod)
        return self.since is None or when is None or when >= self.since

    def parse(self, response):
        try:
            kind, entries = parse_sitemap(response.body, self.max_bytes)
        except SitemapError as exc:
            fix = f" Fix: {exc.fix}" if exc.fix else ""
            self.sink({"type": "error", "reason": exc.reason,
                       "message": f"sitemap {response.url[:MAX_URL_CHARS]}: {exc.message}.{fix}"})
            return
        if kind == "index":
            children = [e for e in entries if self._fresh(e.get("lastmod"))]
            children.sort(key=lambda e: e.get("lastmod") or "", reverse=True)
            for entry in children[:self.max_sitemaps]:
                yield response.follow(entry["loc"], callback=self.parse, errback=self.failed)
            return
        for entry in entries:
            if self.sent >= self.max_urls:
                return
            if not self._fresh(entry.get("published") or entry.get("lastmod")):
                continue
            self.sent += 1
            self.sink({"type": "link", **entry})

    def failed(self, failure):
        reason, message = failure_reason(failure)
        self.sink({"type": "error", "reason": reason, "message": f"sitemap {message}"})


def crawl_links(spidercls, source: SourceSettings, ctx: CollectContext, **kwargs: Any) -> Iterator[Link]:
    """Links from a Scrapy discovery crawl; the spider's failures go to the source's report."""
    kinds = {"robots": ErrorKind.PERMANENT, "parse": ErrorKind.BAD_INPUT, "private_address": ErrorKind.PERMANENT,
             "too_large": ErrorKind.BAD_INPUT}
    policy = FetchPolicy.from_settings(ctx.settings)
    for item in crawl(spidercls, policy, url=source.url, **kwargs):
        if item.get("type") == "error":
            reason = item["reason"]
            kind = kinds.get(reason) or (ErrorKind.TEMPORARY if reason in ("timeout", "connect", "dns")
                                         or reason in ("http_429", "http_500", "http_502", "http_503",
                                                       "http_504") else ErrorKind.PERMANENT)
            ctx.report.error(reason, item["message"], kind=kind)
            continue
        if not is_web_url(item.get("loc")) or len(item["loc"]) > MAX_URL_CHARS:
            continue  # javascript:, data:, or a megabyte "URL": never fetched, never stored
        published = parse_date(item.get("published"))
        lastmod = parse_date(item.get("lastmod"))
        yield Link(url=item["loc"], title=item.get("title", ""), published_at=published or lastmod,
                   updated_at=lastmod if lastmod and published and lastmod > published else None,
                   section=item.get("section"))


def collect_sitemap(source: SourceSettings, ctx: CollectContext) -> Iterable[Document]:
    if not source.url:
        raise BadInputError("sitemap source has no url", source=source.id,
                            fix="set url to the news sitemap or sitemap index")
    opts = source.options
    links = crawl_links(SitemapLinksSpider, source, ctx, max_sitemaps=opts.max_sitemaps, max_urls=opts.max_urls,
                        since_days=opts.since_days, max_bytes=ctx.settings.crawl.max_bytes)
    try:
        yield from ArticleCollector(source, ctx).collect(links)
    finally:
        release_fetcher(ctx)


def politeness_key(source: SourceSettings, settings=None) -> str:
    """Sitemaps and their articles on one host are fetched one after the other (per-host politeness)."""
    return host_key(source.url) or f"{source.type}:{source.id}"
