"""The review desk served for real on 127.0.0.1 (uvicorn in a thread), and HTTP helpers for tests."""

from __future__ import annotations

import re
import threading
import time

import requests
import uvicorn
from argon2 import PasswordHasher

from mediawatch.app.desk import create_app
from mediawatch.app.desk.server import bind

# Test accounts hash with a cheap argon2 profile; verification reads the cost from the hash itself.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "mat-khau-du-dai-1"


class DeskServer:
    def __init__(self, settings, store):
        self.app = create_app(settings, store, hasher=CHEAP)
        self.sock = bind("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, lifespan="off", log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def desk(self):
        return self.app.state.desk

    def __enter__(self) -> "DeskServer":
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the desk did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def login(base: str, username: str, password: str = PASSWORD) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/login")
    answer = session.post(base + "/login", data={"csrf": csrf_of(page.text), "username": username,
                                                 "password": password, "next": "/queue"}, allow_redirects=False)
    assert answer.status_code == 303, answer.text
    return session


def token(session: requests.Session, base: str, path: str = "/queue") -> str:
    return csrf_of(session.get(base + path).text)
