"""Public-opinion summaries for a period: pure functions over the Store interface.

``build_summary(store, since, until, topic=..., place=...)`` returns a :class:`Summary` (plain
dataclasses, JSON via ``to_dict``); ``flows/reports/summary_render.py`` turns it into Markdown, text or
HTML. The previous period of the same length is the comparison for volume, sentiment and topics;
the four periods before it are the background for "what people are saying".

Privacy: quotes come from post text with @handles, links, e-mail addresses and phone numbers
removed; no author field is ever read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from mediawatch.document import Document, format_ts
from mediawatch.store.base import SearchQuery, Store
from mediawatch.flows.forecast.trend import trend
from mediawatch.text import fold

from .summary_phrases import Phrase, distinctive_phrases, document_ngrams, scrub, shorten

MAX_DOCS = 20_000  # per period: beyond this the summary samples the newest
TOP_STORIES = 5
TOP_FLAGS = 10
BACKGROUND_PERIODS = 4
MIN_BACKGROUND = 5

# Folded words that mark a text as correcting a rumour (official denial, fact check).
CORRECTION_MARKERS = ("sai su that", "bac bo", "dinh chinh", "khong co chuyen", "khong co viec",
                      "tin don", "khong dung su that", "tin gia", "thong tin sai", "van an toan",
                      "van hoat dong binh thuong", "thong tin chinh thuc")


@dataclass(slots=True)
class Period:
    since: datetime
    until: datetime

    @property
    def length(self) -> timedelta:
        return self.until - self.since

    def previous(self, periods: int = 1) -> "Period":
        return Period(self.since - periods * self.length, self.since)


@dataclass(slots=True)
class StoryItem:
    story_id: str
    headline: str
    url: str
    count: int
    sources: int
    press: int
    social: int
    sentiment: dict[str, int]


@dataclass(slots=True)
class TopicTrend:
    topic: str
    count: int
    previous: int
    status: str  # new | rising | falling (mediawatch.flows.forecast.trend)


@dataclass(slots=True)
class Flag:
    doc_id: str
    title: str
    claim: str
    score: float
    url: str
    evidence_url: str | None
    reasons: list[str]
    status: str
    count: int = 1  # flagged items in the period carrying the same claim


@dataclass(slots=True)
class ConfirmedClaim:
    doc_id: str
    claim: str
    verdict: str
    decided_at: str
    url: str
    evidence_url: str | None
    rumours: int  # false posts/articles in the period
    corrections: int  # correcting articles/posts in the period
    spreading: bool


@dataclass(slots=True)
class CorrectionItem:
    """A claim that posts and articles of the period refute: corrections spreading ("đính chính")."""

    claim: str
    claim_id: str | None  # the register entry, when the corrections matched one
    corrections: int  # refuting items in the period
    rumours: int  # flagged items of the period repeating the same claim
    spreading: bool  # at least as many corrections as rumours
    urls: list[str]  # the refuting items themselves: evidence on the claim


@dataclass(slots=True)
class AlertItem:
    rule: str
    title: str
    severity: str
    fired_at: str


@dataclass(slots=True)
class Summary:
    since: str
    until: str
    tz: str
    topic: str | None
    place: str | None
    volume: int
    previous_volume: int
    by_kind: dict[str, int]
    sentiment: dict[str, float]  # share of labelled documents, 0..1
    previous_sentiment: dict[str, float]
    stories: list[StoryItem]
    phrases: list[Phrase]
    topics: list[TopicTrend]
    new_flags: list[Flag]
    confirmed: list[ConfirmedClaim]
    alerts: list[AlertItem]
    corrections: list[CorrectionItem] = field(default_factory=list)

    @property
    def change_pct(self) -> float | None:
        if not self.previous_volume:
            return None
        return 100.0 * (self.volume - self.previous_volume) / self.previous_volume

    def sentiment_change(self, label: str) -> float | None:
        """Change in percentage points against the previous period."""
        if not self.previous_sentiment:
            return None
        return 100.0 * (self.sentiment.get(label, 0.0) - self.previous_sentiment.get(label, 0.0))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["change_pct"] = None if self.change_pct is None else round(self.change_pct, 1)
        return data


def day_period(day: date, tz: str = "Asia/Ho_Chi_Minh") -> Period:
    zone = ZoneInfo(tz)
    start = datetime.combine(day, datetime.min.time(), zone)
    return Period(start, start + timedelta(days=1))


def week_period(last_day: date, tz: str = "Asia/Ho_Chi_Minh") -> Period:
    """The seven local days ending with ``last_day``."""
    end = day_period(last_day, tz).until
    return Period(end - timedelta(days=7), end)


def _query(period: Period, topic: str | None, place: str | None, **extra: Any) -> SearchQuery:
    return SearchQuery(since=period.since, until=period.until, topics=[topic] if topic else [],
                       places=[place] if place else [], **extra)


def _documents(store: Store, query: SearchQuery) -> list[Document]:
    docs = []
    for doc in store.iter_documents(query, batch_size=500):
        docs.append(doc)
        if len(docs) >= MAX_DOCS:
            break
    return docs


# --- sentiment and volume ------------------------------------------------------------------------

def sentiment_shares(counts: Iterable[tuple[str, int]]) -> dict[str, float]:
    counts = dict(counts)
    total = sum(counts.get(k, 0) for k in ("negative", "neutral", "positive"))
    if not total:
        return {}
    return {k: counts.get(k, 0) / total for k in ("negative", "neutral", "positive")}


# --- stories -------------------------------------------------------------------------------------

def top_stories(docs: list[Document], limit: int = TOP_STORIES) -> list[StoryItem]:
    groups: dict[str, list[Document]] = defaultdict(list)
    for doc in docs:
        groups[doc.story_id or doc.duplicate_of or doc.id].append(doc)
    items = []
    for story_id, members in groups.items():
        # The headline: the earliest press article with a title, else the earliest titled item.
        titled = [d for d in members if (d.title or "").strip()] or members
        titled.sort(key=lambda d: (d.source.kind != "press", d.when, d.id))
        lead = titled[0]
        headline = (lead.title or lead.text or "").strip()
        sentiment = Counter(d.sentiment.label for d in members if d.sentiment)
        items.append(StoryItem(
            story_id=story_id, headline=shorten(scrub(headline), 160), url=lead.url, count=len(members),
            sources=len({d.source.id for d in members}),
            press=sum(d.source.kind == "press" for d in members),
            social=sum(d.source.kind == "social" for d in members),
            sentiment={k: sentiment.get(k, 0) for k in ("negative", "neutral", "positive")}))
    # Biggest clusters first (items, then distinct sources); single items fill the list by
    # engagement when the clusterer has not grouped anything yet.
    engagement = {sid: sum(d.engagement.total for d in members) for sid, members in groups.items()}
    items.sort(key=lambda s: (-s.count, -s.sources, -engagement[s.story_id], s.headline))
    return items[:limit]


# --- topics --------------------------------------------------------------------------------------

def topic_trends(current: list[tuple[str, int]], previous: list[tuple[str, int]]) -> list[TopicTrend]:
    """New, rising and falling topics by the one rule of :mod:`mediawatch.flows.forecast.trend`:
    new and rising first (largest increase first), then falling (largest drop first)."""
    now, before = dict(current), dict(previous)
    trends = []
    for topic in dict.fromkeys([*now, *before]):
        status = trend(now.get(topic, 0), before.get(topic, 0))
        if status != "steady":
            trends.append(TopicTrend(topic, now.get(topic, 0), before.get(topic, 0), status))
    order = {"new": 0, "rising": 1, "falling": 2}
    trends.sort(key=lambda t: (order[t.status], -abs(t.count - t.previous), t.topic))
    return trends


def topic_counts(store: Store, period: Period, previous: Period, topic: str | None, place: str | None,
                 size: int = 50) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Exact topic counts of the period and of the previous one (both from the store's facets, so
    they count the same way). A topic outside the previous period's top values had items there
    all the same: it is counted, not taken for zero."""
    now = store.facets(_query(period, topic, place), ["topics"], size=size).get("topics", [])
    wide = 4 * size
    before = dict(store.facets(_query(previous, topic, place), ["topics"], size=wide).get("topics", []))
    if len(before) >= wide and topic is None:
        for name, _ in now:
            if name not in before:
                before[name] = store.count(_query(previous, name, place))
    return now, sorted(before.items(), key=lambda kv: (-kv[1], kv[0]))


# --- misinformation ------------------------------------------------------------------------------

def is_correction(doc: Document) -> bool:
    """The item refutes the claim it carries: its triage stance, else (scored before stance
    existed) official denial wording."""
    if doc.misinfo is not None and doc.misinfo.stance is not None:
        return doc.misinfo.stance == "refutes"
    folded = fold(f"{doc.title} {doc.text}")
    return any(marker in folded for marker in CORRECTION_MARKERS)


def corrections_spreading(docs: list[Document], skip_groups: set[str] | None = None,
                          limit: int = TOP_FLAGS) -> list[CorrectionItem]:
    """Claims refuted by items of the period (stance ``refutes``), one line per claim, most corrected first.

    Each refuting item is evidence on the claim it matched (register entry, else its claim text);
    rumours are the period's flagged items carrying the same claim. Claims already shown under
    confirmed claims (``skip_groups``) are left out.
    """
    groups: dict[str, list[Document]] = {}
    for doc in docs:
        if doc.misinfo is not None and doc.misinfo.stance == "refutes":
            groups.setdefault(_claim_group(doc), []).append(doc)
    rumours = Counter(_claim_group(d) for d in docs
                      if d.misinfo and d.misinfo.flagged and d.misinfo.stance != "refutes")
    out = []
    for key, members in groups.items():
        if key in (skip_groups or set()):
            continue
        members.sort(key=lambda d: (d.source.kind != "press", d.when, d.id))
        lead = members[0].misinfo
        claim = lead.matched_claim or lead.claim or members[0].title or members[0].text
        n_rumours = rumours.get(key, 0)
        out.append(CorrectionItem(claim=shorten(scrub(claim), 200), claim_id=lead.matched_claim_id,
                                  corrections=len(members), rumours=n_rumours,
                                  spreading=len(members) >= n_rumours,
                                  urls=[d.url for d in members if d.url][:3]))
    out.sort(key=lambda c: (-c.corrections, c.claim))
    return out[:limit]


def _claim_group(doc: Document) -> str:
    m = doc.misinfo
    return f"claim:{m.matched_claim_id}" if m and m.matched_claim_id else \
        f"text:{fold(scrub((m.claim if m else None) or doc.title or doc.text))[:80]}"


def new_flags(docs: list[Document], limit: int = TOP_FLAGS, confirmed_groups: set[str] | None = None) -> list[Flag]:
    """Pending flags of the period, one line per claim (with how many items carry it).

    Left out: items that themselves deny the claim (an official correction quoting the rumour is
    not the rumour; it stays in the review queue for the reviewer) and claims a reviewer already
    confirmed false (they are counted under confirmed claims).
    """
    flagged = [d for d in docs if d.misinfo and d.misinfo.flagged and d.misinfo.review_status == "pending"
               and not is_correction(d) and _claim_group(d) not in (confirmed_groups or set())]
    flagged.sort(key=lambda d: (-d.misinfo.score, d.when, d.id))
    groups: dict[str, list[Document]] = {}
    for doc in flagged:
        groups.setdefault(_claim_group(doc), []).append(doc)
    out = []
    for members in list(groups.values())[:limit]:
        d = members[0]
        out.append(Flag(d.id, shorten(scrub(d.title or d.text), 160),
                        shorten(scrub(d.misinfo.claim or d.title or d.text), 200), round(d.misinfo.score, 2),
                        d.url, d.misinfo.evidence_url, list(d.misinfo.reasons)[:3], d.misinfo.review_status,
                        count=len(members)))
    return out


def claim_bigrams(text: str) -> set[str]:
    """Syllable bigrams without stop-word edges: what two texts about one claim share."""
    return document_ngrams(text, max_n=2, min_n=2)


def confirmed_claims(store: Store, period: Period, topic: str | None, place: str | None,
                     docs: list[Document], lookback_days: int = 30) -> list[ConfirmedClaim]:
    """False or misleading verdicts whose claim is still discussed, or that were decided in the period.

    Related items in the period: the same story, the same registered claim, or text sharing at
    least two bigrams with the claim ("vo dap", "nam chan"). Among them, rumours are flagged items
    that do not deny the claim, corrections are items that do (official denial wording). The
    correction is spreading when at least as many corrections as rumours appeared.
    """
    horizon = period.since - timedelta(days=lookback_days)
    seen: set[str] = set()
    out = []
    for decision in store.reviews(limit=1000):
        if decision.verdict not in ("false", "misleading") or decision.doc_id in seen:
            continue
        if not (horizon <= decision.decided_at < period.until):
            continue
        seen.add(decision.doc_id)
        doc = store.get(decision.doc_id)
        if doc is None:
            continue
        related = _related(store, doc, period, topic, place, docs)
        rumours = sum(1 for d in related if not is_correction(d) and d.misinfo and d.misinfo.flagged)
        corrections = sum(1 for d in related if is_correction(d))
        decided_in_period = period.since <= decision.decided_at < period.until
        if not related and not decided_in_period:
            continue
        claim = (doc.misinfo.claim if doc.misinfo and doc.misinfo.claim else doc.title) or doc.text
        out.append(ConfirmedClaim(
            doc.id, shorten(scrub(claim), 200), decision.verdict, format_ts(decision.decided_at), doc.url,
            doc.misinfo.evidence_url if doc.misinfo else None, rumours, corrections,
            spreading=corrections > 0 and corrections >= rumours))
    # One line per claim: keep the first (most recent) decision of each.
    unique: dict[str, ConfirmedClaim] = {}
    for item in out:
        unique.setdefault(fold(item.claim)[:80], item)
    return list(unique.values())


def confirmed_groups(store: Store, items: list[ConfirmedClaim]) -> set[str]:
    groups = set()
    for item in items:
        doc = store.get(item.doc_id)
        if doc is not None:
            groups.add(_claim_group(doc))
    return groups


def _related(store: Store, doc: Document, period: Period, topic: str | None,
             place: str | None, docs: list[Document]) -> list[Document]:
    related: dict[str, Document] = {}
    if doc.story_id:
        for d in _documents(store, _query(period, topic, place, story_ids=[doc.story_id])):
            related[d.id] = d
    claim_id = doc.misinfo.matched_claim_id if doc.misinfo else None
    wanted = claim_bigrams(f"{doc.misinfo.claim if doc.misinfo and doc.misinfo.claim else ''} {doc.title} {doc.text}")
    for d in docs:
        if claim_id and d.misinfo and d.misinfo.matched_claim_id == claim_id:
            related[d.id] = d
        elif len(wanted & claim_bigrams(f"{d.title} {d.text}")) >= 2:
            related[d.id] = d
    return list(related.values())


# --- the whole summary ---------------------------------------------------------------------------

def build_summary(store: Store, since: datetime, until: datetime, *, topic: str | None = None,
                  place: str | None = None, tz: str = "Asia/Ho_Chi_Minh") -> Summary:
    period = Period(since, until)
    previous = period.previous()
    background = Period(since - BACKGROUND_PERIODS * period.length, since)
    docs = _documents(store, _query(period, topic, place))
    prev_query = _query(previous, topic, place)
    prev_facets = store.facets(prev_query, ["sentiment"], size=50)
    by_kind = Counter(d.source.kind for d in docs)
    # "What people are saying" is about people: social posts when there are enough of them.
    social = [d for d in docs if d.source.kind == "social"]
    foreground = social if len(social) >= 3 else docs
    back_docs = _documents(store, _query(background, topic, place))
    if len(back_docs) < MIN_BACKGROUND and (topic or place):
        # A topic that did not exist before has no background of its own: compare with everything.
        back_docs = _documents(store, _query(background, None, None))
    alerts = [AlertItem(a.rule, a.title, a.severity, format_ts(a.fired_at))
              for a in store.alerts(since=since, limit=200) if since <= a.fired_at < until]
    alerts.sort(key=lambda a: a.fired_at)
    confirmed = confirmed_claims(store, period, topic, place, docs)
    shown = confirmed_groups(store, confirmed)
    return Summary(
        since=format_ts(since), until=format_ts(until), tz=tz, topic=topic, place=place,
        volume=len(docs), previous_volume=store.count(prev_query),
        by_kind={k: by_kind.get(k, 0) for k in ("press", "social", "web")},
        sentiment=sentiment_shares(Counter(d.sentiment.label for d in docs if d.sentiment).items()),
        previous_sentiment=sentiment_shares(prev_facets.get("sentiment", [])),
        stories=top_stories(docs),
        phrases=distinctive_phrases(foreground, back_docs),
        topics=topic_trends(*topic_counts(store, period, previous, topic, place)),
        new_flags=new_flags(docs, confirmed_groups=shown),
        confirmed=confirmed,
        alerts=alerts,
        corrections=corrections_spreading(docs, shown),
    )
