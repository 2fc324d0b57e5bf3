"""The review desk over real HTTP (uvicorn on 127.0.0.1, SQLite store): sessions and cookies, CSRF
and origin checks, roles, login rate limits, the queue, claims, imports, alerts and mutes, the
audit log and its export, accounts. The browser-level checks are in test_desk_browser.py."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
import requests

from mediawatch.app.desk.auth import add_account
from mediawatch.document import Document, Misinfo, Source, utcnow
from mediawatch.settings import Settings
from mediawatch.store.base import AlertRecord
from mediawatch.store.desk_base import Account, AuditQuery, ClaimQuery
from mediawatch.store.sqlite import SQLiteStore
from tests.support.desk import CHEAP, PASSWORD, DeskServer, csrf_of, login, token
from tests.support.httpserver import StaticSite
from tests.support.osmem import osmem_server  # noqa: F401 (fixture: our session server)

NOW = utcnow().replace(microsecond=0)


def _docs() -> list[Document]:
    src = Source("nhom", "social", "Nhóm tin", "facebook")
    out = [Document(id=f"d{i}", url=f"https://mxh.example/{i}", source=src, title=f"Tin đồn {i}",
                    text="Nghe nói đập vỡ, chia sẻ gấp", published_at=NOW - timedelta(hours=i), author_key="AKEY-SECRET",
                    story_id="s1", topics=["thuy-dien"], places=["Lào Cai"],
                    misinfo=Misinfo(score=0.5 + i / 10, claim=f"đập vỡ {i}", flagged=True))
           for i in range(1, 4)]
    out.append(Document(id="press-1", url="https://bao.example/1", source=Source("bao", "press", "Báo tỉnh"),
                        title="Tin báo", text="x", published_at=NOW, places=["Yên Bái"],
                        misinfo=Misinfo(score=0.65, claim="y", flagged=True)))
    return out


def _settings(tmp_path, **desk) -> Settings:
    return Settings(store={"url": f"sqlite:///{tmp_path / 'mw.db'}"}, desk=desk,
                    crawl={"allow_private_hosts": ["127.0.0.1"], "per_host_delay_s": 0, "retries": 0},
                    alerts={"rules": [{"name": "tin-sai", "type": "misinfo", "min_count": 2, "cooldown_minutes": 30}]})


@pytest.fixture
def desk(tmp_path):
    settings = _settings(tmp_path, login_max_failures=2, login_max_failures_per_address=3)
    store = SQLiteStore(tmp_path / "mw.db")
    store.upsert(_docs())
    for name, role in (("an", "reviewer"), ("binh", "viewer"), ("quan", "admin"), ("chi", "reviewer")):
        add_account(store, name, role, PASSWORD, "seed", CHEAP)
    with DeskServer(settings, store) as server:
        server.store = store
        yield server
    store.close()


def test_anonymous_visitors_read_nothing_and_write_nothing(desk) -> None:
    for path in ("/queue", "/claims", "/alerts", "/audit", "/items/d1", "/audit/export"):
        answer = requests.get(desk.url + path, allow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next="), path
    answer = requests.post(desk.url + "/items/d1/review", data={"verdict": "false", "note": "x"})
    assert answer.status_code == 403
    assert desk.store.get("d1").misinfo.review_status == "pending"
    assert requests.get(desk.url + "/login").status_code == 200


def test_login_cookie_session_and_logout(desk) -> None:
    browser = requests.Session()
    form = browser.get(desk.url + "/login")
    assert "HttpOnly" in form.headers["set-cookie"] and "SameSite=strict" in form.headers["set-cookie"]
    refused = browser.post(desk.url + "/login", data={"username": "an", "password": PASSWORD}, allow_redirects=False)
    assert refused.status_code == 403  # no login-form token (a fresh form comes back)
    answer = browser.post(desk.url + "/login", data={"csrf": csrf_of(refused.text), "username": "An ", "password": PASSWORD,
                                                     "next": "//evil.example/x"}, allow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/queue"  # never off-site
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("mw_session=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain http here; see the next test
    raw = browser.cookies["mw_session"]
    with SQLiteStore(desk.store.path) as other:
        stored = other._conn.execute("SELECT token_hash FROM sessions").fetchall()
    assert stored and all(raw not in row[0] for row in stored)  # only a hash is kept
    assert browser.get(desk.url + "/queue").status_code == 200
    assert browser.post(desk.url + "/logout", data={"csrf": token(browser, desk.url)}, allow_redirects=False).status_code == 303
    assert browser.get(desk.url + "/queue", allow_redirects=False).status_code == 303
    actions = [e.action for e in desk.store.audit_log(AuditQuery(actor="an")).entries]
    assert actions[:2] == ["logout", "login"]


def test_secure_cookies_when_asked(tmp_path) -> None:
    with SQLiteStore(tmp_path / "mw.db") as store:
        add_account(store, "an", "reviewer", PASSWORD, "seed", CHEAP)
        with DeskServer(_settings(tmp_path, secure_cookies="always"), store) as server:
            form = requests.get(server.url + "/login")
            assert "Secure" in form.headers["set-cookie"]
            # A browser sends Secure cookies over https only; behind a TLS proxy that is what arrives.
            answer = requests.post(server.url + "/login", data={"csrf": csrf_of(form.text), "username": "an",
                                                                "password": PASSWORD}, allow_redirects=False,
                                   headers={"Cookie": f"mw_login={form.cookies['mw_login']}"})
    cookie = answer.headers["set-cookie"]
    assert answer.status_code == 303 and cookie.startswith("__Host-mw_session=")
    assert "Secure" in cookie and "Path=/" in cookie and "HttpOnly" in cookie


def test_login_rate_limits_per_username_and_per_address(desk) -> None:
    def attempt(user: str, password: str) -> requests.Response:
        browser = requests.Session()
        form = browser.get(desk.url + "/login")
        return browser.post(desk.url + "/login", data={"csrf": csrf_of(form.text), "username": user,
                                                       "password": password}, allow_redirects=False)

    assert attempt("an", "sai-1").status_code == 401
    assert attempt("an", "sai-2").status_code == 401
    blocked = attempt("an", PASSWORD)
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert "Quá nhiều lần đăng nhập sai" in blocked.text
    assert attempt("chi", PASSWORD).status_code == 303  # another user, same address: still allowed
    assert attempt("khong-co", "sai").status_code == 401  # third failure from this address
    assert attempt("chi", PASSWORD).status_code == 429  # the address is blocked now
    for limiter in (desk.desk.auth.by_user, desk.desk.auth.by_address):  # the window passes
        limiter.clock = lambda: 10**9
    assert attempt("an", PASSWORD).status_code == 303
    failed = desk.store.audit_log(AuditQuery(actions=["login.failed"])).entries
    assert [e.actor for e in failed] == ["khong-co", "an", "an"] and failed[0].client == "127.0.0.1"


def test_posts_need_the_token_the_origin_and_the_role(desk) -> None:
    reviewer, viewer = login(desk.url, "an"), login(desk.url, "binh")
    good = {"verdict": "true", "note": "Đúng, có nguồn", "next": "/queue"}
    csrf = token(reviewer, desk.url)
    url = desk.url + "/items/d1/review"
    assert reviewer.post(url, data=good).status_code == 403  # no token
    assert reviewer.post(url, data={**good, "csrf": "x" * 43}).status_code == 403  # a wrong one
    assert reviewer.post(url, data={**good, "csrf": csrf}, headers={"Origin": "http://evil.example"}).status_code == 403
    assert reviewer.post(url, data={**good, "csrf": csrf}, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert reviewer.post(url, data={**good, "csrf": token(reviewer, desk.url, "/claims")},
                         headers={"Origin": desk.url, "Sec-Fetch-Site": "same-origin"},
                         allow_redirects=False).status_code == 303
    assert desk.store.get("d1").misinfo.review_status == "true"
    viewer_page = viewer.get(desk.url + "/queue").text
    assert "form" in viewer_page and 'class="review"' not in viewer_page
    refused = viewer.post(desk.url + "/items/d2/review", data={**good, "csrf": csrf_of(viewer_page)})
    assert refused.status_code == 403 and desk.store.get("d2").misinfo.review_status == "pending"
    assert reviewer.post(url, data={"csrf": csrf, "verdict": "maybe", "note": "x"}).status_code == 400
    assert reviewer.post(url, data={"csrf": csrf, "verdict": "true", "note": " "}).status_code == 400
    assert reviewer.post(desk.url + "/items/nope/review", data={**good, "csrf": csrf}).status_code == 404


def test_queue_filters_sorting_paging_and_privacy(desk) -> None:
    reviewer = login(desk.url, "an")
    page = reviewer.get(desk.url + "/queue").text
    assert page.index("item-press-1") < page.index("item-d1") < page.index("item-d3")  # newest first
    by_score = reviewer.get(desk.url + "/queue", params={"sort": "score"}).text
    assert by_score.index("item-d3") < by_score.index("item-d2") < by_score.index("item-press-1")
    assert "item-press-1" not in reviewer.get(desk.url + "/queue", params={"kind": "social"}).text
    only = reviewer.get(desk.url + "/queue", params={"place": "Yên Bái"}).text
    assert "item-press-1" in only and "item-d1" not in only
    assert "item-d1" in reviewer.get(desk.url + "/queue", params={"topic": "thuy-dien"}).text
    assert "3 tin cùng sự việc, 3 đang chờ thẩm định" in page and "AKEY-SECRET" not in page
    for header, value in (("content-security-policy", "default-src 'none'"), ("x-frame-options", "DENY"),
                          ("cache-control", "no-store"), ("x-content-type-options", "nosniff")):
        assert value in reviewer.get(desk.url + "/queue").headers[header]
    english = requests.Session()
    english.cookies.update(reviewer.cookies)
    english.get(desk.url + "/lang", params={"to": "en", "next": "/queue"})
    assert "Misinformation review queue" in english.get(desk.url + "/queue").text


def test_bulk_review_of_a_story_registers_the_claim_once(desk) -> None:
    reviewer = login(desk.url, "an")
    answer = reviewer.post(desk.url + "/items/d1/review", allow_redirects=False,
                           data={"csrf": token(reviewer, desk.url), "verdict": "false", "note": "Đập an toàn",
                                 "copies": "1", "next": "/queue?kind=social"})
    assert answer.status_code == 303 and answer.headers["location"] == "/queue?kind=social&done=review_done&n=3"
    assert {desk.store.get(f"d{i}").misinfo.review_status for i in (1, 2, 3)} == {"false"}
    claims = desk.store.all_claims()
    assert [(c.text, c.origin, c.changed_by, c.correction) for c in claims] == [("đập vỡ 1", "review", "an", "Đập an toàn")]
    assert len(desk.store.audit_log(AuditQuery(actions=["review"], actor="an")).entries) == 3


def test_claims_add_edit_conflict_and_history(desk) -> None:
    an, chi = login(desk.url, "an"), login(desk.url, "chi")
    form = {"text": "Cầu Kim Tân bị sập", "verdict": "tin giả", "correction": "Cầu vẫn an toàn",
            "source_url": "https://laocai.gov.vn/dc", "date": "02/09/2025", "topic": "giao-thong",
            "publisher": "Sở GTVT", "paraphrases": "sập cầu Kim Tân\ncau Kim Tan sap", "note": "mới"}
    answer = an.post(desk.url + "/claims/new", data={**form, "csrf": token(an, desk.url)}, allow_redirects=False)
    assert answer.status_code == 303
    path = answer.headers["location"].split("?")[0]
    record = desk.store.claim(path.rsplit("/", 1)[1])
    assert (record.date, record.paraphrases, record.origin, record.version) == (
        "2025-09-02", ["sập cầu Kim Tân", "cau Kim Tan sap"], "desk", 1)
    assert an.post(desk.url + "/claims/new", data={**form, "csrf": token(an, desk.url)}).status_code == 409
    # Two people open the same version; the first save wins, the second is told and keeps its text.
    an_page, chi_page = an.get(desk.url + path).text, chi.get(desk.url + path).text
    assert 'name="version" value="1"' in an_page
    saved = an.post(desk.url + path, data={**form, "correction": "Đã kiểm tra", "version": "1", "note": "sửa",
                                           "csrf": csrf_of(an_page)}, allow_redirects=False)
    assert saved.status_code == 303 and "v=2" in saved.headers["location"]
    stale = chi.post(desk.url + path, data={**form, "correction": "Ý của Chi", "version": "1",
                                            "csrf": csrf_of(chi_page)})
    assert stale.status_code == 409 and "an vừa sửa" not in stale.text and "Ý của Chi" in stale.text
    assert "phiên bản 2" in stale.text and 'name="version" value="2"' in stale.text
    assert [h.version for h in desk.store.claim_history(record.id)] == [2, 1]
    assert desk.store.claim(record.id).correction == "Đã kiểm tra"
    bad = an.post(desk.url + "/claims/new", data={**form, "text": "Khác", "source_url": "javascript:alert(1)",
                                                  "csrf": token(an, desk.url)})
    assert bad.status_code == 400 and "http://" in bad.text
    found = an.get(desk.url + "/claims", params={"q": "cau kim tan"}).text
    assert "Cầu Kim Tân bị sập" in found and "1 nhận định trong sổ" in found
    page = an.get(desk.url + path).text
    assert page.count("Phiên bản 2") >= 1 and "Sở GTVT" in page
    assert login(desk.url, "binh").post(desk.url + path, data={**form, "version": "2", "csrf": token(
        login(desk.url, "binh"), desk.url)}).status_code == 403


CLAIMREVIEW_PAGE = """<!doctype html><html><head><script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [{"@type": "ClaimReview", "url": "https://factcheck.example/dap",
 "claimReviewed": "Đập thủy điện Bắc Hà đã vỡ", "datePublished": "2025-09-03",
 "author": {"@type": "Organization", "name": "Trung tâm xử lý tin giả"},
 "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1, "alternateName": "Sai"},
 "reviewBody": "Đập vẫn vận hành bình thường"}]}
</script></head><body>bài kiểm chứng</body></html>"""


def test_import_from_a_claimreview_page_pasted_json_and_a_register_file(desk) -> None:
    an = login(desk.url, "an")
    with StaticSite({"/dap": (200, {"Content-Type": "text/html; charset=utf-8"}, CLAIMREVIEW_PAGE.encode())}) as site:
        answer = an.post(desk.url + "/claims/import", files={"csrf": (None, token(an, desk.url)),
                                                             "url": (None, site.url + "/dap")}, allow_redirects=False)
    assert answer.status_code == 303 and "new=1" in answer.headers["location"]
    (imported,) = desk.store.claims(ClaimQuery(origins=["claimreview"])).claims
    assert (imported.text, imported.verdict, imported.publisher, imported.date, imported.source_url) == (
        "Đập thủy điện Bắc Hà đã vỡ", "tin giả", "Trung tâm xử lý tin giả", "2025-09-03", "https://factcheck.example/dap")
    pasted = json.dumps({"@type": "ClaimReview", "claimReviewed": "Trường học đóng cửa cả tháng",
                         "reviewRating": {"alternateName": "Gây hiểu lầm"}, "url": "https://fc.example/t"})
    answer = an.post(desk.url + "/claims/import", files={"csrf": (None, token(an, desk.url)), "pasted": (None, pasted)},
                     allow_redirects=False)
    assert answer.status_code == 303
    assert desk.store.claims(ClaimQuery(text="truong hoc")).claims[0].verdict == "tin sai sự thật"
    register = "text,verdict,correction,source_url,date,topic\nĐèo Ô Quy Hồ đóng vĩnh viễn,fake,Chỉ đóng 2 ngày,,2025-09-04,gt\n"
    for expected in ("new=1", "same=1"):  # importing the same file twice writes nothing the second time
        answer = an.post(desk.url + "/claims/import", allow_redirects=False,
                         files={"csrf": (None, token(an, desk.url)), "file": ("so.csv", register.encode(), "text/csv")})
        assert answer.status_code == 303 and expected in answer.headers["location"]
    assert len(desk.store.claim_history(desk.store.claims(ClaimQuery(text="o quy ho")).claims[0].id)) == 1
    none = an.post(desk.url + "/claims/import", files={"csrf": (None, token(an, desk.url)), "pasted": (None, "{}")})
    assert none.status_code == 400 and "Không tìm thấy nhận định" in none.text
    two = an.post(desk.url + "/claims/import", files={"csrf": (None, token(an, desk.url)), "pasted": (None, "{}"),
                                                      "url": (None, "https://x.example")})
    assert two.status_code == 400


def test_alerts_acknowledge_and_mute_reach_the_engine(desk) -> None:
    from mediawatch.flows.alerts.engine import evaluate_alerts

    settings = desk.desk.settings
    first = evaluate_alerts(settings, desk.store, NOW)
    assert [o.deliver for o in first.outcomes] == [True]
    alert_id = first.outcomes[0].record.alert_id
    an = login(desk.url, "an")
    csrf = token(an, desk.url, "/alerts")
    answer = an.post(desk.url + f"/alerts/{alert_id}/ack", data={"csrf": csrf, "note": "Đã báo lãnh đạo"},
                     allow_redirects=False)
    assert answer.status_code == 303
    ack = desk.store.alert_acks([alert_id])[alert_id]
    assert (ack.acked_by, ack.note) == ("an", "Đã báo lãnh đạo")
    assert "Đã tiếp nhận: an" in an.get(desk.url + "/alerts").text
    assert an.post(desk.url + "/rules/tin-sai/mute", data={"csrf": csrf, "hours": "5", "reason": "x"}).status_code == 400
    assert an.post(desk.url + "/rules/tin-sai/mute", data={"csrf": csrf, "hours": "4", "reason": ""}).status_code == 400
    assert an.post(desk.url + "/rules/khac/mute", data={"csrf": csrf, "hours": "4", "reason": "x"}).status_code == 404
    answer = an.post(desk.url + "/rules/tin-sai/mute", data={"csrf": csrf, "hours": "4", "reason": "Đang xử lý"},
                     allow_redirects=False)
    assert answer.status_code == 303
    (mute,) = desk.store.rule_mutes(active_at=utcnow())
    assert (mute.rule, mute.muted_by, mute.reason) == ("tin-sai", "an", "Đang xử lý")
    assert "Tạm tắt đến" in an.get(desk.url + "/alerts").text
    # The storm doubles while muted: recorded, not delivered, and the run says why.
    src = Source("nhom", "social")
    desk.store.upsert([Document(id=f"m{i}", url=f"https://mxh.example/m{i}", source=src, text="x", story_id="s1",
                                published_at=NOW - timedelta(minutes=i), misinfo=Misinfo(score=0.9, flagged=True))
                       for i in range(4)])
    muted = evaluate_alerts(settings, desk.store, NOW + timedelta(minutes=10))
    assert [o.deliver for o in muted.outcomes] == [False] and muted.muted == {"tin-sai": mute.until.strftime(
        "%Y-%m-%dT%H:%M:%SZ")}
    assert muted.outcomes[0].record.payload["muted"]["by"] == "an" and muted.counts()["muted"] == 1
    assert "không gửi đi" in an.get(desk.url + "/alerts").text
    assert an.post(desk.url + "/rules/tin-sai/unmute", data={"csrf": csrf}, allow_redirects=False).status_code == 303
    after = evaluate_alerts(settings, desk.store, NOW + timedelta(minutes=20))
    assert [o.deliver for o in after.outcomes] == [True]  # the first sighting after the mute is delivered
    actions = [e.action for e in desk.store.audit_log(AuditQuery(actor="an")).entries]
    assert actions[:3] == ["rule.unmute", "rule.mute", "alert.ack"]


def test_audit_page_and_export(desk) -> None:
    an = login(desk.url, "an")
    an.post(desk.url + "/items/d2/review", data={"csrf": token(an, desk.url), "verdict": "true",
                                                 "note": "=HYPERLINK(\"http://x\")"})
    page = an.get(desk.url + "/audit", params={"action": "review"}).text
    assert "thẩm định tin" in page and 'href="/items/d2"' in page
    exported = an.get(desk.url + "/audit/export", params={"format": "csv", "action": "review"})
    assert exported.headers["content-disposition"].startswith("attachment; filename=\"mediawatch-audit-")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [(r["actor"], r["action"], r["target"]) for r in rows] == [("an", "review", "doc:d2")]
    assert rows[0]["summary"].startswith("'=HYPERLINK")  # a spreadsheet will not run it
    assert json.loads(rows[0]["after"]) == {"status": "true"}
    lines = an.get(desk.url + "/audit/export", params={"format": "jsonl"}).text.splitlines()
    entries = [json.loads(line) for line in lines]
    assert entries[0]["action"] == "review" and {e["action"] for e in entries} >= {"login", "account.add"}
    assert all("password" not in json.dumps(e) or e["after"].get("password") == "changed" for e in entries)


def test_accounts_page_for_admins(desk) -> None:
    admin, reviewer = login(desk.url, "quan"), login(desk.url, "an")
    assert reviewer.get(desk.url + "/users").status_code == 403
    csrf = token(admin, desk.url, "/users")
    assert admin.post(desk.url + "/users", data={"csrf": csrf, "username": "Bad Name", "role": "viewer",
                                                 "password": PASSWORD}).status_code == 400
    assert admin.post(desk.url + "/users", data={"csrf": csrf, "username": "dung", "role": "viewer",
                                                 "password": "ngan"}).status_code == 400
    assert admin.post(desk.url + "/users", data={"csrf": csrf, "username": "dung", "role": "viewer",
                                                 "password": PASSWORD}, allow_redirects=False).status_code == 303
    assert desk.store.account("dung").role == "viewer"
    admin.post(desk.url + "/users/an/role", data={"csrf": csrf, "role": "viewer"})
    assert desk.store.account("an").role == "viewer"
    admin.post(desk.url + "/users/an/disable", data={"csrf": csrf})
    assert reviewer.get(desk.url + "/queue", allow_redirects=False).status_code == 303  # its session ended
    assert admin.post(desk.url + "/users/quan/disable", data={"csrf": csrf}).status_code == 400  # not oneself
    assert admin.post(desk.url + "/users/quan/role", data={"csrf": csrf, "role": "viewer"}).status_code == 400
    admin.post(desk.url + "/users/an/enable", data={"csrf": csrf})
    admin.post(desk.url + "/users/an/password", data={"csrf": csrf, "password": "mat-khau-moi-123"})
    login(desk.url, "an", "mat-khau-moi-123")
    page = admin.get(desk.url + "/users").text
    assert "dung" in page and "argon2" not in page


def test_changing_ones_own_password(desk) -> None:
    an = login(desk.url, "an")
    csrf = token(an, desk.url, "/account")
    wrong = an.post(desk.url + "/account/password", data={"csrf": csrf, "current": "sai", "new": "mat-khau-moi-123"})
    assert wrong.status_code == 400 and "không đúng" in wrong.text
    done = an.post(desk.url + "/account/password", data={"csrf": csrf, "current": PASSWORD, "new": "mat-khau-moi-123"},
                   allow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/login?done=password_done"
    assert an.get(desk.url + "/queue", allow_redirects=False).status_code == 303
    login(desk.url, "an", "mat-khau-moi-123")


def test_sessions_expire_when_idle_at_their_age_and_with_their_account(tmp_path) -> None:
    from mediawatch.app.desk.auth import Authenticator, set_disabled

    clock = [datetime(2025, 9, 1, 8, tzinfo=timezone.utc)]
    with SQLiteStore(tmp_path / "mw.db") as store:
        store.save_account(Account("an", "reviewer", CHEAP.hash(PASSWORD)), "seed")
        auth = Authenticator(store, _settings(tmp_path, session_hours=2, idle_minutes=30).desk, hasher=CHEAP,
                             now=lambda: clock[0])
        account = auth.login("an", PASSWORD, "127.0.0.1").account
        token_, _ = auth.start(account, "127.0.0.1")
        for minutes in (25, 25, 25, 25):  # active every 25 minutes: alive until the 2-hour cap
            clock[0] += timedelta(minutes=minutes)
            assert auth.resume(token_) is not None
        clock[0] += timedelta(minutes=25)
        assert auth.resume(token_) is None  # older than session_hours
        token_, _ = auth.start(account, "127.0.0.1")
        clock[0] += timedelta(minutes=31)
        assert auth.resume(token_) is None  # idle too long
        token_, _ = auth.start(account, "127.0.0.1")
        set_disabled(store, "an", True, "admin")
        assert auth.resume(token_) is None and auth.login("an", PASSWORD, "127.0.0.1").account is None
        assert auth.resume("x" * 500) is None and auth.resume(None) is None


def test_alert_and_claim_text_is_escaped_in_pages(desk) -> None:
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    desk.store.save_alert(AlertRecord("al-x", "tin-sai", "k", NOW, NOW, "high", payload, {"text": payload}))
    an = login(desk.url, "an")
    an.post(desk.url + "/claims/new", data={"csrf": token(an, desk.url), "text": payload, "verdict": "tin giả",
                                            "correction": payload})
    for path in ("/alerts", "/claims", "/audit"):
        page = an.get(desk.url + path).text
        assert "<script>alert" not in page and "<img src=x" not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path


def test_the_desk_on_elasticsearch(osmem_clone, tmp_path) -> None:
    """The same desk over the Elasticsearch store (osmem): login, verdict, claim edit, acknowledgement."""
    from mediawatch.store.elastic import ElasticStore

    settings = Settings(store={"url": osmem_clone.url}, alerts={"rules": [{"name": "tin-sai", "type": "misinfo"}]})
    with ElasticStore(osmem_clone.url, spool_path=tmp_path / "spool", index_prefix="desk") as store:
        store.upsert(_docs())
        store.save_alert(AlertRecord("al-1", "tin-sai", "misinfo|k", NOW, NOW, "high", "Tin sai lan nhanh", {}))
        add_account(store, "an", "reviewer", PASSWORD, "seed", CHEAP)
        with DeskServer(settings, store) as server:
            an = login(server.url, "an")
            csrf = token(an, server.url)
            assert "item-d1" in an.get(server.url + "/queue").text
            assert an.post(server.url + "/items/d1/review", allow_redirects=False, data={
                "csrf": csrf, "verdict": "false", "note": "Đập an toàn", "copies": "1"}).headers["location"].endswith("n=3")
            (claim,) = store.all_claims()
            page = an.get(server.url + f"/claims/{claim.id}").text
            assert an.post(server.url + f"/claims/{claim.id}", allow_redirects=False, data={
                "csrf": csrf_of(page), "version": "1", "text": claim.text, "verdict": "tin sai sự thật",
                "correction": "Sở Công Thương đính chính"}).status_code == 303
            assert an.post(server.url + "/alerts/al-1/ack", data={"csrf": csrf}, allow_redirects=False).status_code == 303
            assert "Đã tiếp nhận: an" in an.get(server.url + "/alerts").text
            exported = an.get(server.url + "/audit/export", params={"format": "jsonl"}).text.splitlines()
        assert {d: store.get(d).misinfo.review_status for d in ("d1", "d2", "d3")} == dict.fromkeys(("d1", "d2", "d3"),
                                                                                                     "false")
        assert [c.version for c in store.claim_history(claim.id)] == [2, 1]
        actions = [json.loads(line)["action"] for line in exported]
        assert actions[:2] == ["alert.ack", "claim.update"] and actions.count("review") == 3


def test_a_store_outage_is_one_clear_page_and_nothing_is_half_written(osmem_clone, tmp_path) -> None:
    """Elasticsearch goes away mid-session: every page is a 503 that says nothing was saved; back up, the
    same verdict goes through."""
    from mediawatch.store.elastic import ElasticStore
    from tests.support.osmem import TcpProxy

    host, port = osmem_clone.url.rsplit("/", 1)[-1].split(":")
    proxy = TcpProxy(host, int(port))
    settings = Settings(store={"url": proxy.url})
    try:
        with ElasticStore(proxy.url, spool_path=tmp_path / "spool", index_prefix="deskdown", max_retries=0,
                          request_timeout=2) as store:
            store.upsert(_docs())
            add_account(store, "an", "reviewer", PASSWORD, "seed", CHEAP)
            with DeskServer(settings, store) as server:
                an = login(server.url, "an")
                csrf = token(an, server.url)
                proxy.down()
                for answer in (an.get(server.url + "/queue"),
                               an.post(server.url + "/items/d1/review", allow_redirects=False,
                                       data={"csrf": csrf, "verdict": "false", "note": "Đập an toàn"})):
                    assert answer.status_code == 503 and answer.headers["retry-after"] == "60"
                    assert "Kho dữ liệu tạm thời không phản hồi" in answer.text and "Traceback" not in answer.text
                proxy.up()
                assert store.get("d1").misinfo.review_status == "pending"
                done = an.post(server.url + "/items/d1/review", allow_redirects=False,
                               data={"csrf": csrf, "verdict": "false", "note": "Đập an toàn"})
                assert done.status_code == 303 and store.get("d1").misinfo.review_status == "false"
    finally:
        proxy.close()
