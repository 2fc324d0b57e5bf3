"""Training and evaluation of the misinformation model: fit, operating point, figures, model card.

``mediawatch train misinfo`` / ``mediawatch eval misinfo`` run :func:`train` / :func:`evaluate`
(through ``classifiers/registry.py``). Kept apart from ``model.py`` (what the enricher loads and
runs) because choosing the operating point scores calibration posts with the whole triage scorer.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .. import modelio
from . import operating
from .model import (_CACHE, CARD_FILE, GBM_ITER, GBM_LEAVES, MODEL_FILE, Post, cross_validate, fit, load_model,
                    predict, read_reintel, split)
from .scorer import DEFAULT_FLAG


def train(datasets: str | Path | None = None, out_dir: str | Path | None = None, *, cv: bool = True,
          reviewed: Sequence[tuple[Post, int]] | None = None,
          precision_target: float | None = None) -> dict[str, float]:
    """Train on ReINTEL (minus the fixed held-out fifth) plus reviewers' verdicts; write model and card.

    The flag threshold (operating point) is chosen on out-of-fold triage scores of the training
    part for ``precision_target`` (default 0.8) and saved inside the model file; the held-out fifth
    only measures. ``reviewed`` are the reviewers' verdicts as (post, label), gathered by the
    caller from the store (``mediawatch triage review``); this module never opens a store or reads
    the configuration.
    """
    from sklearn.metrics import average_precision_score, roc_auc_score

    target = precision_target if precision_target is not None else operating.PRECISION_TARGET
    reviewed = list(reviewed or [])
    started = time.time()
    posts, y, ids = read_reintel(datasets)
    (train_posts, train_y), (held_posts, held_y) = split(posts, y, ids)
    if reviewed:
        train_posts = train_posts + [p for p, _ in reviewed]
        train_y = np.concatenate([train_y, np.asarray([label for _, label in reviewed])])
    model = fit(train_posts, train_y, calibrate=True)
    calibration = operating.assessments(train_posts, model.pop("calibration"))
    point = operating.choose_threshold(calibration, train_y, target)
    point["calibration"] = "out-of-fold scores of the training part"
    model["operating_point"] = point
    held_scores = predict(model, held_posts)
    scores = {"roc_auc_held_out": round(float(roc_auc_score(held_y, held_scores)), 4),
              "average_precision_held_out": round(float(average_precision_score(held_y, held_scores)), 4)}
    scores.update(_operating_scores(point, operating.assessments(held_posts, held_scores), held_y))
    scores.update(_stance_scores(datasets))
    out = modelio.models_dir(out_dir)
    if cv:
        scores["roc_auc_cv5"] = round(cross_validate(posts, y), 4)
    else:
        previous = _read_card_scores(out)
        if "roc_auc_cv5" in previous:
            scores["roc_auc_cv5"] = previous["roc_auc_cv5"]
    size = modelio.dump(model, out / MODEL_FILE)
    _CACHE.pop((out / MODEL_FILE).resolve(), None)
    _write_card(out, scores, len(train_posts), len(held_posts), len(reviewed), size, time.time() - started)
    return scores


def _operating_scores(point: dict[str, Any], held, held_y: np.ndarray) -> dict[str, float]:
    """The operating point and the triage figures at it on the held-out part."""
    fig = operating.figures_at(held, held_y, point["threshold"])
    return {"flag_threshold": point["threshold"], "precision_target": point["precision_target"],
            "precision_calibration": point["precision_calibration"],
            "recall_calibration": point["recall_calibration"],
            "precision_held_out": fig["precision"], "recall_held_out": fig["recall"],
            "triage_roc_auc_held_out": fig["roc_auc"]}


def evaluate(datasets: str | Path | None = None, models_dir: str | Path | None = None) -> dict[str, float]:
    """Held-out figures of the saved model: ROC-AUC and average precision of the model, the
    operating point stored with it, and precision, recall and ROC-AUC of the triage score there."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    posts, y, ids = read_reintel(datasets)
    _, (held_posts, held_y) = split(posts, y, ids)
    model = load_model(models_dir)
    scores = predict(model, held_posts)
    out = {"roc_auc_held_out": round(float(roc_auc_score(held_y, scores)), 4),
           "average_precision_held_out": round(float(average_precision_score(held_y, scores)), 4)}
    point = model.get("operating_point") or {"threshold": DEFAULT_FLAG, "precision_target": float("nan"),
                                             "precision_calibration": float("nan"),
                                             "recall_calibration": float("nan")}
    out.update(_operating_scores(point, operating.assessments(held_posts, scores), held_y))
    out.update(_stance_scores(datasets))
    return out


def _stance_scores(datasets: str | Path | None) -> dict[str, float]:
    """Accuracy per class of the stance cues on the held-out stance set (classifiers/data/stance_vi.txt)."""
    from .stance_set import accuracy_per_class, read_stance_set

    return accuracy_per_class(read_stance_set(datasets=datasets))


def _read_card_scores(out: Path) -> dict[str, float]:
    path = out / CARD_FILE
    if not path.is_file():
        return {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("<!-- scores "):
            return json.loads(line[len("<!-- scores "):-len(" -->")])
    return {}


def _write_card(out: Path, scores: dict[str, float], n_train: int, n_held: int, n_reviewed: int, size: int,
                seconds: float) -> None:
    today = datetime.now(timezone.utc).strftime("%d/%m/%Y")
    cv = scores.get("roc_auc_cv5")
    text = f"""# Model card: misinfo (likely-misinformation score)

<!-- scores {json.dumps(scores, sort_keys=True)} -->

- **What it does**: the probability that a social post is unreliable, one input of the triage score
  (with check-worthiness cues, the claims register, stance and the opinion gate: see
  docs/triage.md). It never flags alone and never decides: reviewers do.
- **Trained**: {today}, in {seconds:.0f} s, on {n_train} posts ({n_reviewed} of them reviewers' verdicts).
- **Data**: ReINTEL (VLSP 2020 shared task), Vietnamese social-network posts, mostly 2020 and
  COVID-heavy, 1 = unreliable (17%). Terms: research use, as distributed by the VLSP organisers;
  the data is not in this repository. Author names (hashed in the data) are NOT used: people are
  not targets. Engagement counts and posting time are used.
- **Model**: TF-IDF word 1-2 grams + logistic regression; TF-IDF character 2-4 grams of the
  folded text + logistic regression; their out-of-fold scores with 21 engagement/timing/shape
  features (likes, comments, shares, hour, weekday, day, month, day of posting, length, links,
  digits, capitals, ...) into a histogram gradient-boosting classifier ({GBM_ITER} trees of
  {GBM_LEAVES} leaves). File {MODEL_FILE}, {size / 1e6:.1f} MB (skops).

## Scores

| metric | value |
|---|---|
| ROC-AUC, fixed held-out fifth (hash of the post id, {n_held} posts) | {scores['roc_auc_held_out']:.4f} |
| average precision, held-out fifth | {scores['average_precision_held_out']:.4f} |
| ROC-AUC, nested 5-fold cross-validation on all 3,280 posts | {f'{cv:.4f}' if cv is not None else 'not run'} |

## Operating point (stored in {MODEL_FILE})

The flag threshold is chosen for reviewers' precision: the lowest threshold of the whole triage
score (model + cues + stance + opinion gate, no register) at which at least
{scores['precision_target']:.0%} of flagged posts are unreliable, on out-of-fold scores of the
training part. `classifiers.misinfo_flag_threshold` uses it unless set.

| figure | value |
|---|---|
| flag threshold | {scores['flag_threshold']:.3f} |
| precision / recall, calibration (out-of-fold, training part) | {scores['precision_calibration']:.2f} / {scores['recall_calibration']:.2f} |
| precision / recall, held-out fifth | {scores['precision_held_out']:.2f} / {scores['recall_held_out']:.2f} |
| ROC-AUC of the triage score, held-out fifth | {scores['triage_roc_auc_held_out']:.4f} |

Stance (repeats / questions / refutes a claim; `stance.py`, rules, not trained), accuracy per class
on the held-out stance set `classifiers/data/stance_vi.txt` (real ReINTEL posts by id and posts
written for the project): repeats {scores.get('stance_accuracy_repeats', float('nan')):.2f}, questions
{scores.get('stance_accuracy_questions', float('nan')):.2f}, refutes
{scores.get('stance_accuracy_refutes', float('nan')):.2f} (all {scores.get('stance_accuracy', float('nan')):.2f}).

Recall is bounded by the opinion gate on purpose: a post without a checkable claim (numbers,
casualties, an asserted event) is never flagged, whatever the model says, and many unreliable
ReINTEL posts are told without one.

Published systems reach ROC-AUC 0.952-0.958 on the shared task's private test set (PhoBERT /
vELECTRA with metadata; SVM + LightGBM ensemble 0.952). This linear + boosting model is below
that bar; the gap is mostly the pretrained language models and, for some teams, author features
that we leave out on purpose.

## Limits

The data is 2020 national social media, dominated by COVID-19; provincial disaster rumours look
different. The score is therefore weighted against cues and the claims register, and an opinion
gate caps posts without a checkable claim. Floors in floors.json guard the held-out scores.
"""
    (out / CARD_FILE).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    print(json.dumps(train(cv="--no-cv" not in args), indent=2))


if __name__ == "__main__":
    main()
