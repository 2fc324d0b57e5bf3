"""Evaluation gate of the place decision on hand-labelled news articles (VNTC sample).

The labels ship in classifiers/data/eval/places_vntc.csv; the article texts are read from
../shared/datasets/vntc/sample.jsonl. The held-out test part must keep the floors recorded in
classifiers/models/floors.json under "places" (recall, false alarms as specificity).
"""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from mediawatch.app.cli import models as models_cli
from mediawatch.classifiers.modelio import read_floors
from mediawatch.classifiers.places import evaluation
from mediawatch.classifiers.registry import MODELS, trainable_names
from tests.support.paths import DATASETS


@pytest.fixture(scope="module")
def scores() -> dict[str, float]:
    return evaluation.evaluate(DATASETS)


def test_labels_are_split_before_tuning_and_ship_no_text() -> None:
    labels = evaluation.read_labels()
    assert len(labels) >= 1500 and sum(lab.about for lab in labels) >= 140
    assert {lab.split for lab in labels} == {"dev", "test"}
    # The split is a hash of the file id: one article is on one side for every province.
    sides: dict[str, set[str]] = {}
    for lab in labels:
        sides.setdefault(lab.file, set()).add(lab.split)
    assert all(len(s) == 1 for s in sides.values())
    assert max(len(lab.reason) for lab in labels) < 120  # reasons, not article text


def test_gate_held_out_scores_stay_above_floors(scores: dict[str, float]) -> None:
    floors = read_floors()["places"]
    assert {"test_recall", "test_specificity"} <= set(floors)
    below = {k: (scores[k], floor) for k, floor in floors.items() if scores[k] < floor}
    assert not below, f"scores below floors: {below}"
    assert scores["test_false_alarms"] < 0.03 and scores["test_recall"] >= 0.95


def test_train_places_says_rules_need_no_training() -> None:
    app = typer.Typer()
    models_cli.register(app)
    result = CliRunner().invoke(app, ["train", "places"])
    assert result.exit_code == 2
    assert "places" in result.output and "eval places" in result.output
    assert "places" in MODELS and "places" not in trainable_names()
    with pytest.raises(Exception, match="rule-based"):
        evaluation.train(DATASETS, None)


def test_eval_places_prints_the_rates(tmp_path, monkeypatch) -> None:
    # A tiny labelled set over a tiny sample, so the command's plumbing is tested in milliseconds.
    (tmp_path / "vntc").mkdir()
    articles = {"a.txt": "Lũ ở Sa Pa\nĐường lên Sa Pa bị sạt lở.",
                "b.txt": "Ngân hàng tăng vốn\nTổng giám đốc Trần Bắc Hà cho biết như vậy.",
                "c.txt": "Bóng đá\nĐội Hà Nội thắng."}
    (tmp_path / "vntc" / "sample.jsonl").write_text(
        "".join(json.dumps({"text": t, "label": "x", "file": f}, ensure_ascii=False) + "\n"
                for f, t in articles.items()), encoding="utf-8")
    labels = [evaluation.Label("a.txt", "Lào Cai", True, "candidate", "test", "Sa Pa"),
              evaluation.Label("b.txt", "Lào Cai", False, "candidate", "test", "a banker"),
              evaluation.Label("c.txt", "Lào Cai", False, "random", "dev", "random")]
    monkeypatch.setattr(evaluation, "read_labels", lambda path=None: labels)
    app = typer.Typer()
    models_cli.register(app)
    result = CliRunner().invoke(app, ["eval", "places", "--datasets", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "test_recall" in result.stdout and "test_false_alarms" in result.stdout
    missing = tmp_path / "empty"
    missing.mkdir()
    result = CliRunner().invoke(app, ["eval", "places", "--datasets", str(missing)])
    assert result.exit_code == 2 and "vntc" in result.output
