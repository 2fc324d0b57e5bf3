"""Facebook Graph connector against a fake Graph API on 127.0.0.1."""

from __future__ import annotations

import json
import logging

import pytest

from mediawatch.document import doc_id_for_post
from mediawatch.settings import SourceSettings
from mediawatch.store import open_store
from tests.social_servers.base import Reply
from tests.social_servers.data import RAW_AUTHOR_STRINGS
from tests.social_servers.facebook import TOKEN, FakeGraph
from tests.social_servers.harness import collect, leaked, make_settings


@pytest.fixture
def graph():
    with FakeGraph(pages={"soyte.laocai": 60}, comments_per_post=3) as server:
        yield server


@pytest.fixture
def store(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as opened:
        yield opened


def fb_source(**options):
    return SourceSettings(id="fb-pages", name="Trang Facebook Sở Y tế", kind="social", type="facebook",
                          options={"pages": ["soyte.laocai"], **options})


def settings_for(graph, **extra):
    return make_settings(facebook_access_token=TOKEN, facebook_api_base=graph.base, **extra)


def test_fetches_all_pages_posts_and_comments(graph, store):
    out = collect(fb_source(), settings_for(graph), store)
    posts, comments = out.by_type("post"), out.by_type("comment")
    # 60 posts, every 9th photo-only (no message): 54 with text, each with 3 comments.
    assert len(posts) == 54
    assert len(comments) == 60 * 3 - 6 * 3
    assert len(graph.paths("/soyte.laocai/posts")) == 1  # limit=100: one page
    post = posts[0]
    assert post.source.name == "Trang Facebook Sở Y tế" and post.source.platform == "facebook"
    assert post.source.kind == "social"
    assert post.url.startswith("https://www.facebook.com/soyte.laocai/posts/")
    assert post.engagement.likes >= 10 and post.engagement.comments == 3
    assert "Lào Cai" in posts[0].text or "Sa Pa" in posts[1].text
    first_comment = comments[0]
    assert first_comment.parent_id == doc_id_for_post("facebook", first_comment_parent(graph, first_comment))
    assert first_comment.author_key and len(first_comment.author_key) == 32
    assert "?comment_id=" in first_comment.url and "profile" not in first_comment.url
    assert out.report.errors == {}


def first_comment_parent(graph, comment):
    for post_id, comments in graph.comments.items():
        if any(c["id"] == comment.extra["platform_id"] for c in comments):
            return post_id
    raise AssertionError("comment not on the server")


def test_paging_follows_next_links(graph, store):
    out = collect(fb_source(), settings_for(graph), store)
    assert len(out.by_type("post")) == 54
    graph.requests.clear()
    # Pages of 100 are the default; a fresh source id with a small page via a server-side cap:
    page_calls = []
    original = graph._page

    def small_pages(request, *args):
        page_calls.append(request.query.get("after"))
        request.query["limit"] = "25"
        return original(request, *args)

    graph._page = small_pages
    again = collect(SourceSettings(id="fb-other", kind="social", type="facebook",
                                   options={"pages": ["soyte.laocai"], "comments": False}),
                    settings_for(graph), store)
    assert len(again.by_type("post")) == 54
    assert len(graph.paths("/soyte.laocai/posts")) == 3  # 60 posts in pages of 25


def test_second_run_fetches_only_new_posts(graph, store):
    settings = settings_for(graph)
    first = collect(fb_source(), settings, store)
    assert len(first.by_type("post")) == 54
    from tests.social_servers.data import T0
    from datetime import timedelta

    graph.add_post("soyte.laocai", 500, comments=1, created=T0 + timedelta(hours=1),
                   message="Tin mới: Lào Cai khai trương cầu mới 🌉")
    graph.requests.clear()
    second = collect(fb_source(), settings, store)
    assert [d.text for d in second.by_type("post")] == ["Tin mới: Lào Cai khai trương cầu mới 🌉"]
    assert len(second.by_type("comment")) == 1
    since = int(graph.paths("/soyte.laocai/posts")[0].query["since"])
    assert since == int((T0).timestamp()) + 1
    third = collect(fb_source(), settings, store)
    assert third.documents == []


def test_switches_off_without_token(graph, store, caplog):
    settings = make_settings(facebook_api_base=graph.base)
    with caplog.at_level(logging.INFO):
        out = collect(fb_source(), settings, store)
    assert out.documents == [] and graph.requests == []
    lines = [r for r in caplog.records if "switched off" in r.getMessage()]
    assert len(lines) == 1 and "MEDIAWATCH_SOCIAL__FACEBOOK_ACCESS_TOKEN" in lines[0].getMessage()
    assert out.report.errors["switched_off"] == 1


def test_switches_off_without_pseudonymisation_key(graph, store, caplog):
    settings = make_settings(facebook_access_token=TOKEN, facebook_api_base=graph.base)
    settings.privacy.pseudonymisation_key = None
    with caplog.at_level(logging.INFO):
        out = collect(fb_source(), settings, store)
    assert out.documents == [] and graph.requests == []
    assert len([r for r in caplog.records if "pseudonymisation_key" in r.getMessage()]) == 1


def test_throttling_error_honours_wait_then_gives_up_when_too_long(graph, store):
    throttled = Reply.json({"error": {"message": "(#4) Application request limit reached", "type":
                                      "OAuthException", "is_transient": True, "code": 4,
                                      "fbtrace_id": "x"}}, status=403,
                           headers={"X-App-Usage": json.dumps({"call_count": 100, "total_time": 20,
                                                               "total_cputime": 20}),
                                    "X-Business-Use-Case-Usage": json.dumps(
                                        {"1000": [{"type": "pages", "call_count": 100,
                                                   "total_cputime": 5, "total_time": 5,
                                                   "estimated_time_to_regain_access": 1}]})})
    graph.fail_next("/soyte.laocai/posts", throttled)
    slept = []
    out = collect(fb_source(comments=False), settings_for(graph, max_retry_wait_s=120), store,
                  sleep=slept.append)
    assert out.sleeps == [60.0]  # estimated_time_to_regain_access is in minutes
    assert len(out.by_type("post")) == 54
    graph.fail_next("/soyte.laocai/posts", throttled)
    out = collect(fb_source(comments=False), settings_for(graph, max_retry_wait_s=5), store,
                  sleep=slept.append)
    assert out.documents == [] and out.report.errors["rate_limited"] == 1
    assert "social.max_retry_wait_s" in out.report.messages[0]


def test_retry_after_on_429_is_honoured(graph, store):
    graph.fail_next("/soyte.laocai/posts", Reply.json({"error": {"message": "busy", "code": 1}}, status=503,
                                                      headers={"Retry-After": "1"}))
    out = collect(fb_source(comments=False), settings_for(graph), store, sleep=lambda s: None)
    assert out.sleeps == [1.0] and len(out.by_type("post")) == 54


def test_high_usage_header_pauses_between_calls(store):
    with FakeGraph(pages={"soyte.laocai": 3}, comments_per_post=0, usage=97) as graph:
        out = collect(fb_source(), settings_for(graph, max_retry_wait_s=120), store, sleep=lambda s: None)
    assert out.sleeps == [60.0] and len(out.by_type("post")) == 3


def test_comments_beyond_the_inline_ones_follow_paging(graph, store):
    from datetime import timedelta

    from tests.social_servers.data import T0

    busy = graph.add_post("soyte.laocai", 1000, comments=60, created=T0 + timedelta(hours=1),
                          message="Bài có nhiều bình luận 💬")
    out = collect(fb_source(), settings_for(graph), store)
    assert len(out.by_type("comment")) == 54 * 3 + 60
    assert len(graph.paths(f"/{busy['id']}/comments")) == 2  # 25 inline, then 25 + 10
    assert len(graph.paths("/")) == 3


def test_deleted_post_comments_and_bad_token(graph, store):
    from datetime import timedelta

    from tests.social_servers.data import T0

    busy = graph.add_post("soyte.laocai", 1000, comments=30, created=T0 + timedelta(hours=1),
                          message="Bài đã bị xoá 🗑️")
    graph.deleted.add(busy["id"])  # deleted between the listing and the comments call
    out = collect(fb_source(), settings_for(graph), store)
    assert out.report.errors["http_400"] == 1 and "unavailable" in out.report.messages[0]
    assert len(out.by_type("post")) == 55 and len(out.by_type("comment")) == 54 * 3 + 25
    bad = collect(SourceSettings(id="fb-bad", kind="social", type="facebook",
                                 options={"pages": ["soyte.laocai"]}),
                  make_settings(facebook_access_token="wrong", facebook_api_base=graph.base), store)
    assert bad.documents == [] and bad.report.errors["permanent"] == 1
    assert "wrong" not in " ".join(bad.report.messages)


def test_no_raw_author_identifier_in_store_logs_or_json(graph, tmp_path, caplog):
    path = tmp_path / "privacy.db"
    with caplog.at_level(logging.DEBUG):
        with open_store(f"sqlite:///{path}") as store:
            out = collect(fb_source(), settings_for(graph), store)
            assert out.by_type("comment")
            stored = list(store.iter_documents())
    files = [path, path.with_name(path.name + "-wal")]
    assert leaked(RAW_AUTHOR_STRINGS, store_files=files, logs=caplog.text,
                  documents=out.documents + stored) == []
    assert TOKEN not in caplog.text
