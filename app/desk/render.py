"""Server-side HTML: Jinja2 templates with autoescaping on, and the formatting helpers they use.

Every value from a document, a claim or a person is escaped by Jinja; links are only made from
http(s) URLs (``safe_url``), so ``javascript:`` and ``data:`` never become clickable. Dates are
dd/mm/yyyy in the configured zone (Asia/Ho_Chi_Minh by default).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import jinja2


def safe_url(value: Any) -> str | None:
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) and len(text) <= 2048 else None


def local_time(value: datetime | None, tz: str) -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M") if value else "–"


def local_date(value: Any, tz: str = "Asia/Ho_Chi_Minh") -> str:
    """dd/mm/yyyy for a date, a datetime (in the zone) or an ISO date string (else as given)."""
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = str(value or "")
    try:
        return date.fromisoformat(text[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return text


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("mediawatch.app.desk", "templates"),
                             autoescape=True, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["safe_url"] = safe_url
    env.filters["local_date"] = local_date
    return env
