"""What every social connector shares: the switch-off guard, pseudonymisation, text and counts.

Privacy at the door: a connector never puts an author's name, handle, profile URL or numeric id
into a Document, a log line or an exception. It hands raw identifiers to :meth:`SocialRun.author`
and keeps only the keyed HMAC. Publishers (pages, channels, accounts the operator configured as
sources) keep their names.
"""

from __future__ import annotations

import html
import logging
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator

from mediawatch.document import Document, Engagement, Source
from mediawatch.errors import ErrorKind, MediawatchError
from mediawatch.privacy import author_key
from mediawatch.settings import SourceSettings

from ..base import CollectContext
from .http import ApiClient, RateLimited
from .post_urls import safe_post_url

log = logging.getLogger("mediawatch.social")


@dataclass
class SocialRun:
    """One source's run of one connector: settings, client, pseudonymiser, counters."""

    platform: str
    source: SourceSettings
    ctx: CollectContext
    client: ApiClient
    key: str = field(repr=False)
    publisher: Source = field(init=False)
    skipped: int = 0
    last_doc_id: str | None = None  # the last document handed out: see save_cursor
    _authors: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.publisher = Source(id=self.source.id, kind="social", name=self.source.name or self.source.id,
                                platform=self.platform)

    @classmethod
    def start(cls, platform: str, source: SourceSettings, ctx: CollectContext, *,
              token: Any = None, token_setting: str | None = None, **client_kwargs: Any
              ) -> "SocialRun | None":
        """The run, or None after ONE report line saying why the connector is switched off."""
        key = ctx.settings.privacy.pseudonymisation_key
        if key is None or not key.get_secret_value():
            switched_off(ctx, platform, "privacy.pseudonymisation_key is not set, so authors cannot be "
                         "pseudonymised. Fix: set MEDIAWATCH_PRIVACY__PSEUDONYMISATION_KEY "
                         "(a long random string) or [privacy] pseudonymisation_key")
            return None
        if token_setting and (token is None or not token.get_secret_value()):
            env = "MEDIAWATCH_SOCIAL__" + token_setting.upper()
            switched_off(ctx, platform, f"social.{token_setting} is not set and {platform} offers no "
                         f"public access without it. Fix: set {env} or [social] {token_setting}")
            return None
        client = ApiClient.for_context(ctx, **client_kwargs)
        return cls(platform=platform, source=source, ctx=ctx, client=client,
                   key=key.get_secret_value())

    def author(self, raw_identifier: Any) -> str | None:
        """The author's key; the raw identifier goes no further than this call."""
        if raw_identifier is None or str(raw_identifier).strip() == "":
            return None
        raw = str(raw_identifier)
        found = self._authors.get(raw)
        if found is None:
            if len(self._authors) > 50_000:  # bounded memory on long runs
                self._authors.clear()
            found = self._authors[raw] = author_key(self.key, self.platform, raw)
        return found

    def emit(self, document: Document, raw_authors: Iterable[Any] = ()) -> None:
        """Count a document about to be yielded and remember it for the cursor check.

        Its URL is checked here for every connector: kept only in an id-only shape (or naming a
        configured publisher), else replaced by an opaque ``urn:`` (see post_urls.py)."""
        document.url = safe_post_url(document.url, platform=self.platform, doc_id=document.id,
                                     publishers=self.publishers(),
                                     raw_authors=[str(a) for a in raw_authors if a not in (None, "")])
        self.last_doc_id = document.id
        self.ctx.report.saw(document)

    def publishers(self) -> list[str]:
        """Pages, channels and accounts the operator configured: publishers keep their names."""
        names: list[str] = []
        for option in ("pages", "channels", "accounts"):
            names.extend(n.lstrip("@") for n in getattr(self.source.options, option, None) or [])
        return names

    # --- cursors ---------------------------------------------------------------------------------
    # A cursor is saved while the ingest loop may still hold the last documents in an unwritten
    # batch. So it is saved with the id of the last document yielded; the next run trusts it only
    # if that document reached the store, else it resumes from the cursor before (nothing lost).
    def cursor(self, key: str) -> dict[str, Any]:
        saved = self.ctx.state(key)
        if "value" not in saved:
            return {}
        check = saved.get("check")
        if check and self.ctx.store.get(check) is None:
            log.info("[%s] %s: the last run's final documents never reached the store; "
                     "resuming from the cursor before it", self.source.id, key)
            return dict(saved.get("previous") or {})
        return dict(saved["value"])

    def save_cursor(self, key: str, value: dict[str, Any], previous: dict[str, Any],
                    last_doc_id: str | None) -> None:
        self.ctx.save_state(key, {"value": value, "previous": previous, "check": last_doc_id})

    def guarded(self, documents: Iterable[Document]) -> Iterator[Document]:
        """One target's documents: its rate limit or failure is reported and the next target goes on."""
        try:
            yield from documents
        except RateLimited as exc:
            self.ctx.report.failure(exc, "rate_limited")
        except MediawatchError as exc:
            self.ctx.report.failure(exc)

    def skip(self, reason: str, message: str) -> None:
        """A single item could not be used; the rest go on."""
        self.skipped += 1
        self.ctx.report.error(reason, message, kind=ErrorKind.BAD_INPUT)

    def close(self) -> None:
        self.client.close()


def switched_off(ctx: CollectContext, platform: str, why: str) -> None:
    ctx.report.error("switched_off", f"{platform} connector switched off: {why}", kind=ErrorKind.BAD_INPUT)


_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.I)


def html_to_text(value: str | None) -> str:
    """Post HTML (Mastodon content, Telegram messages) to plain text; paragraphs become newlines."""
    if not value:
        return ""
    text = _BREAK.sub("\n", value)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


# No post has a quadrillion likes; larger counts are broken data (and would overflow the store's
# 64-bit integers once the four counts are summed).
MAX_COUNT = 10**15


def to_int(value: Any) -> int:
    """A count from an API or an export ('1.2K', '3,4 N', '12 345', None) as an int.

    Raises ValueError for a count that is not finite or beyond ``MAX_COUNT``.
    """
    count = _count(value)
    if count > MAX_COUNT:
        raise ValueError(f"count out of range (above {MAX_COUNT:,})")
    return count


def _count(value: Any) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("count is not a finite number")
    if isinstance(value, (int, float)):
        return max(0, int(value))
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    match = re.fullmatch(r"([0-9]+(?:[.,][0-9]+)?)([KkMmBbNnTr]*)", text)
    if not match:
        digits = re.sub(r"[^0-9]", "", text)
        return int(digits) if digits else 0
    number, suffix = match.groups()
    scale = {"k": 1e3, "n": 1e3, "m": 1e6, "tr": 1e6, "b": 1e9}.get(suffix.lower(), 1)
    if scale == 1:
        return int(re.sub(r"[^0-9]", "", number))
    return int(float(number.replace(",", ".")) * scale)


def engagement(likes: Any = 0, comments: Any = 0, shares: Any = 0, views: Any = 0) -> Engagement:
    return Engagement(likes=to_int(likes), comments=to_int(comments), shares=to_int(shares),
                      views=to_int(views))


def _epoch(seconds: float) -> datetime | None:
    if not math.isfinite(seconds):
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):  # beyond the years a datetime can hold
        return None


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 (with Z or +0000), or epoch seconds, as aware UTC; None when unreadable or out of range."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _epoch(value)
    text = str(value).strip()
    if re.fullmatch(r"[0-9]{9,11}(\.[0-9]+)?", text):
        return _epoch(float(text))
    text = text.replace("Z", "+00:00")
    text = re.sub(r"([+-][0-9]{2})([0-9]{2})$", r"\1:\2", text)  # Graph's +0000
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None


def title_from(text: str, limit: int = 120) -> str:
    """Posts have no title: the first line, cut at a word boundary."""
    first = text.strip().split("\n", 1)[0]
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut + "…"
