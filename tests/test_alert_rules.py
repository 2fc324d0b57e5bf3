"""Alert rules over a real SQLite store, cool-downs, payloads and the back-test."""

from datetime import timedelta

import pytest

from mediawatch.flows.alerts import backtest, evaluate_alerts
from mediawatch.flows.alerts.engine import MemoryHistory, apply, decide
from mediawatch.flows.alerts.rules import evaluate
from mediawatch.store.sqlite import SQLiteStore

from .test_alert_fixtures import NOW, background, burst, doc, settings_with


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "mw.db")
    yield s
    s.close()


SPIKE = {"name": "lu-social", "type": "spike", "topic": "lu-lut", "source_kind": "social",
         "sensitivity": 2.0, "min_count": 5}


def test_social_spike_last_hour_vs_previous_12(tmp_path, store):
    settings = settings_with(tmp_path, [SPIKE])
    store.upsert(background(per_hour=2))
    assert evaluate(settings, store, NOW)[0] == []
    store.upsert(burst(20))
    (c,), errors = evaluate(settings, store, NOW)
    assert not errors and c.count == 20 and c.stats["baseline_mean"] == 2.0
    assert c.window.hours == 1 and c.stats["baseline_windows"] == 12


def test_press_spike_uses_days(tmp_path, store):
    rule = {**SPIKE, "name": "lu-press", "source_kind": "press"}
    settings = settings_with(tmp_path, [rule])
    store.upsert([doc(d, NOW - timedelta(days=d, hours=2), kind="press", source="baolaocai") for d in range(1, 15)])
    store.upsert(burst(8, kind="press", source="baolaocai"))
    (c,), _ = evaluate(settings, store, NOW)
    assert c.window.hours == 24 and c.stats["baseline_windows"] == 14 and c.count == 8


def test_negativity_surge(tmp_path, store):
    rule = {"name": "neg", "type": "negativity", "topic": "lu-lut", "source_kind": "social", "min_count": 5}
    settings = settings_with(tmp_path, [rule])
    store.upsert(background(per_hour=4))  # neutral baseline
    store.upsert(burst(3, sentiment="neutral") + [doc(20_000 + i, NOW - timedelta(minutes=3 + i),
                                                      sentiment="negative") for i in range(9)])
    (c,), _ = evaluate(settings, store, NOW)
    assert c.count == 9 and c.stats["share"] == 0.75 and c.stats["baseline_share"] == 0.0


def test_misinfo_surge_groups_by_claim(tmp_path, store):
    rule = {"name": "misinfo", "type": "misinfo", "min_count": 3}
    settings = settings_with(tmp_path, [rule])
    store.upsert(burst(4, claim_id="C-12") + burst(2, claim="Trường học đóng cửa cả tháng", topic="giao-duc",
                                                    source="tiktok"))
    candidates, _ = evaluate(settings, store, NOW)
    assert [c.subject["claim_key"] for c in candidates] == ["claim:C-12"]
    assert candidates[0].subject["registered"] and candidates[0].count == 4


def test_keyword_trigger_on_urgent_topic(tmp_path, store):
    settings = settings_with(tmp_path, [{"name": "urgent", "type": "keyword"}])
    assert evaluate(settings, store, NOW)[0] == []
    store.upsert([doc(1, NOW - timedelta(minutes=10), topic="vo-dap", title="Nguy cơ vỡ đập ở Văn Yên")])
    (c,), _ = evaluate(settings, store, NOW)
    assert c.subject["topic"] == "vo-dap" and c.count == 1


def test_broken_rule_is_reported_and_others_run(tmp_path, store, monkeypatch):
    from mediawatch.flows.alerts import rules

    def broken(*args):
        raise RuntimeError("the store answered nonsense")

    monkeypatch.setitem(rules.RULES, "spike", broken)
    settings = settings_with(tmp_path, [{"name": "bad", "type": "spike"}, {"name": "urgent", "type": "keyword"}])
    store.upsert([doc(1, NOW - timedelta(minutes=10), topic="vo-dap")])
    candidates, errors = evaluate(settings, store, NOW)
    assert [c.rule.name for c in candidates] == ["urgent"] and "bad" in errors


def test_decide_cooldown_and_growth():
    from mediawatch.store.base import AlertRecord

    prev = AlertRecord("a1", "r", "k", NOW, NOW, "medium", "t", {"delivered_count": 10})
    assert decide(10, "medium", None, NOW, timedelta(hours=3)).status == "new"
    assert decide(12, "medium", prev, NOW + timedelta(hours=1), timedelta(hours=3)) == \
        decide(12, "medium", prev, NOW + timedelta(hours=1), timedelta(hours=3))
    d = decide(12, "medium", prev, NOW + timedelta(hours=1), timedelta(hours=3))
    assert d.status == "update" and not d.deliver
    assert decide(20, "medium", prev, NOW + timedelta(hours=1), timedelta(hours=3)).deliver
    assert decide(11, "high", prev, NOW + timedelta(hours=1), timedelta(hours=3)).deliver
    assert decide(11, "medium", prev, NOW + timedelta(hours=3), timedelta(hours=3)).status == "new"


def test_storm_makes_one_alert_with_updates(tmp_path, store):
    settings = settings_with(tmp_path, [SPIKE])
    store.upsert(background(per_hour=2))
    store.upsert(burst(20))
    first = evaluate_alerts(settings, store, NOW)
    assert first.counts() == {"new": 1} and len(first.to_deliver) == 1
    for minute in (10, 20, 30):
        store.upsert(burst(5 + minute, end=NOW + timedelta(minutes=minute)))
        again = evaluate_alerts(settings, store, NOW + timedelta(minutes=minute))
        assert again.counts() == {"update": 1}
    stored = store.alerts()
    assert len(stored) == 1 and stored[0].payload["updates"] == 3
    assert stored[0].payload["status"] == "update"


def test_payload_explains_itself_without_authors(tmp_path, store):
    settings = settings_with(tmp_path, [SPIKE])
    store.upsert(background(per_hour=2) + burst(20))
    run = evaluate_alerts(settings, store, NOW)
    p = run.to_deliver[0].payload
    assert p["title"] == "Tăng đột biến: chủ đề «lu-lut» trên mạng xã hội"
    assert p["text"].startswith("20 bài trong 1 giờ qua, bình thường 2")
    assert p["window"]["end_local"] == "10/08/2026 10:00"  # Asia/Ho_Chi_Minh, dd/mm/yyyy
    assert p["count"] == 20 and p["baseline"]["baseline_mean"] == 2.0
    assert "bao yen" in p["top_terms"] and p["top_sources"][0]["source_id"] == "fb-page"
    assert p["sentiment_mix"] == {} or isinstance(p["sentiment_mix"], dict)
    assert len(p["documents"]) == 3 and all(d["url"].startswith("https://") for d in p["documents"])
    assert "author" not in str(p) and "ak-should-not-leak" not in str(p)
    assert p["dashboard_url"].startswith("http://dash.local/d/alerts?topic=lu-lut&kind=social&since=")


def test_payload_in_english(tmp_path, store):
    settings = settings_with(tmp_path, [SPIKE], language="en")
    store.upsert(background(per_hour=2) + burst(20))
    p = evaluate_alerts(settings, store, NOW).to_deliver[0].payload
    assert p["title"] == "Spike: topic “lu-lut” on social" and "usually 2" in p["text"]


def test_backtest_counts_per_rule(tmp_path, store):
    settings = settings_with(tmp_path, [SPIKE, {"name": "urgent", "type": "keyword", "cooldown_minutes": 60}])
    store.upsert(background(hours=48, per_hour=2))
    store.upsert(burst(25, end=NOW - timedelta(hours=20)))
    store.upsert([doc(1, NOW - timedelta(hours=30), topic="vo-dap"), doc(2, NOW - timedelta(hours=5), topic="vo-dap")])
    result = backtest(settings, store, NOW - timedelta(hours=36), NOW, step=timedelta(minutes=30))
    assert result.evaluations == 72
    assert result.fired["lu-social"] == 1 and result.fired["urgent"] == 2
    assert store.alerts() == []  # a back-test writes nothing


def test_apply_without_payload_builder_uses_memory_history(tmp_path, store):
    settings = settings_with(tmp_path, [{"name": "urgent", "type": "keyword"}])
    store.upsert([doc(1, NOW - timedelta(minutes=5), topic="vo-dap")])
    history = MemoryHistory()
    candidates, _ = evaluate(settings, store, NOW)
    (o,) = apply(candidates, history, NOW)
    assert o.status == "new" and history.last(o.record.dedup_key) is o.record


def test_silent_source_uses_source_health(tmp_path, store):
    from mediawatch.store.base import RunRecord

    settings = settings_with(tmp_path, [{"name": "silent", "type": "silent_source"}],
                             sources=[{"id": "baolaocai", "name": "Báo Lào Cai", "url": "http://x.test/rss"}])
    runs = [RunRecord(run_id=f"r{h}", source_id="baolaocai", started_at=NOW - timedelta(hours=60 - h),
                      finished_at=NOW - timedelta(hours=60 - h), fetched=1,
                      last_published_at=NOW - timedelta(hours=61 - h)) for h in range(0, 10, 2)]
    store.record_run(runs)  # published every 2 hours until 53 hours ago
    (c,), _ = evaluate(settings, store, NOW)
    assert c.subject == {"source_id": "baolaocai", "source_name": "Báo Lào Cai"}
    p = evaluate_alerts(settings, store, NOW).to_deliver[0].payload
    assert p["title"] == "Nguồn ngừng cập nhật: Báo Lào Cai"
    assert p["text"].startswith("Bài mới nhất: 08/08/2026 05:00")


def test_misinfo_ignores_documents_reviewers_cleared(tmp_path, store):
    settings = settings_with(tmp_path, [{"name": "misinfo", "type": "misinfo", "min_count": 3}])
    docs = burst(4, claim_id="C-12")
    for d in docs[:2]:
        d.misinfo.review_status = "not-a-claim"
    store.upsert(docs)
    assert evaluate(settings, store, NOW)[0] == []
