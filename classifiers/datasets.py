"""Readers for the labelled data sets (``classifiers.datasets_dir``) and the fixed held-out splits.

The held-out rows are chosen by a hash of the text, not by position or a random seed, so the
evaluation gate and the training script agree on them whatever the row order of a file.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from mediawatch.errors import ConfigError

_VLSP = {"POS": "positive", "NEG": "negative", "NEU": "neutral"}


@dataclass(frozen=True)
class Labelled:
    texts: list[str]
    labels: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def __add__(self, other: "Labelled") -> "Labelled":
        return Labelled(self.texts + other.texts, self.labels + other.labels)

    def split(self, held_out_per_mille: int) -> tuple["Labelled", "Labelled"]:
        """(kept, held out): a row is held out when the hash of its text falls under the share."""
        keep, hold = Labelled([], []), Labelled([], [])
        for text, label in zip(self.texts, self.labels):
            target = hold if in_held_out(text, held_out_per_mille) else keep
            target.texts.append(text)
            target.labels.append(label)
        return keep, hold


def in_held_out(text: str, per_mille: int) -> bool:
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=4).digest()
    return int.from_bytes(digest, "big") % 1000 < per_mille


def datasets_dir(path: str | Path | None) -> Path:
    """The labelled data folder the caller chose (``--datasets`` or ``classifiers.datasets_dir``)."""
    if not path:
        raise ConfigError("no labelled data folder was given",
                          fix="pass --datasets DIR or set classifiers.datasets_dir in mediawatch.toml")
    return Path(path)


def _csv(path: Path, text_col: str, label_col: str, mapping: dict[str, str] | None = None) -> Labelled:
    if not path.is_file():
        raise ConfigError(f"data set file {path} is missing. Fix: pass --datasets pointing at the folder "
                          "holding vlsp2016_sa/, uit_vsfc/, aivivn2019_sa/ and vntc/")
    texts, labels = [], []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            text, label = (row.get(text_col) or "").strip(), (row.get(label_col) or "").strip()
            if not text or not label:
                continue
            texts.append(text)
            labels.append(mapping.get(label, label) if mapping else label)
    return Labelled(texts, labels)


def vlsp2016(root: Path, split: str) -> Labelled:
    return _csv(root / "vlsp2016_sa" / f"{split}.csv", "text", "label", _VLSP)


def uit_vsfc(root: Path, split: str) -> Labelled:
    return _csv(root / "uit_vsfc" / f"{split}.csv", "text", "sentiment")


def aivivn2019(root: Path) -> Labelled:
    return _csv(root / "aivivn2019_sa" / "train.csv", "text", "label")


def vntc(root: Path) -> tuple[Labelled, list[str]]:
    """(articles with sections, file names) from vntc/sample.jsonl."""
    path = root / "vntc" / "sample.jsonl"
    if not path.is_file():
        raise ConfigError(f"data set file {path} is missing. Fix: pass --datasets pointing at the folder holding vntc/")
    texts, labels, files = [], [], []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                texts.append(row["text"])
                labels.append(row["label"])
                files.append(row.get("file") or row["text"][:200])
    return Labelled(texts, labels), files
