"""osmem (in-memory OpenSearch) helpers for the Elasticsearch store tests, and a TCP proxy that can
cut the connection (refused) or answer 503 for everything, to play a cluster outage for real."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest
from osmem_server import OsmemServer


@pytest.fixture(scope="session")
def osmem_server() -> Iterator[OsmemServer]:
    """Overrides the plugin's fixture (import it into a test module): no Japanese analysis (faster
    start) and the process's stdout pipe is closed on exit, which the plugin's fixture leaves open
    (a ResourceWarning, an error under our warnings-as-errors setting)."""
    server = OsmemServer.start(japanese=False)
    try:
        yield server
    finally:
        server.close()
        if server.process.stdout is not None:
            server.process.stdout.close()


class TcpProxy:
    """Forwards 127.0.0.1:<port> to an upstream. ``down()`` closes the port (connection refused),
    ``reject()`` answers every request with HTTP 503, ``up()`` forwards again on the same port."""

    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self.mode = "up"
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        self.mode = "up"
        if self._listener is None:
            self._bind()

    def reject(self) -> None:
        self._drop_connections()
        self.mode = "reject"
        if self._listener is None:
            self._bind()

    def down(self) -> None:
        self.mode = "down"
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            try:  # wakes the thread blocked in accept(); close() alone leaves the port listening
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            listener.close()
        self._drop_connections()

    def close(self) -> None:
        self.down()

    def _bind(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self.port = sock.getsockname()[1]
        self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def _drop_connections(self) -> None:
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if self.mode == "reject":
                threading.Thread(target=self._answer_503, args=(client,), daemon=True).start()
                continue
            try:
                upstream = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _answer_503(client: socket.socket) -> None:
        body = json.dumps({"error": {"type": "cluster_block_exception", "reason": "blocked"}, "status": 503})
        try:
            client.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = client.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            while len(rest) < length:
                chunk = client.recv(65536)
                if not chunk:
                    break
                rest += chunk
            client.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                           + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body.encode())
        except OSError:
            pass
        finally:
            client.close()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.close()
                except OSError:
                    pass


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class RecordingCluster:
    """An HTTP server that answers like an Elasticsearch 8 cluster with ILM and records requests."""

    server: ThreadingHTTPServer
    requests: list[Recorded] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def find(self, method: str, path_start: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_start)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_recording_cluster() -> RecordingCluster:
    holder: dict[str, RecordingCluster] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            holder["c"].requests.append(Recorded(self.command, self.path, {k.lower(): v for k, v in
                                                                          self.headers.items()}, body))
            status, answer = 200, {"acknowledged": True}
            path = self.path.split("?")[0]
            if path == "/" and self.command == "GET":
                answer = {"name": "rec", "cluster_name": "rec", "version": {"number": "8.15.0"},
                          "tagline": "You Know, for Search"}
            elif path == "/_ilm/status":
                answer = {"operation_mode": "RUNNING"}
            elif self.command == "GET" and path.startswith("/_alias/"):
                status, answer = 404, {"error": {"type": "aliases_not_found_exception", "reason": "missing"},
                                       "status": 404}
            elif self.command == "GET" and "/_alias" in path:
                answer = {}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    cluster = RecordingCluster(server)
    holder["c"] = cluster
    return cluster
