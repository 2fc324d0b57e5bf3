"""The demo's outside world on 127.0.0.1: a provincial news site (RSS + article pages), the social
feed as a JSONL export, and a webhook receiver that records what the alerts deliver.

Times in the content are hours before ``now``, so the two weeks always end when the demo starts.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import yaml


def load_content() -> dict[str, Any]:
    text = resources.files("mediawatch.app.demo").joinpath("content.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _at(now: datetime, ago_h: float) -> datetime:
    return now - timedelta(hours=float(ago_h))


def article_html(article: dict[str, Any], now: datetime, site_title: str) -> str:
    published = _at(now, article["ago_h"])
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in article["body"])
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>{escape(article['title'])} - {escape(site_title)}</title>
<meta name="description" content="{escape(article['summary'])}">
<meta property="og:title" content="{escape(article['title'])}">
<meta property="article:published_time" content="{published.isoformat(timespec='seconds')}">
<meta property="article:section" content="{escape(article['section'])}">
</head><body>
<header><a href="/">{escape(site_title)}</a> <nav><a href="/">Trang chủ</a> · <a href="/rss.xml">RSS</a></nav></header>
<main><article>
<p class="section">{escape(article['section'])}</p>
<h1>{escape(article['title'])}</h1>
<time datetime="{published.isoformat(timespec='seconds')}">{published.strftime('%H:%M %d/%m/%Y')}</time>
<p class="sapo"><strong>{escape(article['summary'])}</strong></p>
{paragraphs}
</article></main>
<footer>Trang tin mẫu của mediawatch - nội dung hư cấu, viết cho bản demo.</footer>
</body></html>"""


def rss_xml(content: dict[str, Any], base_url: str, now: datetime) -> str:
    items = []
    for article in sorted(content["articles"], key=lambda a: a["ago_h"]):
        link = f"{base_url}/tin-tuc/{article['slug']}.html"
        items.append(
            "<item>"
            f"<title>{xml_escape(article['title'])}</title><link>{xml_escape(link)}</link>"
            f"<guid isPermaLink=\"true\">{xml_escape(link)}</guid>"
            f"<description>{xml_escape(article['summary'])}</description>"
            f"<category>{xml_escape(article['section'])}</category>"
            f"<pubDate>{format_datetime(_at(now, article['ago_h']))}</pubDate>"
            "</item>")
    site = content["site"]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>{xml_escape(site['title'])}</title><link>{xml_escape(base_url)}/</link>"
            f"<description>{xml_escape(site['description'])}</description><language>vi</language>"
            + "".join(items) + "</channel></rss>\n")


def index_html(content: dict[str, Any]) -> str:
    links = "".join(f'<li><a href="/tin-tuc/{a["slug"]}.html">{escape(a["title"])}</a></li>'
                    for a in sorted(content["articles"], key=lambda a: a["ago_h"]))
    title = escape(content["site"]["title"])
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head>'
            f'<body><h1>{title}</h1><p><a href="/rss.xml">RSS</a></p><ul>{links}</ul></body></html>')


def write_social_export(content: dict[str, Any], path: Path, now: datetime, base_url: str) -> int:
    """The social feed as a JSONL export (the shape a listening tool or Meta Content Library gives)."""
    lines = []
    for post in sorted(content["posts"], key=lambda p: -p["ago_h"]):
        lines.append(json.dumps({
            "id": post["id"], "text": post["text"], "url": f"{base_url}/mxh/{post['id']}",
            "published_at": _at(now, post["ago_h"]).isoformat(timespec="seconds"),
            "author": post["author"], "likes": post.get("likes", 0), "shares": post.get("shares", 0),
            "comments": post.get("comments", 0)}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@dataclass
class DemoSite:
    content: dict[str, Any]
    now: datetime
    server: _Server | None = None
    hits: int = 0

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, port: int = 0) -> "DemoSite":
        site = self
        pages = {f"/tin-tuc/{a['slug']}.html": a for a in self.content["articles"]}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                site.hits += 1
                path = self.path.split("?")[0]
                if path == "/robots.txt":
                    self._send(200, "text/plain; charset=utf-8", "User-agent: *\nAllow: /\n")
                elif path == "/rss.xml":
                    self._send(200, "application/rss+xml; charset=utf-8",
                               rss_xml(site.content, site.base_url, site.now))
                elif path in pages:
                    self._send(200, "text/html; charset=utf-8",
                               article_html(pages[path], site.now, site.content["site"]["title"]))
                elif path == "/":
                    self._send(200, "text/html; charset=utf-8", index_html(site.content))
                else:
                    self._send(404, "text/plain; charset=utf-8", "not found\n")

            def _send(self, status: int, content_type: str, body: str) -> None:
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:  # keep the demo's output readable
                pass

        self.server = _Server(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, name="demo-site", daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


@dataclass
class WebhookReceiver:
    """Records every POST: what an alert channel (Slack, Zalo, a ticket system) would receive."""

    received: list[dict[str, Any]] = field(default_factory=list)
    server: _Server | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def start(self, port: int = 0) -> "WebhookReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body: Any = json.loads(raw.decode("utf-8"))
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                with receiver._lock:
                    receiver.received.append({"headers": {k.lower(): v for k, v in self.headers.items()},
                                              "body": body})
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, name="demo-webhook", daemon=True).start()
        return self

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.received)

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
