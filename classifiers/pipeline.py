"""Enrichment of documents: language -> places -> topics -> sentiment -> section -> triage -> story.

``Enricher.from_settings(settings)`` loads every model once; ``enrich(docs)`` fills the fields in
place and returns the same documents in the same order, so it can run on every ingest batch.
Nothing is dropped here: whether a document is about the watched province goes into
``doc.extra["about_province"]`` and :meth:`Enricher.keep` applies
``classifiers.filter_to_province`` with the one truth test of ``relevance.keep_document``
(``flows/orchestration/ingest.py`` filters with it; ``mediawatch classify`` keeps every line).
Story state is handed in (the ingest passes stored documents to ``enricher.stories.warm``):
classifiers never open the store.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from mediawatch.document import Document
from mediawatch.settings import Settings

from .language import detect_language
from .misinfo.claims import Claim, load_register, stored_claims
from .misinfo.scorer import MisinfoScorer, Thresholds
from .places import PlaceMatcher
from .relevance import ABOUT_PROVINCE, keep_document
from .sections import load_sections
from .sentiment import load_sentiment
from .stories import StoryTracker
from .topics import TokenIndex, TopicMatcher

log = logging.getLogger("mediawatch.classifiers")

STORY_HEADLINE = "story_headline"
# Misinformation triage reads Vietnamese; 'other' languages get no triage score.
TRIAGE_LANGS = ("vi", "en")


def register_claims(settings: Settings, store=None, problems: list[str] | None = None) -> list[Claim]:
    """The register in force: the configured file plus the store's register (reviewers' verdicts,
    the review desk, imports); a stored claim replaces the file's entry with the same id (an edit
    on the desk wins).

    Without ``classifiers.claims_register`` there is no file: the shipped example register is the
    demo's (it writes its own copy) and never stands in for a real office's. Malformed rows are
    skipped, logged and appended to ``problems`` as ``file:line: reason``.
    """
    path = settings.classifiers.claims_register
    claims: list[Claim] = []
    if path:
        from pathlib import Path

        p = Path(path)
        read = load_register(p if p.is_absolute() else settings.base_dir() / p)
        for problem in read.problems:
            log.warning("claims register: skipped %s", problem)
        if problems is not None:
            problems.extend(read.problems)
        claims = read.claims
    if store is not None:
        stored = {c.id: c for c in stored_claims(store)}
        claims = [stored.pop(c.id, c) for c in claims] + list(stored.values())
    return claims


@dataclass
class Enricher:
    settings: Settings
    places: PlaceMatcher
    topics: TopicMatcher
    sentiment: Any
    sections: Any
    misinfo: MisinfoScorer
    stories: StoryTracker = field(default_factory=StoryTracker)
    register_problems: list[str] = field(default_factory=list)  # rows of the register file skipped

    @classmethod
    def from_settings(cls, settings: Settings, store=None) -> "Enricher":
        c = settings.classifiers
        problems: list[str] = []
        claims = register_claims(settings, store, problems)
        enricher = cls(
            settings=settings,
            places=PlaceMatcher.from_settings(settings),
            topics=TopicMatcher.from_settings(settings),
            sentiment=load_sentiment(c.models_dir),
            sections=load_sections(c.models_dir),
            register_problems=problems,
            misinfo=MisinfoScorer(claims,
                                  thresholds=Thresholds(c.misinfo_flag_threshold, c.claim_link_threshold,
                                                        c.claim_suggest_threshold),
                                  models_dir=c.models_dir, lang=settings.language),
        )
        return enricher

    def refresh_claims(self, store) -> int:
        """Re-read the register (file + reviewers' additions in the store); returns its size.

        A long-running ingest calls this each cycle so new verdicts are matched without a restart.
        """
        problems: list[str] = []
        claims = register_claims(self.settings, store, problems)
        self.register_problems = problems
        self.misinfo.set_claims(claims)
        return len(claims)

    def keep(self, doc: Document, *, local_source: bool = False) -> bool:
        """Whether the ingest keeps the document under ``classifiers.filter_to_province``."""
        return keep_document(doc, filter_to_province=self.settings.classifiers.filter_to_province,
                             local_source=local_source)

    def enrich(self, documents: list[Document]) -> list[Document]:
        if not documents:
            return documents
        bodies = [f"{d.title}\n{d.text}" if d.title else d.text for d in documents]
        for doc, body in zip(documents, bodies):
            if not doc.lang:
                doc.lang = detect_language(body)
            place = self.places.classify(doc.title, doc.text)
            doc.places = list(dict.fromkeys([*place.places, *doc.places]))
            doc.extra[ABOUT_PROVINCE] = place.about
            doc.topics = list(dict.fromkeys([*self.topics.match(doc.title, doc.text, index=TokenIndex(body)),
                                             *doc.topics]))
        langs = [d.lang for d in documents]  # detected once above, not again inside sentiment
        for doc, sentiment in zip(documents, self.sentiment.predict(bodies, langs=langs)):
            doc.sentiment = sentiment
        # The publisher's own section, when the page gave one, is kept; the model fills the rest.
        press = [i for i, d in enumerate(documents)
                 if d.source.kind == "press" and not d.section and len(d.text) >= 200]
        if press:
            for i, section in zip(press, self.sections.predict([bodies[i] for i in press])):
                documents[i].section = section
        triage = [d for d in documents if d.lang in TRIAGE_LANGS]
        for doc, flag in zip(triage, self.misinfo.score_documents(triage)):
            if doc.misinfo is not None and doc.misinfo.review_status != "pending":
                flag.review_status = doc.misinfo.review_status  # a reviewer's verdict outlives re-scoring
            doc.misinfo = flag
        for doc, story_id in zip(documents, self.stories.assign_batch(documents)):
            doc.story_id = story_id
            headline = self.stories.headline(story_id)
            if headline:
                doc.extra[STORY_HEADLINE] = headline
        return documents
