"""The review queue: flagged items newest (or highest score) first, each with its claim, matched
register entry, evidence, reasons, source, story and the copies it stands for; verdict buttons
with a note, for the item alone or with its pending copies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData
from starlette.responses import Response

from mediawatch.document import REVIEW_STATUSES, Document
from mediawatch.store.base import SearchQuery

from .review import VERDICTS, is_pending, review
from .web import Ctx, action, local_path, page, text

PAGE_SIZE = 20
SCORE_WINDOW = 500  # "highest score first" ranks at most this many matching items
DUPLICATES_SHOWN = 5
STORY_SCAN = 500  # story members and copies read per card (counts beyond are from the store's total)
KINDS = ("press", "social", "web")


@dataclass
class Item:
    doc: Document
    matched: dict[str, Any] | None = None
    story_total: int = 0
    story_pending: int = 0
    duplicates: list[Document] = field(default_factory=list)
    duplicates_total: int = 0
    copies_pending: int = 0


def matched_entry(ctx: Ctx, doc: Document) -> dict[str, Any] | None:
    """The register entry a document matched: the store's row, else the configured file's entry."""
    m = doc.misinfo
    if m is None or not (m.matched_claim_id or m.matched_claim):
        return None
    record = ctx.store.claim(m.matched_claim_id) if m.matched_claim_id else None
    if record is not None:
        return {"id": record.id, "text": record.text, "verdict": record.verdict, "correction": record.correction,
                "source_url": record.source_url, "in_register": True}
    for claim in ctx.desk.register_file():
        if claim.id == m.matched_claim_id:
            return {"id": claim.id, "text": claim.text, "verdict": claim.verdict, "correction": claim.correction,
                    "source_url": claim.source_url, "in_register": False}
    return {"id": m.matched_claim_id, "text": m.matched_claim or "", "verdict": "", "correction": "",
            "source_url": "", "in_register": False}


def build_item(ctx: Ctx, doc: Document) -> Item:
    """The card's figures from two index-driven reads: the document's copies and its story."""
    store = ctx.store
    item = Item(doc, matched_entry(ctx, doc))
    copies = store.search(SearchQuery(duplicate_of=[doc.id]), size=STORY_SCAN)
    item.duplicates, item.duplicates_total = copies.documents[:DUPLICATES_SHOWN], copies.total
    waiting = {d.id for d in copies.documents if is_pending(d)}
    if doc.story_id:
        members = store.search(SearchQuery(story_ids=[doc.story_id]), size=STORY_SCAN)
        flagged = {d.id for d in members.documents if is_pending(d) and d.misinfo.flagged}
        item.story_total, item.story_pending = members.total, len(flagged)
        waiting |= flagged
    waiting.discard(doc.id)
    item.copies_pending = len(waiting)
    return item


def _filters(ctx: Ctx) -> dict[str, str]:
    q = ctx.request.query_params
    status = q.get("status", "pending")
    return {"topic": q.get("topic", "")[:200], "place": q.get("place", "")[:200],
            "kind": q.get("kind", "") if q.get("kind", "") in KINDS else "",
            "status": status if status in (*REVIEW_STATUSES, "all") else "pending",
            "sort": "score" if q.get("sort") == "score" else "newest",
            "copies": "1" if q.get("copies") == "1" else ""}


def _query(filters: dict[str, str]) -> SearchQuery:
    return SearchQuery(flagged_only=True,
                       misinfo_statuses=[] if filters["status"] == "all" else [filters["status"]],
                       topics=[filters["topic"]] if filters["topic"] else [],
                       places=[filters["place"]] if filters["place"] else [],
                       kinds=[filters["kind"]] if filters["kind"] else [],
                       include_duplicates=bool(filters["copies"]))


@page("viewer")
def queue(ctx: Ctx) -> Response:
    filters = _filters(ctx)
    query = _query(filters)
    q = ctx.request.query_params
    next_cursor = next_offset = None
    capped = False
    if filters["sort"] == "score":
        pool = []
        for doc in ctx.store.iter_documents(query, batch_size=250):
            pool.append(doc)
            if len(pool) >= SCORE_WINDOW:
                capped = True
                break
        pool.sort(key=lambda d: (-(d.misinfo.score if d.misinfo else 0.0), -d.when.timestamp(), d.id))
        offset = max(0, int(q.get("offset", "0"))) if q.get("offset", "0").isdigit() else 0
        docs = pool[offset:offset + PAGE_SIZE]
        total = len(pool)
        if offset + PAGE_SIZE < total:
            next_offset = offset + PAGE_SIZE
    else:
        try:
            result = ctx.store.search(query, size=PAGE_SIZE, cursor=q.get("cursor") or None)
        except ValueError:  # a mangled cursor: start again from the newest
            result = ctx.store.search(query, size=PAGE_SIZE)
        docs, total, next_cursor = result.documents, result.total, result.next_cursor
    facets = ctx.desk.cached("queue-facets", 60, lambda: ctx.store.facets(SearchQuery(flagged_only=True),
                                                                         ["topics", "places"], size=100))
    return ctx.render("queue.html", section="queue", filters=filters, items=[build_item(ctx, d) for d in docs],
                      total=total, capped=capped, next_cursor=next_cursor, next_offset=next_offset,
                      topics=[v for v, _ in facets["topics"]], places=[v for v, _ in facets["places"]],
                      kinds=KINDS, statuses=(*REVIEW_STATUSES, "all"), verdicts=VERDICTS,
                      here=local_path(ctx.request.url.path + "?" + str(ctx.request.url.query)))


@page("viewer")
def item_page(ctx: Ctx) -> Response:
    doc = ctx.store.get(ctx.request.path_params["doc_id"])
    if doc is None:
        return ctx.not_found()
    return ctx.render("item.html", section="queue", item=build_item(ctx, doc), verdicts=VERDICTS,
                      history=ctx.store.reviews(doc_id=doc.id, limit=50),
                      here=ctx.request.url.path)


@action("reviewer")
def review_item(ctx: Ctx, form: FormData) -> Response:
    doc_id = ctx.request.path_params["doc_id"]
    verdict, note = text(form, "verdict", 40), text(form, "note")
    back = local_path(text(form, "next", 2000), f"/items/{doc_id}")
    if verdict not in VERDICTS or not note:
        doc = ctx.store.get(doc_id)
        if doc is None:
            return ctx.not_found()
        error = ctx.w("verdict_invalid" if verdict not in VERDICTS else "note_required")
        return ctx.render("item.html", status=400, section="queue", item=build_item(ctx, doc), verdicts=VERDICTS,
                          history=ctx.store.reviews(doc_id=doc.id, limit=50), here=back, error=error, note=note)
    try:
        outcome = review(ctx.store, doc_id, verdict, note, ctx.user.username, with_copies=text(form, "copies") == "1")
    except KeyError:
        return ctx.not_found()
    return ctx.redirect_back(back, done="review_done", n=len(outcome.reviewed))
