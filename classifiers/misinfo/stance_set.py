"""The labelled stance sets (``classifiers/data/stance_*.txt``) and accuracy per class on them.

Rows are written for the project (text included) or real ReINTEL posts referenced by id, whose
text is read from the data set at evaluation time and never stored in the repository.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from mediawatch.errors import ConfigError

from ..datasets import datasets_dir
from .stance import STANCES, stance

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
HELD_OUT = "stance_vi.txt"
DEVELOPMENT = "stance_dev_vi.txt"


@dataclass(frozen=True, slots=True)
class StanceRow:
    label: str
    origin: str  # written | reintel:ID
    claim: str
    text: str


def _reintel_texts(datasets: str | Path | None) -> dict[str, str]:
    path = datasets_dir(datasets) / "reintel" / "train.csv"
    if not path.is_file():
        raise ConfigError(f"ReINTEL data not found at {path}. Fix: pass --datasets pointing at the folder "
                          "that holds reintel/train.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["id"]: row["post_message"] or "" for row in csv.DictReader(fh)}


def read_stance_set(name: str = HELD_OUT, datasets: str | Path | None = None) -> list[StanceRow]:
    """The rows of a stance set; ReINTEL rows get their text from ``datasets``."""
    rows = []
    texts: dict[str, str] | None = None
    for n, line in enumerate((DATA_DIR / name).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4 or parts[0] not in STANCES:
            raise ValueError(f"{name}:{n}: expected label<TAB>origin<TAB>claim<TAB>text")
        label, origin, claim, text = parts
        if origin.startswith("reintel:"):
            texts = texts if texts is not None else _reintel_texts(datasets)
            text = texts.get(origin.split(":", 1)[1], "")
            if not text:  # another copy of the data set (a test's small one): the written rows remain
                continue
        rows.append(StanceRow(label, origin, claim, text))
    return rows


def accuracy_per_class(rows: list[StanceRow]) -> dict[str, float]:
    """``stance_accuracy_<label>`` for each label, and ``stance_accuracy`` over all rows."""
    hits = {label: [0, 0] for label in STANCES}
    for row in rows:
        predicted = stance("", row.text, row.claim).label
        hits[row.label][0] += predicted == row.label
        hits[row.label][1] += 1
    out = {f"stance_accuracy_{label}": round(ok / n, 4) for label, (ok, n) in hits.items() if n}
    total = sum(n for _, n in hits.values())
    out["stance_accuracy"] = round(sum(ok for ok, _ in hits.values()) / total, 4) if total else 0.0
    return out
