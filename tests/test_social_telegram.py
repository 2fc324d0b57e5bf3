"""Telegram public-preview connector against a fake t.me on 127.0.0.1."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from mediawatch.crawlers.social.telegram import parse_page
from mediawatch.settings import SourceSettings
from mediawatch.store import open_store
from tests.social_servers.base import Reply
from tests.social_servers.data import RAW_AUTHOR_STRINGS, T0
from tests.social_servers.harness import collect, leaked, make_settings
from tests.social_servers.telegram import FakeTelegram


@pytest.fixture
def telegram():
    with FakeTelegram({"tinlaocai": 45}) as server:
        yield server


@pytest.fixture
def store(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as opened:
        yield opened


def tg_source(*channels):
    return SourceSettings(id="tg", name="Kênh Telegram Lào Cai", kind="social", type="telegram",
                          options={"channels": list(channels or ["tinlaocai"])})


def expected_posts(server, channel="tinlaocai", above=0):
    return [m["id"] for m in server.messages[channel] if m["kind"] == "post" and m["id"] > above]


def test_fetches_all_pages_newest_first(telegram, store):
    out = collect(tg_source(), make_settings(telegram_base=telegram.base), store)
    ids = [int(d.extra["platform_id"].split("/")[1]) for d in out.documents]
    assert sorted(ids) == expected_posts(telegram)
    assert ids == sorted(ids, reverse=True)
    assert [r.query.get("before") for r in telegram.paths("/s/")] == [None, "26", "6"]
    assert len(telegram.paths("/robots.txt")) == 1
    doc = next(d for d in out.documents if d.extra["platform_id"] == "tinlaocai/6")
    assert doc.url == "https://t.me/tinlaocai/6"
    assert doc.source.name == "Kênh Telegram Lào Cai" and doc.source.platform == "telegram"
    assert "🌧️" in doc.text and "\n" in doc.text and "laocai.gov.vn" in doc.text
    assert doc.engagement.views == 822 and doc.engagement.likes == 12 + 1200
    signed = next(d for d in out.documents if d.extra["platform_id"] == "tinlaocai/3")
    assert signed.author_key and len(signed.author_key) == 32
    forwarded = next(d for d in out.documents if d.extra["platform_id"] == "tinlaocai/7")
    assert forwarded.extra["forwarded"] is True
    assert out.report.errors == {}


def test_second_run_fetches_only_new_messages(telegram, store):
    settings = make_settings(telegram_base=telegram.base)
    collect(tg_source(), settings, store)
    telegram.add_message("tinlaocai", "Tin nóng 🔥: Lào Cai thông xe cao tốc", T0 + timedelta(hours=1))
    telegram.requests.clear()
    second = collect(tg_source(), settings, store)
    assert [d.text for d in second.documents] == ["Tin nóng 🔥: Lào Cai thông xe cao tốc laocai.gov.vn"]
    assert len(telegram.paths("/s/")) == 1  # the newest page already reaches the cursor
    assert collect(tg_source(), settings, store).documents == []


def test_retry_after_then_unknown_channel(telegram, store):
    telegram.fail_next("/s/tinlaocai", Reply(429, b"Too Many Requests", {"Retry-After": "1"}))
    out = collect(tg_source("tinlaocai", "khongtontai"), make_settings(telegram_base=telegram.base), store,
                  sleep=lambda s: None)
    assert out.sleeps == [1.0]
    assert len(out.documents) == len(expected_posts(telegram))
    assert out.report.errors["no_preview"] == 1 and "khongtontai" in out.report.messages[0]


def test_too_long_retry_after_gives_up_and_keeps_cursor(telegram, store):
    telegram.fail_next("/s/tinlaocai", Reply(429, b"", {"Retry-After": "3600"}))
    out = collect(tg_source(), make_settings(telegram_base=telegram.base), store, sleep=lambda s: None)
    assert out.documents == [] and out.report.errors["rate_limited"] == 1
    assert store.get_state("source:tg", "telegram:tinlaocai") is None


def test_robots_txt_is_obeyed(telegram, store):
    telegram.robots = "User-agent: *\nDisallow: /s/\n"
    out = collect(tg_source(), make_settings(telegram_base=telegram.base), store)
    assert out.documents == [] and out.report.errors["robots"] == 1
    assert telegram.paths("/s/") == []
    telegram.robots = "User-agent: *\nAllow: /s/\nDisallow: /\n"
    assert collect(tg_source(), make_settings(telegram_base=telegram.base), store).documents


def test_malformed_blocks_are_skipped():
    page = ('<div class="tgme_widget_message" data-post="x/abc"><div class="tgme_widget_message_text">a</div></div>'
            '<div class="tgme_widget_message" data-post="x/5"><div class="tgme_widget_message_text">Xin chào 👋'
            '</div></div>')
    posts, broken = parse_page(page, "x")
    assert broken == 1 and [p.message_id for p in posts] == [5] and posts[0].published_at is None
    assert parse_page("", "x") == ([], 0)


def test_switches_off_without_pseudonymisation_key(telegram, store, caplog):
    settings = make_settings(telegram_base=telegram.base)
    settings.privacy.pseudonymisation_key = None
    with caplog.at_level(logging.INFO):
        out = collect(tg_source(), settings, store)
    assert out.documents == [] and telegram.requests == []
    assert len([r for r in caplog.records if "switched off" in r.getMessage()]) == 1


def test_no_raw_author_identifier_in_store_logs_or_json(telegram, tmp_path, caplog):
    path = tmp_path / "privacy.db"
    with caplog.at_level(logging.DEBUG):
        with open_store(f"sqlite:///{path}") as store:
            out = collect(tg_source(), make_settings(telegram_base=telegram.base), store)
            stored = list(store.iter_documents())
    assert stored and any(d.author_key for d in stored)
    assert leaked(RAW_AUTHOR_STRINGS, store_files=[path, path.with_name(path.name + "-wal")],
                  logs=caplog.text, documents=out.documents + stored) == []


def test_retry_after_really_waits(telegram, store):
    import time

    telegram.fail_next("/s/tinlaocai", Reply(429, b"", {"Retry-After": "1"}))
    started = time.monotonic()
    out = collect(tg_source(), make_settings(telegram_base=telegram.base), store)
    assert time.monotonic() - started >= 1.0
    assert len(out.documents) == len(expected_posts(telegram))
