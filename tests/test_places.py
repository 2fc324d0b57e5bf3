"""Places: the gazetteer (old and new units) and the is-it-about-the-province decision."""

from __future__ import annotations

import pytest

from mediawatch.classifiers.places import PlaceMatcher, is_about_province, load_gazetteer, strip_marks
from mediawatch.document import Document, Source
from mediawatch.errors import ConfigError
from mediawatch.settings import ProvinceSettings, Settings


@pytest.fixture(scope="module")
def laocai() -> PlaceMatcher:
    return PlaceMatcher("Lào Cai")


def test_gazetteer_has_both_structures() -> None:
    gaz = load_gazetteer()
    assert len(set(gaz.provinces.values())) == 34
    assert len(gaz.merged_into) == 63
    assert gaz.merged_into["Yên Bái"] == "Lào Cai"
    assert gaz.merged_into["Hà Giang"] == "Tuyên Quang"
    assert gaz.former_of("Lào Cai") == ["Yên Bái"]
    assert strip_marks("Đà Nẵng, Lũ QUÉT") == "Da Nang, Lu QUET"


@pytest.mark.parametrize("text,about,places", [
    ("Mưa lớn ở Lào Cai", True, ["Lào Cai"]),
    ("lu quet o lao cai", True, ["Lào Cai"]),  # no diacritics, lower case
    ("Mưa lớn ở Yên Bái gây sạt lở", True, ["Lào Cai", "Yên Bái"]),  # former province
    ("YEN BAI: nuoc song Hong dang cao", True, ["Lào Cai", "Yên Bái"]),
    ("Lũ quét tại xã Mường Hum, huyện Bát Xát", True, ["Lào Cai", "Mường Hum", "Bát Xát"]),
    ("Thị xã Nghĩa Lộ ngập nặng", True, ["Lào Cai", "Yên Bái", "Nghĩa Lộ"]),  # former district of Yên Bái
    ("Bão gây thiệt hại ở Văn Chấn", True, ["Lào Cai", "Yên Bái", "Văn Chấn"]),  # bare, unique
    ("Du khách đổ về Sa Pa", True, ["Lào Cai", "Sa Pa"]),
    ("xã Võ Lao bị cô lập", False, []),  # Võ Lao: Lào Cai and formerly Phú Thọ
    ("xã Võ Lao, tỉnh Lào Cai bị cô lập", True, ["Lào Cai", "Võ Lao"]),
    ("xã Võ Lao (Văn Bàn) bị cô lập", True, ["Lào Cai", "Võ Lao", "Văn Bàn"]),  # a unique unit is a cue
    ("Xã Tân Phong bị ngập", False, []),  # exists in Lai Châu and Sơn La, not here
    ("Hà Nội mưa lớn", False, ["Hà Nội"]),
    ("Hà Giang sạt lở", False, ["Tuyên Quang", "Hà Giang"]),
    ("hòa bình thế giới là mong ước chung", False, []),  # "peace", not the former province
    ("Ông Lê Lợi phát biểu tại hội nghị", False, []),
    ("Tỉnh Hòa Bình (cũ) có mưa", False, ["Phú Thọ", "Hòa Bình"]),
])
def test_about_lao_cai(laocai: PlaceMatcher, text: str, about: bool, places: list[str]) -> None:
    result = laocai.classify("", text)
    assert result.about is about, result
    assert result.places == places


def test_title_counts_and_document_helper() -> None:
    doc = Document(id="1", url="u", source=Source(id="s"), title="Sạt lở ở Bắc Hà", text="Đường bị chặn.")
    assert is_about_province(doc)
    other = Document(id="2", url="u", source=Source(id="s"), title="Cần Thơ", text="Ngập nặng ở Ninh Kiều.")
    assert not is_about_province(other)
    assert is_about_province(other, "Cần Thơ")


def test_aliases_and_former_names_from_settings() -> None:
    matcher = PlaceMatcher.from_settings(Settings(province=ProvinceSettings(name="Lào Cai", aliases=["LCI"])))
    assert matcher.classify("", "Tin nhanh LCI hôm nay").about


def test_unknown_or_former_province_is_refused_with_a_fix() -> None:
    with pytest.raises(ConfigError, match="part of Lào Cai"):
        PlaceMatcher("Yên Bái")
    with pytest.raises(ConfigError) as info:
        PlaceMatcher("Atlantis")
    assert "province.name" in str(info.value)
