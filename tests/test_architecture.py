"""The layers of docs/architecture.md hold: import-linter's contracts (pyproject.toml) on the installed layout.

The repository keeps a folder per stage (crawlers/, classifiers/, ...), installed under the single
import name ``mediawatch`` through setuptools' package-dir. import-linter reads a package from one
folder, so the test lays the tree out as it is installed (a copy under a temporary folder) and
runs the contracts there.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE_DIRS: dict[str, str] = CONFIG["tool"]["setuptools"]["package-dir"]


def installed_layout(dest: Path) -> Path:
    for package, folder in sorted(PACKAGE_DIRS.items()):  # parents before children
        shutil.copytree(ROOT / folder, dest / package.replace(".", "/"), dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.skops", "*.csv", "*.jsonl"))
    return dest


def test_import_contracts_hold(tmp_path):
    layout = installed_layout(tmp_path / "site")
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), str(ROOT / "pyproject.toml"), "--no-cache"], cwd=layout,
                            env={"PYTHONPATH": str(layout), "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout and "KEPT" in result.stdout


def test_every_package_folder_is_installed():
    """A new sub-package folder must be listed in pyproject's packages, or it is missing once installed."""
    found = set()
    for package, folder in PACKAGE_DIRS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join((package, *rel.parts)))
    assert found == set(CONFIG["tool"]["setuptools"]["packages"])


def test_installed_import_names_are_unambiguous():
    """Only `mediawatch` is installed at the top: no generic `flows`, `crawlers`, ... on sys.path."""
    assert {name.split(".")[0] for name in CONFIG["tool"]["setuptools"]["packages"]} == {"mediawatch"}
    script = ("import importlib.util as u, sys; "
              "print([n for n in ('flows','crawlers','classifiers','dashboards','app') if u.find_spec(n)])")
    out = subprocess.run([sys.executable, "-c", script], cwd="/", capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
