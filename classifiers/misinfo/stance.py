"""Stance of a post towards a claim: does it repeat it, question it, or refute it?

"Thông tin vỡ đập thủy điện Nậm Chăn 2 là sai sự thật" names the rumour but denies it: it is a
correction, not the rumour. Triage must tell the three apart:

- ``refutes``: a denial or correction ("sai sự thật", "bác bỏ", "tin đồn thất thiệt", "đính chính",
  "không có chuyện ..."), or reassurance ("vẫn an toàn", "hoạt động bình thường") voiced by an
  official body or the press ("UBND tỉnh", "Sở Công Thương", "Công an tỉnh cho biết") or by a
  press source. Such posts are never queued; they are evidence on the claim.
- ``questions``: asks whether it is true ("có thật không?", "thực hư", "xác minh giúp", a claim
  sentence ending in a question mark). Queued with a lower priority.
- ``repeats``: everything else that carries the claim.

Pure functions over folded text; the cues that decided are quoted as the post wrote them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mediawatch.text import fold

from .spans import Words

STANCES = ("repeats", "questions", "refutes")
_B = r"(?<![0-9a-z])"
_E = r"(?![0-9a-z])"


def _rx(words: str) -> re.Pattern[str]:
    return re.compile(rf"{_B}(?:{words}){_E}")


# Denials and corrections: enough on their own.
_REFUTE = _rx(
    r"sai su that|khong dung su that|khong dung voi su that|bac bo|bac tin|phu nhan (?:thong tin|tin|viec)|dinh chinh|cai chinh|"
    r"(?:thong tin|tin) (?:nay |do |tren )?(?:la )?khong dung|khong dung (?:dau|nhe|su that)|"
    r"tin don that thiet|tin don nham nhi|tin don vo can cu|thong tin sai|thong tin bia dat|bia dat|"
    r"tin gia(?! dinh| tang| han| tri)|tin sai|xuyen tac|vu khong|khong co chuyen|khong co viec|khong he xay ra|"
    r"khong he co|hoan toan khong|thong tin khong chinh xac|khong chinh xac|khong co co so|"
    r"chi la tin don|la tin don|dung (?:tin|chia se|lan truyen|hoang mang)|khong (?:nen )?(?:tin|chia se) (?:tin|thong tin)|"
    r"go (?:bai|xuong|bo bai)|xu phat .{0,40}?(?:dang|chia se|dua|lan truyen) (?:tin|thong tin)|"
    r"fake news|is false|are false|not true|debunk(?:ed|s)?|hoax|false claim|no evidence|misleading claim")
# "Đây không phải tin giả" affirms the claim.
_AFFIRMED = re.compile(r"(?:khong phai|chang phai|khong phai la|chu khong phai) $")
# Weaker signs of correction: count when an official voice or the press says them.
_REASSURE = _rx(
    r"van an toan|dam bao an toan|an toan tuyet doi|hoat dong binh thuong|van hoat dong|van binh thuong|"
    r"on dinh|khong anh huong|khong dung|tin don|chua co ca|khong co ca|khong phat hien|van thong xe|"
    r"(?:qua lai|buon ban|hoc|sinh hoat|van hanh) binh thuong|"
    r"khong co (?:nguoi|ai) (?:chet|tu vong|thiet mang)|theo quy trinh|yen tam")
# An official body or the press speaks.
_OFFICIAL = _rx(
    r"(?:ubnd|uy ban nhan dan)(?: (?:tinh|huyen|xa|phuong|thanh pho|tp))?|chu tich (?:ubnd|tinh|huyen|xa)|"
    r"so (?:y te|cong thuong|tai nguyen(?: va moi truong)?|giao duc(?: va dao tao)?|giao thong(?: van tai)?|"
    r"nong nghiep(?: va (?:phat trien nong thon|moi truong))?|thong tin(?: va truyen thong)?|lao dong|tai chinh|"
    r"xay dung|noi vu|tu phap|van hoa|khoa hoc(?: va cong nghe)?|ke hoach(?: va dau tu)?|dan toc)|"
    r"cong an (?:tinh|huyen|xa|phuong|thanh pho|tp)|bo (?:y te|cong an|cong thuong|quoc phong|giao duc|"
    r"thong tin|tai nguyen|nong nghiep)|ban chi huy|ban chi dao|chinh quyen(?: dia phuong| tinh| xa)?|"
    r"trung tam (?:kiem soat benh tat|du bao|cdc)|cdc|nguoi phat ngon|thong bao chinh thuc|"
    r"thong tin chinh thuc|nguon tin chinh thuc|lanh dao (?:tinh|so|huyen|xa)|cong ty .{0,40}?thong bao|"
    r"theo (?:bao|phong vien)|phong vien|ministry|police said|officials? said|authorities said")
# Questions about whether the claim is true: these ask on their own...
_QUESTION = _rx(
    r"co that khong|co that ko|that khong|that ko|co dung khong|co phai khong|thuc hu|hu thuc|"
    r"hu that|chua ro (?:dung sai|that gia)|that hay (?:gia|dua|khong)|(?:can|nho|de nghi|xin) .{0,30}?(?:xac minh|kiem chung)|"
    r"(?:xac minh|kiem chung) giup|chua (?:duoc )?(?:xac minh|kiem chung)|co ai xac nhan|"
    r"is it true|is this true")
# ...these only with a question mark.
_QUESTION_MARKED = re.compile(
    rf"{_B}(?:phai khong|that a|that ha|that sao|co phai|dung khong|co dung|co ai biet|ai biet|co ai o|that k|"
    rf"(?:roi|that|vay) (?:sao|a|ha|hay sao)|really)[^.!?\n]{{0,40}}\?")
# "Why has nobody said anything?" presupposes the claim: the post still repeats it.
_WHY = _rx(r"sao|tai sao|vi sao|lam sao|bao gio|khi nao|o dau|the nao")
_SENTENCE = re.compile(r"[^.!?\n]*[.!?\n]*")
# Negated event words near the claim's words: "đập không bị vỡ", "không có chuyện sập cầu".
_NEGATOR = r"(?:khong|chua|chang|khong he|khong co|khong bi|khong phai|never|not|no)"


# Folding merges words: "không có chuyện" (no such thing) and "không có chuyến" (no flight) both
# fold to "khong co chuyen". Where the post was written with diacritics, these cues must be too.
_WRITTEN = {
    "khong co chuyen": ("không có chuyện",),
    "tin gia": ("tin giả",),
    "tin sai": ("tin sai",),
    "bia dat": ("bịa đặt",),
    "thong tin bia dat": ("thông tin bịa đặt",),
    "tin don": ("tin đồn",),
    "la tin don": ("là tin đồn",),
    "chi la tin don": ("chỉ là tin đồn",),
    "vu khong": ("vu khống",),
    "khong dung": ("không đúng",),
}


def _as_written(words: Words, folded_phrase: str) -> bool:
    forms = _WRITTEN.get(folded_phrase)
    if forms is None:
        return True
    found = words.find(folded_phrase)
    if found is None or fold(found) == found.lower():  # typed without diacritics: cannot tell
        return True
    return found.lower() in forms


@dataclass(frozen=True, slots=True)
class Stance:
    label: str  # repeats | questions | refutes
    # An official body or the press speaks (in the text, or the source is press); looked for in
    # the text only where it decides (denials and reassurance), so for the others it is ``press``.
    official: bool
    cues: tuple[str, ...] = ()  # the post's own words that decided, as written


def _sentences(folded: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(folded) if s.strip()]


def _claim_sentence(sents: list[str], claim_words: set[str]) -> str | None:
    best, best_n = None, 0
    for s in sents:
        n = len(claim_words & set(re.findall(r"[0-9a-z]+", s)))
        if n > best_n:
            best, best_n = s, n
    return best


_NEGATORS = frozenset(("khong", "chua", "chang", "never", "not", "no"))
_TOKEN = re.compile(r"[0-9a-z]+")


def _negated(folded: str, claim_words: set[str]) -> str | None:
    """A negator followed within three words by one of the claim's words ("không bị vỡ"), or None."""
    if not claim_words:
        return None
    tokens = _TOKEN.findall(folded)
    for i, token in enumerate(tokens):
        if token in _NEGATORS:
            for j in range(i + 1, min(i + 4, len(tokens))):
                if tokens[j] in claim_words:
                    return " ".join(tokens[i:j + 1])
    return None


def stance(title: str, text: str, claim: str | None = None, *, press: bool = False,
           folded: str | None = None, words: Words | None = None) -> Stance:
    """The stance of a post (``title`` + ``text``) towards ``claim`` (matched or extracted).

    ``press``: the source is a newspaper or an official page (its own voice is official).
    ``folded`` (``fold`` of the post) and ``words`` (its :class:`Words`): when the caller has them.
    """
    body = f"{title}\n{text}" if title else text
    folded = folded if folded is not None else fold(body)
    words = words if words is not None else Words(body)
    cues: list[str] = []

    def said(m: re.Match[str] | str | None) -> bool:
        if m is None:
            return False
        found = words.find(m if isinstance(m, str) else m.group(0))
        if found:
            cues.append(found)
        return True

    claim_words = set(_TOKEN.findall(fold(claim or ""))) - _FUNCTION_WORDS
    refute = next((m for m in _REFUTE.finditer(folded)
                   if not _AFFIRMED.search(folded[max(0, m.start() - 16):m.start()])
                   and _as_written(words, m.group(0))), None)
    official_m = _OFFICIAL.search(folded) if refute is not None or "?" not in folded else None
    official = press or official_m is not None
    if refute is not None:
        # "Tin vỡ đập là tin giả phải không?" asks; a denial with an official voice does not.
        refute_sentence = next((s for s in _sentences(folded) if refute.group(0) in s), "")
        if not (refute_sentence.endswith("?") and _QUESTION.search(refute_sentence) and not official):
            said(refute)
            if official_m is not None:
                said(official_m)
            return Stance("refutes", official, tuple(cues))
    if official and "?" not in folded:
        reassure = _REASSURE.search(folded) or _negated(folded, claim_words)
        if reassure is not None:
            said(reassure)
            if official_m is not None:
                said(official_m)
            return Stance("refutes", official, tuple(cues))
    question = _QUESTION.search(folded) or (_QUESTION_MARKED.search(folded) if "?" in folded else None)
    if question is not None:
        said(question)
        return Stance("questions", official, tuple(cues))
    if claim_words and "?" in folded:
        target = _claim_sentence(_sentences(folded), claim_words)
        if target is not None and target.rstrip().endswith("?") and not _WHY.search(target) \
                and not re.search(rf"{_B}roi{_E}", target):
            said(re.search(r"[0-9a-z][0-9a-z ]*\?", target))
            return Stance("questions", official, tuple(cues))
    return Stance("repeats", official, ())


# Words that say nothing about which claim a text makes (negation search ignores them).
_FUNCTION_WORDS = frozenset(("va la cua co cho cac nhung mot duoc da dang se bi tai o voi tu den trong ngoai "
                             "nay do thi ma ra vao len xuong khi neu nhu rat qua nhieu it cung con van lai "
                             "nguoi ngay hom toi anh chi em ban ho the thong tin tin").split())
