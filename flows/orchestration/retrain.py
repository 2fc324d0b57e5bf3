"""Retraining without regressions: train into a temporary folder, compare, then swap atomically.

A model is swapped in only when every metric of its evaluation reaches the floors in
``floors.json`` (the scores the team accepted) and does not drop below the current model's score
by more than ``tolerance``. All metrics are "higher is better" (F1, accuracy), as the classifiers'
``evaluate`` functions report them. The current model keeps serving until the swap, and each file
is replaced with ``os.replace`` so a reader never sees half a model.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mediawatch.document import Document
from mediawatch.settings import Settings
from mediawatch.store.base import Store

log = logging.getLogger("mediawatch.retrain")

TOLERANCE = 0.005  # retraining noise: half a point of F1 is not a regression


@dataclass
class RetrainResult:
    model: str
    swapped: bool
    new: dict[str, float] = field(default_factory=dict)
    current: dict[str, float] = field(default_factory=dict)
    floors: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    target: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def compare(new: dict[str, float], current: dict[str, float], floors: dict[str, float],
            tolerance: float = TOLERANCE) -> list[str]:
    """Why the new scores must not replace the current model; empty when they may."""
    reasons = []
    if not new:
        reasons.append("the new model reported no scores")
    for metric, floor in sorted(floors.items()):
        value = new.get(metric)
        if value is None:
            reasons.append(f"{metric}: missing from the new evaluation (floor {floor:.4f})")
        elif value < floor:
            reasons.append(f"{metric}: {value:.4f} is below the floor {floor:.4f}")
    for metric, old in sorted(current.items()):
        value = new.get(metric)
        if value is None:
            reasons.append(f"{metric}: missing from the new evaluation (current {old:.4f})")
        elif value < old - tolerance:
            reasons.append(f"{metric}: {value:.4f} dropped from {old:.4f}")
    return reasons


def swap_in(staged: Path, target: Path) -> list[str]:
    """Move every file of the staged folder into ``target``, one atomic replace per file."""
    target.mkdir(parents=True, exist_ok=True)
    moved = []
    for path in sorted(p for p in staged.iterdir() if p.is_file()):
        tmp = target / f".incoming-{path.name}"
        shutil.copy2(path, tmp)  # same file system as the target, so the replace below is atomic
        os.replace(tmp, target / path.name)
        moved.append(path.name)
    return moved


def reviewed_examples(store: Store, limit: int = 100_000) -> list[tuple[Any, int]]:
    """(post, label) for every reviewed document, using each document's latest verdict."""
    from mediawatch.classifiers.misinfo.feedback import REVIEW_LABELS
    from mediawatch.classifiers.misinfo.scorer import post_of

    seen: set[str] = set()
    out: list[tuple[Any, int]] = []
    for decision in store.reviews(limit=limit):  # most recent first
        if decision.doc_id in seen or decision.verdict not in REVIEW_LABELS:
            continue
        seen.add(decision.doc_id)
        doc: Document | None = store.get(decision.doc_id)
        if doc is not None:
            out.append((post_of(doc), REVIEW_LABELS[decision.verdict]))
    return out


def reviewed_in_store(settings: Settings) -> list[tuple[Any, int]]:
    """Reviewed examples from the configured store, or none when there is no store to read."""
    from mediawatch.store import open_store

    try:
        url = settings.store_url()
        if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).is_file():
            return []  # no store yet: nothing reviewed, and training must not create one
        with open_store(settings) as store:
            return reviewed_examples(store)
    except Exception as exc:  # training goes on with the public data alone
        log.warning("reviewers' verdicts not used for training: %s", exc)
        return []


def retrain_model(settings: Settings, name: str, *, datasets_dir: str | None = None,
                  tolerance: float = TOLERANCE) -> RetrainResult:
    from mediawatch.classifiers.modelio import models_dir, read_floors
    from mediawatch.classifiers.registry import MODELS

    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}: use one of {', '.join(sorted(MODELS))}")
    model = MODELS[name]
    datasets_dir = datasets_dir or str(settings.datasets_path())
    configured = settings.classifiers.models_dir
    current_dir = models_dir(configured)
    floors = read_floors(current_dir).get(name, {})
    try:
        current = model.evaluate(datasets_dir or settings.datasets_path(), current_dir)
    except Exception as exc:  # no current model yet: the floors alone decide
        log.warning("current %s model could not be evaluated (%s); comparing with the floors only", name, exc)
        current = {}
    result = RetrainResult(model=name, swapped=False, current=current, floors=floors,
                           target=str(current_dir) if configured else None)
    with tempfile.TemporaryDirectory(prefix=f"retrain-{name}-") as tmp:
        staged = Path(tmp)
        model.train(datasets_dir, staged,
                    reviewed=reviewed_in_store(settings) if model.learns_from_reviews else ())
        result.new = model.evaluate(datasets_dir, staged)
        result.reasons = compare(result.new, current, floors, tolerance)
        if not configured:
            result.reasons.append("classifiers.models_dir is not set: the shipped models are read-only; "
                                  "set it to a writable folder to let retraining swap models in")
        if result.reasons:
            log.warning("%s not swapped in: %s", name, "; ".join(result.reasons))
            return result
        swap_in(staged, current_dir)
        result.swapped = True
        log.info("%s retrained and swapped in: %s", name, result.new)
    return result
