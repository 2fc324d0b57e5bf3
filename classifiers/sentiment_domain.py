"""The labelled provincial news and public-posts set for sentiment (``classifiers/data/sentiment_domain.csv``).

Real items are sentences and headlines of the VNTC news sample and sentences of ReINTEL social
posts. Those corpora are not ours to redistribute, so the file holds only a reference for each (the
corpus, the article file or post id, a character span) plus its label and a short digest of the
span; the text is read from the datasets folder when the set is used. Items the team wrote itself
(``origin=written``) carry their text. The labelling rules are in ``docs/sentiment-labelling.md``.

The split into a training part and a held-out test part is a hash of the item id, fixed before any
tuning: adding items never moves old ones between the parts.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from mediawatch.errors import ConfigError

from .datasets import Labelled

__all__ = ["DOMAIN_FILE", "TEST_PERCENT", "DomainItem", "DomainSet", "read_domain_set", "in_test_part", "digest"]

log = logging.getLogger("mediawatch.classifiers")

DOMAIN_FILE = Path(__file__).resolve().parent / "data" / "sentiment_domain.csv"
TEST_PERCENT = 30
ORIGINS = ("real", "written")
COLUMNS = ("id", "origin", "corpus", "ref", "start", "end", "check", "label", "text")
LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class DomainItem:
    id: str
    origin: str  # "real" (a span of a public corpus) or "written" (by the team)
    label: str
    text: str
    corpus: str = ""
    ref: str = ""  # VNTC article file or ReINTEL post id


@dataclass(frozen=True)
class DomainSet:
    items: list[DomainItem]
    unresolved: int  # real items whose corpus or span was not found in the datasets folder

    def part(self, test: bool, origin: str | None = None) -> Labelled:
        """The training (``test=False``) or held-out test part, optionally of one origin."""
        chosen = [i for i in self.items if in_test_part(i.id) == test and (origin is None or i.origin == origin)]
        return Labelled([i.text for i in chosen], [i.label for i in chosen])

    def vntc_files(self) -> set[str]:
        return {i.ref for i in self.items if i.corpus == "vntc"}


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=4).hexdigest()


def in_test_part(item_id: str) -> bool:
    value = int.from_bytes(hashlib.blake2b(item_id.encode("utf-8"), digest_size=4, person=b"domain").digest(), "big")
    return value % 100 < TEST_PERCENT


def _vntc_articles(root: Path) -> dict[str, str] | None:
    path = root / "vntc" / "sample.jsonl"
    if not path.is_file():
        return None
    articles = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                articles[row.get("file") or ""] = row["text"]
    return articles


def _reintel_posts(root: Path) -> dict[str, str] | None:
    path = root / "reintel" / "train.csv"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["id"]: row["post_message"] or "" for row in csv.DictReader(fh)}


_SOURCES = {"vntc": _vntc_articles, "reintel": _reintel_posts}


def read_domain_set(root: str | Path | None, path: Path = DOMAIN_FILE) -> DomainSet:
    """Every item of the set with its text; real items are joined with the corpora under ``root``.

    A real item whose corpus is missing, or whose span no longer matches its digest (a different
    copy of the corpus), is left out and counted in ``unresolved``; a malformed row is an error
    naming the row.
    """
    sources: dict[str, dict[str, str] | None] = {}
    items: list[DomainItem] = []
    unresolved = 0
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ConfigError(f"{path}: columns must be {','.join(COLUMNS)}")
        for line, row in enumerate(reader, start=2):
            origin, label = row["origin"], row["label"]
            if origin not in ORIGINS or label not in LABELS:
                raise ConfigError(f"{path}, line {line}: origin must be one of {ORIGINS} and label one of {LABELS}")
            if origin == "written":
                items.append(DomainItem(row["id"], origin, label, row["text"]))
                continue
            corpus = row["corpus"]
            if corpus not in _SOURCES:
                raise ConfigError(f"{path}, line {line}: unknown corpus {corpus!r}; use one of {sorted(_SOURCES)}")
            if corpus not in sources:
                sources[corpus] = _SOURCES[corpus](Path(root)) if root else None
            texts = sources[corpus]
            source = texts.get(row["ref"]) if texts is not None else None
            span = source[int(row["start"]):int(row["end"])] if source is not None else None
            if span is None or digest(span) != row["check"]:
                unresolved += 1
                continue
            items.append(DomainItem(row["id"], origin, label, span, corpus, row["ref"]))
    if unresolved:
        log.warning("sentiment domain set: %d real item(s) not found in %s (vntc/sample.jsonl, reintel/train.csv); "
                    "scored without them", unresolved, root)
    return DomainSet(items, unresolved)
