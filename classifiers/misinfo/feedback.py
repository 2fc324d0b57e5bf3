"""Reviewers' verdicts flow back: into the claims register and into the model's training data."""

from __future__ import annotations

import logging
from pathlib import Path
from datetime import datetime, timezone

from mediawatch.document import Document

from .claims import REVIEW_TO_VERDICT, Claim, claim_id, save_claim
from .model import Post

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


def promote(store, doc: Document, verdict: str, note: str) -> Claim | None:
    claim = claim_from_review(doc, verdict, note)
    if claim is not None:
        save_claim(store, claim)
    return claim


def reviewed_examples(store, limit: int = 100_000) -> list[tuple[Post, int]]:
    """(post, label) for every reviewed document, using each document's latest verdict."""
    from .scorer import post_of

    seen: set[str] = set()
    out: list[tuple[Post, int]] = []
    for decision in store.reviews(limit=limit):  # most recent first
        if decision.doc_id in seen or decision.verdict not in REVIEW_LABELS:
            continue
        seen.add(decision.doc_id)
        doc = store.get(decision.doc_id)
        if doc is not None:
            out.append((post_of(doc), REVIEW_LABELS[decision.verdict]))
    return out


def reviewed_from_settings() -> list[tuple[Post, int]]:
    """Reviewed examples from the configured store, or none when there is no store to read."""
    try:
        from mediawatch.settings import load_settings
        from mediawatch.store import open_store

        settings = load_settings()
        url = settings.store_url()
        if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).is_file():
            return []  # no store yet: nothing reviewed, and training must not create one
        with open_store(settings) as store:
            return reviewed_examples(store)
    except Exception as exc:  # training goes on with the public data alone
        log.warning("reviewers' verdicts not used for training: %s", exc)
        return []
