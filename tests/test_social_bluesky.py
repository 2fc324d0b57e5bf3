"""Bluesky connector against a fake AppView/PDS on 127.0.0.1."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from mediawatch.settings import SourceSettings
from mediawatch.store import open_store
from tests.social_servers.bluesky import APP_PASSWORD, PUBLISHER, FakeBluesky, rate_limited
from tests.social_servers.data import RAW_AUTHOR_STRINGS, T0
from tests.social_servers.harness import collect, leaked, make_settings


@pytest.fixture
def bluesky():
    with FakeBluesky(found=60, published=15) as server:
        yield server


@pytest.fixture
def store(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as opened:
        yield opened


def bs_source(**options):
    return SourceSettings(id="bsky", name="Bluesky Lào Cai", kind="social", type="bluesky",
                          options={"keywords": ["Lào Cai"], "accounts": [PUBLISHER["handle"]], **options})


def settings_for(server, **extra):
    return make_settings(bluesky_api_base=server.base, bluesky_pds_base=server.base, **extra)


def with_text(posts):
    return [p for p in posts if p["record"]["text"]]


def test_search_and_author_feed_all_pages(bluesky, store):
    out = collect(bs_source(), settings_for(bluesky), store)
    found = [d for d in out.documents if "account" not in d.extra]
    published = [d for d in out.documents if d.extra.get("account")]
    assert len(found) == len(with_text(bluesky.posts))
    assert len(published) == len(with_text([i["post"] for i in bluesky.feed if "reason" not in i]))
    searches = bluesky.paths("/xrpc/app.bsky.feed.searchPosts")
    assert len(searches) == 3 and searches[1].query["cursor"] and searches[0].query["lang"] == "vi"
    doc = found[0]
    assert doc.url.startswith("urn:mediawatch:bluesky:") and doc.author_key and doc.lang == "vi"
    assert published[0].url.startswith(f"https://bsky.app/profile/{PUBLISHER['handle']}/post/")
    assert published[0].author_key is None
    assert any(d.parent_id for d in found)
    assert bluesky.sessions == 0 and out.report.errors == {}


def test_second_run_only_new(bluesky, store):
    settings = settings_for(bluesky)
    collect(bs_source(), settings, store)
    bluesky.add_post(T0 + timedelta(minutes=30), text="Mới: mưa đá ở Bát Xát 🧊")
    bluesky.add_post(T0 + timedelta(minutes=31), author=PUBLISHER, text="Báo Lào Cai: bản tin trưa 📰")
    bluesky.requests.clear()
    second = collect(bs_source(), settings, store)
    assert sorted(d.text for d in second.documents) == ["Báo Lào Cai: bản tin trưa 📰",
                                                        "Mới: mưa đá ở Bát Xát 🧊"]
    assert bluesky.paths("/xrpc/app.bsky.feed.searchPosts")[0].query["since"] == "2026-11-20T01:00:00Z"
    assert len(bluesky.paths("/xrpc/app.bsky.feed.getAuthorFeed")) == 1  # stops at the cursor
    assert collect(bs_source(), settings, store).documents == []


def test_ratelimit_reset_is_honoured(bluesky, store):
    bluesky.fail_next("/xrpc/app.bsky.feed.searchPosts", rate_limited(reset_in=1))
    out = collect(bs_source(accounts=[]), settings_for(bluesky), store, sleep=lambda s: None)
    assert len(out.sleeps) == 1 and 0 <= out.sleeps[0] <= 1.0
    assert len(out.documents) == len(with_text(bluesky.posts))


def test_app_password_session_is_optional_and_used_when_set(store):
    with FakeBluesky(found=5, published=0, require_auth=True) as server:
        anonymous = collect(bs_source(accounts=[]), settings_for(server), store)
        assert anonymous.documents == [] and anonymous.report.errors["permanent"] == 1
        signed = collect(bs_source(accounts=[]), settings_for(server, bluesky_handle="op.bsky.social",
                                                              bluesky_app_password=APP_PASSWORD), store)
        assert server.sessions == 1 and len(signed.documents) == len(with_text(server.posts))
        wrong = collect(SourceSettings(id="b2", kind="social", type="bluesky", options={"keywords": ["x"]}),
                        settings_for(server, bluesky_handle="op.bsky.social", bluesky_app_password="nope"),
                        store)
        assert wrong.report.errors["login"] == 1
        assert all("nope" not in m for m in wrong.report.messages)


def test_unknown_actor_is_reported_and_search_goes_on(bluesky, store):
    out = collect(bs_source(accounts=["khongco.bsky.social"]), settings_for(bluesky), store)
    assert out.report.errors["permanent"] == 1
    assert len(out.documents) == len(with_text(bluesky.posts))


def test_no_raw_author_identifier_in_store_logs_or_json(bluesky, tmp_path, caplog):
    path = tmp_path / "privacy.db"
    with caplog.at_level(logging.DEBUG):
        with open_store(f"sqlite:///{path}") as store:
            out = collect(bs_source(), settings_for(bluesky), store)
            stored = list(store.iter_documents())
    assert len(stored) == len(out.documents) > 50
    assert leaked(RAW_AUTHOR_STRINGS, store_files=[path, path.with_name(path.name + "-wal")],
                  logs=caplog.text, documents=out.documents + stored) == []


def test_malformed_and_deleted_posts_are_skipped(bluesky, store):
    bluesky.posts.insert(0, {"uri": None, "record": {"text": "không có uri"}})
    bluesky.posts.insert(1, {"uri": "at://did:plc:x/app.bsky.feed.post/1", "record": "hỏng"})
    out = collect(bs_source(accounts=[]), settings_for(bluesky), store)
    assert len(out.documents) == len(with_text(bluesky.posts[2:]))
    assert out.report.errors == {}


def test_switches_off_without_pseudonymisation_key(bluesky, store, caplog):
    settings = settings_for(bluesky)
    settings.privacy.pseudonymisation_key = None
    with caplog.at_level(logging.INFO):
        assert collect(bs_source(), settings, store).documents == []
    assert len([r for r in caplog.records if "switched off" in r.getMessage()]) == 1
    assert bluesky.requests == []
