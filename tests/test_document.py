from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mediawatch.document import Document, Misinfo, Sentiment, Source, doc_id_for_post, doc_id_for_url
from mediawatch.privacy import author_key
from mediawatch.store.query import parse_user_query, to_fts5
from mediawatch.text import fold


def test_json_round_trip_is_stable():
    d = Document(id=doc_id_for_url("https://a.vn/1"), url="https://a.vn/1", source=Source("a", "press", "A"),
                 title="Bão số 3", text="Mưa lớn", published_at=datetime(2025, 7, 1, 7, tzinfo=timezone(timedelta(hours=7))),
                 sentiment=Sentiment("negative", -0.4), misinfo=Misinfo(score=0.2, reasons=["số liệu"]))
    data = d.to_dict()
    assert data["published_at"] == "2025-07-01T00:00:00Z"
    again = Document.from_json(d.to_json())
    assert again.to_dict() == data
    assert again.content_hash() == d.content_hash()


def test_naive_datetimes_and_unknown_fields_are_refused():
    with pytest.raises(ValueError, match="naive"):
        Document(id="x", url="u", source=Source("a"), published_at=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="unknown document fields: author"):
        Document.from_dict({"id": "x", "url": "u", "source": {"id": "a"}, "author": "Nguyễn Văn A"})
    with pytest.raises(ValueError):
        Source("a", kind="blog")


def test_ids_are_deterministic_and_platform_scoped():
    assert doc_id_for_url("https://a.vn/1") == doc_id_for_url("https://a.vn/1")
    assert doc_id_for_post("facebook", "1") != doc_id_for_post("youtube", "1")


def test_author_key_is_keyed_and_platform_scoped():
    a = author_key("k1", "facebook", "1000123")
    assert a == author_key("k1", "facebook", "1000123")
    assert a != author_key("k2", "facebook", "1000123")
    assert a != author_key("k1", "mastodon", "1000123")
    assert "1000123" not in a
    with pytest.raises(ValueError):
        author_key("", "facebook", "x")


@pytest.mark.parametrize("raw,folded", [("Đà Nẵng", "da nang"), ("LŨ QUÉT", "lu quet"), ("hoà  hòa", "hoa hoa"),
                                        ("Thủy điện\tYÊN BÁI", "thuy dien yen bai"), ("ƯỚC", "uoc"), ("", "")])
def test_fold(raw, folded):
    assert fold(raw) == folded


def test_user_query_parsing():
    q = parse_user_query('lũ quét "Yên Bái" OR "Lào Cai" -"diễn tập" NOT thử sạt*')
    assert [[t.words for t in g] for g in q.must] == [[("lu",)], [("quet",)], [("yen", "bai"), ("lao", "cai")],
                                                      [("sat",)]]
    assert q.must[-1][0].prefix
    assert [t.words for t in q.must_not] == [("dien", "tap"), ("thu",)]
    positive, negative = to_fts5(q)
    assert positive == '("lu") AND ("quet") AND ("yen bai" OR "lao cai") AND ("sat"*)'
    assert negative == '"dien tap" OR "thu"'
    assert parse_user_query("  ").empty
