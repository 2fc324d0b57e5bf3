"""`mediawatch classify --in --out`: order kept, one line per input line, bad lines reported."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from mediawatch.app.cli import app


def run(tmp_path, monkeypatch, lines: list[str]):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MEDIAWATCH_CONFIG", raising=False)
    from mediawatch.classifiers.misinfo.claims import example_register_text

    (tmp_path / "claims.yaml").write_text(example_register_text(), encoding="utf-8")
    if not (tmp_path / "mediawatch.toml").exists():
        (tmp_path / "mediawatch.toml").write_text('[classifiers]\nclaims_register = "claims.yaml"\n', encoding="utf-8")
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["classify", "--in", str(src), "--out", str(dst)])
    out = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()] if dst.exists() else []
    return result, out


def test_classify_enriches_in_order(tmp_path, monkeypatch) -> None:
    lines = [
        json.dumps({"text": "Lũ quét ở Bát Xát cuốn trôi 3 ngôi nhà", "title": "Lũ quét",
                    "published_at": "2025-09-10T08:00:00+07:00", "source": "fb-page",
                    "engagement": {"likes": 5, "shares": 2}, "my_field": 7}, ensure_ascii=False),
        json.dumps({"text": "Nghe nói đập thủy điện ở Bắc Hà đã bị vỡ, chia sẻ gấp"}, ensure_ascii=False),
        json.dumps({"text": "Hà Nội khai mạc hội chợ sách"}, ensure_ascii=False),
    ]
    result, out = run(tmp_path, monkeypatch, lines)
    assert result.exit_code == 0, result.output
    assert len(out) == 3
    first, rumour, hanoi = out
    assert first["my_field"] == 7 and first["source"]["id"] == "fb-page"  # the caller's fields survive
    assert first["published_at"] == "2025-09-10T01:00:00Z"
    assert "flood" in first["topics"] and first["places"][0] == "Lào Cai"
    assert first["extra"]["about_province"] is True and first["sentiment"]["label"]
    assert rumour["misinfo"]["flagged"] and rumour["misinfo"]["matched_claim_id"] == "vd-dap-thuy-dien-vo"
    assert hanoi["extra"]["about_province"] is False  # classify keeps every line
    assert all(d["story_id"] and d["lang"] == "vi" for d in out)


def test_bad_lines_are_reported_with_their_numbers_and_skipped(tmp_path, monkeypatch) -> None:
    lines = [
        json.dumps({"text": "Mưa lớn ở Lào Cai"}, ensure_ascii=False),
        "{not json",
        json.dumps({"title": "no text"}),
        json.dumps([1, 2]),
        json.dumps({"text": "Sạt lở ở Sa Pa", "published_at": "yesterday"}, ensure_ascii=False),
        json.dumps({"text": "Bão số 3 đổ bộ"}, ensure_ascii=False),
    ]
    result, out = run(tmp_path, monkeypatch, lines)
    assert result.exit_code == 1
    assert [d["text"] for d in out] == ["Mưa lớn ở Lào Cai", "Bão số 3 đổ bộ"]
    for n in (2, 3, 4, 5):
        assert f"in.jsonl:{n}:" in result.output
    assert "missing 'text'" in result.output
    assert "4 dòng bị bỏ qua trong 6 dòng" in result.output


def test_broken_configuration_exits_2_naming_the_problem(tmp_path, monkeypatch) -> None:
    (tmp_path / "mediawatch.toml").write_text('[[topics]]\nname = "lu"\nquery = "(lũ OR"\n', encoding="utf-8")
    result, out = run(tmp_path, monkeypatch, ['{"text": "x"}'])
    assert result.exit_code == 2 and "topic 'lu'" in result.output and out == []
    (tmp_path / "mediawatch.toml").write_text('[province]\nname = "Yên Bái"\n', encoding="utf-8")
    result, _ = run(tmp_path, monkeypatch, ['{"text": "x"}'])
    assert result.exit_code == 2 and "part of Lào Cai" in result.output
