"""Text normalisation for the classifiers: one spelling for one word.

Vietnamese on the web arrives in several spellings of the same word: decomposed or precomposed
Unicode, the "new" tone placement ("hoà", "thuỷ") next to the "old" one ("hòa", "thủy"), social
media short forms ("ko", "dc", "j"), emoji and stretched letters ("quáaaa"). Models trained on one
spelling miss the others, so every text goes through :func:`normalize` before features.

The output keeps case and punctuation (other stages read it too); it is NFC and uses the old tone
placement, which is what most newspapers and the training corpora use.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize", "unify_tone_marks", "EMO_POS", "EMO_NEG", "SHORT_FORMS"]

# Sentiment tokens that emoji and emoticons become; plain words so every tokenizer keeps them.
EMO_POS = "emopos"
EMO_NEG = "emoneg"

_TONES = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")  # huyền, sắc, ngã, hỏi, nặng


def _tone_table() -> dict[str, str]:
    """'oà' -> 'òa' etc. for the open syllables oa, oe, uy in both cases."""
    table: dict[str, str] = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for f, s in ((first, second), (first.upper(), second.upper()), (first.upper(), second)):
            for tone in _TONES:
                new = f + unicodedata.normalize("NFC", s + tone)
                old = unicodedata.normalize("NFC", f + tone) + s
                table[new] = old
    return table


_TONE_TABLE = _tone_table()
# Only at the end of a syllable ("hoàng" is right in both styles) and not after q ("quý": qu is
# the consonant, the tone belongs on y).
_TONE_RE = re.compile(r"(?=[oOuU])(?<![qQ])(" + "|".join(sorted(_TONE_TABLE, key=len, reverse=True)) + r")(?!\w)")


def unify_tone_marks(text: str) -> str:
    """Move tone marks of open oa/oe/uy syllables to the old placement: hoà -> hòa, thuỷ -> thủy."""
    return _TONE_RE.sub(lambda m: _TONE_TABLE[m.group(1)], text)


# Short forms common in Vietnamese social posts and reviews. Only unambiguous ones: "k" and "ko"
# are "không" in practice; "bn"/"nc" are left alone because they mean several things.
_TEENCODE: dict[str, str] = {
    "ko": "không", "k": "không", "kh": "không", "khg": "không", "kg": "không", "hok": "không",
    "hem": "không", "khong": "không", "kô": "không", "kp": "không phải",
    "dc": "được", "đc": "được", "dk": "được", "đk": "được", "duoc": "được", "dzc": "được",
    "j": "gì", "gi": "gì", "v": "vậy", "zậy": "vậy", "dzậy": "vậy",
    "bt": "bình thường", "bit": "biết", "bik": "biết", "bjt": "biết",
    "mk": "mình", "mik": "mình", "mn": "mọi người", "mng": "mọi người",
    "vs": "với", "ng": "người", "ngta": "người ta", "r": "rồi", "rùi": "rồi", "cx": "cũng",
    "cg": "cũng", "trc": "trước", "ntn": "như thế nào", "wa": "quá", "qa": "quá", "qá": "quá",
    "thik": "thích", "thjk": "thích", "iu": "yêu", "sp": "sản phẩm", "tl": "trả lời",
    "ns": "nói", "nt": "nhắn tin", "ok": "ok", "oke": "ok", "okie": "ok", "okela": "ok",
    "tks": "cảm ơn", "cám": "cảm",
    "lun": "luôn", "vl": "vãi", "vcl": "vãi",
    "hqua": "hôm qua", "hnay": "hôm nay", "nhìu": "nhiều", "bjo": "bây giờ", "bh": "bao giờ",
    "chx": "chưa", "hàg": "hàng", "shop": "shop", "ak": "à", "ah": "à",
}

SHORT_FORMS = frozenset(_TEENCODE)

_POS_EMOJI = "😀😁😂😃😄😅😆😇😉😊😋😌😍😎😏😘😙😚😛😜😝🙂🙃🤗🤩🥰🥳👍👏🙌💪❤💕💖💗💙💚💛💜🧡💯🎉✨🌟⭐✅👌🤝😻"
_NEG_EMOJI = "😒😓😔😕😖😞😟😠😡😢😣😤😥😦😧😨😩😪😫😭😰😱😲😳😵🤬🤢🤮🙁☹👎💔😿🥺😬🤦😑😐🙄"
# One str.translate table: emoji become tokens; variation selectors and zero-width joiners that
# glue emoji sequences together disappear.
_CHAR_TABLE = str.maketrans({**{c: f" {EMO_POS} " for c in _POS_EMOJI},
                             **{c: f" {EMO_NEG} " for c in _NEG_EMOJI},
                             **{c: None for c in "\ufe0e\ufe0f\u200b\u200c\u200d\u2060\ufeff"}})

# Emoticons, and the word forms UIT-VSFC wrote them as (colonsmile, colonsad ...).
_EMOTICON_RE = re.compile(
    r"(?=[:;=^<T-])(?:[:;=]-?[)\]dDpP>]+|(?<!\S)\^[_.]?\^|(?<!\S)<3+|[:;=]-?[(\[<]+|:'\(|(?<!\S)-_-|(?<!\S)T_T|:v)(?!\w)")
_EMOTICON_NEG = re.compile(r"^(?:[:;=]-?[(\[<]+|:'\(|-_-|T_T)$")
_EMOWORD_RE = re.compile(r"\bcolon(?:smile|smilesmile|bigsmile|smallsmile|love|hihi|doublesurprise|surprise)\b"
                         r"|\bcolon(?:sad|sadcolon|contemn|contemptuous)\b")

_REPEAT_RE = re.compile(r"([^\W\d_])\1{2,}")  # three or more of a letter: "quáaaa" -> "quá"


# A toned vowel dragged on with its bare letter ("quáaa") is never Vietnamese spelling.
_TONED_BASE = {unicodedata.normalize("NFC", b + t): b
               for base in "aăâeêioôơuưy" for b in (base, base.upper()) for t in _TONES}
_STRETCH_RE = re.compile("([" + "".join(_TONED_BASE) + "])([aăâeêioôơuưyAĂÂEÊIOÔƠUƯY]+)")


def _unstretch(match: re.Match[str]) -> str:
    toned, tail = match.group(1), match.group(2)
    base = _TONED_BASE[toned]
    return toned + tail.lstrip(base) if tail[0] == base else match.group(0)
_PUNCT_REPEAT_RE = re.compile(r"([!?.,])\1+")
# Every short form is a short token; the dictionary look-up per short word beats a big alternation.
_TEEN_MAX = max(map(len, _TEENCODE))
_TEEN_RE = re.compile(r"(?<!\w)[^\W\d_]{1,%d}(?!\w)" % _TEEN_MAX)
_SPACE_RE = re.compile(r"[ \t\u00a0]+")


def _emoticon(match: re.Match[str]) -> str:
    return f" {EMO_NEG} " if _EMOTICON_NEG.match(match.group(0)) else f" {EMO_POS} "


def _emoword(match: re.Match[str]) -> str:
    word = match.group(0)
    negative = word.startswith(("colonsad", "coloncontemn", "coloncontemptuous"))
    return EMO_NEG if negative else EMO_POS


def _teencode(match: re.Match[str]) -> str:
    word = match.group(0)
    if word.isupper() and len(word) > 1:  # acronyms: KH (kế hoạch), DC, SP ...
        return word
    return _TEENCODE.get(word.lower(), word)


def _squeeze(match: re.Match[str]) -> str:
    return match.group(1)


def normalize(text: str) -> str:
    """NFC, one tone placement, short forms expanded, emoji as sentiment tokens, stretched letters squeezed.

    >>> normalize("Hoà bình ko dc 😡")
    'Hòa bình không được emoneg'
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_CHAR_TABLE)
    text = _EMOTICON_RE.sub(_emoticon, text)
    if "colon" in text:
        text = _EMOWORD_RE.sub(_emoword, text)
    text = _REPEAT_RE.sub(_squeeze, text)
    text = _STRETCH_RE.sub(_unstretch, text)
    text = _PUNCT_REPEAT_RE.sub(_squeeze, text)
    text = unify_tone_marks(text)
    text = _TEEN_RE.sub(_teencode, text)
    text = _SPACE_RE.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()
