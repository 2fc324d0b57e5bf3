"""Pseudonymisation of social-post authors (Decree 13/2023/ND-CP; product principle 2).

Authors are replaced at ingest by a keyed HMAC. The platform is part of the message, so the same
handle on two platforms yields unrelated keys and key spaces never mix.
"""

from __future__ import annotations

import hashlib
import hmac


def author_key(secret: str | bytes, platform: str, raw_identifier: str) -> str:
    if not secret:
        raise ValueError("pseudonymisation key is empty: set privacy.pseudonymisation_key")
    key = secret.encode() if isinstance(secret, str) else secret
    message = f"{platform.strip().lower()}\x1f{raw_identifier.strip()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
