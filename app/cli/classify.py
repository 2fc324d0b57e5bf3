"""`mediawatch classify` (enrich a JSON-lines file) and `mediawatch triage list|review` (review queue)."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from datetime import datetime, timezone
from typing import Any

import typer

from mediawatch.i18n import fmt_date_time, fmt_num, label

from .common import EXIT_FAILED, EXIT_USAGE, check_out, err, open_store_or_exit, settings_from, writing

VERDICTS = ("false", "misleading", "true", "not-a-claim")
BATCH = 1000

def register(app: typer.Typer) -> None:
    app.command("classify")(classify)
    triage = typer.Typer(no_args_is_help=True, help="Hàng đợi xem xét tin sai / misinformation review queue.")
    triage.command("list")(triage_list)
    triage.command("review")(triage_review)
    app.add_typer(triage, name="triage")


def document_from_input(data: Any, line_no: int):
    """A Document from a loose input object: ``text`` required; id, url, source etc. optional."""
    from mediawatch.document import Document, Engagement, Source, parse_ts

    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("missing 'text' (a non-empty string)")
    title = data.get("title") or ""
    if not isinstance(title, str):
        raise ValueError("'title' must be a string")
    src = data.get("source")
    if isinstance(src, dict):
        source = Source(**{k: v for k, v in src.items() if k in ("id", "kind", "name", "platform")})
    elif isinstance(src, str) and src:
        source = Source(id=src, kind="social")
    else:
        source = Source(id="classify", kind="social")
    eng = data.get("engagement") or {}
    if not isinstance(eng, dict):
        raise ValueError("'engagement' must be an object of likes/comments/shares/views")
    engagement = Engagement(**{k: int(v or 0) for k, v in eng.items() if k in ("likes", "comments", "shares", "views")})
    doc_id = str(data.get("id") or hashlib.sha256(f"{line_no}:{text}".encode("utf-8")).hexdigest()[:32])
    doc = Document(id=doc_id, url=str(data.get("url") or ""), source=source, title=title, text=text,
                   engagement=engagement, published_at=parse_ts(data.get("published_at")))
    if isinstance(data.get("lang"), str):
        doc.lang = data["lang"]
    return doc


def _text(settings) -> dict[str, str]:
    from mediawatch.i18n import words

    return {**words("cli.classify", settings.language), **words("cli.triage", settings.language)}


def classify(ctx: typer.Context,
             input_path: str = typer.Option(..., "--in", help="JSON-lines input ('-' for stdin): text, "
                                                             "optional title, engagement, published_at, source."),
             output_path: str = typer.Option(..., "--out", help="JSON-lines output ('-' for stdout).")) -> None:
    """Enrich documents: language, places, topics, sentiment, section, triage score, story."""
    settings = settings_from(ctx)
    text = _text(settings)
    if output_path != "-":
        check_out(output_path)  # before the models load
    try:
        src = sys.stdin if input_path == "-" else open(input_path, encoding="utf-8")
    except OSError as exc:
        err(f"mediawatch: không đọc được {input_path} / cannot read {input_path} ({exc.strerror}). "
            "Fix: pass --in an existing JSON-lines file, or '-' for standard input.")
        raise typer.Exit(EXIT_USAGE) from None
    from mediawatch.classifiers.pipeline import Enricher
    from mediawatch.errors import MediawatchError

    try:
        enricher = Enricher.from_settings(settings)
    except MediawatchError as exc:  # a bad topic, register, province or model file
        if src is not sys.stdin:
            src.close()
        err(f"mediawatch: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    with writing(output_path):
        dst = sys.stdout if output_path == "-" else open(output_path, "w", encoding="utf-8")
    with writing(output_path):
        _classify_lines(src, dst, enricher, input_path, output_path, text)


def _classify_lines(src, dst, enricher, input_path: str, output_path: str, text: dict) -> None:
    from mediawatch.document import format_ts

    skipped = total = done = 0
    pending: list[tuple[dict, Any]] = []

    def flush() -> None:
        nonlocal done
        docs = enricher.enrich([doc for _, doc in pending])
        for (raw, _), doc in zip(pending, docs):
            enriched = doc.to_dict()
            enriched.pop("fetched_at", None)
            if raw.get("published_at") is not None:
                enriched["published_at"] = format_ts(doc.published_at)
            dst.write(json.dumps({**raw, **enriched}, ensure_ascii=False) + "\n")
            done += 1
        pending.clear()

    try:
        for line_no, line in enumerate(src, start=1):
            total += 1
            if not line.strip():
                skipped += 1
                err(text["bad_line"].format(path=input_path, n=line_no, why=text["empty_line"]))
                continue
            try:
                raw = json.loads(line)
                doc = document_from_input(raw, line_no)
            except (ValueError, TypeError) as exc:
                skipped += 1
                err(text["bad_line"].format(path=input_path, n=line_no, why=exc))
                continue
            pending.append((raw, doc))
            if len(pending) >= BATCH:
                flush()
        if pending:
            flush()
    finally:
        if src is not sys.stdin:
            src.close()
        if dst is not sys.stdout:
            dst.close()
    if skipped:
        err(text["skipped"].format(skipped=skipped, total=total, done=done, out=output_path))
        raise typer.Exit(EXIT_FAILED)
    err(text["done"].format(done=done, out=output_path))


def triage_list(ctx: typer.Context,
                status: str = typer.Option("pending", "--status",
                                           help="pending, false, misleading, true, not-a-claim or all."),
                limit: int = typer.Option(50, "--limit", min=1, help="How many, newest first."),
                as_json: bool = typer.Option(False, "--json", help="One JSON object per line.")) -> None:
    """List flagged documents waiting for (or given) a reviewer's verdict."""
    from mediawatch.document import REVIEW_STATUSES
    from mediawatch.store.base import SearchQuery

    settings = settings_from(ctx)
    text = _text(settings)
    if status != "all" and status not in REVIEW_STATUSES:
        err(f"mediawatch: --status {status!r} is not one of {', '.join(REVIEW_STATUSES)}, all")
        raise typer.Exit(EXIT_USAGE)
    statuses = [] if status == "all" else [status]
    with open_store_or_exit(settings) as store:
        page = store.search(SearchQuery(flagged_only=True, misinfo_statuses=statuses), size=limit)
    if as_json:
        for doc in page.documents:
            m = doc.misinfo
            typer.echo(json.dumps({"id": doc.id, "url": doc.url, "title": doc.title, "source": doc.source.id,
                                   "published_at": doc.to_dict()["published_at"], "score": m.score if m else None,
                                   "claim": m.claim if m else None, "matched_claim": m.matched_claim if m else None,
                                   "matched_claim_id": m.matched_claim_id if m else None,
                                   "evidence_url": m.evidence_url if m else None,
                                   "reasons": m.reasons if m else [], "review_status": m.review_status if m else None,
                                   "stance": m.stance if m else None,
                                   "topics": doc.topics, "places": doc.places}, ensure_ascii=False))
        return
    if not page.documents:
        typer.echo(text["empty"])
        return
    lang = settings.language
    typer.echo(text["header"].format(n=page.total, status=label("review_status", status, lang)))
    for doc in page.documents:
        m = doc.misinfo
        typer.echo("")
        typer.echo(f"[{doc.id}] {text['score']} {fmt_num(m.score, lang)}  {label('review_status', m.review_status, lang)}  "
                   f"{fmt_date_time(doc.when, settings.timezone)}  {doc.source.id}")
        if doc.title:
            typer.echo(f"  {doc.title}")
        if m.claim:
            typer.echo(f"  {text['claim']}: {m.claim}")
        if m.matched_claim:
            typer.echo(f"  {text['matched']}: {m.matched_claim} ({m.matched_claim_id})")
        if m.stance:
            typer.echo(f"  {text['stance']}: {label('stance', m.stance, settings.language)}")
        if m.evidence_url:
            typer.echo(f"  {text['evidence']}: {m.evidence_url}")
        if m.reasons:
            typer.echo(f"  {text['reasons']}: " + "; ".join(m.reasons))
        if doc.url:
            typer.echo(f"  {doc.url}")


def triage_review(ctx: typer.Context,
                  doc_id: str = typer.Argument(..., help="Document id from `mediawatch triage list`."),
                  verdict: str = typer.Option(..., "--verdict", help="false | misleading | true | not-a-claim"),
                  note: str = typer.Option(..., "--note", help="Why: the evidence, the official correction."),
                  reviewer: str = typer.Option(None, "--reviewer", help="Who decides (default: $USER).")) -> None:
    """Record a reviewer's verdict (audited); false/misleading claims join the claims register."""
    from mediawatch.classifiers.misinfo.feedback import promote
    from mediawatch.store.base import ReviewDecision

    settings = settings_from(ctx)
    text = _text(settings)
    if verdict not in VERDICTS:
        err(f"mediawatch: --verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
        raise typer.Exit(EXIT_USAGE)
    if not note.strip():
        err("mediawatch: --note is empty. Fix: say why (the evidence or the official correction)")
        raise typer.Exit(EXIT_USAGE)
    who = reviewer or os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"
    with open_store_or_exit(settings) as store:
        doc = store.get(doc_id)
        if doc is None:
            err("mediawatch: " + text["not_found"].format(id=doc_id))
            raise typer.Exit(EXIT_USAGE)
        decision = ReviewDecision(doc_id=doc_id, verdict=verdict, reviewer=who, note=note.strip(),
                                  decided_at=datetime.now(timezone.utc),
                                  previous_status=doc.misinfo.review_status if doc.misinfo else None)
        updated = store.review(decision)
        lang = settings.language
        typer.echo(text["reviewed"].format(id=doc_id, verdict=label("review_status", verdict, lang),
                                           previous=label("review_status", decision.previous_status, lang),
                                           reviewer=who))
        claim = promote(store, updated, verdict, note.strip(), actor=who)
        if claim is not None:
            typer.echo(text["registered"].format(claim=claim.text))
