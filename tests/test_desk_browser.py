"""The review desk in a real browser: `mediawatch dashboards serve` started as an analyst starts it,
driven through headless Debian chromium (DevTools protocol).

One server and one browser for the module; each person gets their own browser context (cookies).
Covered: logging in, reviewing a story's copies and a single item with the verdict reaching the
store, the audit log, the next alert evaluation and the digest; a viewer cannot post; forged forms
(from another origin, and without the CSRF token) are refused; XSS payloads in posts, claims and
alerts do not execute; login rate limiting; the phone layout at 390 px.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from mediawatch.document import Document, Engagement, Misinfo, Source, utcnow
from mediawatch.settings import load_settings
from mediawatch.store.base import AlertRecord
from mediawatch.store.desk_base import Account, AuditQuery, ClaimRecord
from mediawatch.store.sqlite import SQLiteStore
from tests.support.cdp import Browser, Page
from tests.support.httpserver import StaticSite
from tests.support.serving import stop, wait_until_serving

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # the hash carries its own cost
PASSWORD = "mat-khau-du-dai-1"
XSS_TITLE = "<script>document.title='PWNED-SCRIPT'</script>Tin nóng về đập"
XSS_IMG = "<img src=x onerror=\"document.title='PWNED-IMG'\">"
XSS_CLAIM = "<img src=x onerror=\"document.title='PWNED-CLAIM'\">Cầu Kim Tân bị sập"
AUTHOR_KEY = "AUTHORKEY0123456789"
CONFIG = """
language = "vi"
[store]
url = "sqlite:///mw.db"
[desk]
login_max_failures = 3
[[alerts.rules]]
name = "tin-sai-lan-nhanh"
type = "misinfo"
min_count = 3
cooldown_minutes = 60
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _seed(path: Path) -> None:
    now = utcnow().replace(microsecond=0)
    social = Source("nhom-mxh", "social", "Nhóm tin Lào Cai", "facebook")
    rumour = "NÓNG: nghe nói đập thủy điện Bắc Hà vỡ rồi, chia sẻ gấp!"
    docs = [Document(id="dam-0", url="https://mxh.example/p/dam-0", source=social, title="Đập Bắc Hà vỡ?",
                     text=rumour, published_at=now - timedelta(hours=3), story_id="s-dam", author_key=AUTHOR_KEY,
                     topics=["thuy-dien"], places=["Lào Cai"], engagement=Engagement(shares=40),
                     misinfo=Misinfo(score=0.91, claim="đập thủy điện Bắc Hà vỡ", reasons=["kêu gọi chia sẻ gấp"],
                                     evidence_url="https://laocai.gov.vn/dinh-chinh", flagged=True))]
    for i in range(1, 6):  # two copies of dam-0, three more posts of the story
        docs.append(Document(id=f"dam-{i}", url=f"https://mxh.example/p/dam-{i}", source=social, text=rumour,
                             published_at=now - timedelta(hours=3, minutes=-10 * i), story_id="s-dam",
                             duplicate_of="dam-0" if i < 3 else None, author_key=AUTHOR_KEY,
                             misinfo=Misinfo(score=0.88, claim="đập thủy điện Bắc Hà vỡ", flagged=True)))
    docs.append(Document(id="bridge-1", url="https://mxh.example/p/bridge-1", source=social,
                         title="Cầu Phố Mới bị sập", text="Nghe nói cầu Phố Mới sập, 20 người rơi xuống sông",
                         published_at=now - timedelta(hours=2), author_key=AUTHOR_KEY,
                         misinfo=Misinfo(score=0.8, claim="cầu Phố Mới bị sập, 20 người rơi xuống sông",
                                         flagged=True)))
    docs.append(Document(id="xss-1", url="javascript:document.title='PWNED-LINK'", source=social, title=XSS_TITLE,
                         text=XSS_IMG + " Đà Nẵng", published_at=now - timedelta(hours=1), topics=[XSS_IMG],
                         author_key=AUTHOR_KEY,
                         misinfo=Misinfo(score=0.7, claim=XSS_IMG, reasons=[XSS_TITLE],
                                         evidence_url="javascript:document.title='PWNED-EVIDENCE'", flagged=True)))
    with SQLiteStore(path) as store:
        store.upsert(docs)
        store.save_claim(ClaimRecord("c-xss", XSS_CLAIM, "tin giả", correction=XSS_TITLE,
                                     source_url="javascript:document.title='PWNED-CLAIMLINK'"), "seed")
        store.save_alert(AlertRecord("al-xss", "tin-sai-lan-nhanh", "misinfo|x", now - timedelta(hours=1),
                                     now - timedelta(hours=1), "high",
                                     "<script>document.title='PWNED-ALERT'</script>Tin sai lan nhanh", {"count": 4}))
        for name, role in (("an", "reviewer"), ("binh", "viewer"), ("chi", "reviewer")):
            store.save_account(Account(name, role, CHEAP.hash(PASSWORD)), "seed")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    home = tmp_path_factory.mktemp("desk")
    (home / "mediawatch.toml").write_text(CONFIG, encoding="utf-8")
    _seed(home / "mw.db")
    port, desk_port = _free_port(), _free_port()
    log = open(home / "serve.log", "wb")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "mediawatch"), "dashboards", "serve",
                             "--port", str(port), "--desk-port", str(desk_port)],
                            stdout=log, stderr=subprocess.STDOUT, cwd=home)
    desk, dashboards = f"http://127.0.0.1:{desk_port}", f"http://127.0.0.1:{port}"
    wait_until_serving(proc, [desk + "/login", dashboards + "/-/versions.json"], timeout_s=90,
                       log=lambda: (home / "serve.log").read_text(errors="replace"))
    try:
        yield {"home": home, "desk": desk, "dashboards": dashboards, "db": home / "mw.db"}
    finally:
        stop(proc)
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = Browser(tmp_path_factory.mktemp("chromium"))
    yield b
    b.close()


def login(browser: Browser, desk: str, username: str, *, password: str = PASSWORD, **size) -> Page:
    page = browser.page(**size)
    page.goto(desk + "/queue")
    assert "/login" in page.url()  # nothing is shown to anonymous visitors
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    return page


def _store(served) -> SQLiteStore:
    return SQLiteStore(served["db"])


def _nothing_ran(page: Page) -> None:
    title = page.js("document.title")  # a payload would replace it with PWNED-...
    assert title.endswith("· Bàn kiểm chứng") and not title.startswith("PWNED")
    assert page.js("document.querySelectorAll('script').length") == 0
    assert page.js("document.querySelectorAll('[onerror], a[href^=javascript]').length") == 0


def test_review_reaches_store_audit_alerts_and_digest(served, browser) -> None:
    from mediawatch.flows.alerts.rules import evaluate
    from mediawatch.flows.reports.digest import build_digest

    settings = load_settings(served["home"] / "mediawatch.toml")
    with _store(served) as store:
        before = evaluate(settings, store, utcnow())[0]
    assert [(c.subject["claim_key"], c.count) for c in before] == [("story:s-dam", 4)]

    page = login(browser, served["desk"], "an")
    assert page.status == 200 and page.url().endswith("/queue"), page.text()
    assert "Hàng đợi kiểm chứng tin sai" in page.text() and "an · người thẩm định" in page.text()
    card = "#item-dam-0"
    assert "Đại diện cho 2 bản sao" in page.js(f"document.querySelector('{card}').innerText")
    page.js(f"document.querySelector('{card} input[name=copies]').checked = true")
    page.fill(f"{card} textarea[name=note]", "Tin đồn, UBND huyện xác nhận đập an toàn")
    page.click(f"{card} button[value='not-a-claim']")
    assert page.status == 200 and "Đã ghi nhận kết luận cho 6 tin." in page.text()
    assert page.js("document.querySelector('#item-dam-0')") is None  # left the pending queue

    page.fill("#item-bridge-1 textarea[name=note]", "Cầu vẫn thông xe, Sở GTVT đính chính")
    page.click("#item-bridge-1 button[value=false]")
    assert "Đã ghi nhận kết luận cho 1 tin." in page.text()

    with _store(served) as store:
        statuses = {d: store.get(d).misinfo.review_status for d in [f"dam-{i}" for i in range(6)] + ["bridge-1"]}
        assert statuses == {**{f"dam-{i}": "not-a-claim" for i in range(6)}, "bridge-1": "false"}
        reviews = store.audit_log(AuditQuery(actions=["review"])).entries
        assert len(reviews) == 7 and {e.actor for e in reviews} == {"an"}
        registered = [c for c in store.all_claims() if c.origin == "review"]
        assert len(registered) == 1 and registered[0].changed_by == "an"
        assert registered[0].verdict == "tin giả" and "Phố Mới" in registered[0].text
        # The next alert evaluation: reviewed copies no longer count as misinformation.
        assert evaluate(settings, store, utcnow())[0] == []
        # The digest: the false claim is confirmed, nothing reviewed waits as a new flag.
        digest = build_digest(settings, store, utcnow().date(), "vi", until=utcnow() + timedelta(minutes=1))
    assert [c.doc_id for c in digest.summary.confirmed] == ["bridge-1"]
    assert {f.doc_id for f in digest.summary.new_flags} <= {"xss-1"}
    assert "cầu Phố Mới bị sập" in digest.text

    page.goto(served["desk"] + "/audit")
    actions = page.js("[...document.querySelectorAll('table.audit tbody td:nth-child(3)')].map(td => td.innerText)")
    assert actions.count("thẩm định tin") == 7 and "Cầu vẫn thông xe" in page.text()
    page.goto(served["desk"] + "/items/bridge-1")
    assert "sai sự thật" in page.text() and "Sở GTVT đính chính" in page.text()


def test_xss_payloads_do_not_execute_and_no_author_is_shown(served, browser) -> None:
    page = login(browser, served["desk"], "chi")
    for path in ("/queue?status=all", "/items/xss-1", "/claims", "/claims/c-xss", "/alerts", "/audit"):
        page.goto(served["desk"] + path)
        assert page.status == 200, path
        _nothing_ran(page)
        assert AUTHOR_KEY not in page.html(), path
    page.goto(served["desk"] + "/items/xss-1")
    shown = page.text()
    assert "<script>document.title='PWNED-SCRIPT'</script>Tin nóng về đập" in shown  # shown as text
    assert XSS_IMG in shown
    page.goto(served["desk"] + "/claims/c-xss")
    assert XSS_CLAIM in page.text()
    page.goto(served["desk"] + "/alerts")
    assert "<script>document.title='PWNED-ALERT'</script>Tin sai lan nhanh" in page.text()


def test_a_viewer_cannot_post(served, browser) -> None:
    page = login(browser, served["desk"], "binh")
    page.goto(served["desk"] + "/queue?status=all")
    assert page.status == 200 and "người xem" in page.text()
    assert page.js("document.querySelectorAll('form.review').length") == 0  # no verdict buttons
    # A hand-made form with the viewer's own valid token is still refused.
    page.js("""(() => { const f = document.createElement('form'); f.method = 'post'; f.action = '/items/xss-1/review';
        for (const [k, v] of [['csrf', document.querySelector('input[name=csrf]').value], ['verdict', 'true'],
                              ['note', 'viewer']]) { const i = document.createElement('input'); i.name = k; i.value = v;
                              f.appendChild(i); }
        const b = document.createElement('button'); b.id = 'go'; f.appendChild(b); document.body.appendChild(f); })()""")
    page.click("#go")
    assert page.status == 403 and "Tài khoản người xem không có quyền" in page.text()
    with _store(served) as store:
        assert store.get("xss-1").misinfo.review_status == "pending"
        assert store.audit_log(AuditQuery(actor="binh", actions=["review"])).entries == []


def test_forged_forms_are_refused(served, browser) -> None:
    page = login(browser, served["desk"], "chi")
    # From another origin: a page that posts to the desk as soon as it opens.
    attack = (f"<form id=f method=post action='{served['desk']}/items/xss-1/review'>"
              "<input name=verdict value=true><input name=note value=forged></form>"
              "<script>document.getElementById('f').submit()</script>").encode()
    with StaticSite({"/": (200, {"Content-Type": "text/html"}, attack)}) as site:
        page.goto(site.url + "/")
        if page.url().startswith(site.url):  # the script submits after load: wait for the desk's answer
            page._settle()
    assert page.status == 403 and page.url().startswith(served["desk"])
    # On the desk itself, a form without the CSRF token.
    page.goto(served["desk"] + "/queue?status=all")
    page.js("""(() => { const f = document.querySelector('#item-xss-1 form.review');
        f.querySelector('input[name=csrf]').remove(); f.querySelector('textarea').value = 'no token'; })()""")
    page.click("#item-xss-1 button[value=true]")
    assert page.status == 403 and "thiếu mã bảo vệ" in page.text()
    with _store(served) as store:
        assert store.get("xss-1").misinfo.review_status == "pending"
        assert not [e for e in store.audit_log(AuditQuery(actions=["review"])).entries if e.target == "doc:xss-1"]


def test_login_rate_limit(served, browser) -> None:
    page = browser.page()
    page.goto(served["desk"] + "/login")
    for attempt in range(3):
        page.fill("input[name=username]", "binh")
        page.fill("input[name=password]", f"sai-mat-khau-{attempt}")
        page.click("form[action='/login'] button[type=submit]")
        assert page.status == 401 and "Sai tên đăng nhập hoặc mật khẩu." in page.text()
    page.fill("input[name=username]", "binh")
    page.fill("input[name=password]", PASSWORD)  # even the right password waits now
    page.click("form[action='/login'] button[type=submit]")
    assert page.status == 429 and "Quá nhiều lần đăng nhập sai" in page.text()
    with _store(served) as store:
        assert len(store.audit_log(AuditQuery(actor="binh", actions=["login.failed"])).entries) == 3


def test_phone_layout_and_english(served, browser) -> None:
    page = login(browser, served["desk"], "chi", width=390, height=844, mobile=True)
    page.goto(served["desk"] + "/queue?status=all")
    assert page.js("document.documentElement.scrollWidth") <= 390  # nothing overflows sideways
    sizes = page.js("[...document.querySelectorAll('#item-xss-1 .verdicts button')].map(b => "
                    "[b.getBoundingClientRect().width, b.getBoundingClientRect().height])")
    assert len(sizes) == 4 and all(w >= 120 and h >= 44 for w, h in sizes)  # thumb-sized verdict buttons
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "desk-phone.png"
    page.screenshot(shot)
    assert shot.stat().st_size > 10_000
    page.click("a[href^='/lang?to=en']")
    assert "Misinformation review queue" in page.text() and "Hàng đợi" not in page.text()
    page.click("a[href^='/lang?to=vi']")


def test_dashboards_still_served_without_the_desk_tables(served) -> None:
    sql = "select username, password_hash from accounts"
    url = served["dashboards"] + "/mw.json?" + urllib.parse.urlencode({"sql": sql, "_shape": "array"})
    rows = json.loads(urllib.request.urlopen(url, timeout=10).read())
    assert rows and all(r == {"username": None, "password_hash": None} for r in rows)
