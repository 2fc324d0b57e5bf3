"""The desk's access to the kernel's catalogue: its words live in ``mediawatch/i18n/desk.py`` under
``desk.<key>``, Vietnamese first, English on request."""

from __future__ import annotations

from typing import Any

from mediawatch.i18n import LANGS, has, t

__all__ = ["FLASH_KEYS", "LANGS", "known", "word"]

# Messages that may be named in a redirect's ?done= (never free text from the request).
FLASH_KEYS = frozenset({"review_done", "claim_saved", "import_done", "acked_done", "mute_done", "unmute_done",
                        "user_done", "password_done"})


def known(key: str) -> bool:
    return has(f"desk.{key}")


def word(key: str, lang: str = "vi", **values: Any) -> str:
    """The desk's text for ``key``; an unknown key (a value with no label yet) is shown as it is."""
    return t(f"desk.{key}", lang, **values) if known(key) else key
