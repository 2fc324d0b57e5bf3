"""Finding the gazetteer's names in a text: words, the unit-type word before a name, exact spelling.

A name is matched on words without diacritics, longest first, and only across plain spaces: "Việt
Nam. Có" is not the commune "Nậm Có", and "Hà Nội - Lào Cai" is two names. When the text carries
diacritics, a match must be spelled like the unit (tone marks may sit on either vowel): "bạc hà" is
mint, not Bắc Hà. A name written without any diacritic still matches, as people type them so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import accumulate

from .gazetteer import STRIP, Gazetteer, Unit, spelling

_SPLIT = re.compile(r"([0-9A-Za-z]+)")
_SPACE = " \t\u00a0"

# Unit-type words (folded) and how they are written with diacritics; longest first.
TYPE_SPELLINGS = {
    "thi tran": "thị trấn", "dac khu": "đặc khu", "thanh pho": "thành phố", "thi xa": "thị xã",
    "phuong": "phường", "xa": "xã", "huyen": "huyện", "quan": "quận", "tinh": "tỉnh", "tp": "tp", "tx": "tx",
}
TYPE_PAIRS = frozenset(k for k in TYPE_SPELLINGS if " " in k)
TYPE_SINGLES = frozenset(k for k in TYPE_SPELLINGS if " " not in k)
# "P.12", "Q. Phú Nhuận", "H. Bát Xát": one capital letter and a full stop.
_ABBREVIATIONS = {"P": "phuong", "Q": "quan", "H": "huyen"}
WARD_TYPES = frozenset({"thi tran", "dac khu", "phuong", "xa"})
DISTRICT_TYPES = frozenset({"thanh pho", "thi xa", "huyen", "quan", "tp", "tx"})
PROVINCE_TYPES = frozenset({"thanh pho", "tinh", "tp"})


class Tokens:
    """The words of a text; ``lower`` is folded (no diacritics, lower case).

    One regex split gives the words and the separators between them; character offsets are only
    worked out when a mention needs its raw text, since most words are not place names.
    """

    __slots__ = ("text", "words", "lower", "seps", "accented", "_bounds")

    def __init__(self, text: str):
        self.text = unicodedata.normalize("NFC", text)
        stripped = self.text.translate(STRIP)
        parts = _SPLIT.split(stripped)
        self.words: list[str] = parts[1::2]  # without diacritics, case kept
        self.seps: list[str] = parts[0::2]  # seps[i] comes before word i; seps[-1] ends the text
        self.lower: list[str] = _SPLIT.split(stripped.lower())[1::2]
        self.accented = not self.text.isascii()  # then spellings are compared
        self._bounds: list[int] | None = None

    @classmethod
    def of(cls, text: str) -> "Tokens":
        return cls(text)

    def __len__(self) -> int:
        return len(self.words)

    def _offsets(self) -> list[int]:
        if self._bounds is None:
            parts = [p for pair in zip(self.seps, self.words) for p in pair]
            self._bounds = list(accumulate(map(len, parts)))
        return self._bounds

    def start(self, i: int) -> int:
        return self._offsets()[2 * i]

    def end(self, i: int) -> int:
        return self._offsets()[2 * i + 1]

    def raw(self, i: int, j: int) -> str:
        return self.text[self.start(i):self.end(j - 1)]

    def gap(self, i: int) -> str:
        """The text between word ``i - 1`` and word ``i`` (or before the first word)."""
        return self.seps[i]

    def gap_after(self, j: int) -> str:
        """The text after word ``j - 1`` up to the next word (or the end)."""
        return self.seps[j]

    def joined(self, i: int) -> bool:
        """Word ``i`` follows word ``i - 1`` with nothing but spaces: they may belong to one name."""
        if i <= 0:
            return False
        gap = self.seps[i]
        return gap == " " or (bool(gap) and not gap.strip(_SPACE))

    def capital(self, i: int) -> bool:
        w = self.words[i]
        return w[0].isupper() or w[0].isdigit()

    def spelled(self, i: int, j: int, written: str) -> bool:
        """Whether words i..j-1 are ``written`` with its diacritics (or with none at all)."""
        raw = self.raw(i, j)
        return raw.isascii() or spelling(raw) == spelling(written)


@dataclass(slots=True)
class Mention:
    units: tuple[Unit, ...]  # what the name can stand for, after the spelling check
    start: int  # first word
    end: int  # one past the last word
    type_word: str | None  # folded unit-type word written before the name ("xa", "huyen", "tinh"...)
    type_start: int  # first word of the type word, or ``start`` when there is none
    capitalised: bool
    raw: str

    @property
    def key(self) -> str:
        return " ".join(self.raw.split()).lower()


def type_before(tok: Tokens, i: int) -> tuple[str | None, int]:
    """The unit-type word written just before word ``i`` and where it starts; ``(None, i)`` if none."""
    if i <= 0:
        return None, i
    gap = tok.gap(i)
    tight = all(c in _SPACE for c in gap)
    if i >= 2 and tight and tok.joined(i - 1):
        pair = f"{tok.lower[i - 2]} {tok.lower[i - 1]}"
        if pair in TYPE_PAIRS and (not tok.accented or tok.spelled(i - 2, i, TYPE_SPELLINGS[pair])):
            return pair, i - 2
    word = tok.lower[i - 1]
    if word in TYPE_SINGLES:
        if word in ("tp", "tx"):
            ok = gap.strip() in ("", ".")
        else:
            ok = tight and (not tok.accented or tok.spelled(i - 1, i, TYPE_SPELLINGS[word]))
        if ok:
            return word, i - 1
    abbreviated = _ABBREVIATIONS.get(tok.words[i - 1])
    if abbreviated and gap.strip() == ".":
        return abbreviated, i - 1
    return None, i


_PAIR_FIRSTS = frozenset(k.split()[0] for k in TYPE_PAIRS)


def _starts_type(lower: list[str], i: int) -> bool:
    word = lower[i]
    if word in TYPE_SINGLES:
        return True
    return word in _PAIR_FIRSTS and i + 1 < len(lower) and f"{word} {lower[i + 1]}" in TYPE_PAIRS


def _spelled_like(units: list[Unit], raw: str) -> tuple[Unit, ...]:
    if raw.isascii():
        return tuple(units)
    key = spelling(raw, hats=False)
    return tuple(u for u in units if spelling(u.name, hats=False) == key)


def find_mentions(text: str | Tokens, gaz: Gazetteer) -> list[Mention]:
    """Every gazetteer name in ``text``, left to right, longest first, with the type word before it."""
    tok = text if isinstance(text, Tokens) else Tokens.of(text)
    lower, seps, n = tok.lower, tok.seps, len(tok)
    first_words, index, singles, openings = gaz.first_words, gaz.index, gaz.singles, gaz.openings
    out: list[Mention] = []
    i = 0
    while i < n:
        word = lower[i]
        longest = first_words.get(word)
        if longest is None:
            i += 1
            continue
        longer = (longest > 1 and i + 1 < n and (seps[i + 1] == " " or tok.joined(i + 1))
                  and f"{word} {lower[i + 1]}" in openings)
        # A type word ("tỉnh", "xã", "thị xã"...) introduces the next name; it never starts one
        # ("Tỉnh Hòa Bình" is not the ward "Tịnh Hòa" followed by "Bình").
        if not (longer or word in singles) or _starts_type(lower, i):
            i += 1
            continue
        if not longer:
            longest = 1
        reach = 1
        while reach < longest and i + reach < n and (seps[i + reach] == " " or tok.joined(i + reach)):
            reach += 1
        for k in range(reach, 0, -1):
            units = index.get(lower[i] if k == 1 else " ".join(lower[i:i + k]))
            if not units:
                continue
            raw = tok.raw(i, i + k)
            units = _spelled_like(units, raw) if tok.accented else tuple(units)
            if not units:
                continue
            type_word, type_start = type_before(tok, i)
            capitalised = all(tok.capital(x) for x in range(i, i + k))
            out.append(Mention(units, i, i + k, type_word, type_start, capitalised, raw))
            i += k
            break
        else:
            i += 1
    return out
