"""`mediawatch train NAME` / `mediawatch eval NAME` on a tiny data folder written by the test."""

from __future__ import annotations

import csv
import json
import random

import pytest
import typer
from typer.testing import CliRunner

from mediawatch.classifiers.registry import MODELS
from mediawatch.app.cli import models as models_cli

POS = ["tốt", "tuyệt vời", "hài lòng", "nhanh", "đẹp", "rất thích"]
NEG = ["tệ", "thất vọng", "chậm", "hỏng", "kém", "lừa đảo"]
NEU = ["bình thường", "tạm được", "không có gì", "như mô tả"]
NOUNS = ["sản phẩm", "giao hàng", "giảng viên", "máy", "shop", "dịch vụ"]


def _rows(rng: random.Random, n: int, labels: dict[str, list[str]]) -> list[tuple[str, str]]:
    rows = []
    for i in range(n):
        label = list(labels)[i % len(labels)]
        rows.append((f"{rng.choice(NOUNS)} {rng.choice(labels[label])} {rng.choice(labels[label])} lần {i}", label))
    return rows


def _write_csv(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture(scope="module")
def tiny_datasets(tmp_path_factory):
    root = tmp_path_factory.mktemp("datasets")
    rng = random.Random(7)
    three = {"positive": POS, "negative": NEG, "neutral": NEU}
    short = {"positive": "POS", "negative": "NEG", "neutral": "NEU"}
    for split, n in (("train", 60), ("dev", 15)):
        _write_csv(root / "vlsp2016_sa" / f"{split}.csv", ["text", "label"],
                   [(t, short[y]) for t, y in _rows(rng, n, three)])
        _write_csv(root / "uit_vsfc" / f"{split}.csv", ["text", "sentiment", "topic"],
                   [(t, y, "lecturer") for t, y in _rows(rng, n, three)])
    _write_csv(root / "aivivn2019_sa" / "train.csv", ["id", "text", "label"],
               [(f"train_{i}", t, y) for i, (t, y) in enumerate(_rows(rng, 80, {"positive": POS, "negative": NEG}))])
    sections = {"The thao": ["bóng đá", "cầu thủ", "trận đấu"], "Kinh doanh": ["giá vàng", "chứng khoán", "doanh nghiệp"]}
    (root / "vntc").mkdir()
    with (root / "vntc" / "sample.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(60):
            label = list(sections)[i % 2]
            text = f"Tin {i}\n" + " ".join(rng.choice(sections[label]) for _ in range(12))
            fh.write(json.dumps({"text": text, "label": label, "file": f"{label}/{i}.txt"}, ensure_ascii=False) + "\n")
    return root


@pytest.fixture()
def app():
    app = typer.Typer()
    models_cli.register(app)
    return app


@pytest.mark.parametrize("name", ["sentiment", "sections"])
def test_train_then_eval(app, tiny_datasets, tmp_path, name):
    out = tmp_path / "models"
    runner = CliRunner()
    result = runner.invoke(app, ["train", name, "--datasets", str(tiny_datasets), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / f"{name}.skops").is_file() and (out / f"{name}.md").is_file()
    assert f"{name}" in result.stdout and "0." in result.stdout

    result = runner.invoke(app, ["eval", name, "--datasets", str(tiny_datasets), "--models", str(out)])
    assert result.exit_code == 0, result.output
    scores = [line for line in result.stdout.splitlines() if line.startswith("  ")]
    assert scores, result.stdout


def test_eval_exits_1_below_floors(app, tiny_datasets, tmp_path):
    out = tmp_path / "models"
    runner = CliRunner()
    assert runner.invoke(app, ["train", "sections", "--datasets", str(tiny_datasets), "--out", str(out)]).exit_code == 0
    (out / "floors.json").write_text(json.dumps({"sections": {"vntc_accuracy": 1.5}}), encoding="utf-8")
    result = runner.invoke(app, ["eval", "sections", "--datasets", str(tiny_datasets), "--models", str(out)])
    assert result.exit_code == 1
    assert "1.5000" in result.stdout


def test_unknown_model_and_missing_data_are_usage_errors(app, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["train", "nope"])
    assert result.exit_code == 2 and "sentiment" in result.output
    result = runner.invoke(app, ["eval", "sections", "--datasets", str(tmp_path), "--models", str(tmp_path)])
    assert result.exit_code == 2 and "vntc" in result.output


def test_every_registered_model_has_train_and_evaluate():
    for name, entry in MODELS.items():
        assert callable(entry.train) and callable(entry.evaluate), name
