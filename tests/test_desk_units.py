"""Pure parts of the review desk: rate limiter, password rules, redirects, ClaimReview reading, the
audit export, the words, and the alert engine's handling of muted rules."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mediawatch.app.desk.claimreview import import_claimreview, read_claimreview
from mediawatch.app.desk.export import export_lines
from mediawatch.app.desk.security import RateLimiter, password_problem, same, token_hash, valid_username
from mediawatch.app.desk.web import local_path
from mediawatch.app.desk.words import FLASH_KEYS
from mediawatch.i18n import WORDS as CATALOGUE
from mediawatch.errors import BadInputError
from mediawatch.settings import AlertRuleSettings
from mediawatch.store.desk_base import AuditEntry, RuleMute, claim_words, query_words

TEMPLATES = Path(__file__).resolve().parent.parent / "app" / "desk" / "templates"
T0 = datetime(2025, 9, 1, 8, tzinfo=timezone.utc)


def test_rate_limiter_window() -> None:
    now = [0.0]
    limiter = RateLimiter(3, 60, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.retry_after("an") == 0
        limiter.fail("an")
        now[0] += 10
    assert limiter.retry_after("an") == pytest.approx(30)  # the first failure leaves the window at t=60
    assert limiter.retry_after("binh") == 0
    now[0] = 60.5
    assert limiter.retry_after("an") == 0
    limiter.fail("an")
    limiter.reset("an")
    assert limiter.retry_after("an") == 0


def test_passwords_usernames_and_tokens() -> None:
    assert password_problem("ngan") == "password_short"
    assert password_problem("nguyen.an.12", "nguyen.an.12") == "password_is_username"
    assert password_problem("x" * 2000) == "password_long"
    assert password_problem("mật khẩu đủ dài") is None
    assert valid_username("nguyen.an") and not valid_username("Nguyen An") and not valid_username("a")
    assert token_hash("abc") != "abc" and len(token_hash("abc")) == 64
    assert same("a", "a") and not same("a", "b") and not same("", "") and not same(None, "a")


def test_redirect_targets_stay_on_the_site() -> None:
    assert local_path("/claims?q=x") == "/claims?q=x"
    for bad in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "", None):
        assert local_path(bad) == "/queue"


def test_claim_search_words_fold_like_the_store() -> None:
    assert claim_words("Đập thủy điện ĐÀ NẴNG, vỡ!") == ["dap", "thuy", "dien", "da", "nang", "vo"]
    assert query_words("thuy* Đà") == [("thuy", True), ("da", False)]


PAGE = """<html><head>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "WebPage"}</script>
<script type='application/ld+json'>[{"@type": ["ClaimReview"], "claimReviewed": "Nước sông Hồng nhiễm độc",
  "reviewRating": {"ratingValue": "2", "bestRating": "5", "worstRating": "1"}, "url": "https://fc.example/1",
  "author": [{"name": "Báo Lào Cai"}], "datePublished": "2025-09-05T08:00:00+07:00"},
 {"@type": "ClaimReview", "claimReviewed": "Không có đánh giá"},
 {"@type": "ClaimReview", "claimReviewed": "Cầu sập", "reviewRating": {"alternateName": "Mostly False"}},
 {"@type": "ClaimReview", "claimReviewed": "Đèo mở lại", "reviewRating": {"alternateName": "Đúng"}},
 {"@type": "ClaimReview", "claimReviewed": "Vỡ đập", "reviewRating": {"alternateName": "Pants on Fire!"}}]</script>
</head></html>"""


def test_claimreview_reading() -> None:
    claims = read_claimreview(PAGE)
    assert [(c.text, c.verdict) for c in claims] == [("Nước sông Hồng nhiễm độc", "tin giả"),
                                                     ("Cầu sập", "tin sai sự thật"), ("Đèo mở lại", "tin xác thực"),
                                                     ("Vỡ đập", "tin giả")]
    first = claims[0]
    assert (first.publisher, first.date, first.source_url, first.origin) == (
        "Báo Lào Cai", "2025-09-05", "https://fc.example/1", "claimreview")
    assert first.id.startswith("c-")
    with pytest.raises(BadInputError, match="not valid JSON"):
        read_claimreview("<script type=\"application/ld+json\">{oops</script>")
    with pytest.raises(BadInputError, match="cannot fetch"):
        import_claimreview("https://fc.example/1")
    assert import_claimreview("https://fc.example/1", fetch=lambda url: PAGE)[0].text == "Nước sông Hồng nhiễm độc"


def test_audit_export_is_safe_to_open_in_a_spreadsheet() -> None:
    entries = [AuditEntry(T0, "an", "review", "doc:d1", "=1+1", {"status": "pending"}, {"status": "false"},
                          entry_id="2"),
               AuditEntry(T0, "binh", "login", "account:binh", "Đà Nẵng, \"ổn\"", client="10.0.0.1", entry_id="1")]
    text = "".join(export_lines(entries, "csv"))
    assert text.startswith("\ufeffat,actor,action")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["summary"] == "'=1+1" and rows[1]["summary"] == 'Đà Nẵng, "ổn"'
    assert json.loads(rows[0]["before"]) == {"status": "pending"} and rows[1]["client"] == "10.0.0.1"
    lines = [json.loads(line) for line in "".join(export_lines(entries, "jsonl")).splitlines()]
    assert lines[0]["summary"] == "=1+1" and lines[0]["at"] == "2025-09-01T08:00:00Z"
    with pytest.raises(ValueError):
        export_lines(entries, "xlsx")


def test_every_word_has_both_languages_and_templates_use_known_words() -> None:
    WORDS = {key[len("desk."):]: entry for key, entry in CATALOGUE.items() if key.startswith("desk.")}
    assert WORDS and all(entry["vi"] and entry["en"] for entry in WORDS.values())
    assert FLASH_KEYS <= set(WORDS)
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"w\('([a-z_.\-]+)'", template.read_text(encoding="utf-8")))
    prefixes = {u for u in used if u.endswith("_")}  # w('status_' ~ value)
    assert used - prefixes <= set(WORDS), used - prefixes - set(WORDS)
    assert all(any(k.startswith(p) for k in WORDS) for p in prefixes)


def test_a_muted_rule_records_without_delivering_and_speaks_after() -> None:
    from mediawatch.flows.alerts.engine import MemoryHistory, apply
    from mediawatch.flows.alerts.rules import Candidate, Window

    rule = AlertRuleSettings(name="lu", type="misinfo", min_count=1, cooldown_minutes=60)
    mute = RuleMute("lu", T0 + timedelta(hours=1), "an", T0, "diễn tập")
    history = MemoryHistory()

    def fire(at: datetime, count: int, muted=None):
        candidate = Candidate(rule=rule, dedup_key="misinfo|lu", severity="high", window=Window(at - timedelta(hours=1), at),
                              count=count, query=None, subject={}, stats={})
        return apply([candidate], history, at, muted=muted)[0]

    first = fire(T0, 5, {"lu": mute})
    assert (first.status, first.deliver) == ("new", False)
    assert first.record.payload["muted"] == {"until": "2025-09-01T09:00:00Z", "by": "an", "reason": "diễn tập"}
    second = fire(T0 + timedelta(minutes=30), 50, {"lu": mute})  # grew tenfold, still muted
    assert (second.status, second.deliver) == ("update", False)
    after = fire(T0 + timedelta(minutes=70), 50)  # mute over, same storm, no growth since
    assert (after.status, after.deliver) == ("update", True) and "muted" not in after.record.payload
    quiet = fire(T0 + timedelta(minutes=80), 50)
    assert quiet.deliver is False  # back to the usual rule: deliver again only when it grows
