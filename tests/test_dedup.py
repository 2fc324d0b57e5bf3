"""Near-duplicate fingerprints and the persisted index."""

from __future__ import annotations

from pathlib import Path

from mediawatch.crawlers.dedup import MAX_DISTANCE, FingerprintIndex, distance, simhash, to_hex
from mediawatch.crawlers.extract import extract_article
from mediawatch.store import open_store
from tests.site.build import build_site


def _articles(tmp_path: Path) -> dict[str, str]:
    build_site(tmp_path, "http://bao.test")
    texts = {}
    for page in list((tmp_path / "a").glob("*-1001??.html")) + list((tmp_path / "b").glob("*.html")):
        if "video" not in page.name:
            texts[page.stem] = extract_article(page.read_bytes(), f"http://bao.test/{page.name}").text
    return texts


def test_simhash_ignores_case_diacritics_and_spacing():
    text = "Mưa lũ gây sạt lở nghiêm trọng trên Quốc lộ 4D qua Sa Pa, giao thông ách tắc nhiều giờ."
    assert simhash(text) == simhash("MUA LU gay sat lo  nghiem trong tren quoc lo 4d qua sa pa giao thong ach tac nhieu gio")
    assert simhash("") == 0 and len(to_hex(simhash(text))) == 16


def test_syndicated_copy_is_near_and_unrelated_articles_are_far(tmp_path):
    texts = _articles(tmp_path)
    original = texts["mua-lu-gay-sat-lo-tren-quoc-lo-4d-qua-sa-pa-100101"]
    copy = texts["sat-lo-nghiem-trong-o-sa-pa-giao-thong-te-liet-200201"]
    assert distance(simhash(original), simhash(copy)) <= MAX_DISTANCE
    same_story = [{"mua-lu-gay-sat-lo-tren-quoc-lo-4d-qua-sa-pa-100101",
                   "sat-lo-nghiem-trong-o-sa-pa-giao-thong-te-liet-200201"},
                  {"nong-dan-bac-ha-duoc-mua-man-tam-hoa-100104", "nong-dan-bac-ha-duoc-mua-man-tam-hoa-100104-b"}]
    names = sorted(texts)
    assert len(names) == 8
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if {a, b} in same_story:
                continue
            assert distance(simhash(texts[a]), simhash(texts[b])) > MAX_DISTANCE + 6, (a, b)


def test_index_finds_earlier_original_and_persists(tmp_path):
    index = FingerprintIndex()
    base = simhash("Một bài viết về lễ hội Đền Thượng thu hút hàng nghìn du khách đến dâng hương và xem hội.")
    index.add("orig", base)
    near = base ^ 0b1011  # three bits away
    assert index.find(near) == "orig"
    assert index.find(base, exclude="orig") is None
    assert index.find(base ^ ((1 << 40) - 1)) is None
    with open_store(f"sqlite:///{tmp_path / 'mw.db'}") as store:
        index.save(store)
        again = FingerprintIndex.load(store)
    assert again.find(near) == "orig" and not again.dirty


def test_index_grows_past_its_initial_capacity():
    index = FingerprintIndex()
    for i in range(3000):
        index.add(f"d{i}", (i * 0x9E3779B97F4A7C15) & ((1 << 64) - 1))
    assert index.find((2999 * 0x9E3779B97F4A7C15) & ((1 << 64) - 1)) == "d2999"
