"""Article pages -> title, main text, dates, section, language and canonical URL.

trafilatura finds the main text (menus, comments, related boxes and cookie banners left out);
dates come from the page's own metadata first (meta tags, JSON-LD, <time>, Vietnamese date lines)
and htmldate only when those are missing, because htmldate's search is the slow part. The HTML is
parsed once with lxml and that tree is shared.

Hostile pages: extraction cost grows with the number and depth of elements (a 2.2 MB page of
nested or repeated tags costs a minute of CPU and ~200 MB in trafilatura), so the parsed tree is
measured first (two XPath counts, well under a millisecond on real pages) and a page over
:data:`MAX_ELEMENTS` elements or :data:`MAX_DEPTH` levels is refused (reason ``too_complex``)
before trafilatura, the metadata passes and htmldate see it. Real article pages have 400-2,300
elements and 12-20 levels (measured on ../shared/crawl/pages).
"""

from __future__ import annotations

import codecs
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import lxml.html
import trafilatura
from trafilatura.settings import Extractor
from lxml import etree

from mediawatch.errors import BadInputError
from mediawatch.document import is_web_url

from .dates import parse_date
from .urls import MAX_URL_CHARS, canonical_url

MIN_TEXT_CHARS = 200
MAX_ELEMENTS = 10_000
MAX_DEPTH = 100
_OPTIONS = Extractor(output_format="python", fast=True, comments=False, tables=False, images=False, with_metadata=False)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
# Lines that start the page furniture trafilatura sometimes keeps after the body.
_TAIL_MARKERS = re.compile(r"^[-•*\s]*(từ khóa|từ khoá|tags?|tin liên quan|bài liên quan|tin cùng chuyên mục|"
                           r"xem thêm|đọc thêm|bình luận|ý kiến bạn đọc|gửi bình luận|chia sẻ)\s*:?\s*$", re.I)
_VI_LETTERS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)

PUBLISHED_META = ("article:published_time", "datePublished", "pubdate", "publishdate", "dc.date.issued",
                  "og:published_time", "date", "published_time", "dc.date", "article:published")
MODIFIED_META = ("article:modified_time", "dateModified", "og:updated_time", "lastmod", "last-modified",
                 "dc.date.modified")


class ExtractionError(BadInputError, ValueError):
    """The page has no usable article text; carries the URL, what was found and the health reason."""

    def __init__(self, url: str, message: str, chars: int = 0, reason: str = "extraction"):
        super().__init__(f"{url}: {message}", data=url)
        self.url = url
        self.chars = chars
        self.reason = reason


_COUNT = etree.XPath("count(//*)")
_DEEPER = etree.XPath("boolean(" + "/*" * (MAX_DEPTH + 1) + ")")


def too_complex(tree) -> str | None:
    """Why a parsed page is too costly to extract from, or None. lxml's own parse is cheap (C, and
    libxml2 stops nesting at 256); trafilatura's passes over the tree are what cost seconds."""
    elements = int(_COUNT(tree))
    if elements > MAX_ELEMENTS:
        return f"{elements} elements, more than {MAX_ELEMENTS}"
    if _DEEPER(tree):
        return f"elements nested more than {MAX_DEPTH} deep"
    return None


@dataclass(slots=True)
class Article:
    url: str  # canonical
    title: str
    text: str
    published_at: datetime | None
    updated_at: datetime | None
    section: str | None
    lang: str | None
    description: str | None = None


def sniff_encoding(body: bytes, declared: str | None = None) -> str:
    """HTTP charset, else the document's own declaration, else UTF-8 (windows-1258 when UTF-8 fails)."""
    for candidate in (declared,
                      *(m.group(1).decode("ascii", "ignore") for m in (_XML_ENCODING.search(body[:2048]),
                                                                         _META_CHARSET.search(body[:8192])) if m)):
        if not candidate:
            continue
        try:
            return codecs.lookup(candidate).name
        except LookupError:
            continue
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1258"


def decode_html(body: bytes, declared: str | None = None) -> str:
    """Bytes -> NFC text. windows-1258 writes tones as combining marks, so NFC is not optional."""
    text = body.decode(sniff_encoding(body, declared), errors="replace")
    return unicodedata.normalize("NFC", text)


def _clean(value: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", value or "").split())


_META_NODES = etree.XPath("//meta[@content] | //*[@itemprop][not(self::meta)]")


def _meta_index(tree) -> dict[str, list[str]]:
    """Every <meta property|name|itemprop=...> and itemprop element, by lower-cased key, in page order."""
    index: dict[str, list[str]] = {}
    for node in _META_NODES(tree):
        if node.tag == "meta":
            value = node.get("content")
            keys = (node.get("property"), node.get("name"), node.get("itemprop"))
        else:
            value = node.get("datetime") or node.get("content") or node.text_content()
            keys = (node.get("itemprop"),)
        if not value:
            continue
        for key in keys:
            if key:
                index.setdefault(key.strip().lower(), []).append(value)
    return index


def _meta(index: dict[str, list[str]], names: tuple[str, ...]) -> list[str]:
    return [value for name in names for value in index.get(name.lower(), ())]


def _json_ld(tree) -> list[dict]:
    items: list[dict] = []
    for node in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(node.text or "")
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                items.append(item)
                stack.extend(v for v in item.get("@graph", []) if isinstance(v, dict))
    return items


def _first_date(values) -> datetime | None:
    for value in values:
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is not None:
            return parsed
    return None


def _visible_date(tree) -> datetime | None:
    """Vietnamese date lines such as <span class="date">Thứ hai, 23/3/2015, 10:05 (GMT+7)</span>."""
    nodes = tree.xpath('//time | //*[contains(@class,"date") or contains(@class,"time") '
                       'or contains(@class,"publish")][not(descendant::*[contains(@class,"date")])]')
    for node in nodes[:20]:
        value = node.get("datetime") or node.text_content()
        if value and len(value) < 120:
            parsed = parse_date(value)
            if parsed is not None:
                return parsed
    return None


def _title(tree, meta: dict[str, list[str]], fallback: str | None) -> str:
    # The article's <h1> first: og:title and <title> often carry the site's name and section.
    headings = [h.text_content() for h in tree.xpath('//h1[not(contains(@class,"logo"))]')[:1]]
    for value in (*headings, *_meta(meta, ("og:title",)), fallback):
        title = _clean(value)
        if title:
            return title
    return ""


def _section(tree, meta: dict[str, list[str]], ld: list[dict]) -> str | None:
    values = _meta(meta, ("article:section", "articleSection", "section"))
    values += [item.get("articleSection") for item in ld if isinstance(item.get("articleSection"), str)]
    crumbs = tree.xpath('//*[contains(@class,"breadcrumb")]//a | //*[@itemtype and contains(@itemtype,'
                        '"BreadcrumbList")]//a')
    values += [c.text_content() for c in crumbs[1:2] or crumbs[:1]]
    for value in values:
        section = _clean(value)
        if section and len(section) < 80:
            return section
    return None


def _declared_lang(tree, meta: dict[str, list[str]]) -> str:
    return (tree.get("lang") or "").strip() or next(iter(_meta(meta, ("og:locale", "language"))), "")


def _lang(declared: str, text: str) -> str | None:
    # Text full of Vietnamese letters is Vietnamese whatever <html lang> claims (templates say "en").
    sample = text[:2000]
    if sample and len(_VI_LETTERS.findall(sample)) > len(sample) * 0.03:
        return "vi"
    if declared:
        return declared.replace("_", "-").split("-")[0].lower()
    return None


def _trim_tail(text: str) -> str:
    lines = text.split("\n")
    cutoff = int(len(lines) * 0.5)
    for index in range(len(lines) - 1, cutoff - 1, -1):
        if _TAIL_MARKERS.match(lines[index]):
            lines = lines[:index]
    return "\n".join(line for line in lines).strip()


def parse_html(html: str | bytes, declared_charset: str | None = None):
    """(tree, text): the decoded NFC text is kept for htmldate, as trafilatura prunes the tree."""
    text = decode_html(html, declared_charset) if isinstance(html, bytes) else unicodedata.normalize("NFC", html)
    # lxml refuses str input that carries an XML encoding declaration.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        tree = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError("", f"not parseable as HTML ({exc})") from None
    problem = too_complex(tree)
    if problem:
        raise ExtractionError("", f"page too complex to extract safely ({problem}); not extracted",
                              reason="too_complex")
    return tree, text


def extract_article(html: str | bytes, url: str, *, declared_charset: str | None = None,
                    min_chars: int = MIN_TEXT_CHARS) -> Article:
    """Extract one article. Raises ExtractionError when the main text is shorter than ``min_chars``."""
    try:
        tree, source_text = parse_html(html, declared_charset)
    except ExtractionError as exc:
        raise ExtractionError(url, str(exc).lstrip(": "), reason=exc.reason) from None
    ld = _json_ld(tree)
    meta = _meta_index(tree)
    canonical = next((link.get("href") for link in tree.xpath('//link[@rel="canonical"][@href]')), None)
    canonical = canonical_url(canonical, base=url) if canonical else None
    if not is_web_url(canonical) or len(canonical) > MAX_URL_CHARS:  # e.g. rel=canonical "javascript:..."
        canonical = canonical_url(url)
    published = _first_date(_meta(meta, PUBLISHED_META)) or _first_date(
        [item.get("datePublished") for item in ld]) or _visible_date(tree)
    updated = _first_date(_meta(meta, MODIFIED_META)) or _first_date([item.get("dateModified") for item in ld])
    title = _title(tree, meta, None)
    section = _section(tree, meta, ld)
    declared_lang = _declared_lang(tree, meta)
    description = next(iter(_meta(meta, ("og:description", "description"))), None)

    # Metadata is read above; trafilatura's own metadata pass would double the cost.
    result = trafilatura.bare_extraction(tree, url=url, options=_OPTIONS)
    text = _trim_tail(unicodedata.normalize("NFC", (result.text if result is not None else "") or ""))
    if len(text) < min_chars:
        raise ExtractionError(url, f"main text too short ({len(text)} < {min_chars} characters)", len(text))
    if not title:
        title = _clean(next((t.text_content() for t in tree.xpath("//title")[:1]), ""))
    first, _, rest = text.partition("\n")
    if title and _clean(first) == title and len(rest) >= min_chars:
        text = rest.strip()
    if published is None:
        from htmldate import find_date

        found = find_date(source_text, original_date=True, extensive_search=False)
        published = parse_date(found) if found else None
    return Article(url=canonical, title=title, text=text, published_at=published, updated_at=updated,
                   section=section, lang=_lang(declared_lang, text), description=_clean(description) or None)
