"""Text normalisation: one spelling per word, pure and idempotent."""

from __future__ import annotations

import unicodedata

import pytest

from mediawatch.classifiers.normalize import EMO_NEG, EMO_POS, normalize, unify_tone_marks


@pytest.mark.parametrize("raw, expected", [
    ("hoà bình", "hòa bình"),
    ("Thuỷ điện", "Thủy điện"),
    ("khoẻ mạnh", "khỏe mạnh"),
    ("HOÀ", "HÒA"),
    ("quý khách", "quý khách"),  # qu is a consonant: the tone stays on y
    ("hoàng hôn", "hoàng hôn"),  # closed syllable: right in both styles
    ("thuý", "thúy"),
])
def test_tone_marks_take_one_placement(raw, expected):
    assert unify_tone_marks(raw) == expected
    assert normalize(raw) == expected


def test_decomposed_input_becomes_nfc():
    decomposed = unicodedata.normalize("NFD", "Đà Nẵng mưa lớn")
    assert normalize(decomposed) == "Đà Nẵng mưa lớn"
    assert unicodedata.is_normalized("NFC", normalize(decomposed))


@pytest.mark.parametrize("raw, expected", [
    ("ko biết", "không biết"),
    ("k dc", "không được"),
    ("Ko đc đâu", "không được đâu"),
    ("mua j", "mua gì"),
    ("mk vs mn", "mình với mọi người"),
    ("KH năm nay", "KH năm nay"),  # an acronym (kế hoạch), not a short form
    ("50k một suất", "50k một suất"),
])
def test_social_short_forms(raw, expected):
    assert normalize(raw) == expected


def test_emoji_and_emoticons_become_sentiment_tokens():
    assert normalize("tuyệt vời 👍❤️") == f"tuyệt vời {EMO_POS} {EMO_POS}"
    assert normalize("chán quá 😡") == f"chán quá {EMO_NEG}"
    assert normalize("vui :) buồn :(") == f"vui {EMO_POS} buồn {EMO_NEG}"
    assert normalize("giảng viên dạy hay colonsmile") == f"giảng viên dạy hay {EMO_POS}"
    assert normalize("lúc 10:30 sáng") == "lúc 10:30 sáng"  # times are not emoticons


def test_stretched_letters_and_punctuation_are_squeezed():
    assert normalize("đẹpppp quáaaa!!!!") == "đẹp quá!"
    assert normalize("năm 2000 có 1000 người") == "năm 2000 có 1000 người"  # digits are left alone
    assert normalize("xoong nồi") == "xoong nồi"  # a real double letter


def test_idempotent_and_empty():
    text = "Hoà ko dc 😡 quáaaa :)) thuỷ lợi"
    once = normalize(text)
    assert normalize(once) == once
    assert normalize("") == ""
    assert normalize("   ") == ""


def test_lines_are_kept():
    assert normalize("Tiêu đề\n  nội dung  ") == "Tiêu đề\nnội dung"
