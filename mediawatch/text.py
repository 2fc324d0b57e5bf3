"""Text folding shared by the stores, topic queries and place matching.

Every component that compares text without diacritics must use :func:`fold`, so that a query typed
as ``da nang`` finds "Đà Nẵng" in SQLite, in topic rules and in the gazetteer alike.
"""

from __future__ import annotations

import re
import unicodedata

# unicodedata's NFD leaves đ/Đ whole (it is a letter with a stroke, not a combining mark).
_COMBINING = re.compile(r"[\u0300-\u036f]")


def _build_fold_table() -> dict[int, str | None]:
    # One translate() pass folds every precomposed Latin letter (Vietnamese lives in U+00C0-U+024F
    # and U+1E00-U+1EFF) and drops stray combining marks: much faster than NFD plus a regex.
    table: dict[int, str | None] = {cp: None for cp in range(0x300, 0x370)}
    for start, end in ((0xC0, 0x250), (0x1E00, 0x1F00)):
        for cp in range(start, end):
            base = _COMBINING.sub("", unicodedata.normalize("NFD", chr(cp)))
            if base and base != chr(cp):
                table[cp] = base.lower()
    for char, base in {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"}.items():
        table[ord(char)] = base
    return table


_FOLD_TABLE = _build_fold_table()


def fold_chars(value: str) -> str:
    """:func:`fold` without collapsing whitespace: character for character, so offsets usually
    match ``value`` (check the lengths: a few rare letters fold to two)."""
    return value.translate(_FOLD_TABLE).lower()


def fold(value: str) -> str:
    """Lower-case, strip diacritics (including đ) and collapse whitespace."""
    if not value:
        return ""
    return " ".join(value.translate(_FOLD_TABLE).lower().split())
