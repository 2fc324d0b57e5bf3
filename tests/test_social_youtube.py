"""YouTube Data API v3 connector against a fake API on 127.0.0.1."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from mediawatch.crawlers.social.youtube import seconds_to_quota_reset
from mediawatch.document import doc_id_for_post
from mediawatch.settings import SourceSettings
from mediawatch.store import open_store
from tests.social_servers.base import Reply
from tests.social_servers.data import RAW_AUTHOR_STRINGS, T0
from tests.social_servers.harness import collect, leaked, make_settings
from tests.social_servers.youtube import API_KEY, QUOTA_EXCEEDED, FakeYouTube


@pytest.fixture
def youtube():
    with FakeYouTube(videos=24, comments_per_video=3) as server:
        yield server


@pytest.fixture
def store(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as opened:
        yield opened


def yt_source(**options):
    return SourceSettings(id="yt-laocai", name="YouTube: Lào Cai", kind="social", type="youtube",
                          options={"keywords": ["Lào Cai", "Sa Pa"], **options})


def settings_for(server, **extra):
    return make_settings(youtube_api_key=API_KEY, youtube_api_base=server.base, **extra)


def test_fetches_all_search_pages_statistics_and_comments(youtube, store):
    out = collect(yt_source(), settings_for(youtube), store)
    videos, comments = out.by_type("video"), out.by_type("comment")
    assert len(videos) == 24 and len(comments) == 24 * 3
    searches = youtube.paths("/search")
    assert len(searches) == 3  # the fake serves 10 per page
    query = searches[0].query
    assert query["regionCode"] == "VN" and query["relevanceLanguage"] == "vi"
    assert query["q"] == '"Lào Cai"|"Sa Pa"' and query["type"] == "video" and "key" not in query
    video = videos[0]
    assert video.url.startswith("https://www.youtube.com/watch?v=")
    assert video.engagement.views >= 1000 and video.engagement.comments == 3
    assert video.author_key and video.lang == "vi"
    assert "🔔" in video.text
    comment = comments[0]
    assert comment.parent_id == doc_id_for_post("youtube", comment.url.split("v=")[1].split("&")[0])
    assert "&lc=" in comment.url and comment.author_key
    assert out.report.errors == {}


def test_second_run_fetches_only_new_videos(youtube, store):
    settings = settings_for(youtube)
    collect(yt_source(), settings, store)
    youtube.add_video(999, comments=1, published=T0 + timedelta(hours=2), title="Tin mới 🆕 Bắc Hà")
    youtube.requests.clear()
    second = collect(yt_source(), settings, store)
    assert [v.title for v in second.by_type("video")] == ["Tin mới 🆕 Bắc Hà"]
    assert len(second.by_type("comment")) == 1
    assert youtube.paths("/search")[0].query["publishedAfter"] == "2026-11-20T01:00:00Z"
    assert collect(yt_source(), settings, store).documents == []


def test_quota_exceeded_stops_the_source_and_keeps_the_cursor(youtube, store):
    youtube.fail_next("/search", QUOTA_EXCEEDED)
    out = collect(yt_source(), settings_for(youtube), store, sleep=lambda s: None)
    assert out.documents == [] and out.report.errors["rate_limited"] == 1
    assert "quota" in out.report.messages[0] and API_KEY not in out.report.messages[0]
    assert store.get_state("source:yt-laocai", "youtube:search") is None
    # Next run (quota back) gets everything.
    assert len(collect(yt_source(), settings_for(youtube), store).by_type("video")) == 24


def test_quota_reset_is_pacific_midnight():
    assert seconds_to_quota_reset(T0) == pytest.approx(((24 - 17) * 3600), abs=1)  # 01:00Z = 17:00 PST


def test_retry_after_and_server_errors(youtube, store):
    youtube.fail_next("/videos", Reply.json({"error": {"code": 503, "message": "backend"}}, status=503,
                                            headers={"Retry-After": "1"}))
    out = collect(yt_source(), settings_for(youtube), store, sleep=lambda s: None)
    assert out.sleeps == [1.0] and len(out.by_type("video")) == 24


def test_deleted_video_and_disabled_comments(youtube, store):
    youtube.deleted.add(youtube.videos[0]["id"])
    youtube.comments_disabled.add(youtube.videos[1]["id"])
    out = collect(yt_source(), settings_for(youtube), store)
    assert len(out.by_type("video")) == 23
    assert len(out.by_type("comment")) == 22 * 3
    assert out.report.errors == {}  # commentsDisabled is normal, not a failure


def test_switches_off_without_api_key(youtube, store, caplog):
    with caplog.at_level(logging.INFO):
        out = collect(yt_source(), make_settings(youtube_api_base=youtube.base), store)
    assert out.documents == [] and youtube.requests == []
    assert len([r for r in caplog.records if "switched off" in r.getMessage()]) == 1


def test_bad_key_is_reported_without_the_key(youtube, store, caplog):
    with caplog.at_level(logging.DEBUG):
        out = collect(yt_source(), make_settings(youtube_api_key="AIzaWRONG", youtube_api_base=youtube.base),
                      store)
    assert out.documents == [] and out.report.errors["permanent"] == 1
    assert "AIzaWRONG" not in caplog.text


def test_no_raw_author_identifier_in_store_logs_or_json(youtube, tmp_path, caplog):
    path = tmp_path / "privacy.db"
    with caplog.at_level(logging.DEBUG):
        with open_store(f"sqlite:///{path}") as store:
            out = collect(yt_source(), settings_for(youtube), store)
            stored = list(store.iter_documents())
    assert len(stored) == 24 * 4
    assert leaked(RAW_AUTHOR_STRINGS, store_files=[path, path.with_name(path.name + "-wal")],
                  logs=caplog.text, documents=out.documents + stored) == []
    assert API_KEY not in caplog.text
