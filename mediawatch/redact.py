"""One scrubber for every message that is logged, stored or printed: secrets never leave the process.

Two nets, applied together by :func:`scrub`:

1. **Known secrets.** Every ``SecretStr`` of every :class:`~mediawatch.settings.Settings` built in the
   process is registered (``Settings.model_post_init`` calls :func:`register_settings`), with the
   token-like parts of webhook URLs (Slack and Teams URLs are themselves credentials) and the
   password of a ``user:password@`` store URL. Their literal and percent-encoded spellings are
   replaced wherever they appear.
2. **Shapes of secrets.** Telegram ``/bot<token>/`` paths, credential query parameters
   (``access_token=``, ``key=``, ...), ``Authorization``-style headers, ``Bearer``/``OAuth`` values,
   ``user:password@`` in URLs, and well-known token formats (Google API keys, Facebook tokens, JWTs,
   Slack tokens), so a credential echoed by a platform is caught even when it is not ours.

:func:`install` makes every log record pass through :func:`scrub` (message and traceback) and caps
its length; stored messages (run records, outbox files, run summaries) are capped at
:data:`MAX_MESSAGE` characters by their writers with ``scrub(text, limit=MAX_MESSAGE)``.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any, Iterable
from urllib.parse import quote, unquote, urlsplit

REDACTED = "***"
MAX_MESSAGE = 500  # stored messages (run records, outbox files, summaries, status lines)
MAX_LOG_MESSAGE = 2000  # a log line: long enough for a configuration report, never megabytes
MIN_SECRET_LEN = 6  # shorter values would shred ordinary words; real credentials are longer
_MAX_KNOWN = 4096  # bounded registry (tests build thousands of Settings objects)

_lock = threading.Lock()
_known: dict[str, None] = {}  # insertion-ordered set
_known_re: re.Pattern[str] | None = None

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Telegram Bot API: https://api.telegram.org/bot<id>:<token>/sendMessage
    (re.compile(r"/bot\d+:[A-Za-z0-9_-]+"), "/bot" + REDACTED),
    # user:password@ in any URL
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@'\"]+:[^/\s@'\"]+@"), r"\1" + REDACTED + "@"),
    # credentials in query strings and form bodies
    (re.compile(r"(?i)([?&;](?:access_token|token|api[_-]?key|apikey|key|password|passwd|pwd|secret|"
                r"client_secret|sig|signature|auth|session|jwt|hub\.verify_token)=)[^&#\s'\"<>]+"),
     r"\1" + REDACTED),
    # header-like "name: value" or "name=value" pairs (also inside repr()s of dicts)
    (re.compile(r"(?i)\b(authorization|proxy-authorization|x-goog-api-key|x-api-key|api-key|access_token|"
                r"cookie|set-cookie)(['\"]?\s*[:=]\s*['\"]?)"
                r"(?:(?:bearer|basic|oauth|token|apikey)\s+)?[^\s'\",;}&]+"),
     r"\1\2" + REDACTED),
    (re.compile(r"(?i)\b(bearer|oauth)\s+(?=[^\s]*\d)[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    # well-known token formats
    (re.compile(r"\bAIza[0-9A-Za-z_-]{30,}"), REDACTED),  # Google API key
    (re.compile(r"\bEAA[A-Za-z0-9]{20,}"), REDACTED),  # Facebook access token
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"), REDACTED),  # JWT
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), REDACTED),  # Slack token
    (re.compile(r"(?i)(hooks\.slack\.com/(?:services|workflows|triggers)/)[^\s'\"<>]+"), r"\1" + REDACTED),
    (re.compile(r"(?i)(webhook\.office\.com/webhookb2/)[^\s'\"<>]+"), r"\1" + REDACTED),
]


def _spellings(value: str) -> set[str]:
    """The value as written, percent-encoded (URLs) and JSON-escaped."""
    out = {value, quote(value, safe=""), quote(value, safe=":/@")}
    escaped = value.encode("ascii", "backslashreplace").decode("ascii")
    out.add(escaped)
    return {s for s in out if len(s) >= MIN_SECRET_LEN}


def register(*values: Any) -> None:
    """Remember secret values (str or SecretStr) so :func:`scrub` replaces them everywhere."""
    global _known_re
    added = False
    with _lock:
        for value in values:
            if value is None:
                continue
            raw = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
            raw = raw.strip()
            if len(raw) < MIN_SECRET_LEN:
                continue
            for spelling in _spellings(raw):
                if spelling not in _known:
                    _known[spelling] = None
                    added = True
        while len(_known) > _MAX_KNOWN:
            _known.pop(next(iter(_known)))
        if added:
            _known_re = None


def _url_secrets(url: str | None) -> list[str]:
    """Token-like parts of a URL that is itself a credential (Slack/Teams webhooks, tokens in paths)."""
    if not url:
        return []
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = []
    if parts.password:
        found.append(unquote(parts.password))
    for segment in parts.path.split("/"):
        if len(segment) >= 12 and re.search(r"\d", segment) and re.search(r"[A-Za-z]", segment):
            found.append(unquote(segment))
    for pair in parts.query.split("&"):
        _, _, value = pair.partition("=")
        if len(value) >= 12:
            found.append(unquote(value))
    return found


def _walk_secrets(obj: Any) -> Iterable[Any]:
    from pydantic import BaseModel, SecretStr

    if isinstance(obj, SecretStr):
        yield obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _walk_secrets(getattr(obj, name, None))
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _walk_secrets(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _walk_secrets(item)


def register_settings(settings: Any) -> None:
    """Register every SecretStr of a Settings object, plus credentials embedded in its URLs."""
    values: list[Any] = list(_walk_secrets(settings))
    for hook in getattr(settings, "webhooks", None) or []:
        values.extend(_url_secrets(getattr(hook, "url", None)))
    store = getattr(settings, "store", None)
    if store is not None:
        values.extend(_url_secrets(getattr(store, "url", None)) if "@" in (store.url or "") else [])
    register(*values)
    install()


def _known_pattern() -> re.Pattern[str] | None:
    global _known_re
    with _lock:
        if _known_re is None and _known:
            ordered = sorted(_known, key=len, reverse=True)
            _known_re = re.compile("|".join(re.escape(s) for s in ordered))
        return _known_re


def scrub(text: Any, limit: int | None = None) -> str:
    """``text`` without secrets (known values and secret shapes), cut to ``limit`` characters."""
    if text is None:
        return ""
    value = text if isinstance(text, str) else str(text)
    if limit is not None and len(value) > 4 * limit + 4096:
        value = value[:4 * limit + 4096]  # never run the patterns over megabytes of a hostile message
    known = _known_pattern()
    if known is not None:
        value = known.sub(REDACTED, value)
    for pattern, replacement in _PATTERNS:
        value = pattern.sub(replacement, value)
    if limit is not None and len(value) > limit:
        value = value[:limit - 1].rstrip() + "…"
    return value


def scrub_data(obj: Any, limit: int | None = MAX_MESSAGE) -> Any:
    """Every string inside a JSON-like structure scrubbed (and capped), for stored summaries."""
    if isinstance(obj, str):
        return scrub(obj, limit)
    if isinstance(obj, dict):
        return {k: scrub_data(v, limit) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [scrub_data(v, limit) for v in obj]
    return obj


# --- logging ---------------------------------------------------------------------------------------

_installed = False


def _scrubbing_factory(previous):
    plain = logging.Formatter()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it as usual
            return record
        clean = scrub(message, MAX_LOG_MESSAGE)
        if clean != message:
            # Formatters that read record.args (uvicorn's access log) keep working when the
            # secret sits in a string argument; otherwise the message is replaced whole.
            fixed = False
            if isinstance(record.args, tuple) and record.args and isinstance(record.msg, str):
                record.msg = scrub(record.msg)
                record.args = tuple(scrub(a) if isinstance(a, str) else a for a in record.args)
                try:
                    again = record.getMessage()
                    fixed = scrub(again, MAX_LOG_MESSAGE) == again
                except Exception:
                    fixed = False
            if not fixed:
                record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(plain.formatException(record.exc_info))
        return record

    factory.mediawatch_scrubbing = True  # type: ignore[attr-defined]
    return factory


def install() -> None:
    """Route every log record of the process through :func:`scrub` (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        current = logging.getLogRecordFactory()
        if not getattr(current, "mediawatch_scrubbing", False):
            logging.setLogRecordFactory(_scrubbing_factory(current))
        _installed = True
