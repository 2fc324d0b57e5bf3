"""Topic queries: parser, evaluator and the default crisis topics."""

from __future__ import annotations

import pytest

from mediawatch.classifiers.topics import (And, Near, compile_node, Not, Or, Phrase, Prefix, Term, TokenIndex, TopicMatcher,
                                TopicQueryError, load_default_topics, matches, parse_query)
from mediawatch.settings import Settings, TopicSettings


def hit(query: str, text: str) -> bool:
    ast, index = parse_query(query, "t"), TokenIndex(text)
    assert compile_node(ast)(index) is matches(ast, index)  # the fast form agrees with the AST walk
    return matches(ast, index)


def test_ast_shapes() -> None:
    assert parse_query("bão") == Term("bao")
    assert parse_query("sạt*") == Prefix("sat")
    assert parse_query('"lũ quét"') == Phrase(("lu", "quet"))
    assert parse_query("a OR b AND c") == Or((Term("a"), And((Term("b"), Term("c")))))
    assert parse_query("a b") == And((Term("a"), Term("b")))
    assert parse_query("a NOT b") == And((Term("a"), Not(Term("b"))))
    assert parse_query("(a OR b) c") == And((Or((Term("a"), Term("b"))), Term("c")))
    assert parse_query('"vỡ đập" NEAR/5 hồ') == Near(Phrase(("vo", "dap")), Term("ho"), 5)
    assert parse_query("covid-19") == Phrase(("covid", "19"))
    assert parse_query('"lũ q*"') == Phrase(("lu", "q"), last_prefix=True)


@pytest.mark.parametrize("query,text,expected", [
    ("lũ", "Lũ về nhanh", True),
    ("lũ", "lu ve nhanh", True),  # diacritic-free post
    ("lu", "Lũ về", True),  # diacritic-free query
    ("Đà", "da nang", True),  # đ folds to d
    ('"lũ quét"', "xảy ra lũ quét tại xã", True),
    ('"lũ quét"', "lũ về, quét sạch", False),  # not adjacent
    ("lũ AND quét", "lũ về, quét sạch", True),
    ("sạt*", "sạt lở", True),
    ("sạt*", "sát lở", True),  # folded: sát == sat
    ("lở*", "đất lở", True),
    ("xyz*", "đất lở", False),
    ("bão NOT báo", "bão", False),  # folded both are "bao": NOT wins
    ("cháy NOT rừng", "cháy nhà", True),
    ("cháy NOT rừng", "cháy rừng", False),
    ("(lũ OR bão) AND Lào", "bão ở Lào Cai", True),
    ("(lũ OR bão) AND Lào", "bão ở Yên Bái", False),
    ('"vỡ đập" NEAR/3 "thủy điện"', "vỡ đập thủy điện", True),
    ('"vỡ đập" NEAR/3 "thủy điện"', "thủy điện a b vỡ đập", True),  # either order
    ('"vỡ đập" NEAR/2 "thủy điện"', "vỡ đập a b c thủy điện", False),
    ('"vỡ đập" NEAR/3 "thủy điện"', "vỡ đập a b c thủy điện", True),
    ("đập NEAR/1 (vỡ OR nứt)", "đập bị nứt", True),
    ("đập NEAR/1 (vỡ OR nứt)", "đập này không hề bị nứt", False),
    ('"lũ q*"', "lũ quét", True),
    ("covid-19", "Dịch COVID-19 lan rộng", True),
    ("a OR b", "", False),
])
def test_evaluation(query: str, text: str, expected: bool) -> None:
    assert hit(query, text) is expected


@pytest.mark.parametrize("query,problem", [
    ("", "empty"),
    ("   ", "empty"),
    ("(lũ OR bão", "unclosed '('"),
    ("lũ)", "unexpected ')'"),
    ('"lũ quét', "unclosed quotation mark"),
    ("lũ OR", "ends where a word was expected"),
    ("AND lũ", "AND needs a word"),
    ("lũ NEAR/ bão", "NEAR needs a distance"),
    ("lũ NEAR/0 bão", "NEAR needs a distance"),
    ("l*ũ", "only at the end"),
    ("NOT lũ", "only NOT"),
    ("(a AND b) NEAR/3 c", "NEAR joins words"),
    ('""', "empty phrase"),
    ("!!!", "no letters"),
])
def test_bad_syntax_names_the_topic(query: str, problem: str) -> None:
    with pytest.raises(TopicQueryError) as info:
        parse_query(query, "flash-floods")
    message = str(info.value)
    assert "flash-floods" in message
    assert problem in message
    assert "Fix:" in message


def test_default_topics_compile_and_match_crisis_texts() -> None:
    topics = {t.name: t for t in load_default_topics()}
    assert set(topics) >= {"storm", "flood", "landslide", "dam", "epidemic", "fire", "pollution", "traffic",
                           "food_safety", "policy_complaints"}
    matcher = TopicMatcher(topics.values())
    cases = {
        "storm": "Cơn bão số 3 đổ bộ vào đất liền với gió giật cấp 12",
        "flood": "Lũ quét cuốn trôi nhiều nhà dân ở xã Mường Hum",
        "landslide": "Sạt lở đất vùi lấp hai ngôi nhà tại Văn Bàn",
        "dam": "Thủy điện xả lũ, hồ chứa vượt mức báo động",
        "epidemic": "Số ca mắc sốt xuất huyết tăng mạnh trong tuần",
        "fire": "Vụ cháy lớn tại chợ trung tâm, lực lượng chữa cháy có mặt",
        "pollution": "Người dân phản ánh nhà máy xả thải gây ô nhiễm sông",
        "traffic": "Tai nạn giao thông nghiêm trọng trên đèo Khau Phạ",
        "food_safety": "Hơn 50 học sinh nhập viện nghi ngộ độc thực phẩm sau bữa ăn bán trú",
        "policy_complaints": "Nhiều hộ dân bức xúc với quyết định thu hồi đất và mức bồi thường quá thấp",
    }
    for name, text in cases.items():
        assert name in matcher.match("", text), (name, text)
    assert "flood" in matcher.match("", "lu quet cuon troi nha dan")  # no diacritics
    # The folded "bao" of báo/bảo/bao must not trigger the storm topic.
    assert matcher.match("Báo Lào Cai", "Bảo vệ rừng, bao gồm nhiều hoạt động văn hóa") == []


def test_settings_topics_override_and_add() -> None:
    settings = Settings(topics=[TopicSettings(name="flood", query='"nước lên"'),
                                TopicSettings(name="sapa_tourism", label="Du lịch Sa Pa",
                                              query="(\"du lịch\" OR khách) NEAR/5 \"Sa Pa\"", urgent=False)])
    matcher = TopicMatcher.from_settings(settings)
    assert matcher.match("", "nước lên nhanh") == ["flood"]
    assert "flood" not in matcher.match("", "lũ quét")
    assert "sapa_tourism" in matcher.match("", "Khách du lịch đổ về Sa Pa")
    assert matcher.labels()["sapa_tourism"] == "Du lịch Sa Pa"


def test_bad_configured_topic_fails_with_its_name() -> None:
    settings = Settings(topics=[TopicSettings(name="my-topic", query="(lũ")])
    with pytest.raises(TopicQueryError, match="my-topic"):
        TopicMatcher.from_settings(settings)
