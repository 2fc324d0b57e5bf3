"""The review desk: the web front for analysts (review queue, claims register, alerts, audit log),
with accounts, roles and sessions. Served by `mediawatch dashboards serve` on its own port beside
the embedded dashboards; see docs/desk.md."""

from .app import create_app

__all__ = ["create_app"]
