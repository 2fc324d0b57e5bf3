"""The review queue end to end on a real SQLite store: list, review (audited), register and training feedback."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from typer.testing import CliRunner

from mediawatch.classifiers.misinfo.claims import stored_claims
from mediawatch.flows.orchestration.retrain import reviewed_examples
from mediawatch.classifiers.pipeline import Enricher, register_claims
from mediawatch.app.cli import app
from mediawatch.document import Document, Engagement, Source
from mediawatch.settings import load_settings
from mediawatch.store import open_store

TEXTS = [
    "NÓNG: Đập thủy điện Bắc Hà vỡ rồi, nước lũ đang tràn về, bà con sơ tán ngay!!! Chia sẻ gấp",
    "Nghe nói cầu Phố Mới ở Lào Cai bị sập, 20 người rơi xuống sông, chia sẻ gấp cho người thân",
    "Tôi thấy chính sách thu phí đỗ xe ở Lào Cai thật vô lý, bức xúc quá!",
]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MEDIAWATCH_CONFIG", raising=False)
    monkeypatch.setenv("USER", "tester")
    from mediawatch.classifiers.misinfo.claims import example_register_text

    (tmp_path / "claims.yaml").write_text(example_register_text(), encoding="utf-8")
    (tmp_path / "mediawatch.toml").write_text('[store]\nurl = "sqlite:///mw.db"\n[classifiers]\n'
                                              'claims_register = "claims.yaml"\n', encoding="utf-8")
    settings = load_settings()
    docs = [Document(id=f"d{i}", url=f"https://example.com/{i}", source=Source(id="fb", kind="social"), text=t,
                     published_at=datetime(2025, 9, 10, i, tzinfo=timezone.utc),
                     engagement=Engagement(likes=30, shares=20)) for i, t in enumerate(TEXTS)]
    Enricher.from_settings(settings).enrich(docs)
    assert [d.misinfo.flagged for d in docs] == [True, True, False]
    with open_store(settings) as store:
        store.upsert(docs)
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_list_shows_the_pending_queue(workdir) -> None:
    result = invoke("triage", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert {r["id"] for r in rows} == {"d0", "d1"}
    dam = next(r for r in rows if r["id"] == "d0")
    assert dam["matched_claim_id"] == "vd-dap-thuy-dien-vo" and dam["evidence_url"] and dam["reasons"]
    text = invoke("triage", "list").output
    assert "2 tin bị gắn cờ" in text and "Lý do:" in text and "[d0]" in text


def test_review_is_audited_and_feeds_register_and_training(workdir) -> None:
    result = invoke("triage", "review", "d1", "--verdict", "false", "--note", "Cầu vẫn thông xe, UBND xác nhận")
    assert result.exit_code == 0, result.output
    assert "d1 -> sai sự thật (trước đó: chờ duyệt)" in result.output and "tester" in result.output
    assert "sổ nhận định sai" in result.output
    result = invoke("triage", "review", "d0", "--verdict", "not-a-claim", "--note", "trùng lặp",
                    "--reviewer", "an")
    assert result.exit_code == 0
    pending = [json.loads(line)["id"] for line in invoke("triage", "list", "--json").output.splitlines()]
    assert pending == []
    done = [json.loads(line) for line in invoke("triage", "list", "--status", "false", "--json").output.splitlines()]
    assert [d["id"] for d in done] == ["d1"] and done[0]["review_status"] == "false"

    settings = load_settings()
    with open_store(settings) as store:
        audit = store.reviews()
        assert [(a.doc_id, a.verdict, a.reviewer) for a in audit] == [("d0", "not-a-claim", "an"),
                                                                       ("d1", "false", "tester")]
        assert audit[1].note == "Cầu vẫn thông xe, UBND xác nhận" and audit[1].previous_status == "pending"
        claims = stored_claims(store)
        assert len(claims) == 1 and claims[0].verdict == "tin giả" and claims[0].origin == "review"
        assert "cầu Phố Mới" in claims[0].text
        examples = reviewed_examples(store)
        assert sorted(label for _, label in examples) == [0, 1]
        # The grown register is used by the next enricher that reads the store.
        assert any(c.id == claims[0].id for c in register_claims(settings, store))
        again = Enricher.from_settings(settings, store=store)
        doc = Document(id="n1", url="", source=Source(id="fb", kind="social"),
                       text="cau Pho Moi o Lao Cai bi sap, 20 nguoi roi xuong song")
        assert again.enrich([doc])[0].misinfo.matched_claim_id == claims[0].id
        cached = Enricher.from_settings(settings)  # built before the store was read: refresh it
        assert cached.refresh_claims(store) == len(register_claims(settings, store))
        doc.misinfo = None
        assert cached.enrich([doc])[0].misinfo.matched_claim_id == claims[0].id


def test_review_errors(workdir) -> None:
    bad = invoke("triage", "review", "d1", "--verdict", "fake", "--note", "x")
    assert bad.exit_code == 2 and "false, misleading, true, not-a-claim" in bad.output
    missing = invoke("triage", "review", "nope", "--verdict", "true", "--note", "x")
    assert missing.exit_code == 2 and "không tìm thấy tài liệu nope" in missing.output
    assert invoke("triage", "review", "d1", "--verdict", "true", "--note", "  ").exit_code == 2
    assert invoke("triage", "list", "--status", "weird").exit_code == 2
