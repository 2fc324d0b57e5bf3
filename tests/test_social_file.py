"""File import of JSONL/CSV exports with a column mapping."""

from __future__ import annotations

import csv
import json
import logging

import pytest
from pydantic import ValidationError

from mediawatch.document import doc_id_for_post
from mediawatch.settings import SourceSettings
from mediawatch.store import open_store
from tests.social_servers.data import AUTHORS, RAW_AUTHOR_STRINGS, text_for
from tests.social_servers.harness import collect, leaked, make_settings

MCL_MAPPING = {"id": "id", "text": "text", "published_at": "creation_time", "author": "post_owner.id",
               "author_name": "post_owner.name",
               "url": "url", "likes": "statistics.reaction_count", "comments": "statistics.comment_count",
               "shares": "statistics.share_count", "views": "statistics.views", "parent_id": "parent"}


def mcl_row(i: int, parent: str | None = None) -> dict:
    author = AUTHORS[i % len(AUTHORS)]
    return {"id": f"{1000 + i}", "text": text_for(i), "creation_time": f"2026-11-{1 + i % 20:02d}T08:00:00+0700",
            "post_owner": {"id": author["id"], "name": author["name"], "type": "user"},
            "url": f"https://www.facebook.com/{author['id']}/posts/{1000 + i}?__cft__=abc&id={author['id']}",
            "statistics": {"reaction_count": i, "comment_count": 2, "share_count": 1, "views": "1,2K"},
            "parent": parent}


@pytest.fixture
def store(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as opened:
        yield opened


def file_source(path, mapping=MCL_MAPPING, **options):
    return SourceSettings(id="mcl", name="Meta Content Library", kind="social", type="file",
                          options={"path": str(path), "platform": "facebook", "mapping": mapping, **options})


def write_jsonl(path, rows, mode="w"):
    with path.open(mode, encoding="utf-8") as handle:
        for row in rows:
            handle.write((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n")


def test_jsonl_import_with_bad_rows_reported_by_line(tmp_path, store):
    path = tmp_path / "export.jsonl"
    rows = [mcl_row(i) for i in range(10)]
    rows.insert(3, "{not json")
    rows.insert(6, {"id": "x", "text": ""})
    rows.insert(8, {**mcl_row(50), "creation_time": "hôm qua"})
    rows.append(mcl_row(11, parent="1000"))
    write_jsonl(path, rows)
    out = collect(file_source(path), make_settings(), store)
    assert len(out.documents) == 11
    assert out.report.errors["bad_row"] == 3
    assert [m.split(": ")[0] for m in out.report.messages] == [
        "[mcl] export.jsonl line 4", "[mcl] export.jsonl line 7", "[mcl] export.jsonl line 9"]
    doc = out.documents[0]
    assert doc.source.platform == "facebook" and doc.engagement.views == 1200
    assert doc.url.startswith("urn:mediawatch:facebook:")  # the export's URL embeds the person's id
    assert doc.author_key and doc.published_at.isoformat() == "2026-11-01T01:00:00+00:00"
    assert out.documents[-1].parent_id == doc_id_for_post("facebook", "1000")
    assert out.documents[-1].extra["type"] == "comment"


def test_second_run_reads_only_appended_lines(tmp_path, store):
    path = tmp_path / "export.jsonl"
    write_jsonl(path, [mcl_row(i) for i in range(5)])
    settings = make_settings()
    assert len(collect(file_source(path), settings, store).documents) == 5
    assert collect(file_source(path), settings, store).documents == []
    write_jsonl(path, [mcl_row(i) for i in range(5, 8)], mode="a")
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "half-written')  # a line still being written is left for later
    second = collect(file_source(path), settings, store)
    assert [d.text for d in second.documents] == [text_for(i) for i in range(5, 8)]
    assert second.report.errors == {}


def test_csv_import_with_mapping(tmp_path, store):
    path = tmp_path / "listening.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Post ID", "Content", "Date", "Author", "Likes", "Link"])
        writer.writerow(["a1", "Giá điện tăng 😡\nmong giải thích", "2026-11-19 09:30:00+07:00",
                         AUTHORS[0]["name"], "1.234", "https://www.youtube.com/watch?v=abc&lc=xyz&pp=1"])
        writer.writerow(["a2", "thiếu cột"])
        writer.writerow(["a3", "Lễ hội Gầu Tào 🎉", "", AUTHORS[1]["handle"], "", ""])
    mapping = {"id": "Post ID", "text": "Content", "published_at": "Date", "author": "Author",
               "likes": "Likes", "url": "Link"}
    out = collect(file_source(path, mapping, platform="youtube"), make_settings(), store)
    assert [d.text for d in out.documents] == ["Giá điện tăng 😡\nmong giải thích", "Lễ hội Gầu Tào 🎉"]
    assert out.documents[0].url == "https://www.youtube.com/watch?v=abc&lc=xyz"
    assert out.documents[1].url.startswith("urn:mediawatch:youtube:")
    assert out.documents[0].engagement.likes == 1234
    assert out.report.errors["bad_row"] == 1 and "line 4" in out.report.messages[0]


def test_bad_configuration_is_reported(tmp_path, store):
    out = collect(file_source(tmp_path / "missing.jsonl"), make_settings(), store)
    assert out.report.errors["missing_file"] == 1
    # A mapping without id is refused with the configuration, before any run.
    with pytest.raises(ValidationError, match="id not mapped"):
        file_source(tmp_path / "x.jsonl", {"text": "t"})
    with pytest.raises(ValidationError, match="unknown field"):
        file_source(tmp_path / "x.jsonl", {**MCL_MAPPING, "autor": "x"})


def test_not_utf8_is_reported(tmp_path, store):
    path = tmp_path / "latin.csv"
    path.write_bytes("Post ID,Content\n1,Ph\u1edf\n".encode("utf-8") + b"2,caf\xe9\n")
    out = collect(file_source(path, {"id": "Post ID", "text": "Content"}), make_settings(), store)
    assert out.report.errors["bad_file"] == 1


def test_post_urls_keep_post_ids_and_drop_people():
    from mediawatch.crawlers.social.post_urls import safe_post_url

    def url(raw, platform="facebook", **kw):
        return safe_post_url(raw, platform=platform, doc_id="D", **kw)

    # permalink.php keeps what identifies the post (it used to be cut to "permalink.php").
    assert url("https://www.facebook.com/permalink.php?story_fbid=1&id=104&__tn__=R") == \
        "https://www.facebook.com/permalink.php?story_fbid=1&id=104"
    assert url("https://www.facebook.com/104/posts/1?comment_id=5&__tn__=R") == \
        "https://www.facebook.com/104/posts/1?comment_id=5"
    assert url("https://www.facebook.com/x/posts/1") == "urn:mediawatch:facebook:D"  # a username
    assert url("https://www.facebook.com/x/posts/1", publishers=["x"]) == "https://www.facebook.com/x/posts/1"
    assert url("https://www.youtube.com/@kenh/videos", "youtube") == "urn:mediawatch:youtube:D"
    assert url("data:text/html,<script>", "file") == "urn:mediawatch:file:D"


def test_handles_in_urls_become_opaque_however_written(tmp_path, store):
    """@handle without @, percent-encoded names, usernames in unmapped columns: none survive."""
    path = tmp_path / "export.jsonl"
    rows = [
        {"id": "1", "text": "Bài 1", "url": "https://www.facebook.com/bimat.nguyen88/posts/11",
         "handle": "@bimat.nguyen88"},
        {"id": "2", "text": "Bài 2", "url": "https://www.facebook.com/nguy%E1%BB%85n.b%C3%AD.m%E1%BA%ADt/posts/12",
         "name": "nguyễn.bí.mật"},
        {"id": "3", "text": "Bài 3", "url": "https://www.facebook.com/100044455566677/posts/13",
         "owner": {"id": "100044455566677", "username": "rieng.tu.tran"}},
        {"id": "4", "text": "Bài 4", "url": "https://vnexpress.net/ong-x-noi-gi-123.html?utm_source=fb",
         "owner": {"username": "rieng.tu.tran"}},
        {"id": "5", "text": "Bài 5", "url": "https://www.facebook.com/permalink.php?story_fbid=15&id=2030"},
    ]
    write_jsonl(path, rows)
    mapping = {"id": "id", "text": "text", "url": "url", "author_handle": "handle"}
    out = collect(file_source(path, mapping), make_settings(), store)
    urls = [d.url for d in out.documents]
    assert urls[:3] == [f"urn:mediawatch:facebook:{doc_id_for_post('facebook', str(i))}" for i in (1, 2, 3)]
    assert urls[3] == "https://vnexpress.net/ong-x-noi-gi-123.html"
    assert urls[4] == "https://www.facebook.com/permalink.php?story_fbid=15&id=2030"
    blob = (tmp_path / "store.db").read_bytes() + b"".join(d.to_json().encode() for d in out.documents)
    for raw in ("bimat.nguyen88", "nguy%E1%BB%85n", "nguyễn.bí.mật", "100044455566677", "rieng.tu.tran"):
        assert raw.encode() not in blob, raw


def test_switches_off_without_key(tmp_path, store, caplog):
    path = tmp_path / "export.jsonl"
    write_jsonl(path, [mcl_row(1)])
    settings = make_settings()
    settings.privacy.pseudonymisation_key = None
    with caplog.at_level(logging.INFO):
        assert collect(file_source(path), settings, store).documents == []
    assert len([r for r in caplog.records if "switched off" in r.getMessage()]) == 1


def test_no_raw_author_identifier_in_store_logs_or_json(tmp_path, caplog):
    path = tmp_path / "export.jsonl"
    write_jsonl(path, [mcl_row(i) for i in range(30)])
    db = tmp_path / "privacy.db"
    with caplog.at_level(logging.DEBUG):
        with open_store(f"sqlite:///{db}") as store:
            out = collect(file_source(path), make_settings(), store)
            stored = list(store.iter_documents())
    assert len(stored) == 30
    assert leaked(RAW_AUTHOR_STRINGS, store_files=[db, db.with_name(db.name + "-wal")],
                  logs=caplog.text, documents=out.documents + stored) == []
