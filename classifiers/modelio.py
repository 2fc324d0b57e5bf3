"""Saving and loading model files with skops: never pickle, and only the types we name are trusted."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from mediawatch.errors import ConfigError

MODELS_DIR = Path(__file__).resolve().parent / "models"
FLOORS_FILE = "floors.json"

# Types a shipped model may contain beyond what skops trusts by default. A file naming anything
# else is refused: it was not written by our training code.
TRUSTED_TYPES: list[str] = [
    "classifiers.sentiment.SentimentModel",
    "classifiers.sections.SectionModel",
    "classifiers.features.LexiconFeatures",
    "classifiers.features.CompactTfidfVectorizer",
    "classifiers.features.CharNgramFeatures",
]


def models_dir(path: str | Path | None = None) -> Path:
    return Path(path) if path else MODELS_DIR


def dump(obj: Any, path: Path) -> int:
    """Write ``obj`` compressed; returns the file size in bytes."""
    import skops.io as sio

    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(obj, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    return path.stat().st_size


def load(path: Path, extra_trusted: list[str] | None = None) -> Any:
    import skops.io as sio

    if not path.is_file():
        raise ConfigError(f"model file {path} is missing. Fix: run `mediawatch train {path.stem}` "
                          f"or point classifiers.models_dir at a folder holding {path.name}")
    trusted = TRUSTED_TYPES + list(extra_trusted or [])
    untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in trusted]
    if untrusted:
        raise ConfigError(f"model file {path} holds types this version does not trust: "
                          f"{', '.join(untrusted)}. Fix: retrain it with `mediawatch train {path.stem}`")
    return sio.load(path, trusted=trusted)


def read_floors(directory: str | Path | None = None) -> dict[str, dict[str, float]]:
    path = models_dir(directory) / FLOORS_FILE
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))
