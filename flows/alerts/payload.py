"""What an alert says: a self-explaining payload (figures, terms, sources, examples) and its text.

Vietnamese by default, English on request. Example documents carry title, link, source and time
only: never author data (principle 2, people are not targets).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from mediawatch.document import Document, format_ts, is_web_url
from mediawatch.i18n import fmt_num, label, t
from mediawatch.privacy import scrub_personal
from mediawatch.settings import Settings
from mediawatch.store.base import Store

from .maths import top_terms
from .rules import Candidate

EXAMPLES = 3
_SCAN = 200  # documents read for top terms and examples; enough to be representative, bounded


def local_time(value: datetime, tz: str) -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M")


def _window_label(c: Candidate, lang: str) -> str:
    hours = c.window.hours
    if hours >= 24 and hours % 24 == 0:
        return t("alert.window_days", lang, n=int(hours // 24))
    h = round(hours, 1)
    return t("alert.window_hours", lang, n=int(h) if h == int(h) else fmt_num(h, lang, 1))


def _scope(c: Candidate, lang: str, labels: dict[str, str] | None = None) -> str:
    s = c.subject
    parts = []
    if s.get("topic"):
        parts.append(t("alert.scope_topic", lang, topic=(labels or {}).get(s["topic"]) or s["topic"]))
    if s.get("place"):
        parts.append(t("alert.scope_place", lang, place=s["place"]))
    if s.get("source_kind"):
        parts.append(t("alert.scope_kind", lang, kind=label("source_kind", s["source_kind"], lang)))
    return " ".join(parts) or t("alert.scope_all", lang)


def title_and_text(c: Candidate, lang: str, tz: str, labels: dict[str, str] | None = None) -> tuple[str, str]:
    """The alert's title and text; ``labels`` maps topic names to the labels people read."""
    st, w = c.stats, _window_label(c, lang)
    scope = _scope(c, lang, labels)
    if c.rule.type == "spike":
        return (t("alert.spike_title", lang, scope=scope),
                t("alert.spike_text", lang, count=c.count, window=w, mean=fmt_num(st["baseline_mean"], lang, 1, trim=True),
                  threshold=fmt_num(st["threshold"], lang, 1, trim=True)))
    if c.rule.type == "negativity":
        return (t("alert.negativity_title", lang, scope=scope),
                t("alert.negativity_text", lang, share=round(100 * st["share"]), window=w, count=c.count,
                  total=st["total"], base=round(100 * st["baseline_share"])))
    if c.rule.type == "misinfo":
        known = c.subject.get("registered")
        return (t("alert.misinfo_known_title" if known else "alert.misinfo_new_title", lang),
                t("alert.misinfo_text", lang, claim=c.subject.get("claim", ""), count=c.count, window=w))
    if c.rule.type == "silent_source":
        name = c.subject.get("source_name") or c.subject.get("source_id")
        last = st.get("last_published_at")
        last_txt = local_time(datetime.fromisoformat(last), tz) if last else t("alert.never", lang)
        return t("alert.silent_title", lang, name=name), t("alert.silent_text", lang, last=last_txt)
    return (t("alert.keyword_title", lang, scope=scope),
            t("alert.keyword_text", lang, count=c.count, window=w))


def _examples(docs: list[Document], tz: str) -> list[dict[str, Any]]:
    """Most engaged first, newest next; one per story so the three examples differ."""
    ranked = sorted(docs, key=lambda d: (d.engagement.total, d.when), reverse=True)
    out, stories = [], set()
    for d in ranked:
        story = d.story_id or d.id
        if story in stories:
            continue
        stories.add(story)
        out.append({"title": scrub_personal(d.title or d.text[:120]), "url": alert_link(d.url),
                    "source_id": d.source.id,
                    "source_kind": d.source.kind, "published_at": format_ts(d.when),
                    "published_local": local_time(d.when, tz)})
        if len(out) == EXAMPLES:
            break
    return out


def alert_link(url: str | None) -> str | None:
    """Only http(s) links go out: a ``javascript:`` or ``data:`` URL in a chat message is an attack."""
    return url if is_web_url(url) else None


def dashboard_link(settings: Settings, c: Candidate) -> str | None:
    base = settings.alerts.dashboard_url
    if not base:
        return None
    params = {k: v for k, v in (("topic", c.subject.get("topic")), ("place", c.subject.get("place")),
                                ("kind", c.subject.get("source_kind")), ("source", c.subject.get("source_id")),
                                ("since", format_ts(c.window.start)), ("until", format_ts(c.window.end))) if v}
    return f"{base}{'&' if '?' in base else '?'}{urlencode(params)}"


def build_payload(c: Candidate, settings: Settings, store: Store,
                  labels: dict[str, str] | None = None) -> dict[str, Any]:
    """The alert's payload; ``labels`` (topic name -> label) default to the configured and built-in topics'."""
    lang, tz = settings.language, settings.timezone
    if labels is None:
        from mediawatch.classifiers.topics import topic_labels

        labels = topic_labels(settings.topics)
    doc_ids = c.stats.get("doc_ids")
    if doc_ids:
        docs = [d for d in (store.get(i) for i in doc_ids[:_SCAN]) if d is not None]
    elif c.rule.type == "silent_source":
        docs = store.search(c.query, size=EXAMPLES).documents
    else:
        docs = store.search(c.query, size=_SCAN).documents
    if c.rule.type == "silent_source" or doc_ids:
        facet_source = {"source_id": _count(d.source.id for d in docs),
                        "sentiment": _count(d.sentiment.label for d in docs if d.sentiment)}
    else:
        facet_source = store.facets(dataclasses.replace(c.query, sentiments=[]) if c.rule.type == "negativity"
                                    else c.query, ["source_id", "sentiment"], size=5)
    # Claims and titles are people's words: no handles, phones, e-mails or links reach a receiver.
    c = dataclasses.replace(c, subject={k: scrub_personal(v) if isinstance(v, str) else v
                                        for k, v in c.subject.items()})
    title, text = title_and_text(c, lang, tz, labels)
    stats = {k: v for k, v in c.stats.items() if k != "doc_ids"}
    return {
        "rule": c.rule.name,
        "type": c.rule.type,
        "severity": c.severity,
        "language": lang,
        "title": title,
        "text": text,
        "subject": c.subject,
        "window": {"start": format_ts(c.window.start), "end": format_ts(c.window.end),
                   "label": _window_label(c, lang),
                   "start_local": local_time(c.window.start, tz), "end_local": local_time(c.window.end, tz)},
        "count": c.count,
        "baseline": stats,
        "top_terms": [t for t, _ in top_terms(scrub_personal(f"{d.title} {d.title} {d.text[:400]}")
                                              for d in docs)],
        "top_sources": [{"source_id": s, "name": _source_name(settings, s), "count": n}
                        for s, n in facet_source.get("source_id", [])[:5]],
        "sentiment_mix": {label: n for label, n in facet_source.get("sentiment", [])},
        "documents": _examples(docs, tz),
        "dashboard_url": dashboard_link(settings, c),
    }


def _count(values) -> list[tuple[str, int]]:
    """(value, count) most frequent first, like Store.facets."""
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))


def _source_name(settings: Settings, source_id: str) -> str:
    source = settings.source(source_id)
    return source.name if source and source.name else source_id
