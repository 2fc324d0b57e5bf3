"""Places: is a document about the watched province, and which units does it name?

The gazetteer is built from the SQLite data bundled with ``vietnamadminunits``: the 34 provinces
and their communes/wards since the July 2025 reform, and the 63 legacy provinces with their
districts and wards, linked old -> new through the package's conversion table. Names are matched
without diacritics (so "lao cai" and "Lào Cai" are the same), longest name first.

Many commune names repeat across provinces ("Tân Phong", "Hòa Bình"), so a unit counts only when
the context disambiguates it:

* a province name (new, or a former one merged into it) always counts;
* "xã/phường/huyện/thị xã/... X" counts when X exists only in one new province, or when that
  province is also named (a "province cue") in the same document;
* a bare unit name (no "xã"/"huyện" before it) counts only if it is written capitalised, has at
  least two syllables, is unique nationwide and is not a street or a person ("đường Lê Lợi").
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Iterable

from mediawatch.errors import ConfigError
from mediawatch.text import fold

# Unit-type words as they appear before a name (folded), longest first.
_WARD_TYPES = ("thi tran", "dac khu", "phuong", "xa")
_DISTRICT_TYPES = ("thanh pho", "thi xa", "huyen", "quan", "tp")
_PROVINCE_TYPES = ("thanh pho", "tinh", "tp")
# Words before a name that make it a street, a person or a market rather than a place.
_NOT_A_PLACE_BEFORE = {"duong", "pho", "ngo", "hem", "ong", "ba", "anh", "chi", "em", "cau", "cho",
                       "dai", "tuong", "dong", "chu", "so", "nha", "truong", "benh", "vien", "khach", "san"}
_WORD = re.compile(r"[0-9A-Za-z]+")
_TYPE_STARTS = {"tinh", "xa", "phuong", "huyen", "quan", "tp"}
_TYPE_PAIRS = {"thi tran", "dac khu", "thanh pho", "thi xa"}
# Province names that are also everyday words ("hòa bình" = peace): never matched from
# lower-case text alone.
_COMMON_WORD_PROVINCES = {"hoa binh", "thai binh", "vinh phuc", "binh dinh", "hung yen", "ninh binh"}


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


_STRIP = _strip_table()


def strip_marks(text: str) -> str:
    """Remove Vietnamese diacritics character by character, keeping case."""
    return unicodedata.normalize("NFC", text).translate(_STRIP)


@dataclass(frozen=True, slots=True)
class Unit:
    name: str  # display name with diacritics, e.g. "Văn Chấn"
    level: str  # province | former_province | ward | former_district | former_ward
    province: str  # the new (2025) province's short name
    former_province: str | None  # the legacy province for former units, else None

    @property
    def is_province(self) -> bool:
        return self.level in ("province", "former_province")


@dataclass
class Gazetteer:
    index: dict[str, list[Unit]] = field(default_factory=dict)  # folded name -> units
    provinces: dict[str, str] = field(default_factory=dict)  # folded new name -> display
    merged_into: dict[str, str] = field(default_factory=dict)  # legacy display -> new display
    max_words: int = 1
    first_words: dict[str, int] = field(default_factory=dict)  # a name's first word -> longest name (words)

    def add(self, key: str, unit: Unit) -> None:
        key = fold(key)
        if not key:
            return
        bucket = self.index.setdefault(key, [])
        if unit not in bucket:
            bucket.append(unit)
        n = key.count(" ") + 1
        self.max_words = max(self.max_words, n)
        first = key.split(" ", 1)[0]
        self.first_words[first] = max(self.first_words.get(first, 0), n)

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


@dataclass(frozen=True, slots=True)
class Mention:
    units: tuple[Unit, ...]
    type_word: str | None  # "xa", "huyen", "tinh"... written before the name, if any
    capitalised: bool
    before: str  # the word before the name, lower-case without diacritics


@dataclass(slots=True)
class PlaceResult:
    about: bool
    places: list[str]
    evidence: list[str]  # why it is about the province, for reviewers and tests


def _type_before(lower: list[str], i: int) -> str | None:
    if i >= 2 and f"{lower[i - 2]} {lower[i - 1]}" in ("thi tran", "dac khu", "thanh pho", "thi xa"):
        return f"{lower[i - 2]} {lower[i - 1]}"
    if i >= 1 and lower[i - 1] in ("phuong", "xa", "huyen", "quan", "tp", "tinh"):
        return lower[i - 1]
    return None


def _exact(units: list[Unit], raw: str) -> tuple[Unit, ...]:
    """When the text carries diacritics, prefer the units spelled exactly so ("Văn Bàn", not "Vân Bán")."""
    if raw.isascii():
        return tuple(units)
    wanted = " ".join(raw.lower().split())
    exact = [u for u in units if u.name.lower() == wanted]
    return tuple(exact or units)


def find_mentions(text: str, gaz: Gazetteer) -> list[Mention]:
    text = unicodedata.normalize("NFC", text)
    spans = [m.span() for m in _WORD.finditer(text.translate(_STRIP))]
    words = [text[a:b].translate(_STRIP) for a, b in spans]
    lower = [w.lower() for w in words]
    out: list[Mention] = []
    i = 0
    while i < len(words):
        # A type word ("tỉnh", "xã", "thị xã"...) introduces the next name; it never starts one
        # ("Tỉnh Hòa Bình" is not the ward "Tịnh Hòa" followed by "Bình").
        if lower[i] in _TYPE_STARTS or f"{lower[i]} {lower[i + 1] if i + 1 < len(lower) else ''}" in _TYPE_PAIRS:
            i += 1
            continue
        longest = gaz.first_words.get(lower[i])
        if longest is None:
            i += 1
            continue
        for n in range(min(longest, len(words) - i), 0, -1):
            units = gaz.index.get(" ".join(lower[i:i + n]))
            if units:
                capitalised = all(w[0].isupper() or w[0].isdigit() for w in words[i:i + n])
                raw = text[spans[i][0]:spans[i + n - 1][1]]
                out.append(Mention(_exact(units, raw), _type_before(lower, i), capitalised, lower[i - 1] if i else ""))
                i += n
                break
        else:
            i += 1
    return out


class PlaceMatcher:
    """Decides whether documents are about one province; built once, shared across batches."""

    def __init__(self, province: str, former_names: Iterable[str] = (), aliases: Iterable[str] = (),
                 gazetteer: Gazetteer | None = None):
        self.gaz = gazetteer or load_gazetteer()
        display = self.gaz.provinces.get(fold(province))
        if display is None:
            # A name the gazetteer does not know (a typo, or a former province): say how to fix it.
            merged = {fold(k): v for k, v in self.gaz.merged_into.items()}.get(fold(province))
            hint = f"; since July 2025 it is part of {merged}" if merged else ""
            raise ConfigError(f"province {province!r} is not one of the 34 provinces{hint}",
                              fix="set province.name to the province's current name, e.g. \"Lào Cai\"")
        self.province = display
        self.former = sorted(set(self.gaz.former_of(display)) | set(former_names))
        self.province_keys = {fold(display)} | {fold(f) for f in self.former} | {fold(a) for a in aliases}
        self.alias_keys = {fold(a) for a in aliases}

    @classmethod
    def from_settings(cls, settings) -> "PlaceMatcher":
        p = settings.province
        return cls(p.name, p.former_names, p.aliases)

    def _accept(self, m: Mention, all_lower: bool) -> list[Unit]:
        """The units a mention stands for, or [] when the context does not make it a place."""
        provinces = [u for u in m.units if u.is_province]
        if m.type_word in _PROVINCE_TYPES and provinces and m.type_word != "thanh pho" or (
                m.type_word is None and provinces and (
                m.capitalised or (all_lower and fold(provinces[0].name) not in _COMMON_WORD_PROVINCES))):
            return provinces[:1]
        if m.type_word in _WARD_TYPES:
            return [u for u in m.units if u.level in ("ward", "former_ward")]
        if m.type_word in _DISTRICT_TYPES:
            found = [u for u in m.units if u.level == "former_district"]
            if not found and m.type_word in ("thanh pho", "tp"):
                found = provinces[:1]
            return found
        return []

    def classify(self, title: str, text: str) -> PlaceResult:
        body = f"{title}\n{text}" if title else text
        all_lower = not any(c.isupper() for c in body)
        mentions = find_mentions(body, self.gaz)
        cue = False
        accepted: list[tuple[Mention, list[Unit]]] = []
        for m in mentions:
            units = self._accept(m, all_lower)
            if not units and m.type_word is None and m.capitalised:
                units = self._bare_unit(m)
            if not units:
                continue
            accepted.append((m, units))
            # The province, a former province or a unit found only in the province is a cue that
            # makes ambiguous commune names elsewhere in the document count.
            if {u.province for u in units} == {self.province}:
                cue = True
        for alias in self.alias_keys:
            if alias and re.search(rf"(?<![0-9a-z]){re.escape(alias)}(?![0-9a-z])", fold(body)):
                cue = True
        about = cue
        evidence: list[str] = []
        ordered: list[str] = []

        def add(name: str | None) -> None:
            if name and name not in ordered:
                ordered.append(name)

        for m, units in accepted:
            provinces_of = {u.province for u in units}
            if provinces_of == {self.province} or (cue and self.province in provinces_of):
                mine = [u for u in units if u.province == self.province]
                unit = mine[0]
                about = True
                evidence.append(f"{m.type_word + ' ' if m.type_word else ''}{unit.name}")
                add(self.province)
                if len({u.former_province for u in mine if u.former_province}) == 1:
                    add(next(u.former_province for u in mine if u.former_province))
                if not unit.is_province:
                    add(unit.name)
            elif len(provinces_of) == 1 and units[0].is_province:
                add(units[0].province)
                add(units[0].former_province)
        if about and self.province not in ordered:
            ordered.insert(0, self.province)
        if self.province in ordered:  # the watched province first, then its former units
            ordered.remove(self.province)
            ordered.insert(0, self.province)
        return PlaceResult(about=about, places=ordered, evidence=evidence)

    def _bare_unit(self, m: Mention) -> list[Unit]:
        units = [u for u in m.units if u.level in ("ward", "former_district")]
        if not units or len({u.province for u in units}) != 1:
            return []
        units.sort(key=lambda u: u.level != "former_district")  # keeps the former province known
        name = units[0].name
        if " " not in name.strip():
            return []
        if m.before in _NOT_A_PLACE_BEFORE:
            return []
        return units[:1]

    def is_about_province(self, doc) -> bool:
        return self.classify(doc.title, doc.text).about


@lru_cache(maxsize=8)
def _matcher_for(province: str, former: tuple[str, ...], aliases: tuple[str, ...]) -> PlaceMatcher:
    return PlaceMatcher(province, former, aliases)


def is_about_province(doc, province: str = "Lào Cai", former_names: Iterable[str] = (),
                      aliases: Iterable[str] = ()) -> bool:
    """Whether ``doc`` is about ``province``; the caller hands the names (this module reads no settings)."""
    return _matcher_for(province, tuple(former_names), tuple(aliases)).is_about_province(doc)
