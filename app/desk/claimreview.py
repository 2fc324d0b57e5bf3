"""Importing claims into the register: ClaimReview (schema.org, as fact-checkers publish it) from a
page, a file or pasted text, and register files (CSV/YAML).

``import_claimreview(text_or_url)`` is the one boundary the desk calls for ClaimReview. The reader
below is deliberately small (JSON-LD blocks, ``claimReviewed``, the rating's name or value, the
review's URL, date and author); the triage stage owns the full ClaimReview parser in
``classifiers/misinfo/``, and this function is the place to call it from when both are merged.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from typing import Any, Callable

from mediawatch.errors import BadInputError
from mediawatch.store.base import Store
from mediawatch.store.desk_base import ClaimRecord, ClaimVersionConflict, claim_id
from mediawatch.text import fold

_JSONLD = re.compile(r"<script[^>]+type\s*=\s*[\"']application/ld\+json[\"'][^>]*>(.*?)</script>",
                     re.IGNORECASE | re.DOTALL)
# Rating names (folded) -> register verdicts; checked in this order, so "mostly false" is misleading.
_RATINGS = (
    (("misleading", "mostly false", "half true", "mixture", "partly false", "gay hieu lam", "sai su that",
      "thieu chinh xac", "chua chinh xac"), "tin sai sự thật"),
    (("false", "fake", "pants on fire", "incorrect", "tin gia", "sai", "bia dat", "khong dung"), "tin giả"),
    (("true", "correct", "accurate", "dung", "chinh xac", "xac thuc"), "tin xác thực"),
)


def _verdict(rating: Any) -> str | None:
    if not isinstance(rating, dict):
        return None
    name = fold(str(rating.get("alternateName") or rating.get("name") or ""))
    for words, verdict in _RATINGS:
        if any(re.search(rf"\b{re.escape(w)}\b", name) for w in words):
            return verdict
    try:
        value = float(rating["ratingValue"])
        worst, best = float(rating.get("worstRating", 1)), float(rating.get("bestRating", 5))
    except (KeyError, TypeError, ValueError):
        return None
    share = (value - worst) / (best - worst) if best > worst else 0.0
    return "tin giả" if share <= 0.25 else "tin sai sự thật" if share < 0.75 else "tin xác thực"


def _objects(data: Any):
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _objects(data.get("@graph", []))


def _name(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value.get("name") or "") if isinstance(value, dict) else str(value or "")


def _is_review(obj: dict) -> bool:
    kind = obj.get("@type")
    return "ClaimReview" in (kind if isinstance(kind, list) else [kind])


def read_claimreview(text: str, where: str = "ClaimReview") -> list[ClaimRecord]:
    """Claims from ClaimReview JSON(-LD) or an HTML page that embeds it."""
    stripped = text.lstrip()
    blocks = [stripped] if stripped.startswith(("{", "[")) else [html.unescape(b) for b in _JSONLD.findall(text)]
    out: list[ClaimRecord] = []
    for block in blocks:
        try:
            data = json.loads(block)
        except ValueError as exc:
            raise BadInputError(f"{where}: JSON-LD that does not parse: {exc}", fix="check the page's markup") from exc
        for obj in _objects(data):
            if not _is_review(obj):
                continue
            claim = str(obj.get("claimReviewed") or "").strip()
            verdict = _verdict(obj.get("reviewRating"))
            if not claim or verdict is None:
                continue
            out.append(ClaimRecord(
                id=claim_id(claim), text=claim[:2000], verdict=verdict,
                correction=str(obj.get("reviewBody") or obj.get("description")
                               or (obj.get("reviewRating") or {}).get("ratingExplanation") or "")[:4000],
                source_url=str(obj.get("url") or ""), date=str(obj.get("datePublished") or "")[:10],
                origin="claimreview", publisher=_name(obj.get("author") or obj.get("publisher"))[:300]))
    return out


def import_claimreview(text_or_url: str, *, fetch: Callable[[str], str] | None = None) -> list[ClaimRecord]:
    """Claims from a ClaimReview page address (fetched with ``fetch``) or from its content."""
    value = text_or_url.strip()
    if value.lower().startswith(("http://", "https://")) and "\n" not in value:
        if fetch is None:
            raise BadInputError(f"{value}: cannot fetch pages here", fix="paste the page's content instead")
        return read_claimreview(fetch(value), value)
    return read_claimreview(value)


def read_upload(name: str, content: str) -> list[ClaimRecord]:
    """A register file (CSV/YAML) or a ClaimReview file (JSON/HTML), by its name."""
    from mediawatch.classifiers.misinfo.claims import parse_register, record_from_claim

    if name.lower().endswith((".csv", ".yaml", ".yml")):
        return [replace(record_from_claim(c), origin="import") for c in parse_register(content, name)]
    return read_claimreview(content, name)


def save_imported(store: Store, records: list[ClaimRecord], actor: str) -> dict[str, int]:
    """Save each as a new claim or a new version of the same id; unchanged entries write nothing."""
    counts = {"new": 0, "changed": 0, "same": 0}
    for record in records:
        for _ in range(5):
            current = store.claim(record.id)
            candidate = replace(record, version=current.version if current else 0, note="import",
                                publisher=record.publisher or (current.publisher if current else ""))
            if current is not None and current.content() == candidate.content():
                counts["same"] += 1
                break
            try:
                store.save_claim(candidate, actor)
            except ClaimVersionConflict:
                continue
            counts["changed" if current else "new"] += 1
            break
    return counts
