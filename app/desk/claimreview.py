"""Importing claims into the register from the desk: ClaimReview (schema.org, as fact-checkers
publish it) from a page, a file or pasted text, and register files (CSV/YAML).

The reading is the triage stage's (``classifiers/misinfo/claimreview.py`` and ``claims.py``), the
same that ``mediawatch claims import`` uses, so the desk and the command agree on every page.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from mediawatch.classifiers.misinfo.claimreview import ReviewsRead, read_claim_reviews, read_claims_file
from mediawatch.classifiers.misinfo.claims import Claim, claim_from_record, record_from_claim, save_claim
from mediawatch.errors import BadInputError
from mediawatch.store.base import Store
from mediawatch.store.desk_base import ClaimRecord


def _records(claims: list[Claim], problems: list[str], *, nothing_found: bool = False) -> list[ClaimRecord]:
    """The claims read; when none could be read from broken input, the reasons (file:line) as an error."""
    if not claims and problems and not nothing_found:
        raise BadInputError("; ".join(problems[:3]), fix="check the page's or the file's markup")
    return [record_from_claim(c) for c in claims]


def read_claimreview(text: str, where: str = "ClaimReview", *, page_url: str = "") -> list[ClaimRecord]:
    """Claims from ClaimReview JSON(-LD) or an HTML page that embeds it."""
    read = read_claim_reviews(text, where, page_url=page_url)
    return _records(read.claims, read.problems, nothing_found=read.nothing_found)


def import_claimreview(text_or_url: str, *, fetch: Callable[[str], str] | None = None) -> list[ClaimRecord]:
    """Claims from a ClaimReview page address (fetched with ``fetch``) or from its content."""
    value = text_or_url.strip()
    if value.lower().startswith(("http://", "https://")) and "\n" not in value:
        if fetch is None:
            raise BadInputError(f"{value}: cannot fetch pages here", fix="paste the page's content instead")
        return read_claimreview(fetch(value), value, page_url=value)
    return read_claimreview(value)


def read_upload(name: str, content: str) -> list[ClaimRecord]:
    """A register file (CSV/YAML) or a ClaimReview file (JSON/HTML), by its name."""
    read = read_claims_file(content, name)
    if isinstance(read, ReviewsRead):
        return _records(read.claims, read.problems, nothing_found=read.nothing_found)
    return [replace(r, origin="import") for r in _records(read.claims, read.problems)]


def save_imported(store: Store, records: list[ClaimRecord], actor: str) -> dict[str, int]:
    """Save each as a new claim or a new version of the same id; unchanged entries write nothing."""
    counts = {"new": 0, "changed": 0, "same": 0}
    for record in records:
        before = store.claim(record.id)
        version = save_claim(store, claim_from_record(record), actor=actor, note="import")
        counts["same" if before is not None and version == before.version else
               "changed" if before is not None else "new"] += 1
    return counts
