"""Quoting a post in its own words: cues are found on folded text, reasons quote the original.

A reason shown to a reviewer may only quote words that are in the post. Cues match on folded text
("chia se gap"); :class:`Words` finds the same words in the post as written ("chia sẻ gấp", or
"chia se gap" when that is how the post spelled it) and returns that slice of the original text.
"""

from __future__ import annotations

import re

from mediawatch.text import fold

# Letters, digits and stray combining marks (text that arrives decomposed), no underscore.
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
_FOLDED_WORD = re.compile(r"[0-9a-z]+")
QUOTE_MAX = 120


class Words:
    """The words of one text with their folded forms."""

    __slots__ = ("text", "_spans", "_folded")

    def __init__(self, text: str):
        self.text = text
        self._spans: list[tuple[int, int]] = []
        self._folded: list[str] = []
        for m in _WORD.finditer(text):
            for part in _FOLDED_WORD.findall(fold(m.group(0))):
                # A word folding to several pieces (rare symbols) keeps the whole word as its span.
                self._spans.append(m.span())
                self._folded.append(part)

    def find(self, folded_phrase: str) -> str | None:
        """The original slice whose folded words are ``folded_phrase``'s words, or None."""
        wanted = _FOLDED_WORD.findall(folded_phrase)
        if not wanted:
            return None
        n = len(wanted)
        first = wanted[0]
        for i, word in enumerate(self._folded):
            if word == first and self._folded[i:i + n] == wanted:
                return self.text[self._spans[i][0]:self._spans[i + n - 1][1]]
        return None


def quote(text: str, limit: int = QUOTE_MAX) -> str:
    """``text`` in straight quotes, cut at a word boundary with an ellipsis outside the quotes.

    Whatever stands between the quotes is a verbatim piece of ``text``.
    """
    text = text.strip()
    if len(text) <= limit:
        return f'"{text}"'
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return f'"{cut.rstrip(" ,;:")}"…'
