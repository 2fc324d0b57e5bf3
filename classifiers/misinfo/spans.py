"""Quoting a post in its own words: cues are found on folded text, reasons quote the original.

A reason shown to a reviewer may only quote words that are in the post. Cues match on folded text
("chia se gap"); :class:`Words` finds the same words in the post as written ("chia sẻ gấp", or
"chia se gap" when that is how the post spelled it) and returns that slice of the original text.
"""

from __future__ import annotations

import re

from mediawatch.text import fold, fold_chars

# Letters, digits and stray combining marks (text that arrives decomposed), no underscore.
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
_FOLDED_WORD = re.compile(r"[0-9a-z]+")
QUOTE_MAX = 120


class Words:
    """The words of one text with their folded forms (worked out on the first :meth:`find`)."""

    __slots__ = ("text", "_chars", "_spans", "_folded")

    def __init__(self, text: str, chars: str | None = None):
        self.text = text
        self._chars = chars  # fold_chars(text), when the caller has it
        self._spans: list[tuple[int, int]] | None = None
        self._folded: list[str] = []

    def _prepare(self) -> None:
        self._spans = []
        lowered = self._chars if self._chars is not None else fold_chars(self.text)
        if len(lowered) == len(self.text):
            # Fast path: folding character by character kept every offset (text in precomposed
            # Unicode, the usual case), so the folded copy's words carry the original's spans.
            for m in _FOLDED_WORD.finditer(lowered):
                self._spans.append(m.span())
                self._folded.append(m.group(0))
            return
        for m in _WORD.finditer(self.text):
            for part in _FOLDED_WORD.findall(fold(m.group(0))):
                # A word folding to several pieces (rare symbols) keeps the whole word as its span.
                self._spans.append(m.span())
                self._folded.append(part)

    def find(self, folded_phrase: str) -> str | None:
        """The original slice whose folded words are ``folded_phrase``'s words, or None."""
        wanted = _FOLDED_WORD.findall(folded_phrase)
        if not wanted:
            return None
        if self._spans is None:
            self._prepare()
        n = len(wanted)
        first = wanted[0]
        folded = self._folded
        for i, word in enumerate(folded):
            if word == first and folded[i:i + n] == wanted:
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
