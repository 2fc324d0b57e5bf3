"""Datasette plugins loaded by `mediawatch dashboards serve` (--plugins-dir points here)."""
