"""The statistics behind the alert rules: plain functions over counts, no store, no clock.

Counts of documents per window behave like Poisson counts, so a flat baseline (σ = 0) would make
any single extra document look infinitely unusual; σ is therefore floored at √mean (the Poisson
standard deviation) and at 1, which keeps a quiet topic from alerting on noise.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

from mediawatch.text import fold

# Sensitivity presets offered in the configuration and docs: lower k fires earlier.
SENSITIVITY_PRESETS = {"high": 1.5, "medium": 2.0, "low": 3.0}


@dataclass(frozen=True, slots=True)
class SpikeResult:
    fired: bool
    current: int
    mean: float
    sigma: float
    threshold: float
    z: float  # (current - mean) / σ with the floored σ

    @property
    def ratio(self) -> float:
        return self.current / self.mean if self.mean else float("inf") if self.current else 0.0


def mean_sigma(values: Sequence[float]) -> tuple[float, float]:
    """Mean and population standard deviation (a baseline is the whole population we compare to)."""
    if not values:
        return 0.0, 0.0
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / len(values)
    return mean, math.sqrt(var)


def spike_test(current: int, baseline: Sequence[int], k: float, min_count: int) -> SpikeResult:
    """Fire when ``current`` exceeds mean + k·σ of the baseline windows and reaches ``min_count``."""
    mean, sigma = mean_sigma([float(b) for b in baseline])
    sigma_eff = max(sigma, math.sqrt(mean), 1.0)
    threshold = mean + k * sigma_eff
    z = (current - mean) / sigma_eff
    return SpikeResult(fired=current >= min_count and current > threshold, current=current,
                       mean=mean, sigma=sigma, threshold=threshold, z=z)


@dataclass(frozen=True, slots=True)
class ShareResult:
    fired: bool
    hits: int
    total: int
    share: float
    baseline_share: float
    threshold: float


def share_surge_test(hits: int, total: int, baseline_hits: int, baseline_total: int, k: float,
                     min_count: int, min_delta: float = 0.1) -> ShareResult:
    """A share (e.g. of negative documents) well above its baseline share.

    The baseline share p0 is pooled over the baseline windows; the current share is compared to
    p0 + k·√(p0(1−p0)/n), the binomial spread for n current documents, and must also beat p0 by
    ``min_delta`` so that a huge window cannot alert on a one-point rise.
    """
    share = hits / total if total else 0.0
    p0 = baseline_hits / baseline_total if baseline_total else 0.0
    spread = math.sqrt(max(p0 * (1 - p0), 0.05 * 0.95) / total) if total else 0.0
    threshold = min(1.0, max(p0 + k * spread, p0 + min_delta))
    fired = total > 0 and hits >= min_count and share > threshold
    return ShareResult(fired=fired, hits=hits, total=total, share=share, baseline_share=p0,
                       threshold=threshold)


def severity_for(z: float, k: float) -> str:
    """'high' far above the threshold, 'medium' otherwise."""
    return "high" if z >= k + 2 else "medium"


# Function words that make poor "top terms" in Vietnamese and English titles (folded forms).
_STOP = set("""
va cua la cac co cho voi duoc trong tai nay mot nhung de khi da se dang ve tu ra den thi nhu
theo tren nam ngay sau tinh tren duoi hon rat cung khong bi vao len nguoi do con lai nhieu
the a an of to in on for and or is are was be by with at from as it this that new
""".split())
_WORD = re.compile(r"[a-z0-9]+")


def top_terms(texts: Iterable[str], n: int = 8) -> list[tuple[str, int]]:
    """Most frequent two-syllable terms (Vietnamese words are mostly two syllables), then single ones.

    Counted once per text so one long article cannot dominate; returned in folded form.
    """
    bigrams: Counter[str] = Counter()
    unigrams: Counter[str] = Counter()
    for text in texts:
        words = _WORD.findall(fold(text))
        seen_bi = {f"{a} {b}" for a, b in zip(words, words[1:])
                   if a not in _STOP and b not in _STOP and not (a.isdigit() or b.isdigit())}
        bigrams.update(seen_bi)
        unigrams.update({w for w in words if w not in _STOP and len(w) > 2 and not w.isdigit()})
    terms = [(t, c) for t, c in bigrams.most_common() if c >= 2]
    if len(terms) < n:
        used = {w for t, _ in terms for w in t.split()}
        terms += [(t, c) for t, c in unigrams.most_common() if t not in used][: n - len(terms)]
    return sorted(terms, key=lambda tc: (-tc[1], tc[0]))[:n]
