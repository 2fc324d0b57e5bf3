"""Pseudonymisation of social-post authors (Decree 13/2023/ND-CP; product principle 2).

Authors are replaced at ingest by a keyed HMAC. The platform is part of the message, so the same
handle on two platforms yields unrelated keys and key spaces never mix.
"""

from __future__ import annotations

import hashlib
import hmac
import re


def author_key(secret: str | bytes, platform: str, raw_identifier: str) -> str:
    if not secret:
        raise ValueError("pseudonymisation key is empty: set privacy.pseudonymisation_key")
    key = secret.encode() if isinstance(secret, str) else secret
    message = f"{platform.strip().lower()}\x1f{raw_identifier.strip()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


# @handles, links, e-mail addresses and Vietnamese phone numbers (0912 345 678, +84 912.345.678).
PERSONAL = re.compile(r"@\w[\w.]*|https?://\S+|www\.\S+|\S+@\S+\.\w+|(?:\+?84|0)(?:[\s.-]?\d){8,10}")


def scrub_personal(text: str | None, replacement: str = "") -> str:
    """Text a person reads (digest quotes, alert titles and texts) without handles, links, e-mails and
    phone numbers. One function, so the digest and the alerts remove the same things."""
    if not text:
        return ""
    cleaned = PERSONAL.sub(replacement, text)
    return " ".join(cleaned.split()) if cleaned != text else text
