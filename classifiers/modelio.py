"""Saving and loading model files with skops: never pickle, and only the types we name are trusted."""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from pathlib import Path
from typing import Any

from mediawatch.errors import ConfigError

log = logging.getLogger("mediawatch.classifiers")

MODELS_DIR = Path(__file__).resolve().parent / "models"
FLOORS_FILE = "floors.json"

# Types a shipped model may contain beyond what skops trusts by default. A file naming anything
# else is refused: it was not written by our training code.
TRUSTED_TYPES: list[str] = [
    "mediawatch.classifiers.sentiment.SentimentModel",
    "mediawatch.classifiers.sections.SectionModel",
    "mediawatch.classifiers.features.LexiconFeatures",
    "mediawatch.classifiers.features.CompactTfidfVectorizer",
    "mediawatch.classifiers.features.CharNgramFeatures",
]


def models_dir(path: str | Path | None = None) -> Path:
    return Path(path) if path else MODELS_DIR


def dump(obj: Any, path: Path) -> int:
    """Write ``obj`` compressed; returns the file size in bytes."""
    import skops.io as sio

    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(obj, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    return path.stat().st_size


# Before 0.2 the stages were installed as top-level packages (`classifiers`, ...); model files
# trained then name their classes that way. They are read by renaming, never retrained.
_LEGACY_MODULE = re.compile(rb'"__module__": "classifiers\.')


def migrate_legacy(data: bytes) -> bytes:
    """A model file's bytes with pre-0.2 module names (``classifiers.x``) moved under ``mediawatch.``."""
    with zipfile.ZipFile(io.BytesIO(data)) as old:
        schema = old.read("schema.json")
        if not _LEGACY_MODULE.search(schema):
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as new:
            for info in old.infolist():
                body = old.read(info.filename)
                if info.filename == "schema.json":
                    body = _LEGACY_MODULE.sub(b'"__module__": "mediawatch.classifiers.', body)
                new.writestr(info.filename, body)
    return out.getvalue()


def load(path: Path, extra_trusted: list[str] | None = None) -> Any:
    import skops.io as sio

    if not path.is_file():
        raise ConfigError(f"model file {path} is missing. Fix: run `mediawatch train {path.stem}` "
                          f"or point classifiers.models_dir at a folder holding {path.name}")
    raw = path.read_bytes()
    data = migrate_legacy(raw)
    if data is not raw:
        log.info("model file %s names pre-0.2 modules; read with their new names", path)
    trusted = TRUSTED_TYPES + list(extra_trusted or [])
    untrusted = [t for t in sio.get_untrusted_types(data=data) if t not in trusted]
    if untrusted:
        raise ConfigError(f"model file {path} holds types this version does not trust: "
                          f"{', '.join(untrusted)}. Fix: retrain it with `mediawatch train {path.stem}`")
    return sio.loads(data, trusted=trusted)


def read_floors(directory: str | Path | None = None) -> dict[str, dict[str, float]]:
    path = models_dir(directory) / FLOORS_FILE
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))
