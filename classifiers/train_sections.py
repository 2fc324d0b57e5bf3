"""Train and evaluate the VNTC news-section classifier.

    .venv/bin/python -m mediawatch.classifiers.train_sections [--datasets DIR] [--out DIR]

20% of the VNTC sample (chosen by a hash of the file name) is held out for evaluation and the gate;
the model is trained on the rest.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timezone
from pathlib import Path

from sklearn.metrics import accuracy_score, f1_score

from . import datasets as ds
from .modelio import dump, models_dir
from .sections import MODEL_FILE, SectionModel, load_sections

HELD_OUT_PER_MILLE = 200


def splits(root: Path) -> tuple[ds.Labelled, ds.Labelled]:
    data, files = ds.vntc(root)
    train, held = ds.Labelled([], []), ds.Labelled([], [])
    for text, label, name in zip(data.texts, data.labels, files):
        target = held if ds.in_held_out(name, HELD_OUT_PER_MILLE) else train
        target.texts.append(text)
        target.labels.append(label)
    return train, held


def score(model: SectionModel, held: ds.Labelled) -> dict[str, float]:
    pred = model.predict(held.texts)
    return {"vntc_accuracy": round(float(accuracy_score(held.labels, pred)), 4),
            "vntc_macro_f1": round(float(f1_score(held.labels, pred, average="macro")), 4)}


def train(datasets_dir=None, out_dir=None, **params) -> dict[str, float]:
    out = models_dir(out_dir)
    train_rows, held = splits(ds.datasets_dir(datasets_dir))
    started = time.perf_counter()
    model = SectionModel(**params).fit(train_rows.texts, train_rows.labels)
    seconds = time.perf_counter() - started
    scores = score(model, held)
    size = dump(model, out / MODEL_FILE)
    _write_card(out, scores, len(train_rows), len(held), size, seconds, model)
    return scores


def evaluate(datasets_dir=None, models_dir_=None) -> dict[str, float]:
    _, held = splits(ds.datasets_dir(datasets_dir))
    return score(load_sections(models_dir_), held)


def _write_card(out: Path, scores: dict, n_train: int, n_held: int, size: int, seconds: float,
                model: SectionModel) -> None:
    rows = "\n".join(f"| {k} | {v:.4f} |" for k, v in sorted(scores.items()))
    params = ", ".join(f"{k}={v!r}" for k, v in sorted(model.get_params().items()))
    card = f"""# Model card: sections

Written by `classifiers/train_sections.py` on {datetime.now(timezone.utc).strftime('%d/%m/%Y %H:%M')} UTC.

- **What**: the news section of an article, one of the ten VNTC sections (Chinh tri Xa hoi, Doi
  song, Khoa hoc, Kinh doanh, Phap luat, Suc khoe, The gioi, The thao, Van hoa, Vi tinh).
- **Model**: TF-IDF syllable 1-{model.ngrams}-grams of the normalised first 3,000 characters, linear
  SVM. Parameters: {params}.
- **Data**: the 6,000-article VNTC sample (VnExpress, Tuoi Tre, Thanh Nien, Nguoi Lao Dong, c. 2006);
  {n_train:,} articles trained on, {n_held:,} held out (hash of the file name). **Terms**: VNTC is a
  research corpus (Vu Cong Duy Hoang et al., 2007); the articles belong to their publishers and are
  not redistributed here, only weights derived from them.
- **File**: `{MODEL_FILE}`, {size / 1e6:.1f} MB (skops); fit time {seconds:.0f} s on 2 cores.

## Scores (held-out 20%)

| metric | value |
|---|---|
{rows}

Published bar: VNTC SVM accuracy 93.4% (full corpus, its own test split; not directly comparable).

## Limits

News of 2006: sections and vocabulary have moved on (no "Covid", few social-media terms). Social
posts are not news articles; the section is only meaningful for press documents.

## Retrain

    .venv/bin/mediawatch train sections --datasets ../shared/datasets

then update `classifiers/models/floors.json` if the scores moved, and commit the model and card.
"""
    (out / "sections.md").write_text(card, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--out", default=None)
    parser.add_argument("--params", default="{}", help="JSON of SectionModel parameters")
    args = parser.parse_args(argv)
    print(json.dumps(train(args.datasets, args.out, **json.loads(args.params)), indent=2))


if __name__ == "__main__":
    main()
