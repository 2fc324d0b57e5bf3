"""Claims register (CSV/YAML/store), matching across paraphrases, cues and claim extraction."""

from __future__ import annotations

import pytest

from mediawatch.classifiers.misinfo.claims import (ClaimMatcher, example_register, import_claims, load_register,
                                                   load_register_file, parse_register, read_register, save_claim,
                                                   stored_claims)
from mediawatch.classifiers.misinfo.cues import extract_claim, find_cues
from mediawatch.classifiers.misinfo.feedback import claim_from_review
from mediawatch.document import Document, Misinfo, Source
from mediawatch.errors import BadInputError
from mediawatch.text import fold

CSV = """text,verdict,correction,source_url,date,topic,paraphrases
"Cầu Kim Tân bị sập",tin giả,"Cầu vẫn an toàn",https://example.com/a,2025-09-01,traffic,"sập cầu Kim Tân|cầu Kim Tân đổ"
"Bệnh viện tỉnh hết máu dự trữ",misleading,"Ngân hàng máu đủ dùng",https://example.com/b,2025-09-02,epidemic,
"""


def test_csv_register_with_verdict_aliases(tmp_path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(CSV, encoding="utf-8")
    claims = load_register_file(path)
    assert [c.verdict for c in claims] == ["tin giả", "tin sai sự thật"]
    assert claims[0].paraphrases == ["sập cầu Kim Tân", "cầu Kim Tân đổ"]
    assert claims[0].source_url == "https://example.com/a" and claims[0].date == "2025-09-01"
    assert claims[0].id.startswith("c-") and claims[0].id != claims[1].id


def test_yaml_register_and_the_shipped_examples_are_marked() -> None:
    claims = parse_register("- text: Đập vỡ\n  verdict: tin xác thực\n  id: x1\n", "r.yaml")
    assert claims[0].id == "x1" and claims[0].verdict == "tin xác thực"
    examples = example_register()
    assert len(examples) >= 5 and all(c.example for c in examples)
    assert all(c.source_url.startswith("https://example.com/") for c in examples)


@pytest.mark.parametrize("content,name,problem", [
    ("- [unclosed", "r.yaml", "r.yaml:1: not valid YAML"),
    ("x", "r.txt", "unknown register format"),
    ("a: 1\n", "r.yaml", "r.yaml:1: expected a list of claims"),
])
def test_unreadable_register_names_file_and_line(content: str, name: str, problem: str) -> None:
    with pytest.raises(BadInputError) as info:
        parse_register(content, name)
    assert problem in str(info.value)
    assert info.value.fix


BROKEN_CSV = """text,verdict,correction,source_url,date,topic
"Cầu Kim Tân bị sập",tin giả,"Cầu vẫn an toàn",https://example.com/a,2025-09-01,traffic
abc,maybe,,,,
,tin giả,,,,
"Chợ Cốc Lếu cháy",tin giả,"Chợ vẫn họp, sai sự thật",https://example.com/c,2025-09-03,fire,extra
"Bệnh viện tỉnh hết máu
dự trữ",misleading,"Đủ máu",https://example.com/b,2025-09-02,epidemic
"Đèo Ô Quy Hồ đóng cửa vĩnh viễn",fake,,,,
"""
BROKEN_YAML = """claims:
  - text: Cầu Kim Tân bị sập
    verdict: tin giả
  - text: Chợ Cốc Lếu cháy
    verdict: chưa rõ
  - just a string
  - verdict: tin giả
    correction: no text here
  - text: Đèo Ô Quy Hồ đóng cửa vĩnh viễn
    verdict: fake
"""


def test_malformed_rows_are_skipped_with_file_and_line(tmp_path, caplog) -> None:
    csv_path = tmp_path / "claims.csv"
    csv_path.write_text(BROKEN_CSV, encoding="utf-8")
    read = load_register(csv_path)
    assert [c.text for c in read.claims] == ["Cầu Kim Tân bị sập", "Bệnh viện tỉnh hết máu\ndự trữ",
                                             "Đèo Ô Quy Hồ đóng cửa vĩnh viễn"]
    assert [p.split(": ", 1)[0] for p in read.problems] == [f"{csv_path}:3", f"{csv_path}:4", f"{csv_path}:5"]
    assert "verdict 'maybe'" in read.problems[0] and "needs a 'text'" in read.problems[1]
    assert "more than the header" in read.problems[2]
    yaml_read = read_register(BROKEN_YAML, "claims.yaml")
    assert [c.text for c in yaml_read.claims] == ["Cầu Kim Tân bị sập", "Đèo Ô Quy Hồ đóng cửa vĩnh viễn"]
    assert [p.split(": ", 1)[0] for p in yaml_read.problems] == ["claims.yaml:4", "claims.yaml:6", "claims.yaml:7"]
    assert "verdict 'chưa rõ'" in yaml_read.problems[0] and "expected a mapping" in yaml_read.problems[1]
    # The plain loader logs each skipped row and keeps the rest.
    with caplog.at_level("WARNING", logger="mediawatch.misinfo"):
        assert len(load_register_file(csv_path)) == 3
    assert sum("skipped" in r.getMessage() for r in caplog.records) == 3


def test_pipeline_counts_skipped_rows_and_has_no_example_fallback(tmp_path) -> None:
    from mediawatch.classifiers.pipeline import register_claims
    from mediawatch.settings import ClassifierSettings, Settings

    (tmp_path / "claims.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    settings = Settings(classifiers=ClassifierSettings(claims_register=str(tmp_path / "claims.yaml")))
    problems: list[str] = []
    assert len(register_claims(settings, problems=problems)) == 2 and len(problems) == 3
    # A real install without a register file has no claims: never the demo's invented ones.
    assert register_claims(Settings()) == []


def test_missing_register_file(tmp_path) -> None:
    with pytest.raises(BadInputError, match="classifiers.claims_register"):
        load_register_file(tmp_path / "nope.yaml")


def test_matching_paraphrases_and_diacritic_free_spellings() -> None:
    matcher = ClaimMatcher(example_register())
    cases = [
        ("vd-dap-thuy-dien-vo", "Đập thủy điện Bắc Hà vỡ rồi, nước lũ đang tràn về, sơ tán ngay"),
        ("vd-dap-thuy-dien-vo", "vo dap thuy dien bac ha roi, nuoc lu dang tran ve, so tan ngay"),
        ("vd-nuoc-song-hong-nhiem-doc", "nuoc song Hong nhiem doc vi vo ho chua chat thai mo, dung dung nuoc may"),
        ("vd-lu-quet-100-nguoi", "Ảnh: mưa to. Lũ quét Bát Xát khiến hơn 100 người chết, chính quyền giấu số thương vong."),
    ]
    for expected, text in cases:
        best = matcher.best("", text)
        assert best is not None and best.claim.id == expected, (text, best)
        assert best.similarity >= 0.5
    unrelated = matcher.best("", "Lễ hội hoa tam giác mạch thu hút đông đảo du khách")
    assert unrelated is None or unrelated.similarity < 0.5
    assert ClaimMatcher([]).best("", "bất kỳ") is None


def test_register_lives_in_the_store(tmp_path) -> None:
    from mediawatch.store.sqlite import SQLiteStore

    with SQLiteStore(str(tmp_path / "s.db")) as store:
        assert stored_claims(store) == []
        assert import_claims(store, example_register()[:2]) == 2
        save_claim(store, example_register()[0])  # idempotent by id
        assert [c.id for c in stored_claims(store)] == [c.id for c in example_register()[:2]]


def test_cues_and_reasons_in_both_languages() -> None:
    report = find_cues(fold("NÓNG: nghe nói đập sắp vỡ, chia sẻ gấp! 3 người chết"))
    keys = {c.key for c in report.cues}
    assert {"hearsay", "share_urgently", "alarm", "casualties", "event_assertion"} <= keys
    assert report.rumour == pytest.approx(0.9)
    assert "lời đồn không rõ nguồn" in report.reasons("vi")
    assert "urges people to share urgently" in report.reasons("en")
    text = "NÓNG: nghe nói đập sắp vỡ, chia sẻ gấp! 3 người chết"
    quoted = report.reasons("vi", text)
    assert 'lời đồn không rõ nguồn: "nghe nói"' in quoted and 'kêu gọi chia sẻ gấp: "chia sẻ gấp"' in quoted
    assert 'urges people to share urgently: "chia se gap"' in find_cues(fold("chia se gap")).reasons("en", "chia se gap")
    sourced = find_cues(fold("Theo Ban Chỉ huy phòng chống thiên tai tỉnh, 2 người bị thương"))
    assert sourced.sourced and not sourced.rumour
    unsourced = find_cues(fold("Bộ Y tế vừa ra lệnh phong tỏa toàn tỉnh"))
    assert "unsourced_official" in {c.key for c in unsourced.cues}


def test_claim_extraction_picks_the_checkable_sentence() -> None:
    text = ("Trời ơi sợ quá mọi người ạ. Tôi nghĩ chính quyền phải làm gì đó chứ? "
            "Lũ quét ở Bát Xát làm 12 người chết và 5 người mất tích. Cầu mong bình an.")
    assert extract_claim("", text) == "Lũ quét ở Bát Xát làm 12 người chết và 5 người mất tích."
    assert extract_claim("", "Tôi thấy chính sách này thật vô lý, bức xúc quá!") is None


def test_review_verdict_becomes_a_register_entry() -> None:
    doc = Document(id="d1", url="u", source=Source(id="s"), title="t", text="x", topics=["dam"],
                   misinfo=Misinfo(score=0.8, claim="Đập Bản Vẽ bị vỡ", evidence_url="https://example.com/e"))
    claim = claim_from_review(doc, "false", "UBND tỉnh bác bỏ")
    assert claim is not None and claim.verdict == "tin giả" and claim.text == "Đập Bản Vẽ bị vỡ"
    assert claim.origin == "review" and claim.topic == "dam" and claim.correction == "UBND tỉnh bác bỏ"
    assert claim_from_review(doc, "misleading", "n").verdict == "tin sai sự thật"
    assert claim_from_review(doc, "true", "n") is None
    assert claim_from_review(doc, "not-a-claim", "n") is None
