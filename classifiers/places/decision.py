"""Is a document about the watched province? The evidence an editor weighs, mention by mention.

Strong evidence (one is enough):

* the province, a former province merged into it or an alias, used as a place;
* a district or commune with its type word ("huyện Bắc Hà", "thị xã Nghĩa Lộ", "xã Mường Hum")
  that is found only in this province, or whose parent says so ("xã Quang Kim (huyện Bát Xát)");
* a former district's name on its own, written as a name ("Sa Pa", "Mù Cang Chải", "Văn Chấn"),
  found only in this province and not a person, company, street or part of another name.

Weak evidence: a commune's name on its own ("Y Tý", "Tú Lệ"); two different ones are needed.
A name is not a place when an editor would read it otherwise: a person ("Tổng giám đốc Trần Bắc
Hà"), a company ("Công ty TNHH Bắc Hà"), a street ("phố Yên Bái"), the start of another name
("phía Bắc Hà Lan") or a unit whose parent is elsewhere ("đê Văn Chấn - Hoàng Châu (Cát Hải)").
Once a name is read as a person, its other bare mentions in the document are that person too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from mediawatch.errors import ConfigError
from mediawatch.text import fold

from . import context
from .gazetteer import Gazetteer, Unit, load_gazetteer
from .mentions import DISTRICT_TYPES, WARD_TYPES, Mention, Tokens, find_mentions

# Province names that are also everyday words ("hòa bình" = peace): never matched from
# lower-case text alone.
_COMMON_WORD_PROVINCES = {"hoa binh", "thai binh", "vinh phuc", "binh dinh", "hung yen", "ninh binh"}
STRONG, WEAK, CUE_ONLY = 2, 1, 0
_NUMBERED = re.compile(r"(Phường|Quận) \d+$")


@dataclass(slots=True)
class PlaceResult:
    about: bool
    places: list[str]
    evidence: list[str]  # why it is about the province, for reviewers and tests


@dataclass(slots=True)
class _Reading:
    mention: Mention
    units: list[Unit]  # what the mention stands for here (one province unless ambiguous)
    strength: int
    province_level: bool = False
    bare: bool = False


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
        self.alias_keys = {fold(a) for a in aliases if fold(a)}
        # Numbered wards and districts ("quận 4", "phường 8") belong to a few cities only.
        self.numbered = any(_NUMBERED.match(u.name) for units in self.gaz.index.values()
                            for u in units if u.province == display)

    @classmethod
    def from_settings(cls, settings) -> "PlaceMatcher":
        p = settings.province
        return cls(p.name, p.former_names, p.aliases)

    def is_about_province(self, doc) -> bool:
        return self.classify(doc.title, doc.text).about

    def classify(self, title: str, text: str) -> PlaceResult:
        body = f"{title}\n{text}" if title else text
        tok = Tokens.of(body)
        mentions = find_mentions(tok, self.gaz)
        all_lower = body.lower() == body
        by_start: dict[int, Mention] = {}
        by_end: dict[int, Mention] = {}
        for m in mentions:
            by_start[m.type_start] = by_start[m.start] = m
            by_end[m.end] = m
        readings: list[_Reading] = []
        named: dict[str, set[str]] = {"person": set(), "title": set(), "street": set()}
        for m in mentions:
            reading = self._read(tok, m, (by_start, by_end), all_lower, named)
            if reading is not None:
                readings.append(reading)
        # "Trần Bảo Thắng ... Bảo Thắng ghi bàn": once a name is a person, a company or a street,
        # its other bare mentions are too; a film's title quoted again is still the film.
        if named["person"] or named["title"] or named["street"]:
            readings = [r for r in readings if not (
                (r.bare and not r.province_level and r.mention.key in named["person"])
                or (r.bare and r.mention.key in named["street"])
                or (r.bare and r.mention.key in named["title"] and context.quoted_from(tok, r.mention) is not None))]
        return self._decide(readings, body)

    # -- one mention ------------------------------------------------------------------------------

    def _read(self, tok: Tokens, m: Mention, around: tuple[dict[int, Mention], dict[int, Mention]],
              all_lower: bool, named: dict[str, set[str]]) -> _Reading | None:
        by_start, by_end = around
        tw = m.type_word
        provinces = [u for u in m.units if u.is_province]
        if not provinces and all(u.province != self.province for u in m.units):
            return None  # another province's commune or district: nothing to decide or list
        if not all_lower and not m.capitalised and not (
                provinces and tok.capital(m.start) and fold(m.raw) not in _COMMON_WORD_PROVINCES):
            # "Trung tâm", "diễn biến", "xa trung tâm": unit names are capitalised; a province is
            # recognised from its first capital ("Lào cai"), unless it is also a phrase ("Hòa bình").
            return None
        if tw is None and context.title_of_work(tok, m):
            named["title"].add(m.key)
            return None
        if provinces and tw in (None, "tinh", "tp", "thanh pho"):
            if tw is None:
                if all_lower and fold(m.raw) in _COMMON_WORD_PROVINCES:
                    return None
                if context.street(tok, m, by_start):
                    named["street"].add(m.key)
                    return None
                if (context.person(tok, m, province_level=True)
                        or context.runs_into_other_name(tok, m, self.gaz, self.province_keys)):
                    return None
            mine = [u for u in provinces if u.province == self.province]
            return _Reading(m, (mine or provinces)[:1], STRONG, province_level=True, bare=tw is None)
        if tw == "tinh":
            return None
        if tw in WARD_TYPES:
            cands = [u for u in m.units if u.level in ("ward", "former_ward")]
        elif tw in DISTRICT_TYPES:
            cands = [u for u in m.units if u.level == "former_district"]
        else:
            # Current communes and former districts first; a commune abolished in 2025 ("Cốc Lếu",
            # "Thác Bà") when the name is nothing else.
            cands = [u for u in m.units if u.level in ("ward", "former_district") and " " in u.name.strip()]
            cands = cands or [u for u in m.units if u.level == "former_ward" and " " in u.name.strip()]
            if all_lower or not cands:
                return None  # one-syllable names ("Tân", "Hà") are words before they are places
            if context.person(tok, m, province_level=False) or context.company(tok, m):
                named["person"].add(m.key)
                return None
            if context.street(tok, m, by_start):
                named["street"].add(m.key)
                return None
            if context.runs_into_other_name(tok, m, self.gaz, self.province_keys):
                return None
            if all(u.rank == 0 for u in cands) and context.named_after_person(tok, m):
                return None  # wards named after people ("Nguyễn Thái Học", "Lê Lợi") are streets first
        if not cands:
            return None
        if not self.numbered and context.numbered_parent(tok, m):
            return None  # "hồ bơi Vân Đồn (Q.4)", "Bến Vân Đồn, phường 8": a city with numbered units
        confirmed = tw is None and (context.landmark(tok, m) or context.route_end(tok, m, by_start, by_end))
        found = context.parent(tok, m, by_start, min(u.rank for u in cands))
        if found is not None:
            parents, may_contradict = found
            inside = [u for u in cands if u.province in parents]
            if inside:
                cands, confirmed = inside, True
            elif may_contradict:
                return None  # "đê Văn Chấn - Hoàng Châu (Cát Hải)": a namesake elsewhere
        where = {u.province for u in cands}
        if len(where) > 1 and tw in WARD_TYPES and self.province in where and self._district_name(m.key):
            cands, where = [u for u in cands if u.province == self.province], {self.province}
        if len(where) > 1:
            # A commune name found in several provinces counts only with its type word, and only
            # once the document is known to be about the province ("xã Võ Lao").
            return _Reading(m, cands, CUE_ONLY) if tw is not None else None
        if tw is None:
            strength = STRONG if confirmed or any(u.level == "former_district" for u in cands) else WEAK
        else:
            strength = WEAK if all_lower and tw in WARD_TYPES and not confirmed else STRONG
        return _Reading(m, cands, strength, bare=tw is None)

    def _district_name(self, key: str) -> bool:
        """The name is a former district of this province and of no other ("xã Bảo Thắng")."""
        units = [u for u in self.gaz.index.get(fold(key), ()) if u.level == "former_district"]
        return bool(units) and all(u.province == self.province for u in units)

    # -- the document -----------------------------------------------------------------------------

    def _decide(self, readings: list[_Reading], body: str) -> PlaceResult:
        mine_strong = any(r.strength == STRONG and r.units[0].province == self.province
                          and len({u.province for u in r.units}) == 1 for r in readings)
        weak = {r.units[0].name for r in readings
                if r.strength == WEAK and r.units[0].province == self.province}
        about = mine_strong or len(weak) >= 2
        if not about and self.alias_keys:
            folded = fold(body)
            about = any(re.search(rf"(?<![0-9a-z]){re.escape(a)}(?![0-9a-z])", folded) for a in self.alias_keys)
        evidence: list[str] = []
        ordered: list[str] = []

        def add(name: str | None) -> None:
            if name and name not in ordered:
                ordered.append(name)

        for r in readings:
            m, units = r.mention, r.units
            where = {u.province for u in units}
            if self.province in where and about:
                mine = [u for u in units if u.province == self.province]
                unit = mine[0]
                if r.strength != CUE_ONLY:
                    evidence.append(f"{m.type_word + ' ' if m.type_word else ''}{unit.name}")
                add(self.province)
                formers = {u.former_province for u in mine if u.former_province}
                if len(formers) == 1:
                    add(next(iter(formers)))
                if not unit.is_province:
                    add(unit.name)
            elif r.province_level and self.province not in where:
                add(units[0].province)
                add(units[0].former_province)
        if about and self.province in ordered:  # the watched province first, then its former units
            ordered.remove(self.province)
        if about:
            ordered.insert(0, self.province)
        return PlaceResult(about=about, places=ordered, evidence=evidence)


@lru_cache(maxsize=8)
def _matcher_for(province: str, former: tuple[str, ...], aliases: tuple[str, ...]) -> PlaceMatcher:
    return PlaceMatcher(province, former, aliases)


def is_about_province(doc, province: str = "Lào Cai", former_names: Iterable[str] = (),
                      aliases: Iterable[str] = ()) -> bool:
    """Whether ``doc`` is about ``province``; the caller hands the names (this module reads no settings)."""
    return _matcher_for(province, tuple(former_names), tuple(aliases)).is_about_province(doc)
