"""The trainable models, by name: what `mediawatch train NAME` and `mediawatch eval NAME` run.

Each entry has ``train(datasets_dir, out_dir) -> scores`` and ``evaluate(datasets_dir, models_dir)
-> scores`` (dicts of metric name to value). Training modules are imported only when used, so the
registry itself is cheap to import. Rule-based stages (places) are listed for ``eval`` only:
``trainable`` is False and retraining skips them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence


@dataclass(frozen=True)
class TrainableModel:
    name: str
    module: str  # a module with train(datasets_dir, out_dir) and evaluate(datasets_dir, models_dir)
    description: str = ""
    learns_from_reviews: bool = False  # train() also takes reviewed=[(post, label)] from the caller
    trainable: bool = True  # False: rules scored by evaluate(); train() only says there is nothing to train

    def train(self, datasets_dir: str | Path | None, out_dir: str | Path | None,
              reviewed: Sequence[tuple[Any, int]] = ()) -> dict[str, float]:
        module = importlib.import_module(self.module)
        if self.learns_from_reviews:
            return module.train(datasets_dir, out_dir, reviewed=list(reviewed))
        return module.train(datasets_dir, out_dir)

    def evaluate(self, datasets_dir: str | Path | None, models_dir: str | Path | None) -> dict[str, float]:
        return importlib.import_module(self.module).evaluate(datasets_dir, models_dir)


MODELS: dict[str, TrainableModel] = {
    "sentiment": TrainableModel("sentiment", "mediawatch.classifiers.train_sentiment", "Cảm xúc / sentiment (VLSP, UIT-VSFC, AIVIVN)"),
    "sections": TrainableModel("sections", "mediawatch.classifiers.train_sections", "Chuyên mục tin / news section (VNTC)"),
    "misinfo": TrainableModel("misinfo", "mediawatch.classifiers.misinfo.training", "Khả năng tin sai / likely misinformation (ReINTEL)",
                              learns_from_reviews=True),
    "places": TrainableModel("places", "mediawatch.classifiers.places.evaluation",
                             "Địa bàn (quy tắc) / places, rule-based (hand-labelled VNTC articles)", trainable=False),
}


def trainable_names() -> list[str]:
    """The models that ``train`` and retraining can rebuild (rule-based entries are only evaluated)."""
    return [name for name, model in MODELS.items() if model.trainable]
