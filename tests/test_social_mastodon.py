"""Mastodon connector against a fake Mastodon API on 127.0.0.1."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest

from mediawatch.crawlers.social.common import html_to_text
from mediawatch.document import doc_id_for_post
from mediawatch.settings import SourceSettings
from mediawatch.store import open_store
from tests.social_servers.base import Reply
from tests.social_servers.data import RAW_AUTHOR_STRINGS, T0
from tests.social_servers.harness import collect, leaked, make_settings
from tests.social_servers.mastodon import FakeMastodon


@pytest.fixture
def mastodon():
    with FakeMastodon(tagged=100, published=12) as server:
        yield server


@pytest.fixture
def store(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as opened:
        yield opened


def md_source(server, **options):
    return SourceSettings(id="md", name="Mastodon #laocai", kind="social", type="mastodon", url=server.base,
                          options={"hashtags": ["laocai"], "accounts": ["baolaocai"], **options})


def originals(statuses):
    return [s for s in statuses if not s["reblog"]]


def test_backfills_tag_and_account_with_link_paging(mastodon, store):
    out = collect(md_source(mastodon), make_settings(), store)
    tagged = [d for d in out.documents if "account" not in d.extra]
    published = [d for d in out.documents if d.extra.get("account") == "baolaocai"]
    assert len(tagged) == len(originals(mastodon.tags["laocai"]))  # 100 in 3 pages of 40
    assert len(published) == 12
    tag_calls = mastodon.paths("/api/v1/timelines/tag/laocai")
    assert len(tag_calls) == 4 and "max_id" in tag_calls[1].query  # 40 + 40 + 20 + an empty page
    doc = tagged[0]
    assert doc.url == f"{mastodon.base}/api/v1/statuses/{doc.extra['platform_id'].split('/')[1]}"
    assert doc.author_key and doc.lang == "vi" and "#laocai" in doc.text and "@bao" in doc.text
    assert "<p>" not in doc.text and "&amp;" not in doc.text
    pub = published[0]
    assert pub.url.startswith(f"{mastodon.base}/@baolaocai/") and pub.author_key is None
    replies = [d for d in out.documents if d.parent_id]
    host = mastodon.base.split("//")[1]
    assert replies and all(
        r.parent_id == doc_id_for_post("mastodon", f"{host}/{int(r.extra['platform_id'].split('/')[1]) - 1}")
        for r in replies)
    assert out.report.errors == {}


def test_second_run_walks_forward_from_min_id(mastodon, store):
    settings = make_settings()
    collect(md_source(mastodon), settings, store)
    for k in range(45):
        mastodon.add_status("laocai", T0 + timedelta(minutes=k), text=f"Mới {k} 🆕 Sa Pa")
    mastodon.requests.clear()
    second = collect(md_source(mastodon), settings, store)
    new_texts = {d.text.split("\n")[0] for d in second.documents}
    expected = {f"Mới {k} 🆕 Sa Pa" for k in range(45)}
    kept = {s["id"] for s in originals(mastodon.tags["laocai"][-45:])}
    assert len(second.documents) == len(kept) and new_texts <= expected
    calls = mastodon.paths("/api/v1/timelines/tag/laocai")
    assert "min_id" in calls[0].query and len(calls) == 3  # 40 + 5 + an empty page
    assert collect(md_source(mastodon), settings, store).documents == []


def test_rate_limit_reset_header_is_honoured(mastodon, store):
    reset = datetime.now(timezone.utc) + timedelta(seconds=1)
    mastodon.fail_next("/api/v1/timelines/tag/", Reply.json(
        {"error": "Too many requests"}, status=429,
        headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                 "X-RateLimit-Reset": reset.isoformat().replace("+00:00", "Z")}))
    out = collect(md_source(mastodon, accounts=[]), make_settings(), store, sleep=lambda s: None)
    assert len(out.sleeps) == 1 and 0 < out.sleeps[0] <= 1.01
    assert len(out.documents) == len(originals(mastodon.tags["laocai"]))


def test_unknown_account_and_malformed_statuses(mastodon, store):
    mastodon.tags["laocai"].append({"id": "not-a-number", "content": "<p>hỏng</p>", "account": {}, "reblog": None})
    out = collect(md_source(mastodon, accounts=["khongco"]), make_settings(), store)
    assert out.report.errors["http_404"] == 1 and out.report.errors["parse"] == 1
    assert len(out.documents) == len(originals(mastodon.tags["laocai"])) - 1


def test_switches_off_without_key(mastodon, store, caplog):
    settings = make_settings()
    settings.privacy.pseudonymisation_key = None
    with caplog.at_level(logging.INFO):
        assert collect(md_source(mastodon), settings, store).documents == []
    assert len([r for r in caplog.records if "switched off" in r.getMessage()]) == 1
    assert mastodon.requests == []


def test_html_to_text():
    assert html_to_text("<p>Xin chào&nbsp;Lào Cai 🏔️</p><p>dòng 2<br/>dòng 3</p>") == \
        "Xin chào Lào Cai 🏔️\ndòng 2\ndòng 3"
    assert html_to_text(None) == ""


def test_no_raw_author_identifier_in_store_logs_or_json(mastodon, tmp_path, caplog):
    path = tmp_path / "privacy.db"
    with caplog.at_level(logging.DEBUG):
        with open_store(f"sqlite:///{path}") as store:
            out = collect(md_source(mastodon), make_settings(), store)
            stored = list(store.iter_documents())
    assert len(stored) == len(out.documents) > 100
    assert leaked(RAW_AUTHOR_STRINGS, store_files=[path, path.with_name(path.name + "-wal")],
                  logs=caplog.text, documents=out.documents + stored) == []
