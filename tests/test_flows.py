"""The ingest flow on Prefect (threads and Dask), the plain stages, retraining and the run summary."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from mediawatch.flows.orchestration import ingest as stages
from mediawatch.flows.orchestration.retrain import compare, retrain_model, swap_in
from mediawatch.settings import Settings, SourceSettings
from mediawatch.store.sqlite import SQLiteStore

from .test_webhooks import Receiver

MAPPING = {"id": "id", "text": "text", "title": "title", "url": "url", "published_at": "published_at"}


def export(path, n, prefix, minutes_apart=1):
    now = datetime.now(timezone.utc)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": f"{prefix}{i}", "title": f"Sạt lở đất ở Bảo Yên {prefix}{i}",
                                 "text": f"Mưa lớn gây sạt lở đất tại Bảo Yên, Lào Cai ({prefix}{i}).",
                                 "url": f"https://www.facebook.com/{prefix}/posts/{i}",
                                 "published_at": (now - timedelta(minutes=i * minutes_apart)).isoformat()},
                                ensure_ascii=False) + "\n")
    return str(path)


def file_source(sid, path, platform="facebook"):
    return {"id": sid, "name": sid.upper(), "kind": "social", "type": "file",
            "options": {"path": path, "platform": platform, "mapping": MAPPING}}


def make_settings(tmp_path, receiver_url=None, **extra):
    sources = [file_source("fb-a", export(tmp_path / "a.jsonl", 30, "a")),
               file_source("yt-b", export(tmp_path / "b.jsonl", 12, "b"), platform="youtube"),
               file_source("broken", str(tmp_path / "missing.jsonl"), platform="telegram")]
    return Settings(
        data_dir=str(tmp_path / "data"), store={"url": f"sqlite:///{tmp_path}/mw.db"},
        privacy={"pseudonymisation_key": "k" * 32}, sources=sources,
        alerts={"rules": [{"name": "social-spike", "type": "spike", "source_kind": "social", "min_count": 5}]},
        webhooks=[{"name": "ops", "url": receiver_url, "secret": "s"}] if receiver_url else [], **extra)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def check_run(tmp_path, summary, receiver):
    by_source = {r.source_id: r for r in summary.records}
    assert list(by_source) == ["fb-a", "yt-b", "broken"]  # plan order, whichever executor ran it
    assert by_source["fb-a"].new == 30 and by_source["yt-b"].new == 12
    assert by_source["broken"].errors and summary.failed_sources == ["broken"]
    assert summary.alerts == {"new": 1} and summary.deliveries["delivered"] == 1
    assert len(receiver.delivered) == 1
    with SQLiteStore(tmp_path / "mw.db") as store:
        (latest,) = store.run_summaries(limit=1)
        assert latest == summary.as_state() and latest["run_id"] == summary.run_id
        assert latest["new"] == 42 and latest["failed_sources"] == ["broken"]
        assert latest["alerts"] == {"new": 1} and latest["per_source"]["fb-a"]["new"] == 30
        assert {r.source_id for r in store.runs() if r.run_id == summary.run_id} == {"fb-a", "yt-b", "broken"}
        assert len(store.alerts()) == 1


def test_plain_ingest_without_prefect(tmp_path, receiver):
    settings = make_settings(tmp_path, receiver.url)
    seen = []
    with SQLiteStore(tmp_path / "mw.db") as store:
        summary = stages.run_ingest(settings, store, on_source_done=seen.append)
    assert summary.engine == "plain" and [r.source_id for r in seen] == ["fb-a", "yt-b", "broken"]
    check_run(tmp_path, summary, receiver)


def test_ingest_flow_on_threads(tmp_path, receiver, prefect_harness):
    from mediawatch.flows.orchestration.prefect_flows import run_ingest_flow

    settings = make_settings(tmp_path, receiver.url)
    seen = []
    summary = run_ingest_flow(settings, enrich=False, on_source_done=seen.append)
    assert summary.engine == "prefect" and sorted(r.source_id for r in seen) == ["broken", "fb-a", "yt-b"]
    check_run(tmp_path, summary, receiver)
    # A second run: nothing new, the storm is one alert (an update, not delivered again).
    again = run_ingest_flow(settings, enrich=False)
    assert again.totals.inserted == 0 and again.alerts == {"update": 1} and len(receiver.delivered) == 1


def test_ingest_flow_on_a_dask_cluster(tmp_path, receiver, prefect_harness):
    from distributed import LocalCluster

    from mediawatch.flows.orchestration.prefect_flows import run_ingest_flow

    with LocalCluster(n_workers=1, processes=False, threads_per_worker=2, dashboard_address=None) as cluster:
        settings = make_settings(tmp_path, receiver.url,
                                 flows={"task_runner": "dask", "dask_address": cluster.scheduler_address})
        summary = run_ingest_flow(settings, enrich=False)
    check_run(tmp_path, summary, receiver)


def test_task_runner_choice(tmp_path):
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    from mediawatch.flows.orchestration.prefect_flows import task_runner_for

    assert isinstance(task_runner_for(Settings(), 3), ThreadPoolTaskRunner)
    runner = task_runner_for(Settings(flows={"task_runner": "dask", "dask_address": "tcp://10.0.0.5:8786"}))
    assert isinstance(runner, DaskTaskRunner) and runner.address == "tcp://10.0.0.5:8786"


def test_province_filter_drops_documents_not_about_the_province(tmp_path):
    settings = make_settings(tmp_path)

    def enrich(docs):
        for i, d in enumerate(docs):
            d.extra["about_province"] = i % 3 != 0
        return docs

    with SQLiteStore(tmp_path / "mw.db") as store:
        summary = stages.run_ingest(settings, store, sources=settings.sources[:1], enrich=enrich, alerts=False)
        assert summary.filtered_out == {"fb-a": 10} and summary.totals.inserted == 20
        assert store.run_summaries(limit=1)[0]["filtered_out"] == 10
    keep = settings.model_copy(update={"classifiers": settings.classifiers.model_copy(
        update={"filter_to_province": False})})
    with SQLiteStore(tmp_path / "mw2.db") as store:
        assert stages.run_ingest(keep, store, sources=keep.sources[:1], enrich=enrich,
                                 alerts=False).totals.inserted == 30


def test_the_plan_groups_sources_by_the_politeness_key_their_connector_declares(tmp_path):
    from mediawatch.flows.orchestration.plan import plan_ingest

    def src(sid, **kw):
        return SourceSettings(id=sid, **kw)

    settings = Settings(sources=[
        src("a", url="https://baolaocai.vn/rss/a.rss"), src("b", url="https://BAOLAOCAI.vn/rss/b.rss"),
        src("c", url="https://vnexpress.net/rss"), src("fb1", kind="social", type="facebook", options={"pages": "a"}),
        src("off", url="https://baolaocai.vn/rss/c.rss", enabled=False),
        src("fb2", kind="social", type="facebook", options={"pages": "b"}),
        src("m", kind="social", type="mastodon", url="https://mastodon.social", options={"hashtags": ["laocai"]}),
        src("m-feed", url="https://mastodon.social/@ubnd.rss"),  # same host as the API: never in parallel
        src("f", type="file", options={"path": str(tmp_path / "x.jsonl"), "mapping": {"id": "id", "text": "text"}}),
        src("g", type="file", options={"path": str(tmp_path / "x.jsonl"), "mapping": {"id": "id", "text": "text"}})])
    plan = plan_ingest(settings)
    assert {g.key: [s.id for s in g.sources] for g in plan.groups} == {
        "baolaocai.vn": ["a", "b"], "vnexpress.net": ["c"], "graph.facebook.com": ["fb1", "fb2"],
        "mastodon.social": ["m", "m-feed"], f"file:{tmp_path / 'x.jsonl'}": ["f", "g"]}
    assert [s.id for s in plan.sources] == ["a", "b", "c", "fb1", "fb2", "m", "m-feed", "f", "g"]


def test_crashed_task_becomes_a_failure_record():
    from mediawatch.errors import TimedOut, TemporaryError

    src = SourceSettings(id="x", url="https://x.test/rss")
    now = datetime.now(timezone.utc)
    record = stages.crashed_record(src, "r1", now, TimedOut("took too long"))
    assert (record.errors, record.error_kinds) == ({"timeout": 1}, {"temporary": 1})
    assert record.aborted and record.failed and "took too long" in record.messages[0]
    # Typed, not guessed from names: a class called "...Timeout..." that is not a time-out is a crash.
    class ReadTimeoutish(Exception):
        pass

    assert stages.crashed_record(src, "r1", now, ReadTimeoutish()).errors == {"crash": 1}
    assert stages.crashed_record(src, "r1", now, TemporaryError("store down")).error_kinds == {"temporary": 1}


# --- retraining: a tiny model module (this one) plugged into the classifiers' registry ------------------

SCORES = {"next": {"f1": 0.80}}


def train(datasets_dir, out_dir):
    from pathlib import Path

    (Path(out_dir) / "toy.json").write_text(json.dumps(SCORES["next"]), encoding="utf-8")
    return SCORES["next"]


def evaluate(datasets_dir, models_dir):
    from pathlib import Path

    return json.loads((Path(models_dir) / "toy.json").read_text(encoding="utf-8"))


def test_compare_scores():
    assert compare({"f1": 0.8}, {"f1": 0.8}, {"f1": 0.7}) == []
    assert compare({"f1": 0.798}, {"f1": 0.8}, {}) == []  # within tolerance
    assert compare({"f1": 0.78}, {"f1": 0.8}, {}) == ["f1: 0.7800 dropped from 0.8000"]
    assert compare({"f1": 0.65}, {}, {"f1": 0.7}) == ["f1: 0.6500 is below the floor 0.7000"]
    assert compare({}, {}, {}) == ["the new model reported no scores"]


def test_retrain_swaps_only_without_regression(tmp_path, monkeypatch, prefect_harness):
    from mediawatch.classifiers.registry import MODELS, TrainableModel

    from mediawatch.flows.orchestration.prefect_flows import retrain_flow

    monkeypatch.setitem(MODELS, "toy", TrainableModel("toy", __name__))
    models = tmp_path / "models"
    models.mkdir()
    (models / "toy.json").write_text(json.dumps({"f1": 0.80}))
    (models / "floors.json").write_text(json.dumps({"toy": {"f1": 0.75}}))
    settings = Settings(classifiers={"models_dir": str(models)})

    SCORES["next"] = {"f1": 0.76}  # above the floor but worse than current: it stays
    result = retrain_model(settings, "toy")
    assert not result.swapped and "dropped" in result.reasons[0]
    assert json.loads((models / "toy.json").read_text()) == {"f1": 0.80}

    SCORES["next"] = {"f1": 0.83}
    (out,) = retrain_flow(settings=settings, models=["toy"])
    assert out["swapped"] and json.loads((models / "toy.json").read_text()) == {"f1": 0.83}
    assert not list(models.glob(".incoming-*"))

    SCORES["next"] = {"f1": 0.9}
    with pytest.raises(ValueError, match="unknown model"):
        retrain_model(settings, "nope")


def test_swap_in_replaces_files(tmp_path):
    staged, target = tmp_path / "s", tmp_path / "t"
    staged.mkdir()
    (staged / "m.skops").write_bytes(b"new")
    target.mkdir()
    (target / "m.skops").write_bytes(b"old")
    (target / "other.skops").write_bytes(b"keep")
    assert swap_in(staged, target) == ["m.skops"]
    assert (target / "m.skops").read_bytes() == b"new" and (target / "other.skops").read_bytes() == b"keep"


def test_digest_and_forecast_flows_wrap_the_plain_functions(tmp_path, prefect_harness):
    from mediawatch.flows.orchestration.prefect_flows import digest_flow, forecast_flow

    from .test_alert_fixtures import background

    settings = Settings(data_dir=str(tmp_path / "data"), store={"url": f"sqlite:///{tmp_path}/mw.db"})
    now = datetime.now(timezone.utc)
    with SQLiteStore(tmp_path / "mw.db") as store:
        store.upsert(background(hours=24 * 20, per_hour=1, end=now))
    digest = digest_flow(settings=settings, send=False)
    assert digest["status"] == "not-asked" and digest["day"]
    forecast = forecast_flow(settings=settings)
    assert forecast["series"] >= 1
    with SQLiteStore(tmp_path / "mw.db") as store:
        assert len(store.forecasts()) == forecast["series"]


def test_deployments_register_on_a_work_pool(tmp_path, prefect_harness):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate

    from mediawatch.flows.orchestration.serve import register_on_pool

    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name="mediawatch-pool", type="process"), overwrite=True)
        ids = register_on_pool(Settings(), "/etc/mediawatch/mediawatch.toml", "mediawatch-pool")
        assert len(ids) == 4
        deployment = client.read_deployment_by_name("ingest/mediawatch-ingest")
        assert deployment.work_pool_name == "mediawatch-pool"
        assert deployment.entrypoint == "mediawatch.flows.orchestration.prefect_flows.ingest_flow"
        assert deployment.parameters == {"config": "/etc/mediawatch/mediawatch.toml"}


def test_cli_run_with_prefect(tmp_path, prefect_harness, monkeypatch):
    from typer.testing import CliRunner

    # `run --prefect` prepares Prefect's environment; keep that from leaking into later tests.
    for name, value in (("PREFECT_HOME", str(tmp_path / "prefect-home")), ("DO_NOT_TRACK", "1"),
                        ("PREFECT_SERVER_ANALYTICS_ENABLED", "false"),
                        ("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")):
        monkeypatch.setenv(name, value)

    from mediawatch.app.cli import app

    path = export(tmp_path / "a.jsonl", 30, "a")
    (tmp_path / "mediawatch.toml").write_text(f"""
data_dir = "data"
[store]
url = "sqlite:///mw.db"
[privacy]
pseudonymisation_key = "{'k' * 32}"
[[sources]]
id = "fb-a"
kind = "social"
type = "file"
options = {{ path = "{path}", platform = "facebook", mapping = {json.dumps(MAPPING).replace(':', ' =')} }}
""", encoding="utf-8")
    result = CliRunner().invoke(app, ["-c", str(tmp_path / "mediawatch.toml"), "run", "--prefect", "--no-classify"])
    assert result.exit_code == 0, result.output
    assert "fb-a: lấy " in result.output and ": 30 mới, 0 cập nhật" in result.output
    with SQLiteStore(tmp_path / "mw.db") as store:
        assert store.run_summaries(limit=1)[0]["engine"] == "prefect"
