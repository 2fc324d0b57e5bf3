"""Reviewers' verdicts flow back: into the claims register and into the model's training data."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from mediawatch.document import Document

from .claims import REVIEW_TO_VERDICT, Claim, claim_id, save_claim

log = logging.getLogger("mediawatch.misinfo")

# Review verdict -> ReINTEL-style label (1 = unreliable).
REVIEW_LABELS = {"false": 1, "misleading": 1, "true": 0, "not-a-claim": 0}


def claim_from_review(doc: Document, verdict: str, note: str, when: datetime | None = None) -> Claim | None:
    """A register entry for a document a reviewer judged false or misleading (None otherwise)."""
    if verdict not in ("false", "misleading"):
        return None
    text = (doc.misinfo.claim if doc.misinfo and doc.misinfo.claim else None) or doc.title or doc.text[:300]
    if not text.strip():
        return None
    when = when or datetime.now(timezone.utc)
    return Claim(id=claim_id(text), text=text.strip(), verdict=REVIEW_TO_VERDICT[verdict], correction=note,
                 source_url=(doc.misinfo.evidence_url or "") if doc.misinfo else "",
                 date=when.date().isoformat(), topic=doc.topics[0] if doc.topics else "", origin="review")


def promote(store, doc: Document, verdict: str, note: str, *, actor: str = "review") -> Claim | None:
    """Add (or update) the register entry of a document judged false or misleading; ``actor`` is
    the reviewer, recorded with the claim's version and in the audit log."""
    claim = claim_from_review(doc, verdict, note)
    if claim is not None:
        save_claim(store, claim, actor=actor, note=f"verdict {verdict} on document {doc.id}")
    return claim
