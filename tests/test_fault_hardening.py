"""Fault injection, hostile input and dead receivers: the secrets scan over every output.

See tests/support/secrets_scan.py for what is planted, which failures are exercised and which
outputs are read; docs/fault-injection.md for the figures.
"""

from __future__ import annotations

from tests.support.secrets_scan import CREDENTIALS, run_scenario


def test_no_secret_reaches_any_output_through_failures(tmp_path):
    result = run_scenario(tmp_path / "work")
    assert result.found == []
    # The failures really happened and were reported (else the scan proves nothing).
    assert result.exit_codes["run"] == 1 and result.exit_codes["digest"] == 1
    assert {k: v for k, v in result.exit_codes.items() if k not in ("run", "digest")} == {
        k: 0 for k in result.exit_codes if k not in ("run", "digest")}
    failures = "\n".join(result.failures)
    assert "fb: permanent" in failures and "rss: http_404" in failures and "rss-links: bad_url" in failures
    assert "HTTP 400" in failures and "503" in failures and "ConnectionError" in failures
    # Through Datasette, a GROUP BY on author keys yields one group: NULL.
    assert result.author_groups == 1
    assert len(result.outputs) >= 40 and sum(result.outputs.values()) > 100_000
    assert result.planted == len(CREDENTIALS) + 10
