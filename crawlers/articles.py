"""Article links -> Documents: fetch each new link once, extract, fingerprint, link near-duplicates.

Every discovery path (feeds, news sitemaps, listing pages) ends here, so skipping known links,
failure reasons and dedup behave the same whichever way a link was found.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Iterator

from mediawatch.document import Document, Source, doc_id_for_url, format_ts, parse_ts
from mediawatch.errors import ErrorKind
from mediawatch.settings import SourceSettings

from .base import CollectContext
from .dedup import FingerprintIndex, simhash, to_hex
from .extract import ExtractionError, extract_article
from .fetch import FetchError, Fetcher, FetchPolicy, FetchResult
from .urls import canonical_url


@dataclass(slots=True)
class Link:
    """An article link as a feed, sitemap or listing page announced it."""

    url: str
    title: str = ""
    summary: str = ""
    published_at: datetime | None = None
    updated_at: datetime | None = None
    section: str | None = None
    extra: dict = field(default_factory=dict)


def fetcher_for(ctx: CollectContext) -> Fetcher:
    """One polite fetcher per run, shared by the collectors that run in it (robots cache, host delays)."""
    fetcher = ctx.extras.get("fetcher")
    if fetcher is None:
        fetcher = Fetcher(FetchPolicy.from_settings(ctx.settings))
        ctx.extras["fetcher"] = fetcher
    return fetcher


def release_fetcher(ctx: CollectContext) -> None:
    """Close the run's HTTP connections when a collector is done with them."""
    fetcher = ctx.extras.pop("fetcher", None)
    if fetcher is not None:
        fetcher.close()


def _is_updated(link: Link, existing: Document) -> bool:
    """Re-fetch a stored article only when its announcer says it changed after we stored it."""
    announced = link.updated_at
    if announced is None:
        return False
    stored = parse_ts(existing.extra.get("updated_at")) or existing.published_at
    return stored is None or announced > stored


class ArticleCollector:
    def __init__(self, source: SourceSettings, ctx: CollectContext):
        self.source = source
        self.ctx = ctx
        self.fetcher = fetcher_for(ctx)
        index = ctx.extras.get("dedup_index")
        if index is None:
            index = ctx.extras["dedup_index"] = FingerprintIndex.load(ctx.store)
            # Fingerprints are written before the documents they come from: after a crash between
            # the two, the rerun re-fetches the document and finds its own row (excluded by id).
            ctx.on_write(lambda: index.save(ctx.store))
        self.index: FingerprintIndex = index
        self.src = Source(id=source.id, kind=source.kind, name=source.name or source.id)
        self.min_chars = source.options.min_chars

    def collect(self, links: Iterable[Link]) -> Iterator[Document]:
        """Documents for the new or updated links, in link order.

        Pages are fetched by a small thread pool (the per-host cap) a few links ahead, so network
        waits overlap extraction; the window is bounded, so memory stays flat on long feeds. The
        store is only touched from the calling thread.
        """
        report = self.ctx.report
        seen: set[str] = set()
        window = max(2, 2 * self.fetcher.policy.concurrency_per_host)
        pending: deque[tuple[Link, Future]] = deque()
        pool = ThreadPoolExecutor(max_workers=self.fetcher.policy.concurrency_per_host,
                                  thread_name_prefix=f"fetch-{self.source.id}")
        try:
            for link in links:
                doc_id = doc_id_for_url(canonical_url(link.url))
                if doc_id in seen:
                    continue
                seen.add(doc_id)
                existing = self.ctx.store.get(doc_id)
                if existing is not None and not _is_updated(link, existing):
                    report.skipped_known += 1
                    continue
                pending.append((link, pool.submit(self._fetch, link)))
                while len(pending) >= window:
                    yield from self._finish(*pending.popleft(), seen)
            while pending:
                yield from self._finish(*pending.popleft(), seen)
        finally:
            for _, future in pending:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            self.index.save(self.ctx.store)

    def _fetch(self, link: Link) -> FetchResult | FetchError:
        try:
            return self.fetcher.get(link.url)
        except FetchError as exc:
            return exc

    def _finish(self, link: Link, future: Future, seen: set[str]) -> Iterator[Document]:
        document = self.build(link, future.result())
        if document is None or (document.id in seen and document.id != doc_id_for_url(canonical_url(link.url))):
            return  # failed, or two links to one rel=canonical page
        seen.add(document.id)
        self.ctx.report.saw(document)
        yield document

    def fetch_one(self, link: Link) -> Document | None:
        return self.build(link, self._fetch(link))

    def build(self, link: Link, result: FetchResult | FetchError) -> Document | None:
        report = self.ctx.report
        if isinstance(result, FetchError):
            report.error(result.reason, f"article {result}", kind=result.kind)
            return None
        try:
            article = extract_article(result.body, result.url, declared_charset=result.charset,
                                      min_chars=self.min_chars)
        except ExtractionError as exc:
            report.error(exc.reason, f"article {exc}; not stored", kind=ErrorKind.BAD_INPUT)
            return None
        return self.to_document(link, article, result.url)

    def to_document(self, link: Link, article, fetched_url: str) -> Document:
        doc_id = doc_id_for_url(article.url)
        fingerprint = simhash(article.text)
        duplicate_of = self.index.find(fingerprint, exclude=doc_id)
        published = article.published_at or link.published_at
        if duplicate_of is None:
            self.index.add(doc_id, fingerprint, published)
        extra = {k: v for k, v in link.extra.items()}
        updated = article.updated_at or link.updated_at
        if updated is not None:
            extra["updated_at"] = format_ts(updated)
        if article.description:
            extra["description"] = article.description
        if canonical_url(fetched_url) != article.url:
            extra["fetched_url"] = fetched_url
        return Document(id=doc_id, url=article.url, source=self.src, title=article.title or link.title,
                        text=article.text, lang=article.lang, published_at=published,
                        section=article.section or link.section, fingerprint=to_hex(fingerprint),
                        duplicate_of=duplicate_of, extra=extra)
