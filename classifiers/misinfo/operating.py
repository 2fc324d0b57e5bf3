"""The operating point: the flag threshold that gives reviewers a stated precision, and its figures.

Reviewers' time is the scarce resource, so the threshold is chosen for precision: the lowest flag
threshold at which at least ``PRECISION_TARGET`` (0.8) of the flagged posts are unreliable, on a
calibration part that is not the test part (out-of-fold scores of the training part). Recall at it
is reported, with precision and recall on the fixed held-out fifth. Scores here are the whole
triage score (model + cues + stance + opinion gate, no register: ReINTEL is national, the
register provincial), so the threshold applies to what actually flags.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .model import Post
from .scorer import Assessment, assess, decide_score

PRECISION_TARGET = 0.8
# Below 0.5 the caps that keep opinion out would sit too close to the threshold; above 0.9 the
# floor of a linked register claim would no longer flag.
LOWEST, HIGHEST, STEP = 0.5, 0.9, 0.005
MIN_FLAGGED = 20  # a precision measured on fewer flags is noise


def assessments(posts: Sequence[Post], probs: Sequence[float]) -> list[Assessment]:
    return [assess("", p.text, float(q), None) for p, q in zip(posts, probs)]


def scores_at(items: Sequence[Assessment], threshold: float) -> np.ndarray:
    return np.asarray([decide_score(a, threshold) for a in items])


def figures_at(items: Sequence[Assessment], y: np.ndarray, threshold: float) -> dict[str, float]:
    """Precision, recall and flag count at ``threshold``; ROC-AUC of the triage score."""
    from sklearn.metrics import roc_auc_score

    scores = scores_at(items, threshold)
    flagged = scores >= threshold
    positives = max(1, int((y == 1).sum()))
    return {"precision": round(float(y[flagged].mean()) if flagged.any() else 0.0, 4),
            "recall": round(float(flagged[y == 1].sum()) / positives, 4),
            "flagged": int(flagged.sum()),
            "roc_auc": round(float(roc_auc_score(y, scores)), 4) if len(set(y.tolist())) == 2 else float("nan")}


def choose_threshold(items: Sequence[Assessment], y: np.ndarray,
                     target: float = PRECISION_TARGET) -> dict[str, float]:
    """The lowest threshold in [0.5, 0.9] reaching ``target`` precision (most recall at that precision).

    When no threshold reaches it, the one with the highest precision, and ``reached`` is 0.
    """
    best: tuple[float, dict[str, float]] | None = None
    fallback: tuple[float, dict[str, float]] | None = None
    for threshold in np.round(np.arange(LOWEST, HIGHEST + STEP / 2, STEP), 3):
        fig = figures_at(items, y, float(threshold))
        if fig["flagged"] < MIN_FLAGGED:
            continue
        if fallback is None or fig["precision"] > fallback[1]["precision"]:
            fallback = (float(threshold), fig)
        if fig["precision"] >= target:
            best = (float(threshold), fig)
            break
    chosen, reached = (best, 1.0) if best else (fallback or (HIGHEST, {"precision": 0.0, "recall": 0.0}), 0.0)
    threshold, fig = chosen
    return {"threshold": threshold, "precision_target": target, "reached": reached,
            "precision_calibration": fig["precision"], "recall_calibration": fig["recall"]}
