"""The triage score: model + cues + claims register, gated so that opinion is never misinformation.

score in [0, 1]:

1. ``base = 0.45 * model + 0.35 * rumour cues + 0.2 * checkable cues`` (the ReINTEL model's
   probability; how the text is told: hearsay, "share urgently", alarm; what it asserts:
   casualties, figures, dates, events);
2. attribution to a named source ("theo ông ..., cho biết") multiplies it by 0.7; without one, a
   checkable claim with rumour cues summing to 0.5 or more (hearsay + "share now") scores at least
   ``0.6 + 0.2 * model``: unverified claims spread as rumours go to a reviewer;
3. a register entry judged false or misleading raises it: to at least 0.9 at or above
   ``claim_link_threshold`` (linked), to at least 0.62 at or above ``claim_suggest_threshold``
   when the text also carries a rumour cue (otherwise it is suggested to the reviewer in the
   reasons without raising the score); a verified-true entry caps it at 0.3;
4. the opinion gate: no checkable claim -> capped at 0.35; opinion language outweighing the claim
   and no rumour cue -> capped at 0.45. Both caps are below any sensible flag threshold.

``flagged = score >= misinfo_flag_threshold``. The reasons list says which of these applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from mediawatch.document import Document, Misinfo
from mediawatch.text import fold

from .claims import FALSE_VERDICTS, Claim, ClaimMatch, ClaimMatcher
from .cues import extract_claim, find_cues, opinion_strength
from .model import Post, load_model, predict

NO_CLAIM_CAP = 0.35
RUMOUR_FLOOR_CUES = 0.5  # summed rumour-cue weight that sends an unsourced checkable claim to review
OPINION_CAP = 0.45
_MESSAGES = {
    "vi": {
        "model": "mô hình đánh giá khả năng tin không đáng tin cậy: {p:.0%}",
        "linked": "trùng khớp nhận định đã được kết luận là {verdict} ({sim:.0%}): \"{claim}\"",
        "suggest": "có thể trùng nhận định đã kết luận là {verdict} ({sim:.0%}), cần người kiểm tra: \"{claim}\"",
        "verified": "khớp thông tin đã được xác thực ({sim:.0%}): \"{claim}\"",
        "sourced": "có dẫn nguồn chính thức",
        "no_claim": "ý kiến/phản ánh, không có nhận định cụ thể để kiểm chứng",
        "opinion": "chủ yếu là ý kiến, cảm xúc hoặc phản ánh, không phải tin sai",
    },
    "en": {
        "model": "model's likelihood of an unreliable post: {p:.0%}",
        "linked": "matches a claim judged {verdict} ({sim:.0%}): \"{claim}\"",
        "suggest": "may match a claim judged {verdict} ({sim:.0%}), needs a reviewer: \"{claim}\"",
        "verified": "matches verified information ({sim:.0%}): \"{claim}\"",
        "sourced": "cites an official source",
        "no_claim": "opinion or complaint without a checkable claim",
        "opinion": "mostly opinion, emotion or a complaint, not misinformation",
    },
}
_VERDICT_EN = {"tin giả": "fake", "tin sai sự thật": "untrue", "tin xác thực": "verified"}


@dataclass(frozen=True, slots=True)
class Thresholds:
    flag: float = 0.6
    link: float = 0.75
    suggest: float = 0.5


def post_of(doc: Document) -> Post:
    e = doc.engagement
    has_engagement = bool(e.likes or e.comments or e.shares)
    when = doc.published_at
    return Post(text=f"{doc.title}\n{doc.text}".strip() if doc.title else doc.text,
                likes=float(e.likes) if has_engagement else None,
                comments=float(e.comments) if has_engagement else None,
                shares=float(e.shares) if has_engagement else None,
                timestamp=when.timestamp() if when else None)


class MisinfoScorer:
    """Loads the model and builds the register matcher once; scores batches of documents."""

    def __init__(self, claims: Iterable[Claim], *, thresholds: Thresholds = Thresholds(),
                 models_dir: str | Path | None = None, model: dict | None = None, lang: str = "vi"):
        self.model = model if model is not None else load_model(models_dir)
        self.thresholds = thresholds
        self.lang = lang if lang in _MESSAGES else "vi"
        self.set_claims(claims)

    def set_claims(self, claims: Iterable[Claim]) -> None:
        self.matcher = ClaimMatcher(claims)

    def score_documents(self, docs: Sequence[Document]) -> list[Misinfo]:
        if not docs:
            return []
        probs = predict(self.model, [post_of(d) for d in docs])
        matches = self.matcher.best_batch([(d.title, d.text) for d in docs])
        return [self.score_one(d.title, d.text, float(p), m, matched=True) for d, p, m in zip(docs, probs, matches)]

    def score_one(self, title: str, text: str, model_p: float, match: ClaimMatch | None = None,
                  *, matched: bool = False) -> Misinfo:
        """One document's flag; ``match`` is its register match when already computed for the batch."""
        msg = _MESSAGES[self.lang]
        body = f"{title}\n{text}" if title else text
        folded = fold(body)
        cues = find_cues(folded)
        claim = extract_claim(title, text)
        if match is None and not matched:
            match = self.matcher.best(title, text)
        t = self.thresholds

        score = 0.45 * model_p + 0.35 * cues.rumour + 0.2 * cues.checkable
        reasons = cues.reasons(self.lang)
        if model_p >= 0.5:
            reasons.append(msg["model"].format(p=model_p))
        if cues.sourced:
            score *= 0.7
            reasons.append(msg["sourced"])
        elif claim is not None and cues.rumour >= RUMOUR_FLOOR_CUES:
            # A checkable claim told the way rumours are told (hearsay + "share now") is unverified
            # by definition: it goes to a reviewer whatever the model says.
            score = max(score, 0.6 + 0.2 * model_p)

        linked: ClaimMatch | None = None
        if match is not None and match.similarity >= t.suggest:
            verdict = match.claim.verdict if self.lang == "vi" else _VERDICT_EN.get(match.claim.verdict)
            fmt = dict(verdict=verdict, sim=match.similarity, claim=match.claim.text)
            if match.claim.verdict in FALSE_VERDICTS:
                if match.similarity >= t.link:
                    linked = match
                    score = max(score, 0.9)
                    reasons.insert(0, msg["linked"].format(**fmt))
                else:
                    if cues.rumour > 0:
                        score = max(score, 0.62)
                    reasons.insert(0, msg["suggest"].format(**fmt))
            elif match.similarity >= t.link:
                score = min(score, 0.3)
                reasons.insert(0, msg["verified"].format(**fmt))

        if linked is None:
            opinion = opinion_strength(folded, body, cues)
            if claim is None:
                score = min(score, NO_CLAIM_CAP)
                reasons.append(msg["no_claim"])
            elif cues.rumour == 0 and opinion >= 0.5:
                score = min(score, OPINION_CAP)
                reasons.append(msg["opinion"])
        score = round(max(0.0, min(1.0, score)), 4)
        suggestion = linked or (match if match is not None and match.similarity >= t.suggest else None)
        return Misinfo(score=score, claim=claim or (linked.passage if linked else None),
                       matched_claim=suggestion.claim.text if suggestion else None,
                       matched_claim_id=suggestion.claim.id if suggestion else None,
                       evidence_url=(suggestion.claim.source_url or None) if suggestion else None,
                       reasons=reasons, review_status="pending", flagged=score >= t.flag)
