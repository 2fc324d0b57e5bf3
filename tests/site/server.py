"""A real threaded HTTP server for the test site, with the misbehaving pages built in.

Dynamic routes:
  /slow.html            headers and a first chunk, then nothing (until the server stops)
  /huge.html            20 MB of HTML, no Content-Length
  /redirect-private     302 to http://10.255.255.1/ (a private address)
  /a/flaky-<n>.html     503 with Retry-After: 0 the first time, then the article /a/<story n>
Feeds and sitemaps answer conditional GETs (ETag and Last-Modified) with 304.
Run standalone (for the benchmark): python -c 'from tests.site.server import main; main()' ROOT [PORT]
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

LAST_MODIFIED = "Tue, 14 Jul 2026 05:00:00 GMT"
HUGE_BYTES = 20 * 1024 * 1024


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, port: int = 0):
        self.root = Path(root)
        self.hits: Counter = Counter()
        self.user_agents: set[str] = set()
        self.stopping = threading.Event()
        self.flaky_seen: set[str] = set()
        super().__init__(("127.0.0.1", port), Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> "SiteServer":
        threading.Thread(target=self.serve_forever, name="test-site", daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


class Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, keep-alive clients stall 40 ms on each.
    disable_nagle_algorithm = True
    server: SiteServer

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(args[2].root), **kwargs)

    def log_message(self, format, *args):  # noqa: A002 - quiet tests
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server naming
        path = urlsplit(self.path).path
        self.server.hits[path] += 1
        self.server.user_agents.add(self.headers.get("User-Agent", ""))
        if path == "/slow.html":
            return self._slow()
        if path == "/huge.html":
            return self._huge()
        if path == "/redirect-private":
            return self._send(302, headers={"Location": "http://10.255.255.1/bai-viet-100001.html"})
        if path.startswith("/a/flaky-"):
            if path not in self.server.flaky_seen:
                self.server.flaky_seen.add(path)
                return self._send(503, b"busy", {"Retry-After": "0"})
            target = self.server.root / "a" / path.removeprefix("/a/flaky-")
            if target.exists():
                return self._send(200, target.read_bytes(), {"Content-Type": "text/html; charset=utf-8"})
        file = self._file(path)
        if file is None:
            return self._send(404, "<html><body>Không tìm thấy trang</body></html>".encode(),
                              {"Content-Type": "text/html; charset=utf-8"})
        body = file.read_bytes()
        headers = {"Content-Type": self._ctype(file)}
        if file.suffix in (".rss", ".xml"):
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers.update({"ETag": etag, "Last-Modified": LAST_MODIFIED})
            # As RFC 9110 says: If-None-Match, when sent, decides alone.
            match = self.headers.get("If-None-Match")
            if match == etag or (match is None and self.headers.get("If-Modified-Since") == LAST_MODIFIED):
                self.server.hits["304:" + path] += 1
                return self._send(304, headers={"ETag": etag})
        return self._send(200, body, headers)

    def _file(self, path: str) -> Path | None:
        root = self.server.root.resolve()
        target = (root / path.lstrip("/")).resolve()
        if root not in target.parents and target != root:
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    @staticmethod
    def _ctype(file: Path) -> str:
        if file.suffix == ".rss":
            return "application/rss+xml"  # charset left to the XML declaration (windows-1258 case)
        if file.suffix == ".xml":
            return "application/xml"
        if file.suffix == ".txt":
            return "text/plain; charset=utf-8"
        return "text/html"  # charset left to <meta charset>

    def _slow(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"<html><body><p>B\xe1\xba\xaft \xc4\x91\xe1\xba\xa7u...")
        self.wfile.flush()
        self.server.stopping.wait(60)
        self.close_connection = True

    def _huge(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = ("<p>" + "Nội dung rất dài. " * 3000 + "</p>\n").encode()
        sent = 0
        try:
            self.wfile.write(b"<html><body>")
            while sent < HUGE_BYTES and not self.server.stopping.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    server = SiteServer(Path(args[0]), int(args[1]) if len(args) > 1 else 0)
    print(server.base_url, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
