"""The daily digest end to end: a real SMTP server (aiosmtpd) on 127.0.0.1, the outbox, Chromium."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mediawatch.flows.reports.digest import build_digest, run_digest
from mediawatch.flows.delivery.mail import send_with_retry
from mediawatch.settings import Settings
from mediawatch.store.sqlite import SQLiteStore

from .test_summary import DAY, NOON, make_doc
from .test_summary import store as summary_store  # noqa: F401 - the populated store fixture

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
GOLDEN = Path(__file__).parent / "golden" / "digest_vi.txt"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 OK"


def start_smtp(port: int):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def settings_for(tmp_path: Path, port: int) -> Settings:
    return Settings(data_dir=str(tmp_path / "data"),
                    smtp={"host": "127.0.0.1", "port": port, "security": "none", "sender": "bantin@laocai.gov.vn",
                          "timeout_s": 5},
                    digest={"recipients": ["lanhdao@laocai.gov.vn", "vanphong@laocai.gov.vn"]})


@pytest.fixture
def store(summary_store):  # noqa: F811
    summary_store.upsert([make_doc(90 + i, 'Khai trương chợ phiên <img src=x onerror="alert(1)">',
                                   "Chợ phiên mới mở cửa.", when=NOON + timedelta(hours=2),
                                   sentiment="positive", story="cho") for i in range(2)])
    return summary_store


def parts_of(raw: bytes):
    msg = message_from_bytes(raw, policy=policy.default)
    return msg, [(p.get_content_type(), p) for p in msg.walk()]


def test_digest_arrives_with_inline_charts_once(tmp_path, store):
    port = free_port()
    controller, inbox = start_smtp(port)
    try:
        settings = settings_for(tmp_path, port)
        result = run_digest(settings, store, day=DAY, attempts=1)
        assert result.status == "sent"
        again = run_digest(settings, store, day=DAY, attempts=1)
        assert again.status == "duplicate"
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    rcpts, raw = inbox.messages[0]
    assert sorted(rcpts) == ["lanhdao@laocai.gov.vn", "vanphong@laocai.gov.vn"]
    msg, parts = parts_of(raw)
    assert msg["Subject"] == "Bản tin dư luận Lào Cai ngày 20/11/2026"
    types = [ct for ct, _ in parts]
    assert types[:4] == ["multipart/alternative", "text/plain", "multipart/related", "text/html"]
    assert types.count("image/png") == 1  # no forecast stored yet: only the 14-day chart
    text = next(p for ct, p in parts if ct == "text/plain").get_content()
    html = next(p for ct, p in parts if ct == "text/html").get_content()
    assert "Sự việc nổi bật" in text and "Mưa lũ gây sạt lở đất tại Văn Bàn" in text
    cids = {p["Content-ID"].strip("<>") for ct, p in parts if ct == "image/png"}
    referenced = set(re.findall(r'src="cid:([^"]+)"', html))
    assert cids == referenced == {"volume@mediawatch"}
    png = next(p for ct, p in parts if ct == "image/png").get_content()
    assert png.startswith(b"\x89PNG")
    # Document text is escaped: neither the script nor the onerror image survives as markup.
    assert "<script>" not in html and "<img src=x" not in html and "&lt;img src=x onerror=" in html
    assert "&lt;script&gt;" in html
    assert "max-width:600px" in html


def test_smtp_down_keeps_the_digest_and_the_next_run_delivers_once(tmp_path, store):
    port = free_port()  # nothing listens here yet
    settings = settings_for(tmp_path, port)
    first = run_digest(settings, store, day=DAY, attempts=2, backoff_s=0.01)
    assert first.status == "queued"
    outbox = settings.data_path("outbox", "digest")
    assert len(list(outbox.glob("*.eml"))) == 1
    controller, inbox = start_smtp(port)
    try:
        second = run_digest(settings, store, day=DAY, attempts=1)
        third = run_digest(settings, store, day=DAY, attempts=1)
    finally:
        controller.stop()
    assert (second.outbox_sent, second.status) == (1, "duplicate")
    assert third.status == "duplicate" and third.outbox_sent == 0
    assert len(inbox.messages) == 1
    assert list(outbox.glob("*.eml")) == []
    msg, _ = parts_of(inbox.messages[0][1])
    assert msg["Subject"] == "Bản tin dư luận Lào Cai ngày 20/11/2026"


def test_no_smtp_host_switches_email_off(tmp_path, store, caplog):
    settings = Settings(data_dir=str(tmp_path / "data"), digest={"recipients": ["a@b.vn"]})
    out = tmp_path / "digest.html"
    with caplog.at_level("INFO", logger="mediawatch.digest"):
        result = run_digest(settings, store, day=DAY, out=out)
    assert result.status == "off"
    assert "smtp.host is not set" in caplog.text
    html = out.read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "cid:" not in html
    assert out.with_suffix(".txt").read_text(encoding="utf-8").startswith("Bản tin dư luận Lào Cai")


def test_permanent_smtp_error_is_not_retried(tmp_path):
    from email.message import EmailMessage

    from mediawatch.flows.delivery.mail import MailError

    class Refuse:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return "550 no such user"

    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(Refuse(), hostname="127.0.0.1", port=port)
    controller.start()
    slept = []
    try:
        msg = EmailMessage()
        msg["Subject"], msg["From"], msg["To"] = "x", "a@b.vn", "c@d.vn"
        msg.set_content("x")
        with pytest.raises(MailError) as info:
            send_with_retry(msg, settings_for(tmp_path, port).smtp, attempts=3, sleep=slept.append)
    finally:
        controller.stop()
    assert slept == [] and info.value.kind.value == "permanent"


# Configured topics show by their labels (the people reading the digest never see "thien-tai").
TOPICS = [{"name": "thien-tai", "label": "Thiên tai", "query": "lũ OR sạt lở"},
          {"name": "phi-dich-vu", "label": "Phí dịch vụ", "query": '"phí gửi xe"'}]


def test_text_part_matches_golden_file(tmp_path, store):
    digest = build_digest(Settings(data_dir=str(tmp_path), topics=TOPICS), store, DAY, "vi")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(digest.text, encoding="utf-8")
    assert digest.text == GOLDEN.read_text(encoding="utf-8")
    english = build_digest(Settings(data_dir=str(tmp_path)), store, DAY, "en")
    assert english.subject == "Lào Cai public-opinion digest for 20/11/2026"
    assert "Top stories" in english.text


def test_html_renders_in_headless_chromium(tmp_path, store):
    digest = build_digest(Settings(data_dir=str(tmp_path)), store, DAY, "vi")
    page = tmp_path / "digest.html"
    page.write_text(digest.standalone_html(), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "digest.png"
    shot.unlink(missing_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
                    "--window-size=600,2000", page.as_uri()],
                   check=True, capture_output=True, timeout=90)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000
    # Width 600: the layout fits a phone-sized window (the PNG header holds width and height).
    assert int.from_bytes(data[16:20], "big") == 600


def test_store_fixture_is_sqlite(store):
    assert isinstance(store, SQLiteStore) and date(2026, 11, 20) == DAY


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    return cert, key


# aiosmtpd warns when AUTH is allowed without STARTTLS, not knowing its socket is already TLS.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_and_login(tmp_path, store, monkeypatch, security):
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    cert, key = self_signed(tmp_path)
    # The client verifies the server certificate against the default trust store: trust ours.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"bantin" and auth_data.password == b"mat-khau-bi-mat")

    inbox = Inbox()
    port = free_port()
    # aiosmtpd only sees STARTTLS as TLS; on an implicit-TLS socket it must be told AUTH is fine.
    tls = {"tls_context": server_ctx, "require_starttls": True} if security == "starttls" else {
        "ssl_context": server_ctx, "auth_require_tls": False}
    controller = Controller(inbox, hostname="127.0.0.1", port=port, auth_required=True,
                            authenticator=authenticator, **tls)
    controller.start()
    try:
        settings = settings_for(tmp_path, port)
        settings.smtp.security = security
        settings.smtp.username = "bantin"
        from pydantic import SecretStr

        settings.smtp.password = SecretStr("mat-khau-bi-mat")
        result = run_digest(settings, store, day=DAY, attempts=1)
    finally:
        controller.stop()
    assert result.status == "sent"
    assert logins == [(b"bantin", b"mat-khau-bi-mat")] and len(inbox.messages) == 1


def test_forecast_chart_and_lines_join_the_digest(tmp_path, store):
    from mediawatch.flows.forecast.series import run_forecast

    settings = Settings(data_dir=str(tmp_path))
    run_forecast(settings, store, today=DAY + timedelta(days=1))
    seven = datetime.combine(DAY + timedelta(days=1), datetime.min.time(), HCM).replace(hour=7)
    digest = build_digest(settings, store, DAY, "en", now=seven)
    assert [i.cid for i in digest.images] == ["volume@mediawatch", "forecast@mediawatch"]
    assert set(re.findall(r'src="cid:([^"]+)"', digest.html)) == {"volume@mediawatch", "forecast@mediawatch"}
    assert "Forecast for the next 7 days" in digest.text and "items/day on average" in digest.text
    assert "Today 21/11/2026: 0 items by 07:00" in digest.text
    assert "Using the simple forecast: repeat last week. Only 5 days of data so far" in digest.text
    # A week later the stored forecast's days are past: the digest says so instead of showing them.
    stale = build_digest(settings, store, DAY, "vi", now=seven + timedelta(days=7))
    assert "Dự báo đã cũ (lập ngày " in stale.text and [i.cid for i in stale.images] == ["volume@mediawatch"]


def _topic_docs(topic: str, n: int, day: date, start: int) -> list:
    return [make_doc(start + i, f"Tin {topic} {i}", when=datetime.combine(day, datetime.min.time(), HCM).replace(
        hour=9 + i % 10), topics=[topic], sentiment="neutral") for i in range(n)]


def test_rising_topics_agree_with_the_counts_shown(tmp_path):
    """Every topic the digest calls new or rising has counts that show it; none shown falling is listed."""
    from mediawatch.flows.forecast.series import run_forecast
    from mediawatch.flows.forecast.trend import trend

    counts = {"lu-lut": (3, 9), "giao-thong": (9, 3), "le-hoi": (0, 4), "y-te": (5, 6), "thue": (1, 3),
              "du-lich": (4, 0)}
    docs, n = [], 0
    for topic, (before, now) in counts.items():
        docs += _topic_docs(topic, before, DAY - timedelta(days=1), n) + _topic_docs(topic, now, DAY, n + 100)
        n += 1000
    settings = Settings(data_dir=str(tmp_path))
    with SQLiteStore(tmp_path / "mw.db") as store:
        store.upsert(docs)
        run_forecast(settings, store, today=DAY + timedelta(days=1))
        seven = datetime.combine(DAY + timedelta(days=1), datetime.min.time(), HCM).replace(hour=7)
        text = build_digest(settings, store, DAY, "vi", now=seven).text
    section = text.split("Chủ đề mới hoặc đang tăng\n", 1)[1].split("\n\n", 1)[0]
    listed = {m[0]: (int(m[1]), m[2], int(m[3])) for m in
              re.findall(r"^- ([\w-]+): (\d+) \((mới|tăng); kỳ trước (\d+)\)$", section, re.M)}
    words = {"mới": "new", "tăng": "rising"}
    assert set(listed) == {"lu-lut", "le-hoi", "thue"}
    for topic, (count, status, previous) in listed.items():
        assert (count, previous) == (counts[topic][1], counts[topic][0]) and count > previous
        assert trend(count, previous) == words[status]
    falling = dict((m[0], (int(m[1]), int(m[2]))) for m in
                   re.findall(r"([\w-]+) (\d+) \(kỳ trước (\d+)\)", section.split("Đang giảm: ", 1)[1]))
    assert falling == {"giao-thong": (3, 9), "du-lich": (0, 4)}
    assert all(count < previous for count, previous in falling.values())
    # The forecast section speaks of the same rising topics, with the same counts, and of no other.
    forecast = text.split("Dự báo 7 ngày tới\n", 1)[1].split("\n\n", 1)[0]
    outlook = re.findall(r"^- ([\w-]+) \((mới|tăng): (\d+), kỳ trước (\d+)\): hôm nay dự kiến", forecast, re.M)
    assert {o[0] for o in outlook} <= set(listed) and outlook
    for topic, status, count, previous in outlook:
        assert listed[topic] == (int(count), status, int(previous))
    for topic in ("giao-thong", "du-lich", "y-te"):
        assert topic not in forecast


def test_the_digest_counts_today_so_far(tmp_path):
    """The issue: the digest forecast 2 items for a day that already had 12 by 10:00."""
    from mediawatch.flows.forecast.series import run_forecast

    settings = Settings(data_dir=str(tmp_path))
    today = DAY + timedelta(days=1)
    docs = [make_doc(500 + i, f"Tin thường {i}", when=datetime.combine(
        DAY - timedelta(days=i // 2), datetime.min.time(), HCM).replace(hour=8 + 12 * (i % 2))) for i in range(80)]
    docs += [make_doc(900 + i, f"Tin sáng nay {i}", when=datetime.combine(today, datetime.min.time(), HCM).replace(
        hour=6) + timedelta(minutes=10 * i)) for i in range(12)]
    with SQLiteStore(tmp_path / "mw.db") as store:
        store.upsert(docs)
        run_forecast(settings, store, now=datetime.combine(today, datetime.min.time(), HCM).replace(hour=2))
        ten = datetime.combine(today, datetime.min.time(), HCM).replace(hour=10)
        text = build_digest(settings, store, DAY, "vi", now=ten).text
    line = re.search(r"Hôm nay 21/11/2026: đến 10:00 đã có (\d+) tin; dự kiến cả ngày khoảng (\d+) tin "
                     r"\(từ (\d+) đến (\d+)\)\.", text)
    assert line, text
    so_far, mean, low, high = (int(v) for v in line.groups())
    assert so_far == 12 and low >= 12 and mean >= 12 and high > mean
