"""Claims from fact-checkers (schema.org ClaimReview) and the register `mediawatch init` writes.

Saved pages in tests/claimreview/ (written for the project in the shape fact-checkers publish), read
from files and served by a real 127.0.0.1 server under the crawl policy (robots.txt, size cap, UA).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mediawatch.app.cli import app
from mediawatch.classifiers.misinfo.claimreview import read_claim_reviews, verdict_of
from mediawatch.classifiers.misinfo.claims import stored_claims
from mediawatch.settings import load_settings
from mediawatch.store import open_store
from tests.support.httpserver import StaticSite

PAGES = Path(__file__).resolve().parent / "claimreview"


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_vietnamese_page_with_graph_and_a_second_block() -> None:
    read = read_claim_reviews((PAGES / "factcheck_vi.html").read_text(encoding="utf-8"), "factcheck_vi.html")
    assert read.problems == []
    bridge, river = read.claims
    assert bridge.text == "Cầu Kim Tân ở thành phố Lào Cai bị sập, nhiều xe rơi xuống sông"
    assert bridge.verdict == "tin sai sự thật" and bridge.date == "2025-09-02"
    assert bridge.source_url == "https://kiemchung.example.vn/cau-kim-tan-bi-sap"
    assert bridge.publisher == "Trung tâm Kiểm chứng (ví dụ)" and bridge.origin == "claimreview"
    assert "Sai sự thật" in bridge.correction and "thông xe" in bridge.correction
    assert river.verdict == "tin sai sự thật"  # "Gây hiểu lầm"


def test_english_page_lists_nesting_comments_and_broken_blocks() -> None:
    content = (PAGES / "factcheck_en.html").read_text(encoding="utf-8")
    read = read_claim_reviews(content, "en.html")
    verdicts = {c.text: c.verdict for c in read.claims}
    assert verdicts == {
        "A hydropower dam in Lao Cai province collapsed and flooded five villages": "tin giả",  # Pants on Fire
        "All schools in Sa Pa are closed for the whole month": "tin sai sự thật",  # Half True
        "National road 4D through Sa Pa is temporarily closed after a landslide": "tin xác thực",  # Mostly True
        "Plastic rice is being sold at Bac Ha market": "tin giả",  # 1 of 1..5, nested in mainEntity
    }
    rice = next(c for c in read.claims if "rice" in c.text)
    assert rice.publisher == "Example Fact Check" and rice.source_url.endswith("/poisoned-rice")
    broken_line = next(i for i, line in enumerate(content.splitlines(), 1) if '"broken block"' in line) - 1
    assert len(read.problems) == 2
    assert read.problems[0].startswith("en.html:") and "cannot be read as tin giả" in read.problems[0]
    assert read.problems[1].startswith(f"en.html:{broken_line}: JSON-LD block is not valid JSON")


@pytest.mark.parametrize("rating,verdict", [
    ({"alternateName": "Sai"}, "tin giả"), ({"alternateName": "Tin giả"}, "tin giả"),
    ({"alternateName": "Không đúng sự thật"}, "tin giả"), ({"alternateName": "Đúng"}, "tin xác thực"),
    ({"alternateName": "Sai một phần"}, "tin sai sự thật"), ({"alternateName": "Misleading"}, "tin sai sự thật"),
    ({"alternateName": "False"}, "tin giả"), ({"alternateName": "Not true"}, "tin giả"),
    ({"alternateName": "Correct"}, "tin xác thực"), ({"ratingValue": 5, "bestRating": 5, "worstRating": 1}, "tin xác thực"),
    ({"ratingValue": "2", "bestRating": "3", "worstRating": "1"}, "tin sai sự thật"),
])
def test_ratings_map_to_the_register_verdicts(rating, verdict) -> None:
    assert verdict_of(rating)[0] == verdict
    assert verdict_of({"alternateName": "?"})[0] is None and verdict_of(None)[0] is None


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MEDIAWATCH_CONFIG", raising=False)
    (tmp_path / "mediawatch.toml").write_text(
        '[store]\nurl = "sqlite:///mw.db"\n[crawl]\nallow_private_hosts = ["127.0.0.1"]\nper_host_delay_s = 0.0\n'
        'max_bytes = 20000\n', encoding="utf-8")
    return tmp_path


def _stored(workdir) -> dict[str, str]:
    with open_store(load_settings()) as store:
        return {c.text: c.verdict for c in stored_claims(store)}


def test_import_files_idempotently_and_match_posts(workdir) -> None:
    first = invoke("claims", "import", str(PAGES / "factcheck_vi.html"), str(PAGES / "claims.jsonld"))
    assert first.exit_code == 0, first.output
    assert "3 nhận định vào kho: 3 mới" in first.output
    again = invoke("claims", "import", str(PAGES / "factcheck_vi.html"), str(PAGES / "claims.jsonld"))
    assert again.exit_code == 0 and "3 đã có" in again.output
    stored = _stored(workdir)
    assert len(stored) == 3 and stored["Lào Cai cấm xe máy vào trung tâm thành phố từ tháng 10"] == "tin giả"
    # The next enricher built with the store matches posts against the imported claims.
    from mediawatch.classifiers.pipeline import Enricher
    from mediawatch.document import Document, Source

    with open_store(load_settings()) as store:
        enricher = Enricher.from_settings(load_settings(), store=store)
    doc = Document(id="p", url="", source=Source(id="fb", kind="social"),
                   text="Nghe nói cầu Kim Tân ở Lào Cai bị sập rồi, nhiều xe rơi xuống sông, chia sẻ gấp")
    m = enricher.enrich([doc])[0].misinfo
    assert m.matched_claim and "Kim Tân" in m.matched_claim
    assert m.evidence_url == "https://kiemchung.example.vn/cau-kim-tan-bi-sap"


def test_import_urls_under_the_fetch_policy(workdir) -> None:
    page = (PAGES / "factcheck_en.html").read_bytes()
    html = {"Content-Type": "text/html; charset=utf-8"}
    routes = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"),
        "/fact-check/roundup": (200, html, page),
        "/private/draft": (200, html, page),
        "/huge": (200, html, b"<html>" + b" " * 50_000 + b"</html>"),
    }
    with StaticSite(routes) as site:
        result = invoke("claims", "import", f"{site.url}/fact-check/roundup", f"{site.url}/private/draft",
                        f"{site.url}/huge")
        paths = [path for path, _ in site.requests]
        agents = {headers.get("User-Agent", "") for _, headers in site.requests}
    assert result.exit_code == 1, result.output  # two sources failed, the third was imported
    assert "4 nhận định vào kho: 4 mới" in result.output
    assert "/private/draft" not in paths and "/robots.txt" in paths  # robots.txt obeyed
    assert f"{site.url}/private/draft: không đọc được" in result.output
    assert f"{site.url}/huge: không đọc được" in result.output  # the size cap holds
    assert all(agent.startswith("mediawatch") for agent in agents)
    assert "en.html" not in result.output and "JSON-LD block is not valid JSON" in result.output
    assert len(_stored(workdir)) == 4


def test_import_reports_a_missing_file_and_usage(workdir) -> None:
    missing = invoke("claims", "import", "nope.html")
    assert missing.exit_code == 1 and "nope.html: không đọc được" in missing.output
    assert invoke("claims", "import").exit_code == 2


def test_init_writes_an_empty_register_and_the_demo_keeps_its_examples(tmp_path, monkeypatch) -> None:
    from mediawatch.classifiers.pipeline import register_claims

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MEDIAWATCH_CONFIG", raising=False)
    result = invoke("init", "--province", "Lào Cai")
    assert result.exit_code == 0 and "claims import" in result.output
    register = tmp_path / "claims.yaml"
    header = register.read_text(encoding="utf-8")
    assert "verdict:" in header and "mediawatch claims import" in header
    settings = load_settings(tmp_path / "mediawatch.toml")
    assert settings.classifiers.claims_register == "claims.yaml"
    assert register_claims(settings) == []  # empty: no invented claim in a real install
    checked = invoke("claims", "check", str(register))
    assert checked.exit_code == 0 and "0 nhận định hợp lệ, 0 dòng bị bỏ qua" in checked.output
    # The office fills it; `init --force` rewrites the configuration but never the register.
    register.write_text(header + '- text: "Cầu Kim Tân bị sập"\n  verdict: tin giả\n', encoding="utf-8")
    assert [c.text for c in register_claims(settings)] == ["Cầu Kim Tân bị sập"]
    forced = invoke("init", "--province", "Lào Cai", "--force")
    assert forced.exit_code == 0 and "Giữ nguyên sổ nhận định" in forced.output
    assert len(register_claims(load_settings(tmp_path / "mediawatch.toml"))) == 1
    # A broken row is named with file:line; the command exits 1 and the rest still load.
    register.write_text(header + "- text: Đập vỡ\n  verdict: có lẽ\n", encoding="utf-8")
    bad = invoke("claims", "check", str(register))
    line = len(header.splitlines()) + 1
    assert bad.exit_code == 1 and f"{register}:{line}: verdict 'có lẽ'" in bad.output


def test_the_demo_configuration_uses_its_own_copy_of_the_examples() -> None:
    from mediawatch.app.demo.runner import demo_config

    assert 'claims_register = "claims.yaml"' in demo_config("http://s", "http://r", "k", "w")
