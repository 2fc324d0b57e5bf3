"""The desk's part of the store contract (claims with versions, audit log, acknowledgements, mutes,
accounts, sessions, the legacy claims migration). Mixed into StoreContract, so every backend runs it."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from mediawatch.document import Document, Misinfo, Source
from mediawatch.store.base import AlertRecord, ReviewDecision, SearchQuery
from mediawatch.store.desk_base import (Account, AuditEntry, AuditQuery, ClaimQuery, ClaimRecord,
                                        ClaimVersionConflict, RuleMute, SessionRecord)

T1 = datetime(2025, 9, 1, 8, 0, tzinfo=timezone.utc)


def claim(cid: str, text: str, verdict: str = "tin giả", **kw) -> ClaimRecord:
    return ClaimRecord(id=cid, text=text, verdict=verdict, **kw)


class DeskStoreContract:
    # --- claims --------------------------------------------------------------------------------
    def test_claims_are_versioned_rows(self, store):
        assert store.claim("c1") is None and store.claim_history("c1") == []
        v1 = store.save_claim(claim("c1", "Đập thủy điện Bắc Hà bị vỡ", correction="Đập an toàn",
                                    source_url="https://laocai.gov.vn/dinh-chinh", date="2025-09-01",
                                    topic="thuy_dien", origin="desk", publisher="UBND tỉnh Lào Cai",
                                    paraphrases=["vỡ đập Bắc Hà"], note="thêm mới"), "an", at=T1)
        assert v1 == 1
        got = store.claim("c1")
        assert (got.version, got.changed_by, got.changed_at, got.publisher, got.paraphrases) == (
            1, "an", T1, "UBND tỉnh Lào Cai", ["vỡ đập Bắc Hà"])
        got.verdict, got.note = "tin sai sự thật", "đổi kết luận"
        assert store.save_claim(got, "binh", at=T1 + timedelta(hours=1)) == 2
        history = store.claim_history("c1")
        assert [(h.version, h.verdict, h.changed_by, h.note) for h in history] == [
            (2, "tin sai sự thật", "binh", "đổi kết luận"), (1, "tin giả", "an", "thêm mới")]
        assert store.claim("c1").verdict == "tin sai sự thật"

    def test_a_stale_edit_is_refused_not_lost(self, store):
        store.save_claim(claim("c1", "Cầu Kim Tân bị sập"), "an", at=T1)
        first, second = store.claim("c1"), store.claim("c1")
        first.correction = "Cầu vẫn an toàn"
        store.save_claim(first, "an", at=T1 + timedelta(minutes=1))
        second.correction = "Cầu đang được sửa"
        with pytest.raises(ClaimVersionConflict) as caught:
            store.save_claim(second, "binh", at=T1 + timedelta(minutes=2))
        assert (caught.value.expected, caught.value.current) == (1, 2)
        assert store.claim("c1").correction == "Cầu vẫn an toàn"
        with pytest.raises(ClaimVersionConflict):  # "new" claim whose id exists
            store.save_claim(claim("c1", "khác"), "binh")
        assert len(store.claim_history("c1")) == 2

    def test_simultaneous_edits_keep_exactly_one_per_version(self, store):
        store.save_claim(claim("c1", "Trường học đóng cửa"), "an", at=T1)
        base = store.claim("c1")
        outcomes: list[str] = []

        def edit(who: str) -> None:
            mine = store.claim("c1")
            mine.version = base.version
            mine.correction = f"sửa bởi {who}"
            try:
                store.save_claim(mine, who)
                outcomes.append("saved")
            except ClaimVersionConflict:
                outcomes.append("conflict")

        threads = [threading.Thread(target=edit, args=(f"u{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["conflict", "conflict", "conflict", "saved"]
        assert [h.version for h in store.claim_history("c1")] == [2, 1]

    def test_claim_search_filters_and_order(self, store):
        store.save_claim(claim("a", "Đập thủy điện Bắc Hà bị vỡ", topic="thuy_dien"), "an", at=T1)
        store.save_claim(claim("b", "Nước sông Hồng nhiễm độc", paraphrases=["song Hong co chat doc"],
                               topic="moi_truong", origin="review"), "an", at=T1 + timedelta(hours=1))
        store.save_claim(claim("c", "Đèo Ô Quy Hồ đóng vĩnh viễn", verdict="tin xác thực", topic="giao_thong",
                               correction="Đèo chỉ đóng để sửa"), "an", at=T1 + timedelta(hours=2))
        assert [c.id for c in store.claims().claims] == ["c", "b", "a"]
        assert store.claims().total == 3
        assert [c.id for c in store.claims(ClaimQuery(text="DAP thuy")).claims] == ["a"]
        assert [c.id for c in store.claims(ClaimQuery(text="chat doc")).claims] == ["b"]  # a paraphrase
        assert [c.id for c in store.claims(ClaimQuery(text="sua")).claims] == ["c"]  # the correction
        assert store.claims(ClaimQuery(text="thuy")).total == 1 and store.claims(ClaimQuery(text="thu")).total == 0
        assert [c.id for c in store.claims(ClaimQuery(text="thu*")).claims] == ["a"]
        assert [c.id for c in store.claims(ClaimQuery(verdicts=["tin giả"])).claims] == ["b", "a"]
        assert [c.id for c in store.claims(ClaimQuery(topics=["giao_thong"], origins=["import"])).claims] == ["c"]
        page = store.claims(size=2, offset=2)
        assert [c.id for c in page.claims] == ["a"] and page.total == 3
        assert [c.id for c in store.all_claims(batch=2)] == ["c", "b", "a"]

    # --- audit log --------------------------------------------------------------------------------
    def test_changes_are_audited_and_the_log_pages_newest_first(self, store):
        store.save_claim(claim("c1", "Sập cầu"), "an", at=T1)
        got = store.claim("c1")
        got.verdict, got.note = "tin xác thực", "UBND xác nhận"
        store.save_claim(got, "binh", at=T1 + timedelta(minutes=5))
        for i in range(5):
            store.audit(AuditEntry(at=T1 + timedelta(hours=1), actor="an", action="login", target="account:an",
                                   client=f"10.0.0.{i}"))
        log = store.audit_log(size=100).entries
        assert [e.action for e in log] == ["login"] * 5 + ["claim.update", "claim.create"]
        assert [e.client for e in log[:5]] == [f"10.0.0.{i}" for i in range(4, -1, -1)]  # append order
        update = log[5]
        assert (update.actor, update.target, update.summary) == ("binh", "claim:c1", "UBND xác nhận")
        assert update.before == {"verdict": "tin giả"} and update.after == {"verdict": "tin xác thực", "version": 2}
        seen, cursor = [], None
        while True:
            page = store.audit_log(size=3, cursor=cursor)
            seen += [e.entry_id for e in page.entries]
            cursor = page.next_cursor
            if not cursor:
                break
        assert seen == [e.entry_id for e in log] and len(set(seen)) == 7
        assert [e.action for e in store.audit_log(AuditQuery(actor="binh")).entries] == ["claim.update"]
        assert len(store.audit_log(AuditQuery(actions=["claim.create", "claim.update"])).entries) == 2
        assert len(store.audit_log(AuditQuery(target="claim:c1", until=T1 + timedelta(minutes=1))).entries) == 1
        assert len(store.audit_log(AuditQuery(since=T1 + timedelta(minutes=30))).entries) == 5
        assert len(list(store.iter_audit(batch=2))) == 7

    def test_reviews_reach_the_audit_log(self, store):
        d = Document(id="d1", url="https://mxh.example/1", source=Source("fb", "social"), text="Vỡ đập rồi",
                     published_at=T1, misinfo=Misinfo(score=0.9, claim="Vỡ đập", flagged=True))
        store.upsert([d])
        store.review(ReviewDecision("d1", "false", "an", "Đã có đính chính", T1 + timedelta(hours=1)))
        (entry,) = store.audit_log(AuditQuery(actions=["review"])).entries
        assert (entry.actor, entry.target, entry.summary, entry.before, entry.after) == (
            "an", "doc:d1", "Đã có đính chính", {"status": "pending"}, {"status": "false"})

    def test_copies_of_a_document_are_found_by_duplicate_of(self, store):
        src = Source("fb", "social")
        store.upsert([Document(id="orig", url="u0", source=src, text="a", published_at=T1),
                      Document(id="copy1", url="u1", source=src, text="a", published_at=T1, duplicate_of="orig"),
                      Document(id="copy2", url="u2", source=src, text="a", published_at=T1, duplicate_of="orig")])
        assert sorted(d.id for d in store.search(SearchQuery(duplicate_of=["orig"])).documents) == ["copy1", "copy2"]
        assert store.count(SearchQuery(duplicate_of=["copy1"])) == 0

    # --- acknowledgements and mutes -----------------------------------------------------------------
    def test_alert_acknowledgement(self, store):
        store.save_alert(AlertRecord("al1", "lu", "spike|lu", T1, T1, "high", "Tăng đột biến", {}))
        store.save_alert(AlertRecord("al2", "lu", "spike|lu2", T1, T1, "high", "Tăng đột biến", {}))
        assert store.alert_acks() == {}
        ack = store.ack_alert("al1", "an", note="Đã báo lãnh đạo", at=T1 + timedelta(minutes=3))
        assert (ack.acked_by, ack.acked_at, ack.note) == ("an", T1 + timedelta(minutes=3), "Đã báo lãnh đạo")
        assert set(store.alert_acks()) == {"al1"}
        assert store.alert_acks(["al1", "al2"])["al1"].acked_by == "an" and store.alert_acks([]) == {}
        with pytest.raises(KeyError):
            store.ack_alert("missing", "an")
        assert store.audit_log(AuditQuery(actions=["alert.ack"])).entries[0].target == "alert:al1"

    def test_rule_mutes(self, store):
        store.mute_rule(RuleMute("lu-lut", T1 + timedelta(hours=4), "an", T1, "đang diễn tập"))
        store.mute_rule(RuleMute("tin-sai", T1 + timedelta(hours=1), "an", T1, "xử lý xong"))
        assert [m.rule for m in store.rule_mutes()] == ["lu-lut", "tin-sai"]
        assert [m.rule for m in store.rule_mutes(active_at=T1 + timedelta(hours=2))] == ["lu-lut"]
        assert store.rule_mutes()[0].reason == "đang diễn tập"
        store.mute_rule(RuleMute("lu-lut", T1 + timedelta(hours=8), "binh", T1 + timedelta(hours=1), "kéo dài"))
        assert store.rule_mutes(active_at=T1)[0].until == T1 + timedelta(hours=8)
        assert store.unmute_rule("lu-lut", "binh", at=T1 + timedelta(hours=2)) is True
        assert store.unmute_rule("lu-lut", "binh") is False
        assert [m.rule for m in store.rule_mutes()] == ["tin-sai"]
        actions = [e.action for e in store.audit_log().entries]
        assert actions.count("rule.mute") == 3 and actions.count("rule.unmute") == 1

    # --- accounts and sessions ------------------------------------------------------------------------
    def test_accounts(self, store):
        store.save_account(Account("an", "reviewer", "$argon2id$x"), "admin", at=T1)
        store.save_account(Account("binh", "viewer", "$argon2id$y"), "admin", at=T1)
        changed = store.account("an")
        changed.role, changed.password_hash = "admin", "$argon2id$z"
        store.save_account(changed, "admin", at=T1 + timedelta(days=1))
        got = store.account("an")
        assert (got.role, got.password_hash, got.created_at, got.updated_at) == (
            "admin", "$argon2id$z", T1, T1 + timedelta(days=1))
        assert [a.username for a in store.accounts()] == ["an", "binh"] and store.account("chi") is None
        entries = store.audit_log(AuditQuery(target="account:an")).entries
        assert entries[0].before == {"role": "reviewer"} and entries[0].after == {"role": "admin", "password": "changed"}
        assert all("argon2" not in str(e.before) + str(e.after) for e in entries)

    def test_sessions(self, store):
        s1 = SessionRecord("h1", "an", T1, T1 + timedelta(hours=8), T1, "csrf1", "127.0.0.1")
        store.save_session(s1)
        store.save_session(SessionRecord("h2", "an", T1, T1 + timedelta(hours=1), T1, "csrf2"))
        store.save_session(SessionRecord("h3", "binh", T1, T1 + timedelta(hours=8), T1, "csrf3"))
        assert store.session("h1") == s1 and store.session("nope") is None
        s1.last_seen, s1.expires_at = T1 + timedelta(hours=1), T1 + timedelta(hours=9)
        store.save_session(s1)
        assert store.session("h1").expires_at == T1 + timedelta(hours=9)
        assert store.delete_sessions(expired_at=T1 + timedelta(hours=2)) == 1
        assert store.session("h2") is None
        assert store.delete_sessions(username="an") == 1
        assert store.delete_sessions(token_hash="h3") == 1
        assert store.session("h3") is None
        with pytest.raises(ValueError):
            store.delete_sessions()

    # --- migration of the old home ---------------------------------------------------------------------
    def test_claims_in_the_state_table_move_to_rows(self, store, reopen):
        old = {"id": "c-old", "text": "Cầu Phố Mới bị sập", "verdict": "tin giả", "correction": "Cầu vẫn thông",
               "source_url": "", "date": "2025-09-10", "topic": "", "paraphrases": [], "example": False,
               "origin": "review"}
        store.set_state("claims", "c-old", old)
        store.set_state("claims", "_index", {"ids": ["c-old", "c-broken"]})
        store.set_state("claims", "c-broken", {"id": "c-broken"})
        fresh = reopen(store)
        moved = fresh.claim("c-old")
        assert (moved.text, moved.verdict, moved.correction, moved.version, moved.changed_by) == (
            "Cầu Phố Mới bị sập", "tin giả", "Cầu vẫn thông", 1, "migration")
        assert fresh.claim("c-broken") is None
        assert [c.id for c in fresh.claims().claims] == ["c-old"]
        again = reopen(fresh)  # once only
        assert again.claim("c-old").version == 1 and len(again.claim_history("c-old")) == 1
