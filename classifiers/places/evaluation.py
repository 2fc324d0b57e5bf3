"""How well the place decision agrees with an editor: hand-labelled news articles, dev and test parts.

The labels (``classifiers/data/eval/places_vntc.csv``: file, province, label, kind, split, reason)
say, for an article of the VNTC sample and a watched province, whether the article is about that
province. Only the labels ship with mediawatch; the article text is read at run time from
``DATASETS/vntc/sample.jsonl`` (title on the first line). The labelling rules, the selection of the
articles and the split are described in docs/topics-places.md.

``evaluate(datasets_dir)`` returns precision, recall and the false-alarm rate (share of articles
not about the province that are tagged with it) for each split, overall and per province, and on
the hard negatives alone (articles that contain a unit name of the province). ``mediawatch eval
places`` prints them; places are rules, so ``train`` only explains that there is nothing to train.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable

from mediawatch.errors import ConfigError
from mediawatch.text import fold

from ..datasets import datasets_dir as _datasets_dir
from .decision import PlaceMatcher

LABELS = "data/eval/places_vntc.csv"
SPLITS = ("dev", "test")


@dataclass(frozen=True, slots=True)
class Label:
    file: str
    province: str
    about: bool
    kind: str  # "candidate" (chosen by searching the province's unit names) or "random"
    split: str  # "dev" or "test", by a hash of the file id
    reason: str


@dataclass(frozen=True, slots=True)
class Outcome:
    label: Label
    predicted: bool
    evidence: tuple[str, ...]


def read_labels(path: str | Path | None = None) -> list[Label]:
    source = Path(path) if path else resources.files("mediawatch.classifiers").joinpath(LABELS)
    with source.open(encoding="utf-8", newline="") as fh:
        return [Label(r["file"], r["province"], r["label"] == "1", r["kind"], r["split"], r["reason"])
                for r in csv.DictReader(fh)]


def read_articles(root: str | Path | None, wanted: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(title, text) by file id from ``vntc/sample.jsonl`` for the files the labels need."""
    path = _datasets_dir(root) / "vntc" / "sample.jsonl"
    if not path.is_file():
        raise ConfigError(f"data set file {path} is missing",
                          fix="pass --datasets pointing at the folder holding vntc/sample.jsonl")
    wanted = set(wanted)
    out: dict[str, tuple[str, str]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("file") in wanted:
                title, _, text = row["text"].partition("\n")
                out[row["file"]] = (title, text)
    missing = wanted - set(out)
    if missing:
        raise ConfigError(f"{len(missing)} labelled articles are not in {path} (e.g. {sorted(missing)[0]!r})",
                          fix="use the VNTC sample the labels were made on (6,000 articles, field 'file')")
    return out


def outcomes(root: str | Path | None, labels: list[Label] | None = None) -> list[Outcome]:
    labels = read_labels() if labels is None else labels
    articles = read_articles(root, {lab.file for lab in labels})
    matchers: dict[str, PlaceMatcher] = {}
    out = []
    for lab in labels:
        matcher = matchers.get(lab.province) or matchers.setdefault(lab.province, PlaceMatcher(lab.province))
        result = matcher.classify(*articles[lab.file])
        out.append(Outcome(lab, result.about, tuple(result.evidence)))
    return out


def _rates(rows: list[Outcome]) -> dict[str, float]:
    tp = sum(o.predicted and o.label.about for o in rows)
    fp = sum(o.predicted and not o.label.about for o in rows)
    positives = sum(o.label.about for o in rows)
    negatives = len(rows) - positives
    hard = [o for o in rows if not o.label.about and o.label.kind == "candidate"]
    out = {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / positives if positives else 1.0,
        "false_alarms": fp / negatives if negatives else 0.0,
        "hard_false_alarms": sum(o.predicted for o in hard) / len(hard) if hard else 0.0,
    }
    # The floors file keeps minimums, so the false-alarm aims are gated as their complements.
    out["specificity"] = 1.0 - out["false_alarms"]
    out["hard_specificity"] = 1.0 - out["hard_false_alarms"]
    return out


def score(results: list[Outcome]) -> dict[str, float]:
    """Rates for each split, overall and per province, named ``<split>_<rate>[_<province>]``."""
    scores: dict[str, float] = {}
    for split in SPLITS:
        part = [o for o in results if o.label.split == split]
        for key, value in _rates(part).items():
            scores[f"{split}_{key}"] = value
        for province in sorted({o.label.province for o in part}):
            slug = fold(province).replace(" ", "_")
            for key in ("recall", "false_alarms", "hard_false_alarms", "specificity"):
                scores[f"{split}_{key}_{slug}"] = _rates([o for o in part if o.label.province == province])[key]
    return scores


def evaluate(datasets_dir: str | Path | None, models_dir: str | Path | None = None) -> dict[str, float]:
    """``mediawatch eval places``: the scores on the labelled VNTC articles (no model files involved)."""
    return score(outcomes(datasets_dir))


def train(datasets_dir: str | Path | None, out_dir: str | Path | None) -> dict[str, float]:
    raise ConfigError("places are rule-based (gazetteer and context rules): there is nothing to train",
                      fix="run `mediawatch eval places --datasets DIR` to score them")


def disagreements(datasets_dir: str | Path | None, split: str = "dev") -> list[Outcome]:
    """The articles of ``split`` where the decision and the label differ, for whoever tunes the rules."""
    return [o for o in outcomes(datasets_dir) if o.label.split == split and o.predicted != o.label.about]
