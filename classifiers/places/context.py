"""The words around a name that tell an editor it is not a place, or whose place it is.

A district name is also a person ("Tổng giám đốc Trần Bắc Hà"), a company ("Công ty TNHH Bắc Hà"),
a street ("phố Yên Bái", "611/2 Điện Biên Phủ"), the start of another name ("phía Bắc Hà Lan",
"Sông Đà Nam Định") or a commune of another province ("xã Thống Nhất, huyện Hoành Bồ"). Each
function here reads one of those cues from the words before or after a :class:`Mention`.
"""

from __future__ import annotations

import re

from .gazetteer import Gazetteer, Unit
from .mentions import PROVINCE_TYPES, Mention, Tokens, type_before

# Words written just before a person's name, folded, with their spelling (checked when the text has
# diacritics: "bác" is an uncle, "bắc" is north; "cậu" is an uncle, "cầu" a bridge).
_HONORIFICS = {"ong": "ông", "ba": "bà", "anh": "anh", "chi": "chị", "em": "em", "co": "cô", "chu": "chú",
               "bac": "bác", "cau": "cậu", "di": "dì", "chau": "cháu", "be": "bé", "cu": "cụ",
               "thay": "thầy", "ngai": "ngài", "vo": "vợ", "chong": "chồng", "ten": "tên"}
# Roles written before a person's given name alone (folded); multi-word ones are matched whole.
# Office titles ("bí thư", "chủ tịch") and groups ("học sinh", "đại biểu") are left out: before a
# bare name they usually mean the place ("Bí thư Bắc Hà", "học sinh Sa Pa"); before a full name
# the family name already tells.
_TITLES = frozenset("""
dieu tra vien|cau thu|tien dao|tien ve|hau ve|trung ve|thu mon|hlv|huan luyen vien|trong tai|vo si|ky thu
tay vot|ca si|nhac si|hoa si|nghe si|dien vien|dao dien|nguoi mau|hoa hau|a hau|nha van|nha tho|nha bao
phong vien|bac si|tien si|thac si|giao su|ky su|luat su|thuong ta|trung ta|thieu ta|dai ta|dai uy|thuong uy
trung uy|thieu uy|thieu tuong|trung tuong|thuong tuong|dai tuong|dong chi|bi cao|bi can|nghi can|nghi pham
doi tuong|nan nhan|nsut|nsnd|ts|ths|gs|pgs|bs|ls|pv|ctv|mc""".replace("\n", "|").strip("|").split("|"))
_TITLE_WORDS = max(t.count(" ") + 1 for t in _TITLES)
# Family names. The first set is unambiguous; the second are also everyday words ("Từ Lào Cai đến
# Cà Mau", "Hà Nội", "Mai"), so they mark a person only before a commune/district name.
_FAMILY = frozenset("""nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh trinh truong
luong luu ta kieu vuong trieu phung quach diep ton mac hua khong nong ham sam lo au dam cu giap""".split())
_FAMILY_WIDE = _FAMILY | frozenset("doan dao lam mai to ha cao chu tang la chau tu lai thai quan than ninh luc vi".split())
# Words that make the next name a street or an address, with their spelling ("phó" is a deputy,
# "dương" is not "đường", "ngô" is corn).
_STREETS = {"duong": "đường", "pho": "phố", "ngo": "ngõ", "ngach": "ngách", "hem": "hẻm", "kiet": "kiệt",
            "dai lo": "đại lộ"}
_CROSSINGS = {"nga tu": "ngã tư", "nga ba": "ngã ba", "nga nam": "ngã năm", "nga sau": "ngã sáu",
              "giao lo": "giao lộ", "nut giao": "nút giao", "goc duong": "góc đường", "goc pho": "góc phố"}
# Landmarks written before a commune's name are in that commune: "cầu Bãi Cháy", "đảo Tuần Châu",
# "chùa Yên Tử", "mỏ than Hà Lầm".
_LANDMARKS = {"cau": "cầu", "cang": "cảng", "ben pha": "bến phà", "pha": "phà", "mo": "mỏ", "mo than": "mỏ than",
              "vinh": "vịnh", "dao": "đảo", "nui": "núi", "chua": "chùa", "den": "đền", "ho": "hồ", "deo": "đèo",
              "thac": "thác", "suoi": "suối", "bai bien": "bãi biển", "khu du lich": "khu du lịch",
              "cua khau": "cửa khẩu", "ga": "ga", "cho": "chợ", "cho phien": "chợ phiên", "ban": "bản",
              "lang": "làng", "ruong bac thang": "ruộng bậc thang", "thuy dien": "thủy điện",
              "ho thuy dien": "hồ thủy điện", "dinh": "đỉnh", "bai tam": "bãi tắm", "san bay": "sân bay"}
# Works whose titles may hold a place name: "phim Ký ức Điện Biên", vở diễn "Thông điệp từ Điện Biên".
_WORKS = {"phim": "phim", "vo": "vở", "vo dien": "vở diễn", "vo kich": "vở kịch",
          "ca khuc": "ca khúc", "bai hat": "bài hát", "bai tho": "bài thơ", "tieu thuyet": "tiểu thuyết",
          "truyen": "truyện", "cuon sach": "cuốn sách", "tac pham": "tác phẩm", "album": "album"}
_QUOTES = "\"“”«»"
# "nhà máy đường", "chế biến đường", "giá đường": đường is sugar there, not a road.
_SUGAR = frozenset("may bien mia gia xuat nhap kinh banh".split())
_STREET_LAST_WORDS = frozenset(k.split()[-1] for k in (*_STREETS, *_CROSSINGS))
# The first words of a company or brand name ("Công ty TNHH Hội chợ Triển lãm Bắc Hà").
_COMPANIES = ("cong ty", "cty", "tap doan", "tong cong ty", "doanh nghiep", "dntn", "xi nghiep", "ngan hang",
              "khach san", "nha hang", "htx", "hop tac xa", "thuong hieu", "nhan hieu", "clb", "cau lac bo")
# Words that end a company name: after them the text speaks about something else.
_NAME_BREAKS = frozenset("""len xuong ve di den toi tai o cua cho voi va tu vao ra qua tren duoi la duoc da se dang
co khong khi thi ma de cac nhung mot nay do noi theo nhu sang giua dua""".split())
_HOUSE_NUMBER = re.compile(r"\d+[A-Za-z]?$")
_CLAUSE_END = re.compile(r"[.;:!?\n]")
_PARENS = re.compile(r"\([^()]*\)")


def _spelled(tok: Tokens, i: int, j: int, written: str) -> bool:
    return not tok.accented or tok.spelled(i, j, written)


def _phrase_before(tok: Tokens, i: int, phrases: dict[str, str] | frozenset[str], longest: int) -> int | None:
    """Where a phrase from ``phrases`` ends right before word ``i`` (joined by spaces) starts, or None."""
    for n in range(min(longest, i), 0, -1):
        if not all(tok.joined(k) for k in range(i - n + 1, i + 1)):
            continue
        phrase = " ".join(tok.lower[i - n:i])
        if phrase in phrases and (not isinstance(phrases, dict) or _spelled(tok, i - n, i, phrases[phrase])):
            return i - n
    return None


def person(tok: Tokens, m: Mention, province_level: bool) -> bool:
    """The name is (part of) a person's name: a family name, an honorific or a title right before it."""
    i = m.start
    family = _FAMILY if province_level else _FAMILY_WIDE
    # Walk back over the capitalised words of the same name ("Nguyễn Thị | Yên Bái").
    k = i
    while k > 0 and i - k < 3 and tok.joined(k) and tok.capital(k - 1):
        k -= 1
        word = tok.lower[k]
        if word in family and tok.words[k][0].isupper():
            # "Từ Tú Lệ, ...": an everyday word is capitalised at the start of a sentence anyway.
            if word in _FAMILY or not (k == 0 or _CLAUSE_END.search(tok.gap(k))):
                return True
    if province_level:
        return False
    # "ông Bắc Hà", "Ông Bắc Hà" (capitalised at a sentence start), "cầu thủ Bảo Thắng".
    return any(_phrase_before(tok, x, _HONORIFICS, 1) is not None
               or _phrase_before(tok, x, _TITLES, _TITLE_WORDS) is not None for x in range(i, k - 1, -1))


def named_after_person(tok: Tokens, m: Mention) -> bool:
    """The name itself starts with a family name ("Nguyễn Thái Học", "Lê Lợi", "Trần Phú")."""
    return tok.lower[m.start] in _FAMILY


def street(tok: Tokens, m: Mention, by_start: dict[int, Mention] | None = None) -> bool:
    """The name is a street or an address: "phố Yên Bái", "611/2 Điện Biên Phủ", "đường Lê Lợi, Điện Biên Phủ",
    "45 Yên Bái, Hải Châu" (a house number, then a district of another province)."""
    i = m.start
    if i and tok.joined(i) and _HOUSE_NUMBER.match(tok.words[i - 1]):
        j = i - 1
        before = tok.gap(j)
        if (j == 0 or "/" in before or any(c in before for c in "(,;:\n") or tok.lower[j - 1] == "so"
                or (j >= 2 and tok.lower[j - 2:j] == ["dia", "chi"])):
            return True
        if by_start is not None and _district_of_elsewhere(tok, m, by_start):
            return True
    # The nearest street word earlier in the same clause, with only names between it and this one.
    for k in range(i - 1, max(0, i - 30) - 1, -1):
        sep = tok.seps[k + 1]
        if sep != " " and _CLAUSE_END.search(sep):
            break
        if tok.lower[k] not in _STREET_LAST_WORDS:
            continue
        for table, joiners in ((_STREETS, ","), (_CROSSINGS, ",-–")):
            begin = _phrase_before(tok, k + 1, table, 2)
            if begin is None or (table is _STREETS and begin and tok.lower[begin - 1] in _SUGAR):
                continue
            between = _PARENS.sub(" ", tok.text[tok.end(k):tok.start(i)])
            if _only_names(between, joiners):
                return True
    return False


def _district_of_elsewhere(tok: Tokens, m: Mention, by_start: dict[int, Mention]) -> bool:
    if tok.gap_after(m.end).strip() != ",":
        return False
    follower = by_start.get(m.end)
    if follower is None:
        return False
    own = {u.province for u in m.units}
    lower = [u for u in follower.units if not u.is_province]
    return bool(lower) and not any(u.is_province for u in follower.units) and not own & {u.province for u in lower}


def _only_names(text: str, joiners: str) -> bool:
    for piece in re.split(r"\s+", text.strip()):
        if not piece:
            continue
        if all(c in joiners for c in piece):
            continue
        word = piece.rstrip(joiners)
        if not word or not (word[0].isupper() or word[0].isdigit() or word == "và"):
            return False
    return True


def company(tok: Tokens, m: Mention) -> bool:
    """The name ends a company or brand name: "Công ty TNHH Bắc Hà", "Công ty Gốm xây dựng Hạ Long"."""
    i = m.start
    k = i
    while k > 0 and i - k < 7 and tok.joined(k) and tok.lower[k - 1] not in _NAME_BREAKS:
        k -= 1
        two = " ".join(tok.lower[k:k + 2])
        if tok.lower[k] in _COMPANIES or two in _COMPANIES or " ".join(tok.lower[k:k + 3]) in _COMPANIES:
            return True
    return False


def runs_into_other_name(tok: Tokens, m: Mention, gaz: Gazetteer, own: set[str]) -> bool:
    """The name's last words begin a longer one ("Bắc | Hà Nội", "phía Bắc Hà Lan"), or another
    province's name follows it as part of one name ("Sông Đà Nam Định", "Đồng Tâm Long An")."""
    n = len(tok)
    for k in range(m.start + 1, m.end):
        for extra in (1, 2):
            stop = m.end + extra
            if stop > n or not all(tok.joined(x) and tok.capital(x) for x in range(m.end, stop)):
                break
            if " ".join(tok.lower[k:stop]) in gaz.big_names:
                return True
    for extra in (1, 2, 3):
        stop = m.end + extra
        if stop > n or not all(tok.joined(x) and tok.capital(x) for x in range(m.end, stop)):
            break
        key = " ".join(tok.lower[m.end:stop])
        units = gaz.index.get(key, ())
        if key not in own and any(u.is_province for u in units):
            return True
    return False


def landmark(tok: Tokens, m: Mention) -> bool:
    """A landmark word stands right before the name: the landmark is in that commune."""
    return _phrase_before(tok, m.start, _LANDMARKS, 3) is not None


def route_end(tok: Tokens, m: Mention, by_start: dict[int, Mention], by_end: dict[int, Mention]) -> bool:
    """The name is one end of a route whose other end is a province or district: "tuyến Hà Nội -
    Đồng Đăng", "Lào Cai - Sa Pa". (Two communes joined so name one local thing instead.)"""
    partners = []
    if tok.gap_after(m.end).strip() in ("-", "–"):
        partners.append(by_start.get(m.end))
    if tok.gap(m.start).strip() in ("-", "–"):
        partners.append(by_end.get(m.start))
    return any(p is not None and any(u.rank > 0 for u in p.units) for p in partners)


def title_of_work(tok: Tokens, m: Mention) -> bool:
    """The name is inside the title of a film, play, song or book ("phim Ký ức Điện Biên")."""
    k = m.start
    while k > 0 and m.start - k < 4 and tok.joined(k) and tok.lower[k - 1] not in _NAME_BREAKS:
        if _phrase_before(tok, k, _WORKS, 2) is not None:
            return True
        k -= 1
    opening = quoted_from(tok, m)
    if opening is None:
        return False
    return any(_phrase_before(tok, x, _WORKS, 2) is not None for x in range(max(0, opening - 3), opening + 1))


def quoted_from(tok: Tokens, m: Mention) -> int | None:
    """The first word inside the quotation that holds the name, if the name is quoted after other words."""
    for k in range(m.start, max(-1, m.start - 8), -1):
        gap = tok.gap(k)
        if gap == " ":
            continue
        if _CLAUSE_END.search(gap):
            return None
        if any(q in gap for q in _QUOTES):
            return k if k < m.start else None
    return None


def numbered_parent(tok: Tokens, m: Mention, end: int | None = None) -> bool:
    """The name is followed by a numbered ward or district: "(Q.4)", ", phường 8", ", quận 3"."""
    j = m.end if end is None else end
    if tok.gap_after(j).strip() not in ("(", ","):
        return False
    for x in (j + 1, j + 2):
        if x < len(tok) and tok.words[x].isdigit():
            type_word, begin = type_before(tok, x)
            return type_word is not None and begin == j
    return False


def parent(tok: Tokens, m: Mention, by_start: dict[int, Mention], rank: int) -> tuple[set[str], bool] | None:
    """The provinces of the unit written as this name's parent, and whether it may contradict.

    "xã Quang Kim (huyện Bát Xát)", "Trạm Tấu (Yên Bái)", "xã Thống Nhất, huyện Hoành Bồ",
    "Văn Chấn - Hoàng Châu (Cát Hải)": the parent must rank above the name (a district or a province
    for a commune). A parent after a comma counts only with its type word, and one after a dash
    ("Bát Xát - Lào Cai") only confirms, because dashes also join routes ("Sa Pa - Hà Nội").
    """
    j = m.end
    gap = tok.gap_after(j)
    if gap.strip() in ("-", "–") and j in by_start:
        partner = by_start[j]
        found = _parent_at(tok, partner.end, by_start, rank, partner)
        if found is not None:
            return found
        if all(u.rank == 0 for u in partner.units) and partner.type_word is None:
            # Two communes joined by a dash name one local thing (a dyke, a road) in one place.
            return {u.province for u in partner.units}, True
        return _provinces_above(partner, rank), False
    return _parent_at(tok, j, by_start, rank, m)


def _parent_at(tok: Tokens, j: int, by_start: dict[int, Mention], rank: int,
               child: Mention) -> tuple[set[str], bool] | None:
    gap = tok.gap_after(j).strip()
    if gap not in ("(", ","):
        return None
    for start in (j, j + 1, j + 2):
        cand = by_start.get(start)
        if cand is None:
            continue
        if cand.type_start != j:
            return None
        if gap == "," and cand.type_word is None:
            return None
        provinces = _provinces_above(cand, rank)
        return (provinces, True) if provinces else None
    return None


def _provinces_above(m: Mention, rank: int) -> set[str]:
    if m.type_word in PROVINCE_TYPES and m.type_word == "tinh":
        units: list[Unit] = [u for u in m.units if u.is_province]
    else:
        units = [u for u in m.units if u.rank > rank]
    return {u.province for u in units}


__all__ = ["company", "landmark", "route_end", "named_after_person", "numbered_parent", "parent", "person", "quoted_from",
           "runs_into_other_name", "street", "title_of_work", "type_before"]
