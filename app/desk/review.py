"""Recording a verdict: the same path as `mediawatch triage review` (``store.review``, which writes
the review and audit logs, then ``feedback.promote``, which adds false and misleading claims to the
register), for one document or for a story's pending copies at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from mediawatch.document import Document, utcnow
from mediawatch.store.base import ReviewDecision, SearchQuery, Store

if TYPE_CHECKING:
    from mediawatch.classifiers.misinfo.claims import Claim

VERDICTS = ("false", "misleading", "true", "not-a-claim")
MAX_COPIES = 500  # a bulk review reaches at most this many other documents


@dataclass
class ReviewOutcome:
    reviewed: list[str] = field(default_factory=list)
    registered: "Claim | None" = None


def record_verdict(store: Store, doc_id: str, verdict: str, note: str, reviewer: str, *,
                   at: datetime | None = None, register: bool = True) -> tuple[Document, "Claim | None"]:
    """One document's verdict. KeyError for an unknown id, ValueError for an unknown verdict."""
    # Imported on first use: the triage package loads its model stack, which the desk's pages do not need.
    from mediawatch.classifiers.misinfo.feedback import promote

    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}")
    doc = store.get(doc_id)
    if doc is None:
        raise KeyError(f"no document with id {doc_id}")
    decision = ReviewDecision(doc_id=doc_id, verdict=verdict, reviewer=reviewer, note=note, decided_at=at or utcnow(),
                              previous_status=doc.misinfo.review_status if doc.misinfo else None)
    updated = store.review(decision)
    claim = promote(store, updated, verdict, note, actor=reviewer) if register else None
    return updated, claim


def is_pending(doc: Document) -> bool:
    return doc.misinfo is not None and doc.misinfo.review_status == "pending"


def pending_copies(store: Store, doc: Document) -> list[Document]:
    """Documents still waiting that stand for the same post: its pending duplicates, and the
    pending flagged items of its story. (Story and copies are read by their own indexes and
    filtered here: cheaper than asking the store for "flagged and pending in this story".)"""
    found: dict[str, Document] = {}
    queries = [(SearchQuery(duplicate_of=[doc.id]), is_pending)]
    if doc.story_id:
        queries.append((SearchQuery(story_ids=[doc.story_id]), lambda d: is_pending(d) and d.misinfo.flagged))
    for query, wanted in queries:
        for other in store.iter_documents(query, batch_size=200):
            if other.id != doc.id and wanted(other):
                found.setdefault(other.id, other)
            if len(found) >= MAX_COPIES:
                return list(found.values())
    return list(found.values())


def review(store: Store, doc_id: str, verdict: str, note: str, reviewer: str, *, with_copies: bool = False,
           at: datetime | None = None) -> ReviewOutcome:
    """The verdict on a document and, with ``with_copies``, on its pending copies; the register
    gains at most one entry (the document's claim)."""
    at = at or utcnow()
    doc, claim = record_verdict(store, doc_id, verdict, note, reviewer, at=at)
    outcome = ReviewOutcome([doc.id], claim)
    if with_copies:
        for other in pending_copies(store, doc):
            record_verdict(store, other.id, verdict, note, reviewer, at=at, register=False)
            outcome.reviewed.append(other.id)
    return outcome
