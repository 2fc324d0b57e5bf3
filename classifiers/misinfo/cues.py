"""Check-worthiness cues, claim extraction and the opinion gate: the explainable half of triage.

Everything is matched on folded text (no diacritics, lower case), so "chia se gap" counts like
"chia sẻ gấp". Each cue carries a weight and a reason a reviewer reads, in Vietnamese by default
and in English on request (the labels: ``triage.cue.<key>`` in mediawatch/i18n/triage.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mediawatch.i18n import t
from mediawatch.text import fold

# --- cues -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cue:
    key: str
    kind: str  # rumour: how rumours are told | checkable: what makes a claim checkable
    weight: float
    pattern: re.Pattern[str]

    def reason(self, lang: str = "vi") -> str:
        """What a reviewer reads for this cue (``triage.cue.<key>``)."""
        return t(f"triage.cue.{self.key}", lang)


def _cue(key: str, kind: str, weight: float, pattern: str) -> Cue:
    return Cue(key, kind, weight, re.compile(pattern))


_B = r"(?<![0-9a-z])"  # word start on folded text
_E = r"(?![0-9a-z])"

CUES: tuple[Cue, ...] = (
    _cue("hearsay", "rumour", 0.35,
         rf"{_B}(nghe noi|nghe dau|nghe bao|nghe nguoi ta|nghe tin|co nguoi noi|nguoi ta noi|ban toi noi|"
         rf"nguon tin rieng|tin hanh lang|nghe bao la|dau nhu|nghe ke lai|nghe phong thanh){_E}"),
    _cue("share_urgently", "rumour", 0.35,
         rf"{_B}(chia se gap|share gap|chia se ngay|share ngay|lan truyen gap|hay chia se|chia se cho moi nguoi|"
         rf"chia se rong rai|ai o .{{0,20}}chu y|bao cho nguoi than|truyen tay nhau){_E}"),
    _cue("alarm", "rumour", 0.2,
         rf"{_B}(nong|khan cap|cuc nong|tin nong|canh bao khan|bao dong do|so tan gap|chay ngay|"
         rf"tin soc|soc|kinh hoang|rung dong)\s*[!:]|{_B}(khan cap|cuc nong|so tan gap|chay ngay){_E}"),
    _cue("secret", "rumour", 0.25,
         rf"{_B}(giau nhem|bung bit|che giau|khong cong bo|bao chi khong dam dua|sap bi xoa|"
         rf"truoc khi bi xoa|chinh quyen giau|khong ai noi cho ban){_E}"),
    _cue("unsourced_official", "rumour", 0.2,
         rf"{_B}(bo y te|bo cong an|ubnd tinh|ubnd|chinh phu|thu tuong|chu tich tinh|so y te|cong an tinh|"
         rf"ban chi dao)\s+(vua|da|se|sap)\s+(ra lenh|yeu cau|cong bo|quyet dinh|phong toa|cam|cho nghi|thong bao)"),
    _cue("casualties", "checkable", 0.2,
         rf"{_B}(\d+|hang chuc|hang tram|hang nghin|nhieu|mot|hai|ba|bon|nam)\s+(nguoi|chau|hoc sinh|ho|nan nhan|ca)\s+"
         rf"(chet|tu vong|thiet mang|mat tich|bi thuong|bi vui|bi cuon|nhap vien|mac|nhiem|ngo doc)|"
         rf"{_B}(chet|tu vong|thiet mang|mat tich)\s+(\d+|hang chuc|hang tram)"),
    _cue("numbers", "checkable", 0.1, rf"{_B}\d[\d.,]*\s*(%|nguoi|ty|trieu|ha|km|m3|met|cm|ca|ho|ngoi nha|xa){_E}"),
    _cue("dates", "checkable", 0.05,
         rf"{_B}(\d{{1,2}}/\d{{1,2}}(/\d{{2,4}})?|ngay \d{{1,2}}|dem nay|sang nay|toi nay|ngay mai|chieu nay){_E}"),
    _cue("event_assertion", "checkable", 0.15,
         rf"{_B}(bi vo|da vo|sap vo|vo dap|vo de|xa lu|sap xa|bi sap|sap sap|bi cuon troi|bi phong toa|"
         rf"phong toa|cach ly|dong cua|cam duong|cho nghi hoc|nghi hoc|ngung cap nuoc|nhiem doc|"
         rf"da co ca|lay lan|bi bat(?! nat)|bi khoi to|bi ky luat|tang gia|thu hoi dat){_E}"),
)

# Attribution to a named source lowers the suspicion of a claim (ordinary news reports).
_SOURCED = re.compile(
    rf"{_B}(theo (thong tin tu|bao cao cua|ong|ba|so|ubnd|cong an|ban chi dao|trung tam|bo|dai|phong|cuc|"
    rf"chi cuc|ban|bao)|cho biet|thong bao cua|cong van so|quyet dinh so|trao doi voi phong vien|"
    rf"xac nhan voi|nguon:|theo thong cao|thong tin tu|pv bao|phong vien)")

# --- the opinion gate -----------------------------------------------------------------------------

_OPINION = re.compile(
    rf"{_B}(toi nghi|theo toi|minh nghi|minh thay|toi thay|em thay|toi cho rang|ca nhan toi|theo y kien|"
    rf"thiet nghi|co le|chac la|hinh nhu|that la|qua la|qua te|te qua|chan qua|buc xuc|bat binh|"
    rf"phan doi|khong dong tinh|bat cap|vo ly|bat cong|that vong|nhu nhuoc|kem coi|te hai|"
    rf"de nghi|kien nghi|mong|mong rang|hy vong|hi vong|yeu cau|kien quyet|tai sao|vi sao|sao lai|"
    rf"lam on|xin hay|phai chang|lieu co|nen|khong nen|can phai|phai|qua dang|dang buon|"
    rf"tuc|buc minh|chan|ghet|thich|yeu|tuyet voi|dep qua|cam on|xin cam on|hoan nghenh|ung ho){_E}")
_QUESTION_OR_EXCLAIM = re.compile(r"[?!]")


@dataclass(slots=True)
class CueReport:
    cues: list[Cue] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)  # the folded text each cue matched
    sourced: bool = False
    opinion_markers: int = 0
    rumour: float = 0.0  # summed weights, capped at 1
    checkable: float = 0.0

    def reasons(self, lang: str = "vi", text: str | None = None, words=None) -> list[str]:
        """One reason per cue; with ``text``, each quotes the words of ``text`` that fired it."""
        if text is None or not self.cues:
            return [c.reason(lang) for c in self.cues]
        from .spans import Words, quote

        words = words if words is not None else Words(text)
        matched = self.matched
        if len(matched) != len(self.cues):  # a report assembled by hand: find the words again
            folded = fold(text)
            matched = [m.group(0) if (m := cue.pattern.search(folded)) else "" for cue in self.cues]
        out = []
        for cue, phrase in zip(self.cues, matched):
            label = cue.reason(lang)
            found = words.find(phrase) if phrase else None
            out.append(f"{label}: {quote(found)}" if found else label)
        return out


def find_cues(folded: str) -> CueReport:
    report = CueReport()
    for cue in CUES:
        m = cue.pattern.search(folded)
        if m:
            report.cues.append(cue)
            report.matched.append(m.group(0))
            if cue.kind == "rumour":
                report.rumour += cue.weight
            else:
                report.checkable += cue.weight
    report.rumour = min(1.0, report.rumour)
    report.checkable = min(1.0, report.checkable)
    report.sourced = bool(_SOURCED.search(folded))
    report.opinion_markers = len(_OPINION.findall(folded))
    return report


# --- claim extraction -----------------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")


def sentences(text: str) -> list[str]:
    return [s.strip(" -•*\t") for s in _SENTENCE.split(text) if len(s.strip()) >= 12]


_CHECKABLE = tuple(c for c in CUES if c.kind == "checkable")


def _checkable_weight(folded: str, cues: tuple[Cue, ...] = _CHECKABLE) -> float:
    return sum(c.weight for c in cues if c.pattern.search(folded))


def extract_claim(title: str, text: str, report: CueReport | None = None) -> str | None:
    """The sentence that states something checkable (numbers, casualties, an asserted event), or None.

    A sentence that is mostly opinion (markers, questions) loses against one that asserts a fact.
    ``report``: the cues of the whole text, when known: only those can fire in one of its sentences.
    """
    cues = _CHECKABLE if report is None else tuple(c for c in report.cues if c.kind == "checkable")
    if not cues:
        return None
    best, best_score = None, 0.0
    for sentence in ([title] if title else []) + sentences(text)[:40]:
        folded = fold(sentence)
        score = _checkable_weight(folded, cues)
        if score <= 0:
            continue
        score -= 0.05 * len(_OPINION.findall(folded)) + (0.05 if "?" in sentence else 0.0)
        if score > best_score:
            best, best_score = sentence, score
    if best is not None and len(best) > 300:
        best = best[:297].rstrip() + "..."
    return best


def opinion_strength(folded: str, original: str, report: CueReport) -> float:
    """0..1: how much the text reads as opinion, complaint or emotion rather than a report of fact."""
    words = max(1, folded.count(" ") + 1)
    markers = report.opinion_markers + len(_QUESTION_OR_EXCLAIM.findall(original)) * 0.5
    return min(1.0, markers / max(3.0, words / 12))
