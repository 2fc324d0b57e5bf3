"""Shared test fixtures. Area-specific fixtures live in their own test modules or tests/support/."""

from __future__ import annotations

import os

import pytest

# Tests never reach the internet and never send telemetry.
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API for the whole session: starting one costs seconds, so only once."""
    from prefect.testing.utilities import prefect_test_harness

    # Generous: on a loaded 2-core CI machine the ephemeral server has taken over a minute to start.
    with prefect_test_harness(server_startup_timeout=240):
        yield
