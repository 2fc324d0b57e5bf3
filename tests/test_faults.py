"""Fault injection (issue 12): kill -9 at every commit point of ingest and import, and a dead store.

Each kill runs the real ingest (a news feed on a local HTTP site, with a near-duplicate article, and
a 1,201-row import file with repeated ids and a bad row, classified into stories) in a process of
its own, SIGKILLed at one named commit point (``mediawatch.faults``). Then the same ingest runs to
completion, and the store must hold every row exactly once, the import cursor must never have been
ahead of the stored rows, the fingerprints must cover every original, and the stories must be the
ones an uninterrupted run makes. docs/fault-injection.md reports the figures
(``python -m bench.faults`` prints them).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
from typer.testing import CliRunner

from mediawatch.app.cli import app
from mediawatch.faults import COMMIT_POINTS
from tests.support.faults import KILLS, read_store, run_inline, run_process, site_routes, write_scenario
from tests.support.httpserver import StaticSite
from tests.support.osmem import TcpProxy, osmem_server  # noqa: F401 (fixture)

NOW = datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture(scope="module")
def site():
    with StaticSite() as s:
        s.routes.update(site_routes(s.url))
        yield s


@pytest.fixture(scope="module")
def clean(site, tmp_path_factory):
    """What an uninterrupted run stores."""
    scenario = write_scenario(tmp_path_factory.mktemp("clean"), site_url=site.url, now=NOW)
    summary = run_inline(scenario.config)
    assert summary.failed_sources == []
    return scenario, read_store(scenario.db)


def test_every_commit_point_is_killed_somewhere():
    assert {point.split(":")[0] for point in KILLS} | {"spool.appended", "spool.replayed"} == set(COMMIT_POINTS)


def test_kills_at_every_commit_point_lose_nothing(site, clean, tmp_path):
    reference_scenario, reference = clean
    assert reference.lost(reference_scenario.expected) == set() and reference.orphan_stories() == set()
    scenarios = {point: write_scenario(tmp_path / point.replace(":", "-"), site_url=site.url, now=NOW)
                 for point in KILLS}
    # Two at a time: each is its own process, as a crashed ingest would be.
    with ThreadPoolExecutor(max_workers=2) as pool:
        killed = dict(zip(scenarios, pool.map(lambda p: run_process(scenarios[p].config, crash_at=p), scenarios)))
    report = {}
    for point, scenario in scenarios.items():
        assert killed[point].returncode == -9, (point, killed[point].stdout, killed[point].stderr[-2000:])
        after_kill = read_store(scenario.db)
        assert after_kill.integrity == "ok", point
        assert after_kill.behind_cursor(scenario.expected) == set(), point  # cursor never ahead of rows
        assert after_kill.orphan_stories() == set(), point
        assert after_kill.fingerprints_missing() == set(), point
        summary = run_inline(scenario.config)
        assert summary.failed_sources == [], (point, [r.messages for r in summary.records])
        final = read_store(scenario.db)
        report[point] = (len(final.lost(scenario.expected)), final.duplicates())
        assert final.lost(scenario.expected) == set(), point
        assert final.duplicates() == 0 and set(final.ids) == set(reference.ids), point
        assert final.texts == reference.texts, point  # the last version of every repeated id
        assert final.stories == reference.stories, point  # the same stories as without the kill
        assert final.fingerprints == reference.fingerprints, point
    assert all(lost == 0 and dup == 0 for lost, dup in report.values()), report


def test_the_real_command_killed_mid_import_recovers(site, clean, tmp_path):
    _, reference = clean
    scenario = write_scenario(tmp_path / "cli", site_url=site.url, now=NOW)
    killed = run_process(scenario.config, crash_at="ingest.upserted:3", cli=True)
    assert killed.returncode == -9
    after_kill = read_store(scenario.db)
    assert after_kill.behind_cursor(scenario.expected) == set() and 0 < len(after_kill.ids) < len(reference.ids)
    result = CliRunner().invoke(app, ["-c", str(scenario.config), "run", "--no-classify"])
    assert result.exit_code == 0, result.output
    final = read_store(scenario.db)
    assert set(final.ids) == set(reference.ids) and final.duplicates() == 0 and final.texts == reference.texts
    status = CliRunner().invoke(app, ["-c", str(scenario.config), "status", "--json"])
    data = json.loads(status.output)
    assert data["total"] == len(reference.ids) and data["last_run_summary"]["failed_sources"] == []


# --- a dead Elasticsearch --------------------------------------------------------------------------------
def _cli(config, *args):
    return CliRunner().invoke(app, ["-c", str(config), *args])


@pytest.fixture
def proxy(osmem_clone):
    host, port = osmem_clone.url.rsplit("/", 1)[-1].split(":")
    p = TcpProxy(host, int(port))
    yield p
    p.close()


def test_status_and_search_on_a_dead_cluster_say_so_in_one_line_and_exit_3(tmp_path, proxy):
    proxy.down()
    scenario = write_scenario(tmp_path, rows=10, store_url=proxy.url)
    for command in (["status"], ["search", "lu quet"], ["export"]):
        result = _cli(scenario.config, *command)
        assert result.exit_code == 3, (command, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.output, (command, result.output)
        assert proxy.url in lines[0] and "connection refused" in lines[0] and "Fix: check store.url" in lines[0]


def test_run_on_a_dead_cluster_spools_and_the_next_run_writes_everything_once(tmp_path, proxy):
    from mediawatch.store.elastic import ElasticStore

    scenario = write_scenario(tmp_path, rows=600, store_url=proxy.url)
    proxy.down()
    down = _cli(scenario.config, "run", "--no-classify")
    assert down.exit_code == 3, down.output
    assert "Kho dữ liệu không phản hồi" in down.output and "Traceback" not in down.output
    spool = scenario.folder / "data" / "spool"
    segments = sorted((spool / "elastic").glob("segment-*.jsonl"))
    assert len(segments) == 2  # two batches, fsynced
    spooled = sum(len(s.read_text(encoding="utf-8").splitlines()) for s in segments)
    assert f"0 mới, 0 cập nhật, 0 không đổi, {spooled} chờ ghi trên đĩa" in down.output
    assert len(list((spool / "runs").glob("records-*.jsonl"))) == 2  # the run record and the summary
    assert _cli(scenario.config, "status").exit_code == 3  # still down: one line, exit 3

    proxy.up()
    up = _cli(scenario.config, "run", "--no-classify")
    assert up.exit_code == 0, up.output
    assert not list((spool / "elastic").glob("segment-*.jsonl")) and not list((spool / "runs").glob("*.jsonl"))
    with ElasticStore(proxy.url, spool_path=spool / "elastic") as store:
        ids = [d.id for d in store.iter_documents()]
        assert len(ids) == len(set(ids)) == len(scenario.expected)
        runs = store.runs(source_id="export")
        assert len(runs) == 2 and runs[1].errors == {"bad_row": 1, "store_unavailable": 1}  # the outage run's too
        summaries = store.run_summaries()
        assert len(summaries) == 2 and summaries[1]["spooled"] == spooled and summaries[1]["store_unreachable"]
    status = _cli(scenario.config, "status")
    assert status.exit_code == 0 and f"Tổng số tài liệu: {len(scenario.expected)}" in status.output


def test_kills_while_spooling_and_replaying_lose_nothing(tmp_path, proxy):
    from mediawatch.store.elastic import ElasticStore

    scenario = write_scenario(tmp_path, rows=1200, store_url=proxy.url)
    proxy.down()
    assert run_process(scenario.config, crash_at="spool.appended:2", stories=False).returncode == -9
    proxy.up()
    assert run_process(scenario.config, crash_at="spool.replayed:1", stories=False).returncode == -9
    summary = run_inline(scenario.config, stories=False)
    assert summary.failed_sources == [] and not summary.waiting
    with ElasticStore(proxy.url, spool_path=scenario.folder / "data" / "spool" / "elastic") as store:
        ids = [d.id for d in store.iter_documents()]
        assert store.spool_pending() == 0
    assert len(ids) == len(set(ids)) and set(ids) == set(scenario.expected)
