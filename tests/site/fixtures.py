"""pytest fixtures for the test site: one real threaded server on 127.0.0.1 per test process.

Import into a test module with ``from tests.site.fixtures import site, crawl_settings  # noqa: F401``.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from mediawatch.settings import Settings

from .build import build_site
from .server import SiteServer


@dataclass
class Site:
    server: SiteServer
    root: Path
    urls: dict[str, str]

    @property
    def base(self) -> str:
        return self.server.base_url


_SITE: Site | None = None


def running_site() -> Site:
    """Started once and shared by every module of the session (the server threads are daemons)."""
    global _SITE
    if _SITE is None:
        root = Path(tempfile.mkdtemp(prefix="mediawatch-site-"))
        server = SiteServer(root).start()
        _SITE = Site(server=server, root=root, urls=build_site(root, server.base_url))
    return _SITE


@pytest.fixture(scope="session")
def site() -> Site:
    return running_site()


def settings_for(**crawl) -> Settings:
    values = {"allow_private_hosts": ["127.0.0.1"], "per_host_delay_s": 0.0, "timeout_s": 2.0,
              "backoff_s": 0.01, "retries": 2}
    values.update(crawl)
    return Settings(crawl=values)


@pytest.fixture
def crawl_settings() -> Settings:
    return settings_for()
