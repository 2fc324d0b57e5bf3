"""Language identification on hand-written sentences and on real Vietnamese data."""

from __future__ import annotations

import csv
import json
from itertools import islice

import pytest

from tests.support.paths import DATASETS as DEFAULT_DATASETS
from mediawatch.classifiers.language import detect_language
from mediawatch.text import fold

ENGLISH = [
    "Floods have destroyed hundreds of homes in the northern provinces this week.",
    "The provincial council will meet on Monday to discuss the annual budget.",
    "I think this is the best phone I have ever bought.",
    "Residents are angry about the slow response after the storm.",
    "Where can I find the form for registering a business?",
    "Thanks for sharing, this is really helpful",
]
OTHER = [
    "Les inondations ont détruit des centaines de maisons dans le nord du pays.",
    "Las autoridades locales evacuaron a miles de personas por el tifón.",
    "Banjir besar melanda beberapa desa dan ribuan warga harus mengungsi.",
    "洪水摧毁了北部省份的数百所房屋。",
    "Наводнение разрушило сотни домов в северных провинциях.",
    "台風で多くの家屋が被害を受けました。",
    "",
    "12345 !!! ...",
]
VIETNAMESE = [
    "Mưa lớn gây ngập sâu nhiều tuyến đường ở trung tâm thành phố.",
    "UBND tỉnh họp khẩn về công tác phòng chống bão số 3.",
    "ko biet dc j luon, chan qua",  # typed without diacritics
    "khong co nuoc sach de dung may ngay nay roi",
    "Sản phẩm tốt, giao hàng nhanh",
    "đẹp",
]


@pytest.mark.parametrize("text", ENGLISH)
def test_english(text):
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", OTHER)
def test_other(text):
    assert detect_language(text) == "other"


@pytest.mark.parametrize("text", VIETNAMESE)
def test_vietnamese(text):
    assert detect_language(text) == "vi"


def _texts(path, column, n=400):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [row[column] for row in islice(csv.DictReader(fh), n)]


def test_real_vietnamese_is_recognised():
    """Real posts, reviews and news (with and without diacritics) are overwhelmingly 'vi'."""
    sets = {
        "vlsp": _texts(DEFAULT_DATASETS / "vlsp2016_sa" / "train.csv", "text"),
        "aivivn": _texts(DEFAULT_DATASETS / "aivivn2019_sa" / "train.csv", "text"),
        "reintel": [t for t in _texts(DEFAULT_DATASETS / "reintel" / "train.csv", "post_message")
                    if len(t.split()) >= 5],
    }
    with (DEFAULT_DATASETS / "vntc" / "sample.jsonl").open(encoding="utf-8") as fh:
        news = [json.loads(line)["text"][:400] for line in islice(fh, 400)]
    sets["vntc"] = news
    sets["vntc_folded"] = [fold(t) for t in news]
    for name, texts in sets.items():
        share = sum(detect_language(t) == "vi" for t in texts) / len(texts)
        floor = 0.95 if name == "vntc_folded" else 0.97
        assert share >= floor, (name, share)
