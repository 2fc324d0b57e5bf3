"""The distribution as a user installs it (a wheel, not this checkout): data files ship, models load.

Editable installs read files straight from the repository, so they hide a data file missing from
the wheel; this test builds the wheel, installs it into a temporary folder and runs from there.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SMOKE = """
import importlib.util, sys
import mediawatch, mediawatch.app.cli
assert mediawatch.__file__.startswith(sys.argv[1]), mediawatch.__file__
from mediawatch.classifiers.sentiment import load_sentiment
from mediawatch.classifiers.sections import load_sections
from mediawatch.classifiers.misinfo.model import load_model
from mediawatch.crawlers.catalogue import CATALOGUE
assert CATALOGUE.is_file()
assert load_sentiment() is not None and load_sections() is not None and load_model() is not None
print("ok")
"""


def test_wheel_ships_data_and_loads_models(tmp_path):
    dist, target = tmp_path / "dist", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(dist), str(ROOT)], check=True, capture_output=True, timeout=300,
                   cwd=tmp_path)
    (wheel,) = dist.glob("mediawatch-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in ("mediawatch/classifiers/models/sentiment.skops", "mediawatch/classifiers/models/floors.json",
                    "mediawatch/classifiers/models/misinfo.skops", "mediawatch/classifiers/models/sections.skops",
                    "mediawatch/crawlers/catalogue.toml", "mediawatch/app/demo/content.yaml",
                    "mediawatch/classifiers/default_topics.toml"):
        assert shipped in names, shipped
    assert {n.split("/")[0] for n in names} == {"mediawatch", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-compile", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    out = subprocess.run([sys.executable, "-c", SMOKE, str(target)], env={"PYTHONPATH": str(target)},
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]
