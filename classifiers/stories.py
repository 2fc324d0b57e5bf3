"""Stories: documents about the same event grouped online, so summaries count events, not copies.

Each document becomes a bag of folded words and word pairs (stop words out, binary weights,
L2-normalised). It joins the most similar recent story when the cosine with that story's
centroid reaches ``threshold``; otherwise it starts a story. Stories expire ``window`` after their
last document. Candidate stories come from an inverted index over the features, so a document is
compared only with stories sharing a word with it. State lives in memory per tracker (one per
Enricher); the caller rebuilds it from the store's recent documents at start (:meth:`StoryTracker.warm`),
so stories continue across restarts and crashes.

``story_id`` is derived from the first document's id, so re-running a batch gives the same ids;
the headline is the title of the story's first titled document (or the start of its text).
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain
from typing import Iterable

from mediawatch.document import Document
from mediawatch.text import fold

_WORD = re.compile(r"[0-9a-z]+")
_STOP = frozenset(("va la cua co cho cac nhung mot duoc da dang se bi tai o voi tu den trong ngoai nay "
                   "do thi ma ra vao len xuong khi neu nhu rat qua nhieu it cung con van lai ngay hom "
                   "theo sau truoc tren duoi gi nao ai nhu the vi nen nhung toi ban anh chi em ho chung "
                   "http https www com vn").split())
_MAX_WORDS = 120  # the head of a long article says what the event is
_COMMON_POSTINGS = 60  # a feature shared by more stories than this is not used to find candidates


def features(title: str, text: str) -> dict[str, float]:
    words = [w for w in _WORD.findall(fold(f"{title} {title} {text[:1500]}"))[:_MAX_WORDS]
             if w not in _STOP and len(w) > 1]
    feats = set(words) | {f"{a}_{b}" for a, b in zip(words, words[1:])}
    if not feats:
        return {}
    weight = 1.0 / math.sqrt(len(feats))
    return {f: weight for f in feats}


@dataclass
class Story:
    id: str
    headline: str
    centroid: dict[str, float]
    size: int
    first_seen: datetime
    last_seen: datetime
    norm: float = 1.0
    doc_ids: list[str] = field(default_factory=list)

    def add(self, vec: dict[str, float], when: datetime) -> None:
        # The centroid is kept as the sum of the member vectors (every document weighs the same):
        # cosine similarity ignores scale, so the sum ranks exactly like the mean, and adding a
        # document costs its own features instead of the story's whole vocabulary.
        squared = self.norm * self.norm
        for key, value in vec.items():
            old = self.centroid.get(key, 0.0)
            new = old + value
            squared += new * new - old * old
            self.centroid[key] = new
        self.size += 1
        self.norm = math.sqrt(squared) or 1.0
        self.last_seen = max(self.last_seen, when)


def story_id_for(doc_id: str) -> str:
    return "st-" + hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:16]


def _headline(doc: Document) -> str:
    if doc.title.strip():
        return doc.title.strip()[:200]
    text = " ".join(doc.text.split())
    return text[:117] + "..." if len(text) > 120 else text


def _top_candidates(counts: Counter, n: int) -> list[str]:
    """The ``n`` stories sharing most words, ties broken by story id, so the same input gives the
    same stories in every process (set order differs between processes). Only the stories at or
    above the n-th count are sorted."""
    if len(counts) > n:
        floor = heapq.nlargest(n, counts.values())[-1]
        counts = {k: c for k, c in counts.items() if c >= floor}
    return sorted(counts, key=lambda k: (-counts[k], k))[:n]


class StoryTracker:
    """Online story clustering. Thread-safe: the ingest shares one tracker between host tasks.

    State is rebuilt with :meth:`warm` from stored documents (their ``story_id`` says where each
    belongs), so whatever a killed process leaves in the store, the next one continues from it.
    """

    def __init__(self, *, threshold: float = 0.4, window: timedelta = timedelta(days=3)):
        self.threshold = threshold
        self.window = window
        self.stories: dict[str, Story] = {}
        self._postings: dict[str, set[str]] = {}
        self._assigned: dict[str, str] = {}  # doc id -> story id (re-enrichment keeps the story)
        self._covered: list[tuple[datetime, datetime]] = []  # time ranges whose stored documents were warmed
        self._head_rank: dict[str, tuple[int, datetime]] = {}  # story id -> rank of its headline's document
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self.stories)

    def headline(self, story_id: str) -> str | None:
        story = self.stories.get(story_id)
        return story.headline if story else None

    def _index(self, story: Story, keys: Iterable[str]) -> None:
        for key in keys:
            self._postings.setdefault(key, set()).add(story.id)

    def _expire(self, now: datetime) -> None:
        cutoff = now - self.window
        for sid in [s.id for s in self.stories.values() if s.last_seen < cutoff]:
            story = self.stories.pop(sid)
            for key in story.centroid:
                bucket = self._postings.get(key)
                if bucket is not None:
                    bucket.discard(sid)
                    if not bucket:
                        del self._postings[key]
            for doc_id in story.doc_ids:
                if self._assigned.get(doc_id) == sid:
                    del self._assigned[doc_id]
            self._head_rank.pop(sid, None)

    def _offer_headline(self, story: Story, doc: Document) -> None:
        """The headline is the first document's (the one the story id comes from), else the earliest's."""
        rank = (0 if story_id_for(doc.id) == story.id else 1, doc.when)
        if story.id not in self._head_rank or rank < self._head_rank[story.id]:
            self._head_rank[story.id] = rank
            story.headline = _headline(doc)

    def _join(self, story: Story, doc: Document, vec: dict[str, float], when: datetime) -> None:
        # Only the document's new features enter the index: the cost of a join is the document's
        # size, not the story's vocabulary (which grows with every member).
        fresh = [key for key in vec if key not in story.centroid]
        story.add(vec, when)
        story.first_seen = min(story.first_seen, when)
        story.doc_ids.append(doc.id)
        if not story.headline and (doc.title or doc.text):
            story.headline = _headline(doc)
        self._index(story, fresh)

    def assign(self, doc: Document) -> str:
        with self._lock:
            return self._assign(doc)

    def _assign(self, doc: Document) -> str:
        if doc.id in self._assigned:
            return self._assigned[doc.id]
        when = doc.when
        vec = features(doc.title, doc.text)
        own = self.stories.get(story_id_for(doc.id))
        if own is not None:
            # The document that started this story, seen again after its story was rebuilt from
            # the store without it (e.g. it was never stored before a crash): it rejoins its story.
            self._join(own, doc, vec, when)
            self._offer_headline(own, doc)
            self._assigned[doc.id] = own.id
            return own.id
        postings = self._postings
        buckets = [b for b in map(postings.get, vec) if b and len(b) <= _COMMON_POSTINGS]
        counts = Counter(chain.from_iterable(buckets))  # counted in C: the hot loop of ingest
        best, best_sim = None, 0.0
        for sid in _top_candidates(counts, 8):
            story = self.stories.get(sid)
            if story is None:
                continue
            if when - story.last_seen > self.window or story.first_seen - when > self.window:
                continue
            dot = sum(value * story.centroid.get(key, 0.0) for key, value in vec.items())
            sim = dot / story.norm
            if sim > best_sim:
                best, best_sim = story, sim
        if best is not None and best_sim >= self.threshold:
            self._join(best, doc, vec, when)
            story = best
        else:
            story = Story(id=story_id_for(doc.id), headline=_headline(doc), centroid=dict(vec), size=1,
                          first_seen=when, last_seen=when, doc_ids=[doc.id])
            story.norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            self.stories[story.id] = story
            self._head_rank[story.id] = (0, when)
            self._index(story, vec)
        self._assigned[doc.id] = story.id
        return story.id

    def assign_batch(self, docs: Iterable[Document]) -> list[str]:
        docs = list(docs)
        with self._lock:
            if docs:
                self._expire(max(d.when for d in docs))
            # Oldest first, so a story's first document is the earliest one seen.
            order = sorted(range(len(docs)), key=lambda i: (docs[i].when, docs[i].id))
            out = [""] * len(docs)
            for i in order:
                out[i] = self._assign(docs[i])
            return out

    def unwarmed(self, since: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
        """The parts of [since, until) whose stored documents this tracker has not been given."""
        gaps, start = [], since
        with self._lock:
            for a, b in self._covered:
                if b <= start:
                    continue
                if a >= until:
                    break
                if a > start:
                    gaps.append((start, a))
                start = max(start, b)
            if start < until:
                gaps.append((start, until))
        return gaps

    def _cover(self, since: datetime, until: datetime) -> None:
        merged: list[tuple[datetime, datetime]] = []
        for a, b in sorted([*self._covered, (since, until)]):
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        self._covered = merged

    def warm(self, documents: Iterable[Document], *, covering: tuple[datetime, datetime] | None = None) -> int:
        """Rebuild stories from stored documents (any order, repeats ignored).

        The caller hands over the stored documents of a time range (``covering``: then
        :meth:`unwarmed` no longer asks for it) plus the earlier members of the stories found in it.
        Each document joins the story its ``story_id`` names; the headline is the story's first
        document's (the one its id was derived from), else its earliest one's. Returns how many
        documents were read. The store is the truth: a crash at any point leaves documents whose
        stories this rebuilds, and nothing else to get out of step.
        """
        count = 0
        with self._lock:
            for doc in documents:
                count += 1
                sid = doc.story_id
                if not sid or doc.id in self._assigned:
                    continue
                when = doc.when
                story = self.stories.get(sid)
                if story is None:
                    story = self.stories[sid] = Story(id=sid, headline="", centroid={}, size=0, first_seen=when,
                                                      last_seen=when, norm=0.0)
                self._join(story, doc, features(doc.title, doc.text), when)
                self._assigned[doc.id] = sid
                self._offer_headline(story, doc)
            if covering is not None:
                self._cover(*covering)
        return count
