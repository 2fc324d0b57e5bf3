"""Listing pages (section fronts with pagination) for sites without a feed or news sitemap.

Options of a ``type = "listing"`` source: ``link_selector`` (CSS for article links, default: links
in headings and <article> elements), ``article_pattern`` (regex an article URL must match),
``next_selector`` (CSS for the next page link, default rel=next / .pagination .next) and
``max_pages`` (default 3). Only links on the listing's own host are followed.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

import scrapy

from mediawatch.document import Document
from mediawatch.errors import BadInputError
from mediawatch.options import LISTING_ARTICLE_PATTERN, LISTING_LINKS, LISTING_NEXT
from mediawatch.settings import SourceSettings

from .articles import ArticleCollector, release_fetcher
from .base import CollectContext
from .scrapy_runner import failure_reason
from .sitemaps import crawl_links
from .urls import host_key

# The defaults live with the typed options (docs/configuration.md lists them).
DEFAULT_LINKS = LISTING_LINKS
DEFAULT_NEXT = LISTING_NEXT
DEFAULT_PATTERN = LISTING_ARTICLE_PATTERN


class ListingSpider(scrapy.Spider):
    name = "mediawatch-listing"

    def __init__(self, url: str, sink: Callable[[dict], None], link_selector: str = DEFAULT_LINKS,
                 next_selector: str = DEFAULT_NEXT, article_pattern: str = DEFAULT_PATTERN,
                 max_pages: int = 3, **kwargs: Any):
        super().__init__(**kwargs)
        self.url = url
        self.sink = sink
        self.link_selector = link_selector
        self.next_selector = next_selector
        self.pattern = re.compile(article_pattern)
        self.max_pages = max_pages
        self.host = urlsplit(url).hostname
        self.sent: set[str] = set()

    async def start(self):
        yield scrapy.Request(self.url, callback=self.parse, errback=self.failed, cb_kwargs={"page": 1})

    def parse(self, response, page: int):
        if not hasattr(response, "css"):
            self.sink({"type": "error", "reason": "parse", "message": f"listing {response.url}: not HTML"})
            return
        for href in response.css(self.link_selector).getall():
            url = response.urljoin(href.strip())
            if urlsplit(url).hostname != self.host or not self.pattern.search(url) or url in self.sent:
                continue
            self.sent.add(url)
            self.sink({"type": "link", "loc": url})
        if page < self.max_pages:
            following = response.css(self.next_selector).get()
            if following:
                yield response.follow(following.strip(), callback=self.parse, errback=self.failed,
                                      cb_kwargs={"page": page + 1})

    def failed(self, failure):
        reason, message = failure_reason(failure)
        self.sink({"type": "error", "reason": reason, "message": f"listing {message}"})


def collect_listing(source: SourceSettings, ctx: CollectContext) -> Iterable[Document]:
    if not source.url:
        raise BadInputError("listing source has no url", source=source.id, fix="set url to the section page")
    opts = source.options
    links = crawl_links(ListingSpider, source, ctx, max_pages=opts.max_pages, link_selector=opts.link_selector,
                        next_selector=opts.next_selector, article_pattern=opts.article_pattern)
    try:
        yield from ArticleCollector(source, ctx).collect(links)
    finally:
        release_fetcher(ctx)


def politeness_key(source: SourceSettings, settings=None) -> str:
    """Listing pages and their articles on one host are fetched one after the other (per-host politeness)."""
    return host_key(source.url) or f"{source.type}:{source.id}"
