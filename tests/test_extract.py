"""Article extraction: golden files for the project's own pages, key facts for real saved pages."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mediawatch.crawlers.extract import ExtractionError, decode_html, extract_article
from mediawatch.document import format_ts
from tests.site.build import build_site, to_cp1258

GOLDEN = Path(__file__).parent / "site" / "golden"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "crawl" / "pages"
BASE = "http://bao.test"
NAV_AND_FURNITURE = ["Trang chủ", "Đường dây nóng", "Quảng cáo", "cookie", "Bình luận", "Bạn đọc Hoàng Minh",
                     "Tin liên quan", "Đọc nhiều nhất", "Giấy phép số", "Gửi bình luận", "Từ khóa", "Chia sẻ"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("site")
    build_site(root, BASE)
    return {p.stem: p for p in sorted((root / "a").glob("*.html")) + sorted((root / "b").glob("*.html"))}


def _as_golden(article) -> dict:
    return {"url": article.url, "title": article.title, "published_at": format_ts(article.published_at),
            "updated_at": format_ts(article.updated_at), "section": article.section, "lang": article.lang,
            "text": article.text}


def test_golden_files_for_test_site_pages(pages):
    names = [n for n in pages if not n.startswith("video-")]
    assert len(names) == 8
    for name in names:
        folder = "b" if pages[name].parent.name == "b" else "a"
        article = extract_article(pages[name].read_bytes(), f"{BASE}/{folder}/{name}.html?utm_source=x")
        golden_file = GOLDEN / f"{name}.json"
        if os.environ.get("UPDATE_GOLDEN"):
            golden_file.write_text(json.dumps(_as_golden(article), ensure_ascii=False, indent=1) + "\n",
                                   encoding="utf-8")
        assert _as_golden(article) == json.loads(golden_file.read_text(encoding="utf-8")), name
        for furniture in NAV_AND_FURNITURE:
            assert furniture not in article.text, (name, furniture)


def test_canonical_link_is_honoured(pages):
    page = pages["le-hoi-den-thuong-thu-hut-hang-nghin-du-khach-100103"]
    article = extract_article(page.read_bytes(), "http://mirror.test/copy?id=1&fbclid=abc")
    assert article.url == f"{BASE}/a/le-hoi-den-thuong-thu-hut-hang-nghin-du-khach-100103.html"


def test_windows_1258_page_is_decoded_to_nfc(pages):
    page = pages["cho-phien-bac-ha-vao-mua-du-lich-100106"]
    raw = page.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    article = extract_article(raw, f"{BASE}/a/x.html")
    assert article.title == "Chợ phiên Bắc Hà rộn ràng vào mùa du lịch"
    assert "thắng cố, phở chua và rượu ngô men lá" in article.text


def test_decode_html_turns_combining_tones_into_nfc():
    raw = to_cp1258("<p>Lào Cai: mưa lũ, sạt lở ở Sa Pa</p>")
    assert "\u0300" not in decode_html(raw, "windows-1258")
    assert decode_html(raw, "windows-1258") == "<p>Lào Cai: mưa lũ, sạt lở ở Sa Pa</p>"


def test_short_page_is_an_extraction_failure(pages):
    with pytest.raises(ExtractionError) as info:
        extract_article(pages["video-toan-canh-mua-lu-100199"].read_bytes(), f"{BASE}/a/v.html")
    assert "too short" in str(info.value) and info.value.chars < 200


def test_not_html_is_an_extraction_failure():
    with pytest.raises(ExtractionError):
        extract_article(b"", "http://x.test/a")


# Real pages saved by others (read from ../shared, never copied into the repo).
TUOITRE = "http://tuoitre.vn/tin/chinh-tri-xa-hoi/20150323/chat-cay-xanh-ha-noi/724115.html"


@pytest.mark.parametrize("name", ["tuoitre_4", "tuoitre_6"])
def test_real_tuoitre_article(name):
    article = extract_article((SHARED / f"{name}.html").read_bytes(), TUOITRE)
    assert article.title == "Thanh tra vụ chặt cây xanh Hà Nội trong 30 ngày"
    assert article.published_at is not None and format_ts(article.published_at).startswith("2015-03-23")
    assert "Chủ tịch UBND TP Hà Nội Nguyễn Thế Thảo đã quyết định thành lập đoàn thanh tra liên ngành" in article.text
    assert "Chậm nhất trong 30 ngày phải báo cáo kết quả cho UBND TP." in article.text
    assert article.lang == "vi"
    assert article.url == TUOITRE
    for nav in ("Đăng nhập", "Trang chủ", "Từ khóa", "Tin liên quan", "Ý kiến bạn đọc"):
        assert nav not in article.text, nav


def test_real_vnexpress_article():
    url = "https://vnexpress.net/viet-nam-du-kien-mo-lai-toan-bo-duong-bay-quoc-te-tu-15-2-4426992.html"
    article = extract_article((SHARED / "vnexpress_3.html").read_bytes(), url)
    assert article.title == "Việt Nam dự kiến mở lại toàn bộ đường bay quốc tế từ 15/2"
    assert format_ts(article.published_at) == "2022-02-13T09:08:35Z"
    assert "Ông Đinh Việt Sơn, Phó cục trưởng Hàng không Việt Nam" in article.text
    assert article.section == "Giao thông" and article.lang == "vi" and article.url == url
    for nav in ("Trang chủ", "Đăng nhập", "Ý kiến", "Xem nhiều", "Tin liên quan"):
        assert nav not in article.text, nav


def test_homepage_is_not_taken_for_an_article():
    with pytest.raises(ExtractionError):
        article = extract_article((SHARED / "cafef_4.html").read_bytes(), "http://s.cafef.vn/x.chn")
        assert len(article.text) >= 200 and article.title  # a table page either fails or is titled
        raise ExtractionError("x", "accepted")
