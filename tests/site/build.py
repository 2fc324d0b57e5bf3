"""Writes the test news sites into a folder; tests.site.server serves it on 127.0.0.1.

Layout (paths relative to the server root):
  /robots.txt                      disallows /a/private/
  /a/  "Báo Lào Cai (thử nghiệm)"  feeds, sitemap index + news sitemap, paginated listing, articles
  /b/  "Tin Tây Bắc (thử nghiệm)"  one feed carrying a syndicated copy of an /a/ story
  /bench/                          generated articles and feeds for bench/crawl.py
Cases: a malformed feed, a windows-1258 feed and page, a 404 link, a robots-disallowed link, a page
too short to be an article, tracking-decorated links. Dynamic cases (slow, huge, redirect to a
private address, 503-then-OK) are served by the server, not written here.
"""

from __future__ import annotations

import html
import unicodedata
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from string import Template

from .stories import SHORT_PAGE, STORIES, SYNDICATED, generated_story

TEMPLATES = Path(__file__).parent / "templates"
SITE_A = "Báo Lào Cai (thử nghiệm)"
SITE_B = "Tin Tây Bắc (thử nghiệm)"
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode as windows-1258 writes Vietnamese: base letters precomposed, tone marks combining."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            out += base.encode("cp1258") + "".join(c for c in parts if c in _TONES).encode("cp1258")
    return bytes(out)


def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def render_article(story: dict, *, base: str, home: str, site_name: str, charset: str = "utf-8",
                   meta_dates: bool = True, related: list[dict] | None = None) -> str:
    esc = html.escape
    paragraphs = "\n".join(f"      <p>{esc(p)}</p>" for p in story["paragraphs"])
    date_meta = (f'<meta property="article:published_time" content="{story["published"]}">'
                 if meta_dates else "")
    items = "".join(f'<li><a href="{home}{r["slug"]}.html">{esc(r["title"])}</a></li>' for r in related or [])
    return _template("article.html").substitute(
        charset=charset, title=esc(story["title"]), site_name=esc(site_name),
        canonical=f"{base}{story['slug']}.html", sapo=esc(story["sapo"]), section=esc(story["section"]),
        date_meta=date_meta, home=home, date_text=esc(story["date_text"]), paragraphs=paragraphs,
        author=esc(story["author"]), related=items)


def render_feed(title: str, link: str, items: list[dict], *, base: str, encoding: str = "utf-8",
                query: str = "") -> str:
    entries = []
    for story in items:
        when = format_datetime(datetime.fromisoformat(story["published"]))
        url = story.get("url") or f"{base}{story['slug']}.html{query}"
        entries.append(f"""<item>
<title>{html.escape(story['title'])}</title>
<link>{html.escape(url)}</link>
<guid isPermaLink="true">{html.escape(url)}</guid>
<description><![CDATA[<a href="{url}"><img src="/img/{story.get('slug', 'x')}.jpg"></a></br>{story.get('sapo', '')}]]></description>
<pubDate>{story.get('pub_text') or when}</pubDate>
</item>""")
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>\n'
            f"<title>{html.escape(title)}</title><link>{link}</link><description>{html.escape(title)}</description>\n"
            + "\n".join(entries) + "\n</channel></rss>\n")


def render_listing(stories: list[dict], *, home: str, site_name: str, section: str, page: int, pages: int) -> str:
    items = "\n".join(f'<article class="story"><h3 class="title"><a href="{home}{s["slug"]}.html">'
                      f'{html.escape(s["title"])}</a></h3><p>{html.escape(s["sapo"])}</p></article>'
                      for s in stories)
    links = []
    if page > 1:
        links.append(f'<a href="{home}thoi-su/trang-{page - 1}.html" rel="prev">Trang trước</a>')
    if page < pages:
        links.append(f'<a class="next" href="{home}thoi-su/trang-{page + 1}.html" rel="next">Trang sau</a>')
    return _template("listing.html").substitute(section=html.escape(section), page=page, home=home,
                                                site_name=html.escape(site_name), items=items,
                                                pagination=" ".join(links))


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)


def build_site(root: Path, base_url: str, *, generated: int = 0) -> dict[str, str]:
    """Write the sites under ``root``; ``base_url`` is the server's http://127.0.0.1:PORT. Returns URLs."""
    root = Path(root)
    a, b = f"{base_url}/a/", f"{base_url}/b/"
    _write(root / "robots.txt", "User-agent: *\nDisallow: /a/private/\n\nSitemap: " + a + "sitemap-index.xml\n")
    utf8 = [s for s in STORIES if s["slug"] != "cho-phien-bac-ha-vao-mua-du-lich-100106"]
    for i, story in enumerate(utf8):
        related = [s for s in utf8 if s is not story][:3]
        _write(root / "a" / f"{story['slug']}.html",
               render_article(story, base=a, home="/a/", site_name=SITE_A, meta_dates=i % 2 == 0, related=related))
    _write(root / "a" / "private" / "bao-cao-noi-bo-100150.html",
           render_article(STORIES[1], base=a + "private/", home="/a/", site_name=SITE_A))
    _write(root / "a" / f"{SHORT_PAGE['slug']}.html",
           render_article(SHORT_PAGE, base=a, home="/a/", site_name=SITE_A))

    # windows-1258 feed and article, tone marks combining as that code page writes them.
    cp = STORIES[-1]
    page = render_article(cp, base=a, home="/a/", site_name=SITE_A, charset="windows-1258")
    _write(root / "a" / f"{cp['slug']}.html", to_cp1258(page))
    _write(root / "a" / "rss" / "du-lich.rss",
           to_cp1258(render_feed("Du lịch - " + SITE_A, a, [cp], base=a, encoding="windows-1258")))

    feed_items = list(utf8) + [
        {"title": "Bài đã bị gỡ", "slug": "bai-da-bi-go-100190", "published": "2026-07-14T11:00:00+07:00"},
        {"title": "Báo cáo nội bộ", "slug": "private/bao-cao-noi-bo-100150", "published": "2026-07-14T11:05:00+07:00"},
        SHORT_PAGE,
    ]
    # Vietnamese date forms in <pubDate>, as some CMSs write them.
    feed_items[1] = dict(feed_items[1], pub_text="Chủ nhật, 12/7/2026, 09:15 (GMT+7)")
    feed_items[2] = dict(feed_items[2], pub_text="10/07/2026 20:00")
    _write(root / "a" / "rss" / "tin-moi-nhat.rss",
           render_feed("Tin mới nhất - " + SITE_A, a, feed_items, base=a, query="?utm_source=rss&utm_medium=feed"))
    broken = render_feed("Thời sự - " + SITE_A, a, utf8[:3], base=a)
    # Unescaped ampersand and a truncated last item: feedparser flags it (bozo) but keeps entries.
    broken = broken.replace("<title>Thời sự", "<title>Thời sự & Chính trị", 1)
    _write(root / "a" / "rss" / "thoi-su-loi.rss", broken[: broken.rfind("<item>") + 30])

    # News sitemap behind a sitemap index.
    news = "\n".join(
        f"<url><loc>{a}{s['slug']}.html</loc><lastmod>{s['published']}</lastmod><news:news><news:publication>"
        f"<news:name>{SITE_A}</news:name><news:language>vi</news:language></news:publication>"
        f"<news:publication_date>{s['published']}</news:publication_date><news:title>{html.escape(s['title'])}"
        f"</news:title></news:news></url>" for s in utf8)
    _write(root / "a" / "sitemap-news.xml",
           '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
           'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + news + "\n</urlset>\n")
    _write(root / "a" / "sitemap-index.xml",
           '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
           f"<sitemap><loc>{a}sitemap-news.xml</loc><lastmod>2026-07-14T12:00:00+07:00</lastmod></sitemap>"
           f"<sitemap><loc>{a}sitemap-missing.xml</loc><lastmod>2026-07-13T12:00:00+07:00</lastmod></sitemap>"
           "</sitemapindex>\n")

    # Paginated listing: two stories a page.
    pages = [utf8[i:i + 2] for i in range(0, len(utf8), 2)]
    for number, chunk in enumerate(pages, start=1):
        content = render_listing(chunk, home="/a/", site_name=SITE_A, section="Thời sự", page=number,
                                 pages=len(pages))
        _write(root / "a" / "thoi-su" / (f"trang-{number}.html" if number > 1 else "index.html"), content)

    # Site B: the syndicated copy of the first story plus one story of its own.
    copy = dict(SYNDICATED, paragraphs=["Theo Báo Lào Cai, mưa lớn gây sạt lở tại nhiều vị trí trên tuyến "
                                        "đường du lịch quan trọng này."] + STORIES[0]["paragraphs"])
    _write(root / "b" / f"{copy['slug']}.html", render_article(copy, base=b, home="/b/", site_name=SITE_B,
                                                               meta_dates=False))
    own = STORIES[3]
    _write(root / "b" / f"{own['slug']}-b.html",
           render_article(dict(own, slug=own["slug"] + "-b"), base=b, home="/b/", site_name=SITE_B))
    _write(root / "b" / "rss" / "home.rss", render_feed("Trang chủ - " + SITE_B, b, [copy], base=b))

    if generated:
        bench = f"{base_url}/bench/"
        per_feed = 100
        stories = [generated_story(i) for i in range(generated)]
        for story in stories:
            _write(root / "bench" / f"{story['slug']}.html",
                   render_article(story, base=bench, home="/bench/", site_name=SITE_A))
        for start in range(0, generated, per_feed):
            _write(root / "bench" / "rss" / f"feed-{start // per_feed:03d}.rss",
                   render_feed(f"Bench {start}", bench, stories[start:start + per_feed], base=bench))

    return {
        "feed": f"{a}rss/tin-moi-nhat.rss", "feed_broken": f"{a}rss/thoi-su-loi.rss",
        "feed_cp1258": f"{a}rss/du-lich.rss", "feed_b": f"{b}rss/home.rss",
        "sitemap_index": f"{a}sitemap-index.xml", "sitemap_news": f"{a}sitemap-news.xml",
        "listing": f"{a}thoi-su/", "a": a, "b": b, "base": base_url,
    }
