"""The triage score: model + cues + claims register + stance, gated so that opinion is never misinformation.

Two steps. :func:`assess` gathers everything that does not depend on the flag threshold ``T``;
:func:`decide` turns it into a score and a flag for a given ``T``, so the operating point can be
chosen on calibration data cheaply (``operating.py``). score in [0, 1]:

1. ``base = sigmoid(logit(model) + 1.2 * rumour cues + 0.8 * checkable cues)`` (the ReINTEL
   model's probability, moved up by how the text is told: hearsay, "share urgently", alarm; and
   by what it asserts: casualties, figures, dates, events); attribution to a named source
   ("theo ông ..., cho biết") takes 0.7 off the logit;
2. without a named source, a checkable claim with rumour cues summing to 0.5 or more (hearsay +
   "share now") scores at least ``T + (1 - T) * model / 2``: unverified claims spread as rumours
   go to a reviewer;
3. a register entry judged false or misleading raises it: to at least 0.9 (and above ``T``) at or
   above ``claim_link_threshold`` (linked), just above ``T`` at or above ``claim_suggest_threshold``
   when the text also carries a rumour cue (otherwise the entry is suggested to the reviewer in the
   reasons without raising the score); a verified-true entry caps it;
4. stance (``stance.py``): a post that refutes the claim (a denial, a correction, an official or
   press voice reassuring) is never queued: its score is capped well below ``T``; it stays linked
   to the claim it corrects, as evidence. A post that questions the claim keeps its place in the
   queue with half its margin above ``T`` (lower priority) and the reason "đặt câu hỏi";
5. the opinion gate: no checkable claim -> capped; opinion language outweighing the claim and no
   rumour cue -> capped. Caps are fixed fractions of ``T`` (0.35 and 0.45 at T = 0.6).

``flagged = score >= T``. ``T`` is ``classifiers.misinfo_flag_threshold`` when set, else the
operating point stored with the model (chosen for a stated reviewer precision). Reasons quote
only words that are in the post.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from mediawatch.document import Document, Misinfo
from mediawatch.i18n import LANGS, label, t
from mediawatch.text import fold_chars

from .claims import FALSE_VERDICTS, Claim, ClaimMatch, ClaimMatcher
from .cues import extract_claim, find_cues, opinion_strength, sentences
from .model import Post, load_model, predict
from .spans import Words, quote
from .stance import Stance, stance

DEFAULT_FLAG = 0.6  # when neither the settings nor the model give an operating point
# Caps and floors as fractions of the flag threshold (their values at the historical T = 0.6).
NO_CLAIM_CAP = 0.35
OPINION_CAP = 0.45
VERIFIED_CAP = 0.3
REFUTE_CAP = 0.2
LINK_FLOOR = 0.9
EVIDENCE_SHARE = 0.8  # of claim_suggest_threshold: how near a refuting post must be to a claim to be its evidence
RUMOUR_FLOOR_CUES = 0.5  # summed rumour-cue weight that sends an unsourced checkable claim to review
_W_RUMOUR, _W_CHECKABLE, _W_SOURCED = 1.2, 0.8, -0.7


@dataclass(frozen=True, slots=True)
class Thresholds:
    flag: float | None = None  # None: the operating point stored with the model
    link: float = 0.75
    suggest: float = 0.5


@dataclass(slots=True)
class Assessment:
    """Everything about one post that does not depend on the flag threshold."""

    base: float
    model_p: float
    claim: str | None
    floor: str | None = None  # linked | rumour | suggest
    cap: str | None = None  # refutes | verified | no_claim | opinion
    questions: bool = False
    stance: Stance | None = None
    match: ClaimMatch | None = None  # the register entry suggested or linked
    linked: bool = False
    reasons: list[str] = field(default_factory=list)


def post_of(doc: Document) -> Post:
    e = doc.engagement
    has_engagement = bool(e.likes or e.comments or e.shares)
    when = doc.published_at
    return Post(text=f"{doc.title}\n{doc.text}".strip() if doc.title else doc.text,
                likes=float(e.likes) if has_engagement else None,
                comments=float(e.comments) if has_engagement else None,
                shares=float(e.shares) if has_engagement else None,
                timestamp=when.timestamp() if when else None)


def _logit(p: float) -> float:
    p = min(1 - 1e-6, max(1e-6, p))
    return math.log(p / (1 - p))


def _passage_quote(body: str, passage: str) -> str:
    """The matched passage as the post wrote it (a passage may join two sentences)."""
    if passage and passage in body:
        return quote(passage)
    for part in sentences(passage) or [passage]:
        if part and part in body:
            return quote(part)
    return quote(next((s for s in sentences(body)), body))


def assess(title: str, text: str, model_p: float, match: ClaimMatch | None, *, link: float = 0.75,
           suggest: float = 0.5, lang: str = "vi", press: bool = False, chars: str | None = None) -> Assessment:
    """One post's evidence: cues, claim, register match, stance, gates; reasons in ``lang``.

    ``chars``: ``fold_chars`` of the post (title, newline, text) when the caller has it.
    """
    body = f"{title}\n{text}" if title else text
    chars = chars if chars is not None else fold_chars(body)
    folded = " ".join(chars.split())  # = fold(body), without folding twice
    words = Words(body, chars)
    cues = find_cues(folded)
    claim = extract_claim(title, text, cues)
    evidence = _logit(model_p) + _W_RUMOUR * cues.rumour + _W_CHECKABLE * cues.checkable
    reasons = cues.reasons(lang, body, words)
    if model_p >= 0.5:
        reasons.append(t("triage.reason.model", lang, p=model_p))
    floor = None
    if cues.sourced:
        evidence += _W_SOURCED
        reasons.append(t("triage.reason.sourced", lang))
    elif claim is not None and cues.rumour >= RUMOUR_FLOOR_CUES:
        floor = "rumour"
    out = Assessment(base=1 / (1 + math.exp(-evidence)), model_p=model_p, claim=claim, floor=floor,
                     reasons=reasons)

    suggested = match if match is not None and match.similarity >= suggest else None
    about = suggested.claim.text if suggested is not None else claim
    out.stance = stance(title, text, about, press=press, folded=folded, words=words) if about else None
    if suggested is not None:
        verdict = label("triage.verdict", suggested.claim.verdict, lang)
        fmt = dict(verdict=verdict, sim=suggested.similarity, cid=suggested.claim.id,
                   quote=_passage_quote(body, suggested.passage))
        out.match = suggested
        if suggested.claim.verdict in FALSE_VERDICTS:
            if suggested.similarity >= link:
                out.linked = True
                out.floor = "linked"
                reasons.insert(0, t("triage.reason.linked", lang, **fmt))
            else:
                if cues.rumour > 0:
                    out.floor = out.floor or "suggest"
                reasons.insert(0, t("triage.reason.suggest", lang, **fmt))
        elif suggested.similarity >= link:
            out.cap = "verified"
            reasons.insert(0, t("triage.reason.verified", lang, **fmt))

    st = out.stance
    if st is not None and st.label == "refutes":
        out.cap = "refutes"
        if out.match is None and match is not None and match.similarity >= EVIDENCE_SHARE * suggest \
                and match.claim.verdict in FALSE_VERDICTS:
            # A denial words the claim its own way ("... là tin đồn thất thiệt"): it is linked as
            # evidence on the nearest false claim a little below the suggestion threshold.
            out.match = match
            reasons.append(t("triage.reason.evidence", lang, cid=match.claim.id, sim=match.similarity))
        said = quote(", ".join(st.cues[:1])) if st.cues else ""
        reasons.insert(0, t("triage.reason.refutes", lang, quote=said).rstrip(": "))
        if st.official:
            reasons.insert(1, t("triage.reason.official", lang))
    elif st is not None and st.label == "questions":
        out.questions = True
        reasons.append(t("triage.reason.questions", lang, quote=quote(st.cues[0]) if st.cues else "").rstrip(": "))
    if not out.linked and out.cap is None:
        if claim is None:
            out.cap = "no_claim"
            reasons.append(t("triage.reason.no_claim", lang))
        elif cues.rumour == 0 and opinion_strength(folded, body, cues) >= 0.5:
            out.cap = "opinion"
            reasons.append(t("triage.reason.opinion", lang))
    return out


_CAPS = {"refutes": REFUTE_CAP, "verified": VERIFIED_CAP, "no_claim": NO_CLAIM_CAP, "opinion": OPINION_CAP}


def decide_score(a: Assessment, flag: float) -> float:
    """The final score of an assessment under flag threshold ``flag``."""
    score = a.base
    if a.floor == "linked":
        score = max(score, LINK_FLOOR, flag + 0.05)
    elif a.floor == "rumour":
        score = max(score, flag + (1 - flag) * a.model_p / 2)
    elif a.floor == "suggest":
        score = max(score, flag + 0.02)
    if a.cap is not None:
        score = min(score, _CAPS[a.cap] * flag / DEFAULT_FLAG)
    if a.questions and score >= flag:
        score = flag + (score - flag) / 2
    return round(max(0.0, min(1.0, score)), 4)


def decide(a: Assessment, flag: float) -> Misinfo:
    score = decide_score(a, flag)
    m = a.match
    return Misinfo(score=score, claim=a.claim or (m.passage if a.linked and m else None),
                   matched_claim=m.claim.text if m else None, matched_claim_id=m.claim.id if m else None,
                   evidence_url=(m.claim.source_url or None) if m else None, reasons=list(a.reasons),
                   review_status="pending", flagged=score >= flag,
                   stance=a.stance.label if a.stance is not None else None)


def model_flag_threshold(model: dict) -> float:
    """The operating point stored with the model, else the historical default."""
    point = model.get("operating_point") if isinstance(model, dict) else None
    if isinstance(point, dict) and isinstance(point.get("threshold"), (int, float)):
        return float(point["threshold"])
    return DEFAULT_FLAG


class MisinfoScorer:
    """Loads the model and builds the register matcher once; scores batches of documents."""

    def __init__(self, claims: Iterable[Claim], *, thresholds: Thresholds = Thresholds(),
                 models_dir: str | Path | None = None, model: dict | None = None, lang: str = "vi"):
        self.model = model if model is not None else load_model(models_dir)
        self.thresholds = thresholds
        self.flag = thresholds.flag if thresholds.flag is not None else model_flag_threshold(self.model)
        self.lang = lang if lang in LANGS else "vi"
        self.set_claims(claims)

    def set_claims(self, claims: Iterable[Claim]) -> None:
        self.matcher = ClaimMatcher(claims)

    def score_documents(self, docs: Sequence[Document]) -> list[Misinfo]:
        if not docs:
            return []
        # Each post is folded once, for the model, the register and the cues alike.
        chars = [fold_chars(f"{d.title}\n{d.text}" if d.title else d.text) for d in docs]
        folded = [" ".join(c.split()) for c in chars]
        probs = predict(self.model, [post_of(d) for d in docs], folded=folded)
        matches = self.matcher.best_batch([(d.title, d.text) for d in docs], folded=folded)
        return [self.score_one(d.title, d.text, float(p), m, matched=True, press=d.source.kind == "press", chars=c)
                for d, p, m, c in zip(docs, probs, matches, chars)]

    def score_one(self, title: str, text: str, model_p: float, match: ClaimMatch | None = None,
                  *, matched: bool = False, press: bool = False, chars: str | None = None) -> Misinfo:
        """One document's flag; ``match`` is its register match when already computed for the batch."""
        if match is None and not matched:
            match = self.matcher.best(title, text)
        t = self.thresholds
        return decide(assess(title, text, model_p, match, link=t.link, suggest=t.suggest, lang=self.lang,
                             press=press, chars=chars), self.flag)
