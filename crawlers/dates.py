"""Dates as Vietnamese news sites write them, read into timezone-aware UTC datetimes.

Seen in the wild: "Thứ hai, 23/3/2015, 10:05 (GMT+7)", "23/03/2015 10:05", "10:05 23/03/2015",
"23-03-2015 - 10:05:00 AM", "Cập nhật: 08:30 ngày 12/07/2025", RFC 822 with +0700 (RSS), ISO 8601
(sitemaps, meta tags). A time without a zone is Vietnam time (Asia/Ho_Chi_Minh, UTC+7).
"""

from __future__ import annotations

import email.utils
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

_DMY = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
_HM = re.compile(r"(?<![\d/])(\d{1,2})[:hH](\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?(?![\d/])")
_GMT = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.I)


def _iso(text: str) -> datetime | None:
    candidate = text.strip().replace("Z", "+00:00")
    if not re.match(r"^\d{4}-\d{2}-\d{2}", candidate):
        return None
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        return None


def _rfc822(text: str) -> datetime | None:
    if not re.search(r"[A-Za-z]{3},?\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", text):
        return None
    try:
        return email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None


def _vietnamese(text: str) -> datetime | None:
    day_match = _DMY.search(text)
    if not day_match:
        return None
    day, month, year = (int(g) for g in day_match.groups())
    rest = text[:day_match.start()] + " " + text[day_match.end():]
    hour = minute = second = 0
    time_match = _HM.search(rest)
    if time_match:
        hour, minute = int(time_match.group(1)), int(time_match.group(2))
        second = int(time_match.group(3) or 0)
        meridiem = (time_match.group(4) or "").lower()
        if meridiem == "p" and hour < 12:
            hour += 12
        elif meridiem == "a" and hour == 12:
            hour = 0
    zone: timezone | ZoneInfo = VIETNAM
    gmt = _GMT.search(rest)
    if gmt:
        sign = -1 if gmt.group(1) == "-" else 1
        zone = timezone(sign * timedelta(hours=int(gmt.group(2)), minutes=int(gmt.group(3) or 0)))
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None


def parse_date(text: str | None) -> datetime | None:
    """Any date string a Vietnamese site or feed uses -> aware UTC datetime, or None if unreadable."""
    if not text or not text.strip():
        return None
    for reader in (_iso, _rfc822, _vietnamese):
        value = reader(text)
        if value is not None:
            if value.tzinfo is None:
                value = value.replace(tzinfo=VIETNAM)
            return value.astimezone(timezone.utc)
    return None
