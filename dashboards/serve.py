"""Serve the embedded dashboards: Datasette over the SQLite store file, read-only, on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .datasette_config import DASHBOARD_SLUG, ViewOptions, default_range, metadata

PLUGINS_DIR = Path(__file__).parent / "datasette_plugins"
TEMPLATES_DIR = Path(__file__).parent / "datasette_templates"  # the dashboard page in the UI's language


def newest_ms(db_path: Path) -> int | None:
    """The newest document time, read through a read-only connection."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT max(time_ms) FROM documents").fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()
    return row[0] if row else None


def view_options(db_path: Path, *, lang: str = "vi", tz: str = "Asia/Ho_Chi_Minh", province: str = "Lào Cai",
                 former_names: list[str] | None = None, topic_labels: dict[str, str] | None = None,
                 other_provinces: dict[str, bool] | None = None) -> ViewOptions:
    """The view of one store file; the caller hands over what the labels need (topics, provinces)."""
    start, end = default_range(newest_ms(db_path), tz)
    return ViewOptions(db=db_path.stem, lang=lang, tz=tz, province=province, former_names=list(former_names or []),
                       date_start=start, date_end=end, topic_labels=dict(topic_labels or {}),
                       other_provinces=dict(other_provinces or {}))


def datasette_instance(db_path: Path, options: ViewOptions, *, immutable: bool = False):
    """Datasette over the store file, served in this process beside the review desk (app/desk/server.py);
    its startup hooks are run by the caller (``invoke_startup``). Without ``immutable`` the file is
    opened read-only (so a running ingest's WAL is visible); with it, as an immutable snapshot.
    Either way no SQL can write."""
    from datasette.app import Datasette

    settings = {"default_page_size": 50, "sql_time_limit_ms": 5000, "allow_download": False,
                "default_allow_sql": True}
    return Datasette([] if immutable else [str(db_path)], immutables=[str(db_path)] if immutable else [],
                     metadata=metadata(options), plugins_dir=str(PLUGINS_DIR), template_dir=str(TEMPLATES_DIR),
                     settings=settings)


def dashboard_path() -> str:
    return f"/-/dashboards/{DASHBOARD_SLUG}"
