"""Elasticsearch store specifics: mappings, aliases, monthly routing, capability checks, the spool.

The shared query semantics are covered by the contract suite (tests/test_store_elastic.py); these
tests run against osmem-server (a real OpenSearch-compatible engine) and real TCP/HTTP servers.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from elasticsearch import ApiError, Elasticsearch

from mediawatch.document import Document, Misinfo, Sentiment, Source
from mediawatch.settings import Settings
from mediawatch.store import open_store
from mediawatch.store.base import SearchQuery
from mediawatch.store.elastic import ElasticStore
from mediawatch.store.elastic_mappings import IndexNames, document_template, ilm_policy
from mediawatch.store.elastic_node import PlainJsonNode, plain_json_headers
from mediawatch.store.elastic_query import build_query, month_of, text_clauses
from tests.support.osmem import TcpProxy, osmem_server, start_recording_cluster  # noqa: F401 (fixture)

T0 = datetime(2025, 7, 10, 2, 0, tzinfo=timezone.utc)


def make_doc(i: int, *, title: str = "Lũ quét ở Lào Cai", when: datetime | None = None, **kw) -> Document:
    return Document(id=f"doc{i:05d}", url=f"https://baolaocai.vn/a/{i}", source=Source(id="baolaocai", kind="press"),
                    title=title, text=f"Bài số {i}. Mưa lớn tại Yên Bái.",
                    published_at=when or (T0 + timedelta(minutes=i)), fetched_at=T0 + timedelta(days=40), **kw)


@pytest.fixture
def store(osmem_clone, tmp_path: Path):
    s = ElasticStore(osmem_clone.url, spool_path=tmp_path / "spool", index_prefix="mwtest")
    yield s
    s.close()


# --- pure parts ---------------------------------------------------------------------------------
def test_plain_json_headers_rewrites_vendor_types_only() -> None:
    out = plain_json_headers({"Accept": "application/vnd.elasticsearch+json; compatible-with=9",
                              "Content-Type": "application/vnd.elasticsearch+x-ndjson; compatible-with=9",
                              "Authorization": "ApiKey abc"})
    assert out["accept"] == "application/json"
    assert out["content-type"] == "application/x-ndjson"
    assert out["authorization"] == "ApiKey abc"
    assert plain_json_headers(None) is None


def test_user_query_becomes_folded_phrase_and_prefix_clauses() -> None:
    must, must_not = text_clauses('Đà Nẵng OR "Lào Cai" lu* -"diễn tập" covid-1*')
    assert must[0] == {"multi_match": {"query": "da", "type": "phrase", "fields": ["title", "text"]}}
    alternatives = must[1]["bool"]["should"]
    assert [a["multi_match"]["query"] for a in alternatives] == ["nang", "lao cai"]
    assert must[2]["bool"]["should"][0] == {"prefix": {"title": {"value": "lu"}}}
    assert must[3]["multi_match"]["type"] == "phrase_prefix" and must[3]["multi_match"]["query"] == "covid 1"
    assert must_not == [{"multi_match": {"query": "dien tap", "type": "phrase", "fields": ["title", "text"]}}]


def test_filters_translate_to_terms_and_ranges() -> None:
    q = build_query(SearchQuery(since=T0, until=T0 + timedelta(days=1), kinds=["social"], topics=["lu-lut"],
                                flagged_only=True, include_duplicates=False))
    filters = q["bool"]["filter"]
    assert {"range": {"when": {"gte": "2025-07-10T02:00:00Z", "lt": "2025-07-11T02:00:00Z"}}} in filters
    assert {"terms": {"source.kind": ["social"]}} in filters
    assert {"terms": {"topics": ["lu-lut"]}} in filters
    assert {"term": {"misinfo.flagged": True}} in filters
    assert q["bool"]["must_not"] == [{"exists": {"field": "duplicate_of"}}]
    assert build_query(SearchQuery()) == {"match_all": {}}


def test_month_routing_uses_utc_month_of_the_document_time() -> None:
    assert month_of(datetime(2025, 7, 31, 23, 30, tzinfo=timezone.utc)) == "2025.07"
    # 06:30 on 1 August in Hà Nội is still 31 July in UTC: the index is deterministic either way.
    assert month_of(datetime(2025, 7, 31, 23, 30, tzinfo=timezone.utc).astimezone(
        timezone(timedelta(hours=7)))) == "2025.07"


def test_ilm_policy_waits_a_month_past_retention() -> None:
    policy = ilm_policy(90)
    assert policy["phases"]["delete"]["min_age"] == "121d"
    assert policy["phases"]["delete"]["actions"] == {"delete": {}}


# --- against osmem ----------------------------------------------------------------------------------
def test_osmem_refuses_the_vendor_media_type_without_the_node_class(osmem_clone) -> None:
    plain = Elasticsearch(osmem_clone.url)
    with pytest.raises(ApiError) as info:
        plain.index(index="probe", id="1", document={"x": 1})
    assert info.value.meta.status == 406
    fixed = Elasticsearch(osmem_clone.url, node_class=PlainJsonNode)
    assert fixed.index(index="probe", id="1", document={"x": 1})["result"] == "created"


def test_template_mappings_and_aliases(store: ElasticStore) -> None:
    store.upsert([make_doc(1), make_doc(2, when=datetime(2025, 5, 3, tzinfo=timezone.utc))])
    es = store.es
    mapping = es.indices.get_mapping(index="mwtest-docs-2025.07")["mwtest-docs-2025.07"]["mappings"]
    props = mapping["properties"]
    assert props["title"]["analyzer"] == "vi_folded"
    assert props["title"]["fields"]["vi"]["analyzer"] == "vi_exact"
    assert props["topics"]["fields"]["folded"]["normalizer"] == "folded"
    assert props["when"]["type"] == "date"
    assert props["misinfo"]["properties"]["flagged"]["type"] == "boolean"
    aliases = es.indices.get_alias(index="mwtest-docs-*").body
    assert {"mwtest-docs-2025.05", "mwtest-docs-2025.07"} <= set(aliases)
    assert all("mwtest-docs" in a["aliases"] for a in aliases.values())
    writers = [name for name, a in aliases.items() if a["aliases"].get("mwtest-docs-write", {}).get("is_write_index")]
    assert writers == [max(aliases)]  # the newest month takes outside writes
    # osmem has no ILM: the template must not name a policy it cannot apply.
    assert store.supports_ilm() is False
    template = es.indices.get_index_template(name="mwtest-docs")["index_templates"][0]["index_template"]
    assert "lifecycle" not in str(template["template"]["settings"])


def test_folded_search_and_diacritic_preserving_subfield(store: ElasticStore) -> None:
    store.upsert([make_doc(1, title="Đà Nẵng mưa to"), make_doc(2, title="Da nang (không dấu)")])
    assert store.count(SearchQuery(text="đà nẵng")) == 2
    exact = store.es.search(index="mwtest-docs", query={"match_phrase": {"title.vi": "đà nẵng"}})
    assert [h["_id"] for h in exact["hits"]["hits"]] == ["doc00001"]


def test_a_document_that_changes_month_is_moved_not_duplicated(store: ElasticStore) -> None:
    undated = make_doc(7)
    undated.published_at = None  # first seen without a date: filed under its fetch month (August)
    assert store.upsert([undated]).inserted == 1
    dated = make_doc(7, when=datetime(2025, 6, 20, tzinfo=timezone.utc))
    assert store.upsert([dated]).updated == 1
    assert store.count(SearchQuery()) == 1
    hits = store.es.search(index="mwtest-docs", query={"ids": {"values": ["doc00007"]}})["hits"]["hits"]
    assert [h["_index"] for h in hits] == ["mwtest-docs-2025.06"]


def test_review_updates_the_document_in_place(store: ElasticStore) -> None:
    from mediawatch.store.base import ReviewDecision

    store.upsert([make_doc(3, misinfo=Misinfo(score=0.9, claim="Đập thủy điện vỡ", flagged=True),
                           sentiment=Sentiment("negative", -0.7))])
    decision = ReviewDecision(doc_id="doc00003", verdict="false", reviewer="bt", note="đã xác minh",
                              decided_at=T0)
    doc = store.review(decision)
    assert doc.misinfo.review_status == "false" and decision.previous_status == "pending"
    assert store.get("doc00003").misinfo.review_status == "false"
    assert store.count(SearchQuery()) == 1
    assert [r.verdict for r in store.reviews(doc_id="doc00003")] == ["false"]


# --- capability-gated calls: the requests they would send ----------------------------------------
def test_setup_on_a_cluster_with_ilm_sends_policy_and_template(tmp_path: Path) -> None:
    cluster = start_recording_cluster()
    try:
        store = ElasticStore(cluster.url, api_key="c2VjcmV0", index_prefix="mw", retention_days=90,
                             spool_path=tmp_path / "spool")
        store.setup()
        assert store.supports_ilm() is True
        [policy] = cluster.find("PUT", "/_ilm/policy/mw-retention")
        assert policy.body["policy"] == ilm_policy(90)
        [template] = cluster.find("PUT", "/_index_template/mw-docs")
        assert template.body["template"]["settings"]["index.lifecycle.name"] == "mw-retention"
        assert template.body == document_template(IndexNames("mw"), ilm=True)
        assert {r.path.split("?")[0] for r in cluster.find("PUT", "/mw-")} >= {
            "/mw-runs", "/mw-reviews", "/mw-alerts", "/mw-state"}
        for request in cluster.requests:
            assert request.headers["authorization"] == "ApiKey c2VjcmV0"
            assert "vnd.elasticsearch" not in request.headers.get("accept", "")
            assert "vnd.elasticsearch" not in request.headers.get("content-type", "")
        store.close()
    finally:
        cluster.close()


def test_from_settings_reads_auth_prefix_and_spool(tmp_path: Path) -> None:
    cluster = start_recording_cluster()
    try:
        settings = Settings(data_dir=str(tmp_path / "data"),
                            store={"url": cluster.url, "username": "mw", "password": "bí mật",
                                   "index_prefix": "tinh", "retention_days": 30})
        store = open_store(settings)
        assert isinstance(store, ElasticStore)
        assert store.names.read_alias == "tinh-docs" and store.retention_days == 30
        assert store.spool.path == tmp_path / "data" / "spool" / "elastic"
        store.setup()
        assert cluster.requests[0].headers["authorization"].startswith("Basic ")
        store.close()
    finally:
        cluster.close()


# --- the spool: outages lose nothing and duplicate nothing --------------------------------------------
def _outage_store(url: str, spool: Path, replay_backoff: float = 0.0) -> ElasticStore:
    return ElasticStore(url, spool_path=spool, index_prefix="mwtest", chunk_size=50, max_retries=0,
                        request_timeout=5, bulk_retries=1, initial_backoff=0.01, replay_backoff=replay_backoff)


def _ids_in(store: ElasticStore) -> list[str]:
    return [d.id for d in store.iter_documents(batch_size=200)]


def test_outage_mid_ingest_spools_then_replays_exactly(osmem_clone, tmp_path: Path) -> None:
    host, port = osmem_clone.url.rsplit("/", 1)[-1].split(":")
    proxy = TcpProxy(host, int(port))
    # A long replay back-off: after the first failure, batches are spooled without waiting on the cluster.
    store = _outage_store(proxy.url, tmp_path / "spool", replay_backoff=3600)
    try:
        docs = [make_doc(i) for i in range(500)]

        def feed():
            for i, doc in enumerate(docs):
                if i == 200:
                    proxy.down()  # the cluster goes away while the ingest is running
                yield doc

        result = store.upsert(feed())
        assert result.inserted == 200
        assert store.spool_pending() == 300
        assert store.spooled == 300
        # Still down: a newer version of a spooled document queues behind the older one.
        newer = make_doc(450, title="Bản cập nhật")
        assert store.upsert([newer]).written == 0
        assert store.spool_pending() == 301

        proxy.up()
        replayed = store.flush_spool()
        assert replayed.inserted == 300 and replayed.updated == 1
        assert store.spool_pending() == 0
        ids = _ids_in(store)
        assert len(ids) == 500 and len(set(ids)) == 500
        assert store.get("doc00450").title == "Bản cập nhật"
        again = store.upsert(docs[:450] + [newer] + docs[451:])
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, 500)
        assert store.count(SearchQuery()) == 500
    finally:
        store.close()
        proxy.close()


def test_rejected_batches_are_spooled_and_replayed_by_the_next_upsert(osmem_clone, tmp_path: Path) -> None:
    host, port = osmem_clone.url.rsplit("/", 1)[-1].split(":")
    proxy = TcpProxy(host, int(port))
    store = _outage_store(proxy.url, tmp_path / "spool")
    try:
        assert store.upsert([make_doc(i) for i in range(20)]).inserted == 20
        proxy.reject()  # every request now gets HTTP 503, as a cluster under a block does
        assert store.upsert([make_doc(i) for i in range(20, 60)]).written == 0
        assert store.spool_pending() == 40
        proxy.up()
        # No explicit flush: the next write replays the spool first, in order.
        result = store.upsert([make_doc(i) for i in range(60, 70)])
        assert result.inserted == 10 and store.replayed.inserted == 40
        assert store.spool_pending() == 0
        assert store.count(SearchQuery()) == 70
        assert sorted(_ids_in(store)) == [f"doc{i:05d}" for i in range(70)]
    finally:
        store.close()
        proxy.close()


def test_a_closed_port_spools_everything_and_a_new_process_replays_it(osmem_clone, tmp_path: Path) -> None:
    with socket_closed_port() as port:
        dead = _outage_store(f"http://127.0.0.1:{port}", tmp_path / "spool")
        assert dead.upsert([make_doc(i) for i in range(120)]).written == 0
        dead.close()
    segments = sorted((tmp_path / "spool").glob("segment-*.jsonl"))
    assert len(segments) == 3  # one fsynced segment per failed batch of 50
    assert sum(len(s.read_text(encoding="utf-8").splitlines()) for s in segments) == 120
    alive = _outage_store(osmem_clone.url, tmp_path / "spool")
    assert alive.flush_spool().inserted == 120
    assert alive.count(SearchQuery()) == 120 and alive.spool_pending() == 0
    alive.close()


class socket_closed_port:
    """A port that was free a moment ago and has nothing listening on it."""

    def __enter__(self) -> int:
        import socket

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        return self.port

    def __exit__(self, *exc: object) -> None:
        pass


def test_saved_forecasts_are_also_indexed_for_kibana(store: ElasticStore) -> None:
    from tests.store_contract import forecast_record

    t0 = datetime(2025, 7, 21, tzinfo=timezone.utc)
    store.set_state("forecast", "*|*", {"model": "ets->seasonal_naive"})  # the old home, before schema 2
    first = forecast_record("*", "*", t0, volume=10.0)
    store.save_forecast(first)
    second = forecast_record("*", "*", t0 + timedelta(days=1), volume=11.0)
    store.save_forecast(second)  # a re-run replaces the points, never adds to them
    assert store.forecasts() == [second]
    hits = store.es.search(index="mwtest-forecast", query={"term": {"series": "forecast"}}, size=20,
                           sort=[{"date": "asc"}])["hits"]["hits"]
    assert [h["_source"]["volume"] for h in hits] == [11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0]
    assert {h["_source"]["generated_at"] for h in hits} == {"2025-07-22T00:00:00Z"}
    assert store.es.count(index="mwtest-forecast")["count"] == 10  # 3 actual days + 7 forecast days
    # Forecasts are recomputed in their new home: the old state entries are gone.
    assert store.get_state("forecast", "*|*") is None


def test_a_document_refused_for_good_is_kept_aside_not_retried(store: ElasticStore, tmp_path: Path) -> None:
    from mediawatch.document import Engagement

    bad = make_doc(2, engagement=Engagement(likes="rất nhiều"))  # type: ignore[arg-type]  # not a number
    result = store.upsert([make_doc(1), bad])
    assert result.inserted == 1
    assert store.spool_pending() == 0  # a mapping error is not an outage: no endless replay
    kept = (tmp_path / "spool" / "rejected.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(kept) == 1 and '"doc00002"' in kept[0] and "reason" in kept[0]
    assert store.count(SearchQuery()) == 1


def test_values_kept_in_state_by_older_versions_move_into_rows(store: ElasticStore) -> None:
    store.set_state("dedup", "simhash", {"v": 1, "entries": [["d1", "00000000000000ff", "2025-07-01T03:00:00+00:00"]]})
    for run_id, hour in (("r0", 1), ("r1", 2)):
        value = {"run_id": run_id, "started_at": f"2025-07-01T0{hour}:00:00Z", "finished_at": f"2025-07-01T0{hour}:05:00Z"}
        store.set_state("runs", run_id, value)
    store.set_state("runs", "latest", value)
    from mediawatch.store.base import RunRecord

    store.es.index(index="mwtest-runs", id="old:feed", refresh=True, document={
        "run_id": "old", "source_id": "feed", "started_at": "2025-07-01T00:00:00Z",
        "finished_at": "2025-07-01T00:01:00Z", "fetched": 1, "new": 1, "updated": 0, "unchanged": 0,
        "errors": {"timeout": 1, "temporary": 1}, "messages": [], "seq": 1})
    (old,) = store.runs()
    assert isinstance(old, RunRecord) and old.errors == {"timeout": 1} and old.error_kinds == {"temporary": 1}
    fresh = ElasticStore(store.url, spool_path=store.spool.path, index_prefix="mwtest")
    assert [(r.doc_id, r.value) for r in fresh.fingerprints()] == [("d1", 255)]
    assert [s["run_id"] for s in fresh.run_summaries()] == ["r1", "r0"]
    assert fresh.get_state("runs", "latest") is None and fresh.get_state("dedup", "simhash") is None
    fresh.close()
