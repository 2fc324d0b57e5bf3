"""The gazetteer: every province, district and commune name, old and new, and how to compare spellings.

It is built from the SQLite data bundled with ``vietnamadminunits``: the 34 provinces and their
communes/wards since the July 2025 reform, and the 63 legacy provinces with their districts and
wards, linked old -> new through the package's conversion table. A few older names that news still
uses (Hà Tây until 2008, Hoàng Liên Sơn until 1991) are added as former provinces for matching only.

Names are indexed without diacritics ("lao cai"), so unaccented text finds them; when the text has
diacritics, :func:`spelling` decides whether the words are really that name ("Văn Bàn" is not
"văn bản", "Bắc Hà" is not "bạc hà").
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from mediawatch.errors import ConfigError
from mediawatch.text import fold

# Names older than the package's legacy structure that 2000s news still uses, with their province
# today. They are matched as former provinces but are not "merged into" anything for init/settings.
HISTORICAL_PROVINCES = {"Hà Tây": "Hà Nội", "Hoàng Liên Sơn": "Lào Cai", "Vĩnh Phú": "Phú Thọ",
                        "Hà Sơn Bình": "Phú Thọ", "Bắc Cạn": "Thái Nguyên", "Đắc Lắc": "Đắk Lắk"}
# Foreign places that begin with the last syllable of a Vietnamese unit name: "phía Bắc Hà Lan"
# is the north of the Netherlands, not the district Bắc Hà.
FOREIGN_PLACES = ("Hà Lan", "Hàn Quốc", "Trung Quốc", "Nhật Bản", "Thái Lan", "Đài Loan",
                  "Hồng Kông", "Ma Cao", "Triều Tiên", "Ấn Độ", "Bắc Kinh", "Quảng Tây", "Vân Nam",
                  "Quảng Đông", "Thượng Hải", "Hải Nam")


def _strip_table() -> dict[int, str]:
    """A one-to-one character map to the base letter, keeping case (so offsets and capitals survive)."""
    table: dict[int, str] = {}
    for code in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)[0]
        if base != ch and base.isascii():
            table[code] = base
    table.update({ord("đ"): "d", ord("Đ"): "D"})
    return table


STRIP = _strip_table()


def strip_marks(text: str) -> str:
    """Remove Vietnamese diacritics character by character, keeping case."""
    return unicodedata.normalize("NFC", text).translate(STRIP)


# The five tone marks. Old and new orthography put them on different vowels ("hoà" / "hòa",
# "thuỷ" / "thủy"), so a spelling key moves the tone to the end of its syllable.
_TONES = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}


_VOWELS = frozenset("aeiouy")
_HATS = frozenset("\u0302\u0306\u031b")  # circumflex, breve, horn


@lru_cache(maxsize=65536)
def spelling(text: str, hats: bool = True) -> str:
    """A key that compares words by their letters and tones, not by where the tone mark sits.

    Old and new orthography put the tone on different vowels ("hoà" / "hòa") and swap a final "y"
    and "i" after a consonant ("Kỳ" / "Kì"); the key ignores both. With ``hats=False`` the vowel
    hats are left out too: tones tell places from words ("Bắc Hà" / "bạc hà", "Điện Biên" /
    "diễn biến"), but hats vary between sources of names ("Mù Cang Chải" / "Mù Căng Chải").
    Everyday words keep them ("phố" is a street, "phó" a deputy).
    """
    syllables: list[str] = []
    letters: list[str] = []
    tone = ""

    def close() -> None:
        if not letters:
            return
        if letters[-1] == "y" and len(letters) > 1 and (letters[-2] not in _VOWELS | _HATS or letters[:-1] == ["q", "u"]):
            letters[-1] = "i"
        syllables.append("".join(letters) + tone)
        letters.clear()

    for ch in unicodedata.normalize("NFD", text.lower()):
        if ch in _TONES:
            tone = _TONES[ch]
        elif ch.isalnum() or (hats and unicodedata.combining(ch)):
            letters.append(ch)
        elif not unicodedata.combining(ch):
            close()
            tone = ""
    close()
    return " ".join(syllables)


@dataclass(frozen=True, slots=True)
class Unit:
    name: str  # display name with diacritics, e.g. "Văn Chấn"
    level: str  # province | former_province | ward | former_district | former_ward
    province: str  # the new (2025) province's short name
    former_province: str | None  # the legacy province for former units, else None

    @property
    def is_province(self) -> bool:
        return self.level in ("province", "former_province")

    @property
    def rank(self) -> int:
        """0 commune/ward, 1 district, 2 province: a parent must rank above its child."""
        return 2 if self.is_province else 1 if self.level == "former_district" else 0


@dataclass
class Gazetteer:
    index: dict[str, list[Unit]] = field(default_factory=dict)  # folded name -> units
    provinces: dict[str, str] = field(default_factory=dict)  # folded new name -> display
    merged_into: dict[str, str] = field(default_factory=dict)  # legacy display -> new display
    max_words: int = 1
    first_words: dict[str, int] = field(default_factory=dict)  # a name's first word -> longest name (words)
    # Folded names of provinces (new, legacy, historical), districts and foreign places: a unit
    # name that runs into one of them ("Bắc" + "Hà Nội") is part of that name, not a unit.
    big_names: set[str] = field(default_factory=set)
    # One-word names, and the first two words of longer ones: most words of a text start no
    # name, and these two sets let the scan skip them without building candidate keys.
    singles: set[str] = field(default_factory=set)
    openings: set[str] = field(default_factory=set)

    def add(self, key: str, unit: Unit) -> None:
        key = fold(key)
        if not key:
            return
        bucket = self.index.setdefault(key, [])
        if unit not in bucket:
            bucket.append(unit)
        words = key.split(" ")
        n = len(words)
        self.max_words = max(self.max_words, n)
        self.first_words[words[0]] = max(self.first_words.get(words[0], 0), n)
        if n == 1:
            self.singles.add(key)
        else:
            self.openings.add(f"{words[0]} {words[1]}")
        if unit.level != "ward" and unit.level != "former_ward":
            self.big_names.add(key)

    def former_of(self, province: str) -> list[str]:
        return sorted(old for old, new in self.merged_into.items() if new == province and old != province)


def _admin_db() -> str:
    return str(resources.files("vietnamadminunits").joinpath("data/dataset.db"))


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    gaz = Gazetteer()
    conv = json.loads(resources.files("vietnamadminunits").joinpath("data/converter_2025.json")
                      .read_text(encoding="utf-8"))["DICT_PROVINCE"]
    legacy_to_new_key = {old: new for new, olds in conv.items() for old in olds}
    with sqlite3.connect(f"file:{_admin_db()}?mode=ro", uri=True) as conn:
        new_names = dict(conn.execute("SELECT DISTINCT provinceKey, provinceShort FROM admin_units"))
        for key, short in new_names.items():
            gaz.provinces[fold(short)] = short
            gaz.add(short, Unit(short, "province", short, None))
        for province, ward in conn.execute("SELECT provinceShort, wardShort FROM admin_units"):
            gaz.add(ward, Unit(ward, "ward", province, None))
        legacy = conn.execute("SELECT provinceKey, provinceShort, districtShort, wardShort, districtType "
                              "FROM admin_units_legacy")
        for pkey, province, district, ward, _dtype in legacy:
            new = new_names.get(legacy_to_new_key.get(pkey, ""), None)
            if new is None:
                continue
            gaz.merged_into[province] = new
            gaz.add(province, Unit(province, "province" if province == new else "former_province", new,
                                   None if province == new else province))
            if district:
                gaz.add(district, Unit(district, "former_district", new, province))
            if ward:
                gaz.add(ward, Unit(ward, "former_ward", new, province))
    for old, new in HISTORICAL_PROVINCES.items():
        gaz.add(old, Unit(old, "former_province", new, old))
    # Provinces and districts are often written in one word ("Sapa", "Halong", "Laocai").
    for units in list(gaz.index.values()):
        for unit in units:
            if unit.level in ("province", "former_province", "former_district") and " " in unit.name.strip():
                gaz.add(unit.name.replace(" ", ""), unit)
    gaz.big_names.update(fold(name) for name in FOREIGN_PLACES)
    return gaz


@lru_cache(maxsize=1)
def provinces_by_name() -> dict[str, str]:
    """Every province name as places are tagged, the 34 since July 2025 and the 63 before -> the
    current province. Read from the province columns alone: cheap enough to check a configuration."""
    conv = json.loads(resources.files("vietnamadminunits").joinpath("data/converter_2025.json")
                      .read_text(encoding="utf-8"))["DICT_PROVINCE"]
    legacy_to_new_key = {old: new for new, olds in conv.items() for old in olds}
    with sqlite3.connect(f"file:{_admin_db()}?mode=ro", uri=True) as conn:
        new_names = dict(conn.execute("SELECT DISTINCT provinceKey, provinceShort FROM admin_units"))
        legacy = list(conn.execute("SELECT DISTINCT provinceKey, provinceShort FROM admin_units_legacy"))
    out = {name: name for name in new_names.values()}
    for key, name in legacy:
        new = new_names.get(legacy_to_new_key.get(key, ""))
        if new is not None:
            out.setdefault(name, new)
    return out


@lru_cache(maxsize=1)
def province_names() -> dict[str, str]:
    """Every province name (folded, current and pre-2025) -> the current province."""
    return {fold(name): new for name, new in provinces_by_name().items()}


def current_province(name: str) -> str:
    """The display name of a current province; a ConfigError that says how to fix anything else."""
    names = province_names()
    display = names.get(fold(name))
    if display is not None and fold(display) == fold(name):
        return display
    hint = f"; since July 2025 it is part of {display}" if display else ""
    raise ConfigError(f"province {name!r} is not one of the 34 provinces{hint}",
                      fix=f"set province.name to the province's current name, e.g. \"{display or 'Lào Cai'}\"")
