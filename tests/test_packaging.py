"""Packaging and the rules that go with the layers: where training writes, where data comes from,
what the classifiers may read, and which dependencies are declared."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from datetime import datetime, timezone
from pathlib import Path

from typer.testing import CliRunner

from mediawatch.app.cli import app
from mediawatch.document import Document, Misinfo, Source
from mediawatch.store import open_store
from mediawatch.store.base import ReviewDecision

from .test_models_cli import tiny_datasets  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIRS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-dir"]
SOURCES = [p for folder in PACKAGE_DIRS.values() for p in (ROOT / folder).rglob("*.py")]


def _tree(folder: Path) -> dict[str, float]:
    return {str(p.relative_to(folder)): p.stat().st_mtime for p in folder.rglob("*") if p.is_file()}


def test_train_without_out_writes_beside_the_configuration_never_into_the_package(tmp_path, tiny_datasets):
    from mediawatch.classifiers.modelio import MODELS_DIR

    shipped = _tree(MODELS_DIR)
    config = tmp_path / "site" / "mediawatch.toml"
    config.parent.mkdir()
    config.write_text('data_dir = "var"\n', encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["-c", str(config), "train", "sections", "--datasets", str(tiny_datasets)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "var" / "models" / "sections.skops").is_file()

    assert _tree(MODELS_DIR) == shipped
    config.write_text('[classifiers]\nmodels_dir = "mine"\n', encoding="utf-8")
    from mediawatch.settings import load_settings

    assert load_settings(config).models_out_path() == tmp_path / "site" / "mine"


def _reviewed_store(url: str, verdict: str) -> None:
    doc = Document(id="d1", url="https://example.com/1", source=Source(id="fb", kind="social"),
                   text="Nghe nói đập thủy điện Bắc Hà vỡ, chia sẻ gấp", title="Đập vỡ?",
                   published_at=datetime(2025, 9, 10, tzinfo=timezone.utc),
                   misinfo=Misinfo(score=0.9, flagged=True, claim="đập thủy điện Bắc Hà vỡ", review_status="pending"))
    with open_store(url) as store:
        store.upsert([doc])
        store.review(ReviewDecision(doc_id="d1", verdict=verdict, reviewer="tester", note="UBND xác nhận",
                                    decided_at=datetime(2025, 9, 11, tzinfo=timezone.utc), previous_status="pending"))


def test_retraining_under_another_config_reads_that_configs_reviews(tmp_path, monkeypatch):
    """`mediawatch -c /etc/.../mediawatch.toml` must train on that store's verdicts, wherever it runs from."""
    from mediawatch.classifiers.misinfo import training as misinfo_model
    from mediawatch.flows.orchestration.retrain import retrain_model
    from mediawatch.flows.orchestration.settings_checks import load_checked

    other = tmp_path / "etc" / "mediawatch"
    other.mkdir(parents=True)
    (other / "mediawatch.toml").write_text('[store]\nurl = "sqlite:///data/mw.db"\n', encoding="utf-8")
    (other / "data").mkdir()
    _reviewed_store(f"sqlite:///{other / 'data' / 'mw.db'}", "false")
    here = tmp_path / "cwd"
    here.mkdir()
    (here / "mediawatch.toml").write_text('[store]\nurl = "sqlite:///here.db"\n', encoding="utf-8")
    _reviewed_store(f"sqlite:///{here / 'here.db'}", "true")
    monkeypatch.chdir(here)
    monkeypatch.delenv("MEDIAWATCH_CONFIG", raising=False)

    seen: list[list] = []

    def fake_train(datasets_dir, out_dir, reviewed=()):
        seen.append(list(reviewed))
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        return {"f1": 1.0}

    monkeypatch.setattr(misinfo_model, "train", fake_train)
    monkeypatch.setattr(misinfo_model, "evaluate", lambda datasets_dir, models_dir: {"f1": 1.0})
    result = CliRunner().invoke(app, ["-c", str(other / "mediawatch.toml"), "train", "misinfo",
                                      "--datasets", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    retrain_model(load_checked(other / "mediawatch.toml"), "misinfo", datasets_dir=str(tmp_path))
    assert [[label for _, label in r] for r in seen] == [[1], [1]]  # "false" there; "true" here is ignored


def test_no_path_is_derived_from_the_code_location_but_shipped_files():
    """Data sets and outputs come from settings; ``__file__`` only finds files shipped in the package."""
    shipped = {"classifiers/modelio.py": "models", "classifiers/train_sentiment.py": "data",
               "crawlers/catalogue.py": "catalogue.toml", "dashboards/serve.py": "datasette_",
               "classifiers/misinfo/stance_set.py": "data", "classifiers/sentiment_domain.py": "data",
               "app/desk/app.py": "static"}
    found = {}
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if "__file__" in line and not line.lstrip().startswith("#"):
                found[str(path.relative_to(ROOT))] = line
    assert set(found) <= set(shipped), found
    for name, line in found.items():
        assert shipped[name] in line and ".parents[" not in line and "datasets" not in line, line


def test_classifiers_neither_open_the_store_nor_read_the_configuration():
    """Callers hand classifiers their data (docs/architecture.md). Story state and the claims
    register's persistence are handed a store by the caller, and are the exceptions noted there."""
    banned = re.compile(r"\b(load_settings|load_checked|open_store|Settings\(\)|os\.environ|getenv)\b"
                        r"|(Path|open)\(\s*[\"']mediawatch\.toml")
    for path in (ROOT / "classifiers").rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not banned.search(line), f"{path.relative_to(ROOT)}:{number}: {line.strip()}"


def test_declared_dependencies_are_imported():
    """Every runtime dependency is used somewhere (aiohttp, datasketch and pyvi were not)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.split(r"[<>=\[ ;]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    for unused in ("aiohttp", "datasketch", "pyvi"):
        assert unused not in names
    # Imported under another name, or needed by a dependency at run time (pins that keep it working).
    indirect = {"lxml_html_clean": "lxml.html.clean", "scikit-learn": "sklearn", "pyyaml": "yaml",
                "elastic-transport": "elastic_transport", "prefect-dask": "prefect_dask",
                "datasette-dashboards": None, "fastapi": None, "sqlalchemy": None,  # plugin, pins
                "python-multipart": None,  # Starlette parses the desk's forms with it
                "argon2-cffi": "argon2", "threadpoolctl": "threadpoolctl", "htmldate": "htmldate", "vietnamadminunits": "vietnamadminunits"}
    code = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)
    for name in sorted(names):
        module = indirect.get(name, name.replace("-", "_"))
        if module is None:
            continue
        top = module.split(".")[0]
        used = re.search(rf"^\s*(from|import)\s+{re.escape(top)}\b", code, re.M) or f'"{top}' in code
        assert used, f"{name} is declared but never imported"


def test_default_topics_and_the_cli_work_outside_the_repository(tmp_path):
    script = ("from mediawatch.classifiers.topics import load_default_topics; "
              "print(len(load_default_topics()))")
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert int(out.stdout) >= 10
