"""Where the team's shared material sits beside a checkout: ../shared (data sets, real crawl pages)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
DATASETS = SHARED / "datasets"
