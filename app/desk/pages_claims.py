"""The claims register: list and search, add, edit (each save a new version, stale edits refused),
history, and import from ClaimReview or register files."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from mediawatch.errors import MediawatchError
from mediawatch.store.desk_base import CLAIM_VERDICTS, ClaimQuery, ClaimRecord, ClaimVersionConflict, claim_id

from .claimreview import import_claimreview, read_upload, save_imported
from .render import safe_url
from .web import Ctx, action, page, text

PAGE_SIZE = 30
ORIGINS = ("import", "review", "desk", "claimreview", "migration")
MAX_UPLOAD = 2 * 1024 * 1024


def parse_date(value: str) -> str | None:
    """dd/mm/yyyy (or ISO) -> ISO date; '' stays ''; None when unreadable."""
    value = value.strip()
    if not value:
        return ""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def form_values(form: FormData) -> dict[str, Any]:
    return {"text": text(form, "text", 2000), "verdict": text(form, "verdict", 40),
            "correction": text(form, "correction"), "source_url": text(form, "source_url", 2048),
            "date": text(form, "date", 20), "topic": text(form, "topic", 100), "publisher": text(form, "publisher", 300),
            "paraphrases": text(form, "paraphrases", 8000), "note": text(form, "note", 1000)}


def record_from_values(values: dict[str, Any], claim_id_: str, version: int,
                       base: ClaimRecord | None) -> tuple[ClaimRecord | None, str | None]:
    if not values["text"]:
        return None, "claim_text_required"
    if values["verdict"] not in CLAIM_VERDICTS:
        return None, "verdict_invalid"
    if values["source_url"] and not safe_url(values["source_url"]):
        return None, "url_invalid"
    iso = parse_date(values["date"])
    if iso is None:
        return None, "date_invalid"
    paraphrases = [p.strip() for p in values["paraphrases"].splitlines() if p.strip()][:50]
    record = ClaimRecord(id=claim_id_, text=values["text"], verdict=values["verdict"], correction=values["correction"],
                         source_url=values["source_url"], date=iso, topic=values["topic"],
                         origin=base.origin if base else "desk", publisher=values["publisher"],
                         paraphrases=paraphrases, example=base.example if base else False, version=version,
                         note=values["note"])
    return record, None


def values_of(record: ClaimRecord, lang_date) -> dict[str, Any]:
    return {"text": record.text, "verdict": record.verdict, "correction": record.correction,
            "source_url": record.source_url, "date": lang_date(record.date) if record.date else "",
            "topic": record.topic, "publisher": record.publisher, "paraphrases": "\n".join(record.paraphrases),
            "note": ""}


def _history_rows(history: list[ClaimRecord]) -> list[dict[str, Any]]:
    rows = []
    for i, version in enumerate(history):
        older = history[i + 1] if i + 1 < len(history) else None
        changed = [name for name in ClaimRecord.CONTENT
                   if older is None or getattr(older, name) != getattr(version, name)]
        rows.append({"record": version, "changed": changed})
    return rows


@page("viewer")
def claims_list(ctx: Ctx) -> Response:
    q = ctx.request.query_params
    filters = {"q": q.get("q", "")[:200], "verdict": q.get("verdict", "") if q.get("verdict") in CLAIM_VERDICTS else "",
               "topic": q.get("topic", "")[:100], "origin": q.get("origin", "") if q.get("origin") in ORIGINS else ""}
    offset = int(q["offset"]) if q.get("offset", "").isdigit() else 0
    result = ctx.store.claims(ClaimQuery(text=filters["q"] or None,
                                         verdicts=[filters["verdict"]] if filters["verdict"] else [],
                                         topics=[filters["topic"]] if filters["topic"] else [],
                                         origins=[filters["origin"]] if filters["origin"] else []),
                              size=PAGE_SIZE, offset=offset)
    file_claims = [c for c in ctx.desk.register_file() if ctx.store.claim(c.id) is None]
    return ctx.render("claims.html", section="claims", filters=filters, result=result, offset=offset,
                      page_size=PAGE_SIZE, verdicts=CLAIM_VERDICTS, origins=ORIGINS, file_claims=file_claims)


def _form_page(ctx: Ctx, values: dict[str, Any], *, record: ClaimRecord | None = None, status: int = 200,
               error: str | None = None) -> Response:
    history = _history_rows(ctx.store.claim_history(record.id)) if record else []
    return ctx.render("claim.html", status=status, section="claims", values=values, record=record,
                      history=history, verdicts=CLAIM_VERDICTS, error=error)


@page("reviewer")
def claim_new(ctx: Ctx) -> Response:
    values = {k: "" for k in ("text", "correction", "source_url", "date", "topic", "publisher", "paraphrases", "note")}
    return _form_page(ctx, {**values, "verdict": CLAIM_VERDICTS[0]})


@action("reviewer")
def claim_create(ctx: Ctx, form: FormData) -> Response:
    values = form_values(form)
    record, error = record_from_values(values, claim_id(values["text"]) if values["text"] else "", 0, None)
    if error:
        return _form_page(ctx, values, status=400, error=ctx.w(error))
    existing = ctx.store.claim(record.id)
    if existing is not None:
        return _form_page(ctx, values, status=409, error=ctx.w("claim_exists"), record=existing)
    try:
        version = ctx.store.save_claim(record, ctx.user.username)
    except ClaimVersionConflict:
        return _form_page(ctx, values, status=409, error=ctx.w("claim_exists"), record=ctx.store.claim(record.id))
    return ctx.redirect(f"/claims/{record.id}", done="claim_saved", v=version)


@page("viewer")
def claim_page(ctx: Ctx) -> Response:
    record = ctx.store.claim(ctx.request.path_params["claim_id"])
    if record is None:
        return ctx.not_found()
    return _form_page(ctx, values_of(record, ctx.date), record=record)


@action("reviewer")
def claim_update(ctx: Ctx, form: FormData) -> Response:
    current = ctx.store.claim(ctx.request.path_params["claim_id"])
    if current is None:
        return ctx.not_found()
    values = form_values(form)
    read = text(form, "version", 12)
    version = int(read) if read.isdigit() else -1
    record, error = record_from_values(values, current.id, version, current)
    if error:
        return _form_page(ctx, values, record=current, status=400, error=ctx.w(error))
    try:
        saved = ctx.store.save_claim(record, ctx.user.username)
    except ClaimVersionConflict as exc:
        latest = ctx.store.claim(current.id) or current
        return _form_page(ctx, values, record=latest, status=409,
                          error=ctx.w("claim_conflict", who=latest.changed_by, v=exc.current))
    return ctx.redirect(f"/claims/{current.id}", done="claim_saved", v=saved)


@page("reviewer")
def import_page(ctx: Ctx) -> Response:
    return ctx.render("import.html", section="claims", error=None, url="", pasted="")


def _fetch(ctx: Ctx):
    from mediawatch.crawlers.fetch import FetchPolicy, Fetcher

    def fetch(url: str) -> str:
        fetcher = Fetcher(FetchPolicy.from_settings(ctx.settings))
        try:
            result = fetcher.get(url)
        finally:
            fetcher.close()
        return result.body.decode(result.charset or "utf-8", "replace")
    return fetch


@action("reviewer", files=True)
def import_claims(ctx: Ctx, form: FormData) -> Response:
    url, pasted = text(form, "url", 2048), text(form, "pasted", MAX_UPLOAD)
    upload = form.get("file")
    has_file = isinstance(upload, UploadFile) and bool(upload.filename)
    if sum(map(bool, (url, pasted, has_file))) != 1:
        return ctx.render("import.html", status=400, section="claims", error=ctx.w("import_one"), url=url,
                          pasted=pasted)
    try:
        if has_file:
            raw = upload.file.read(MAX_UPLOAD + 1)
            if len(raw) > MAX_UPLOAD:
                return ctx.render("error.html", status=413, title=ctx.w("too_large"), message=ctx.w("too_large"))
            records = read_upload(upload.filename, raw.decode("utf-8", "replace"))
        elif url:
            if not safe_url(url):
                raise ValueError(ctx.w("url_invalid"))
            records = import_claimreview(url, fetch=_fetch(ctx))
        else:
            records = import_claimreview(pasted)
    except (MediawatchError, ValueError) as exc:
        return ctx.render("import.html", status=400, section="claims", url=url, pasted=pasted,
                          error=ctx.w("import_error", why=str(exc)))
    if not records:
        return ctx.render("import.html", status=400, section="claims", url=url, pasted=pasted,
                          error=ctx.w("import_none"))
    records = [replace(r, date=r.date if parse_date(r.date) else "") for r in records]
    counts = save_imported(ctx.store, records, ctx.user.username)
    return ctx.redirect("/claims", done="import_done", n=len(records), **counts)
