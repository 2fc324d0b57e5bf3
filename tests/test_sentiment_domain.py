"""The provincial news / public-posts sentiment set: references resolve, the split is fixed, rules hold."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest

from mediawatch.classifiers.sentiment_domain import (COLUMNS, DOMAIN_FILE, digest, in_test_part,
                                                     read_domain_set)
from mediawatch.errors import ConfigError
from tests.support.paths import DATASETS, ROOT


@pytest.fixture(scope="module")
def domain():
    return read_domain_set(DATASETS)


def test_every_real_item_resolves_against_the_shared_corpora(domain):
    assert domain.unresolved == 0
    origins = Counter(item.origin for item in domain.items)
    assert len(domain.items) >= 600 and origins["real"] > origins["written"]
    by_label = Counter((item.origin, item.label) for item in domain.items)
    assert all(by_label["real", label] >= 100 for label in ("negative", "neutral", "positive"))


def test_the_file_holds_no_corpus_text():
    with DOMAIN_FILE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == COLUMNS
    real = [r for r in rows if r["origin"] == "real"]
    assert real and all(r["text"] == "" for r in real)
    assert len({r["id"] for r in rows}) == len(rows)


def test_test_part_is_a_fixed_hash_of_the_id(domain):
    test = [item for item in domain.items if in_test_part(item.id)]
    assert 0.25 < len(test) / len(domain.items) < 0.35
    assert in_test_part("vntc:XH_TT_ (2168).txt:0-10") == in_test_part("vntc:XH_TT_ (2168).txt:0-10")
    train_texts = set(domain.part(test=False).texts)
    assert len(domain.part(test=True, origin="real")) >= 120
    assert not train_texts & set(domain.part(test=True).texts)


def test_missing_or_changed_corpora_leave_real_items_out(tmp_path):
    data = tmp_path / "sentiment_domain.csv"
    first, second = "Lũ quét ở huyện miền núi.", "Đường đã thông xe trở lại."
    article = f"{first} {second}"
    end = len(first)
    rows = [
        {"id": f"vntc:a.txt:0-{end}", "origin": "real", "corpus": "vntc", "ref": "a.txt", "start": 0, "end": end,
         "check": digest(first), "label": "negative", "text": ""},
        {"id": "vntc:a.txt:x", "origin": "real", "corpus": "vntc", "ref": "a.txt", "start": end + 1,
         "end": len(article), "check": "00000000", "label": "positive", "text": ""},
        {"id": "reintel:7:0-5", "origin": "real", "corpus": "reintel", "ref": "7", "start": 0, "end": 5,
         "check": "00000000", "label": "neutral", "text": ""},
        {"id": "written:001", "origin": "written", "corpus": "", "ref": "", "start": "", "end": "",
         "check": digest("Lễ hội vui quá"), "label": "positive", "text": "Lễ hội vui quá"},
    ]
    with data.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    (tmp_path / "vntc").mkdir()
    (tmp_path / "vntc" / "sample.jsonl").write_text(
        json.dumps({"text": article, "label": "Doi song", "file": "a.txt"}, ensure_ascii=False) + "\n", encoding="utf-8")
    got = read_domain_set(tmp_path, data)
    assert [(i.text, i.label) for i in got.items] == [(first, "negative"), ("Lễ hội vui quá", "positive")]
    assert got.unresolved == 2  # a changed span, and a corpus (reintel/) that is not there

    rows[3]["label"] = "good"
    with data.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(ConfigError, match="line 5"):
        read_domain_set(tmp_path, data)


def test_labelling_rules_are_written_down():
    rules = (ROOT / "docs" / "sentiment-labelling.md").read_text(encoding="utf-8")
    for needle in ("Nậm Chăn 2", "Nghĩa Lộ", "Quốc lộ 4D", "xả tràn", "origin=written"):
        assert needle in rules
