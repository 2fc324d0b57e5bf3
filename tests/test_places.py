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


# Every phrase quoted in issue 11 names a district or commune of Lào Cai (old or new) that is not
# a place here: a person, a company, a street, part of another name, a unit of another province.
@pytest.mark.parametrize("text", [
    "Theo điều tra viên Nguyễn Văn Yên, vụ án đã được khởi tố.",
    "Tổng giám đốc Trần Bắc Hà cho biết ngân hàng sẽ tăng vốn điều lệ.",
    "Công ty TNHH Bắc Hà tổ chức hội chợ tại Hà Nội. Lãnh đạo Công ty Bắc Hà đi vắng.",
    "Mưa lớn ở phía Bắc Hà Lan làm ngập nhiều thành phố.",
    "Cầu thủ Trần Bảo Thắng ghi bàn ở phút 89. Bảo Thắng sau đó được thay ra.",
    "Ông Nguyễn Văn Bàn, trú tại Hà Đông, đã bị bắt.",
    "Ông Bắc Hà cho biết sẽ kháng cáo.",  # an honorific at the start of a sentence
    "Sóng biển tràn qua đê Văn Chấn - Hoàng Châu (Cát Hải), khiến 50 m đê bị vỡ.",
    "Tại Cát Hải, sóng biển tràn qua đê Văn Chấn - Hoàng Châu, khiến 50 m đê bị vỡ.",
    "Cửa hàng ở số 12 phố Yên Bái, quận Hai Bà Trưng, Hà Nội đã đóng cửa.",
    "Quán cà phê 45 Yên Bái, Hải Châu, Đà Nẵng luôn đông khách.",
    "Khu vực phía Bắc Hà Nội và Bắc Hà Tây mưa to.",
    "Trước đó, chị mua ít bạc hà và văn bản được gửi tới Việt Nam. Có người đến xem.",  # words, not names
    "Khu đô thị nằm xa trung tâm thành phố.",  # "xa" is far, not xã Trung Tâm
    "Chiếc Ford của ông ở hồ bơi Vân Đồn (Q.4) bị lấy mất.",  # numbered district: TP.HCM
    'Phim "Ký ức Điện Biên" được chiếu ở Buôn Ma Thuột. Bộ phim Ký ức Điện Biên đoạt giải.',
])
def test_issue_collisions_do_not_tag_lao_cai(laocai: PlaceMatcher, text: str) -> None:
    result = laocai.classify("", text)
    assert not result.about, result
    assert "Lào Cai" not in result.places


@pytest.mark.parametrize("text,places", [
    ("Lũ quét ở huyện Bắc Hà, tỉnh Lào Cai.", ["Lào Cai", "Bắc Hà"]),
    ("Sạt lở ở xã Bảo Thắng.", ["Lào Cai", "Bảo Thắng"]),  # the 2025 commune named after the district
    ("Du khách đổ về Sapa dịp Tết.", ["Lào Cai", "Sa Pa"]),  # written in one word
    ("Mưa lớn ở Yên Bái.", ["Lào Cai", "Yên Bái"]),
    ("Thị xã Nghĩa Lộ ngập nặng.", ["Lào Cai", "Yên Bái", "Nghĩa Lộ"]),
    ("Mùa lúa chín ở Mù Cang Chải.", ["Lào Cai", "Yên Bái", "Mù Cang Chải"]),  # gazetteer spells "Căng"
    ("Xã Quang Kim (huyện Bát Xát) bị ngập.", ["Lào Cai", "Quang Kim", "Bát Xát"]),
    ("Khách đi chợ phiên Mường Hum rồi lên Y Tý.", ["Lào Cai", "Mường Hum", "Y Tý"]),  # a landmark, two communes
    ("Giá vé tàu đi Lào cai tăng.", ["Lào Cai"]),  # a province from its first capital
    ("LŨ QUÉT Ở MÙ CANG CHẢI", ["Lào Cai", "Yên Bái", "Mù Cang Chải"]),
    ("Tuyến đường sắt Hà Nội - Lào Cai bị sạt lở.", ["Lào Cai", "Hà Nội"]),
    ("Chủ tịch UBND huyện Sa Pa Hầu A Lềnh (33 tuổi, Lào Cai).", ["Lào Cai", "Sa Pa"]),
])
def test_lao_cai_is_still_found(laocai: PlaceMatcher, text: str, places: list[str]) -> None:
    result = laocai.classify("", text)
    assert result.about, result
    assert result.places == places


def test_one_commune_alone_is_not_enough(laocai: PlaceMatcher) -> None:
    # "Tú Lệ" is a commune of Lào Cai and an actress; one bare commune needs a second cue.
    assert not laocai.classify("", "Góp mặt có Thanh Hoài, Tú Lệ, Việt Hà, Minh Đạt.").about
    assert laocai.classify("", "Từ Tú Lệ, khách đi tiếp lên Nậm Có.").about


def test_spelling_keys_ignore_tone_position_and_hats_but_not_tones() -> None:
    from mediawatch.classifiers.places import spelling

    assert spelling("Thuỷ Nguyên") == spelling("Thủy Nguyên") and spelling("Kỳ Sơn") == spelling("Kì Sơn")
    assert spelling("Mù Cang Chải", hats=False) == spelling("Mù Căng Chải", hats=False)
    assert spelling("Bắc Hà", hats=False) != spelling("bạc hà", hats=False)
    assert spelling("phố") != spelling("phó")  # context words keep their hats


def test_other_watched_provinces_use_the_same_evidence() -> None:
    quang_ninh = PlaceMatcher("Quảng Ninh")
    assert quang_ninh.classify("", "Hoa hậu tập huấn trên đảo Tuần Châu.").about  # landmark + commune
    assert not quang_ninh.classify("", "Trợ lý HLV Lê Quang Ninh rời đội.").about
    assert not quang_ninh.classify("", "Biên phòng huyện Quảng Ninh (Quảng Bình) giải cứu con tin.").about
    dien_bien = PlaceMatcher("Điện Biên")
    assert not dien_bien.classify("", "Cửa hàng kính trên đường Điện Biên Phủ, Phạm Ngọc Thạch. "
                                      "Hàng cây Điện Biên Phủ rất đẹp.").about  # a street, twice
    assert not dien_bien.classify("", "Tình hình diễn biến phức tạp.").about
    assert dien_bien.classify("", "Cuộc đua xe đạp về Điện Biên Phủ kết thúc.").about
