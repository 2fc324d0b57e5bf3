"""The store contract: every backend runs this one suite (subclass it with a ``store`` fixture
that yields an empty store). Results are checked against brute-force answers computed in Python.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from mediawatch.document import Document, Misinfo, Sentiment, Source, doc_id_for_url
from mediawatch.store.base import AlertRecord, Fingerprint, ReviewDecision, RunRecord, SearchQuery
from mediawatch.store.forecasts import DayCount, ForecastPoint, ForecastRecord, TodaySoFar
from mediawatch.store.query import matches_folded, parse_user_query
from mediawatch.synthetic import synthetic_documents
from mediawatch.text import fold
from tests.store_contract_desk import DeskStoreContract

T0 = datetime(2025, 7, 1, tzinfo=timezone.utc)


def doc(n: int, title: str = "", text: str = "", **kw) -> Document:
    url = f"https://tin.example.vn/{n}"
    kw.setdefault("published_at", T0 + timedelta(hours=n))
    kw.setdefault("source", Source("baolaocai", "press", "Báo Lào Cai"))
    return Document(id=doc_id_for_url(url), url=url, title=title or f"Tin số {n}", text=text or "Nội dung.", **kw)


def forecast_record(topic: str, place: str, generated_at: datetime, model: str = "ets",
                    volume: float = 12.0) -> ForecastRecord:
    day = generated_at.date()
    return ForecastRecord(
        topic=topic, place=place, generated_at=generated_at, model=model, choice="backtest",
        points=[ForecastPoint(day + timedelta(days=i), volume + i, volume - 4.5, volume + 6.25, 0.2, 0.1, 0.3)
                for i in range(7)],
        history=[DayCount(day - timedelta(days=i), 10 + i, 2) for i in range(3, 0, -1)], history_days=40,
        level=0.8, calibrated=True, backtest={"origins": 2, "mase": {"seasonal_naive": 1.2, "ets": 0.9}},
        today=TodaySoFar(generated_at, 3, 0.25, (12.0, 7.5, 18.25)), profile=[1 / 24] * 24,
        usual_range=(2.0, 19.5), trend="rising", last_week=70, previous_week=40, cleaned=[day - timedelta(days=5)])


def brute_filter(docs: list[Document], q: SearchQuery) -> list[Document]:
    parsed = parse_user_query(q.text)
    out = []
    for d in docs:
        if q.text and not matches_folded(parsed, fold(d.title + " \n " + d.text)):
            continue
        if q.since and d.when < q.since or q.until and d.when >= q.until:
            continue
        if q.source_ids and d.source.id not in q.source_ids or q.kinds and d.source.kind not in q.kinds:
            continue
        if q.topics and not set(q.topics) & set(d.topics) or q.places and not set(q.places) & set(d.places):
            continue
        if q.sentiments and (not d.sentiment or d.sentiment.label not in q.sentiments):
            continue
        if q.flagged_only and not (d.misinfo and d.misinfo.flagged):
            continue
        if not q.include_duplicates and d.duplicate_of:
            continue
        out.append(d)
    return sorted(out, key=lambda d: (d.when, d.id), reverse=True)


class StoreContract(DeskStoreContract):
    # --- upsert and get ----------------------------------------------------------------------
    def test_upsert_is_idempotent_and_detects_changes(self, store):
        docs = [doc(i) for i in range(30)]
        first = store.upsert(docs)
        assert (first.inserted, first.updated, first.unchanged) == (30, 0, 0)
        again = store.upsert(docs)
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, 30)
        changed = doc(3, title="Tin số 3 (cập nhật)")
        result = store.upsert([changed, doc(100)])
        assert (result.inserted, result.updated, result.unchanged) == (1, 1, 0)
        assert store.count(SearchQuery()) == 31
        assert store.get(changed.id).title == "Tin số 3 (cập nhật)"
        assert store.count(SearchQuery(text="cap nhat")) == 1

    def test_refetch_only_changes_nothing(self, store):
        d = doc(1)
        store.upsert([d])
        later = Document.from_dict({**d.to_dict(), "fetched_at": "2030-01-01T00:00:00Z"})
        assert store.upsert([later]).unchanged == 1

    def test_round_trip_keeps_every_field(self, store):
        d = doc(7, title="Đập thủy điện", text="Tin đồn vỡ đập ở Văn Chấn.", lang="vi",
                author_key="abc123", places=["Lào Cai", "Yên Bái"], topics=["thuy_dien"],
                sentiment=Sentiment("negative", -0.8), story_id="s1", parent_id="p1", section="Thời sự",
                misinfo=Misinfo(score=0.9, claim="Đập sắp vỡ", evidence_url="https://x.vn/cai-chinh",
                                reasons=["khớp tin giả đã đính chính"], flagged=True),
                extra={"k": [1, 2]})
        store.upsert([d])
        assert store.get(d.id).to_dict() == d.to_dict()
        assert store.get("missing") is None

    # --- search ----------------------------------------------------------------------------------
    def test_diacritic_insensitive_search(self, store):
        store.upsert([doc(1, "Mưa lớn ở Đà Nẵng"), doc(2, "Lũ quét tại Mù Cang Chải"),
                      doc(3, "Đường vào Sa Pa sạt lở"), doc(4, "Hội nghị ở Hà Nội")])
        assert store.count(SearchQuery(text="da nang")) == 1
        assert store.count(SearchQuery(text="ĐÀ NẴNG")) == 1
        assert store.count(SearchQuery(text="duong")) == 1  # đ folds to d
        assert store.count(SearchQuery(text='"lu quet"')) == 1
        assert store.count(SearchQuery(text='"quet lu"')) == 0
        assert store.count(SearchQuery(text="\"sa pa\" OR \"ha noi\"")) == 2
        assert store.count(SearchQuery(text="sa pa OR \"ha noi\"")) == 1  # sa AND (pa OR "ha noi")
        assert store.count(SearchQuery(text="-lu")) == 3
        assert store.count(SearchQuery(text="sat*")) == 1
        assert store.count(SearchQuery(text="o -nang")) == 1

    def test_title_field_and_query_syntax(self, store):
        store.upsert([doc(1, "Mưa lớn ở Đà Nẵng", "Lũ quét ở Mù Cang Chải."),
                      doc(2, "Lũ quét ở Mù Cang Chải", "Mưa lớn ở Đà Nẵng."),
                      doc(3, "Lũ về nhanh", "Bão số 3.")])
        assert store.count(SearchQuery(text="title:\"da nang\"")) == 1
        assert store.count(SearchQuery(text="\"da nang\"")) == 2
        assert store.count(SearchQuery(text="title:lu -title:quet")) == 1
        assert store.count(SearchQuery(text="title:ca* OR title:bao")) == 1
        assert store.count(SearchQuery(text="-title:mua lu")) == 2
        for text in ("title:\"da nang\"", "title:lu -title:quet", "title:ca* OR title:bao", "-title:mua lu"):
            parsed = parse_user_query(text)
            expected = {d.title for d in (store.get(doc(i).id) for i in (1, 2, 3))
                        if matches_folded(parsed, fold(d.title + " \n " + d.text), fold(d.title))}
            found = {d.title for d in store.search(SearchQuery(text=text), size=10).documents}
            assert found == expected, text

    def test_filters(self, store):
        store.upsert([
            doc(1, topics=["bao"], places=["Lào Cai"], sentiment=Sentiment("negative", -0.5)),
            doc(2, topics=["lu_lut", "bao"], places=["Yên Bái"], sentiment=Sentiment("positive", 0.5),
                source=Source("fb-ubnd", "social", "UBND tỉnh", "facebook")),
            doc(3, misinfo=Misinfo(score=0.9, flagged=True)),
            doc(4, duplicate_of=doc(1).id),
        ])
        assert store.count(SearchQuery(topics=["bao"])) == 2
        assert store.count(SearchQuery(topics=["lu_lut"], places=["Lào Cai"])) == 0
        assert store.count(SearchQuery(places=["Yên Bái", "Lào Cai"])) == 2
        assert store.count(SearchQuery(kinds=["social"])) == 1
        assert store.count(SearchQuery(source_ids=["baolaocai"])) == 3
        assert store.count(SearchQuery(sentiments=["negative"])) == 1
        assert store.count(SearchQuery(flagged_only=True)) == 1
        assert store.count(SearchQuery(flagged_only=True, misinfo_statuses=["pending"])) == 1
        assert store.count(SearchQuery(include_duplicates=False)) == 3
        assert store.count(SearchQuery(since=T0 + timedelta(hours=2), until=T0 + timedelta(hours=4))) == 2

    def test_search_and_facets_agree_with_brute_force(self, store):
        docs = list(synthetic_documents(400, seed=11, span_days=10, words=12))
        rng = random.Random(3)
        for d in docs[::7]:
            d.duplicate_of = docs[0].id
        store.upsert(docs)
        queries = [SearchQuery(), SearchQuery(text="thuy dien"), SearchQuery(text='"sat lo" OR bao'),
                   SearchQuery(text="mua -lu"), SearchQuery(text="cu*", kinds=["press"]),
                   SearchQuery(topics=["bao", "sat_lo"], sentiments=["negative"]),
                   SearchQuery(places=["Yên Bái"], include_duplicates=False),
                   SearchQuery(since=T0 + timedelta(days=2), until=T0 + timedelta(days=5), text="nguoi dan"),
                   SearchQuery(flagged_only=True)]
        for q in queries:
            expected = brute_filter(docs, q)
            assert store.count(q) == len(expected), q
            page = store.search(q, size=15)
            assert [d.id for d in page.documents] == [d.id for d in expected[:15]], q
            assert page.total == len(expected)
            facets = store.facets(q, ["topics", "places", "source_id", "sentiment"], size=50)
            assert dict(facets["topics"]) == dict(Counter(t for d in expected for t in d.topics)), q
            assert dict(facets["places"]) == dict(Counter(p for d in expected for p in d.places)), q
            assert dict(facets["source_id"]) == dict(Counter(d.source.id for d in expected)), q
            counts = [n for _, n in facets["source_id"]]
            assert counts == sorted(counts, reverse=True)
        assert rng  # deterministic data, no randomness needed beyond the generator's seed

    # --- paging ----------------------------------------------------------------------------------
    def test_paging_is_stable_under_inserts(self, store):
        store.upsert([doc(i) for i in range(50)])
        seen: list[str] = []
        page = store.search(SearchQuery(), size=20)
        seen += [d.id for d in page.documents]
        store.upsert([doc(i) for i in range(100, 110)])  # newer documents arrive between pages
        store.upsert([doc(i) for i in range(-10, 0)])  # and older ones
        while page.next_cursor:
            page = store.search(SearchQuery(), size=20, cursor=page.next_cursor)
            seen += [d.id for d in page.documents]
        expected = [doc(i).id for i in range(49, -11, -1)]
        assert seen == expected
        assert len(set(seen)) == len(seen)

    def test_iter_documents_yields_everything_once(self, store):
        store.upsert([doc(i) for i in range(35)])
        ids = [d.id for d in store.iter_documents(batch_size=10)]
        assert len(ids) == 35 == len(set(ids))

    def test_bad_cursor_is_a_clear_error(self, store):
        with pytest.raises(ValueError, match="cursor"):
            store.search(SearchQuery(), cursor="not-a-cursor")

    # --- histograms -----------------------------------------------------------------------------
    def test_day_histogram_in_vietnam_time_with_gaps(self, store):
        base = datetime(2025, 7, 1, 18, tzinfo=timezone.utc)  # 01:00 on 02/07 in Hanoi
        store.upsert([doc(1, published_at=base, sentiment=Sentiment("negative", -1.0)),
                      doc(2, published_at=base + timedelta(hours=1), sentiment=Sentiment("positive", 0.5)),
                      doc(3, published_at=base + timedelta(days=3))])
        buckets = store.histogram(SearchQuery(), interval="day", tz="Asia/Ho_Chi_Minh")
        assert [b.start.strftime("%d/%m/%Y") for b in buckets] == ["02/07/2025", "03/07/2025", "04/07/2025",
                                                                   "05/07/2025"]
        assert [b.count for b in buckets] == [2, 0, 0, 1]
        assert buckets[0].avg_sentiment == pytest.approx(-0.25)
        assert buckets[0].negative == 1
        assert buckets[1].avg_sentiment is None
        assert buckets[0].start.utcoffset() == timedelta(hours=7)

    def test_hour_histogram(self, store):
        store.upsert([doc(1, published_at=T0), doc(2, published_at=T0 + timedelta(minutes=30)),
                      doc(3, published_at=T0 + timedelta(hours=2))])
        buckets = store.histogram(SearchQuery(), interval="hour", tz="UTC")
        assert [b.count for b in buckets] == [2, 0, 1]
        assert store.histogram(SearchQuery(text="nothing-matches"), interval="hour") == []

    # --- retention -------------------------------------------------------------------------------
    def test_purge_removes_old_documents_everywhere(self, store):
        store.upsert([doc(i, title=f"Bão số {i}", topics=["bao"]) for i in range(10)])
        assert store.purge(T0 + timedelta(hours=4)) == 4
        assert store.count(SearchQuery()) == 6
        assert store.count(SearchQuery(text="bao")) == 6
        assert dict(store.facets(SearchQuery(), ["topics"])["topics"]) == {"bao": 6}

    # --- source health, review, alerts, state -----------------------------------------------------
    def test_runs(self, store):
        now = datetime.now(timezone.utc).replace(microsecond=0)
        store.record_run([RunRecord("r1", "a", now, now, fetched=3, new=2, errors={"timeout": 1},
                                    messages=["[a] timed out"]),
                          RunRecord("r1", "b", now, now, fetched=1, new=1)])
        store.record_run([RunRecord("r2", "a", now, now + timedelta(seconds=5), fetched=4, unchanged=4)])
        runs = store.runs()
        assert [(r.run_id, r.source_id) for r in runs][0] == ("r2", "a")
        assert [r.run_id for r in store.runs(source_id="a")] == ["r2", "r1"]
        assert store.runs(source_id="a")[1].errors == {"timeout": 1}

    def test_runs_count_failures_by_reason_and_by_kind_apart(self, store):
        now = datetime.now(timezone.utc).replace(microsecond=0)
        store.record_run([RunRecord("r1", "a", now, now, fetched=2, errors={"timeout": 1, "http_404": 2},
                                    error_kinds={"temporary": 1, "permanent": 2}, aborted=True)])
        (run,) = store.runs(source_id="a")
        assert run.errors == {"timeout": 1, "http_404": 2} and run.error_kinds == {"temporary": 1, "permanent": 2}
        assert run.aborted and run.failed
        store.record_run([RunRecord("r1", "a", now, now, fetched=2)])  # re-recorded: replaced
        (run,) = store.runs(source_id="a")
        assert (run.errors, run.error_kinds, run.aborted, run.failed) == ({}, {}, False, False)

    # --- per-row homes: fingerprints and run summaries -------------------------------------------
    def test_fingerprints_are_rows(self, store):
        rows = [Fingerprint(f"d{i}", (0xF0F0 << 48) + i, T0 + timedelta(hours=i)) for i in range(30)]
        store.add_fingerprints(rows[:20])
        store.add_fingerprints(rows[20:])
        store.add_fingerprints([Fingerprint("d3", 2**64 - 1, T0 + timedelta(hours=100))])  # replaced by id
        newest = store.fingerprints(limit=5)
        assert [r.doc_id for r in newest] == ["d3", "d29", "d28", "d27", "d26"]
        assert newest[0].value == 2**64 - 1 and newest[0].seen_at == T0 + timedelta(hours=100)
        assert len(store.fingerprints()) == 30
        assert store.trim_fingerprints(T0 + timedelta(hours=10)) == 9  # d0..d9 except d3
        assert {r.doc_id for r in store.fingerprints()} == {f"d{i}" for i in range(10, 30)} | {"d3"}

    def test_two_writers_keep_each_others_fingerprints(self, store, second_store):
        def write(target, prefix):
            for n in range(10):
                target.add_fingerprints([Fingerprint(f"{prefix}{n}-{k}", n * 10 + k, T0 + timedelta(minutes=n))
                                         for k in range(5)])

        threads = [threading.Thread(target=write, args=(s, p)) for s, p in ((store, "a"), (second_store, "b"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ids = {r.doc_id for r in store.fingerprints()}
        assert len(ids) == 100 and ids == {r.doc_id for r in second_store.fingerprints()}

    def test_run_summaries_are_rows_latest_first(self, store, second_store):
        def summary(run_id, hour, finished=True):
            return {"run_id": run_id, "started_at": f"2025-07-01T{hour:02d}:00:00Z",
                    "finished_at": f"2025-07-01T{hour:02d}:30:00Z" if finished else None, "new": hour}

        store.save_run_summary("r1", summary("r1", 1))
        second_store.save_run_summary("r3", summary("r3", 3))  # another host, at the same time
        store.save_run_summary("r2", summary("r2", 2))
        assert [s["run_id"] for s in store.run_summaries()] == ["r3", "r2", "r1"]
        store.save_run_summary("r2", {**summary("r2", 4), "new": 99})  # re-saved: replaced, moved up
        latest = store.run_summaries(limit=1)
        assert latest == [{**summary("r2", 4), "new": 99}]
        assert len(second_store.run_summaries(limit=10)) == 3

    def test_review_is_applied_and_audited(self, store):
        d = doc(1, misinfo=Misinfo(score=0.8, claim="Vỡ đập", flagged=True))
        store.upsert([d])
        when = datetime(2025, 7, 2, tzinfo=timezone.utc)
        reviewed = store.review(ReviewDecision(d.id, "false", "analyst-1", "Đã có đính chính", when))
        assert reviewed.misinfo.review_status == "false"
        assert store.get(d.id).misinfo.review_status == "false"
        assert store.count(SearchQuery(flagged_only=True, misinfo_statuses=["pending"])) == 0
        log = store.reviews(doc_id=d.id)
        assert [(r.verdict, r.reviewer, r.previous_status) for r in log] == [("false", "analyst-1", "pending")]
        with pytest.raises(ValueError):
            store.review(ReviewDecision(d.id, "maybe", "x", "", when))
        with pytest.raises(KeyError):
            store.review(ReviewDecision("missing", "true", "x", "", when))

    def test_alerts(self, store):
        t = datetime(2025, 7, 3, tzinfo=timezone.utc)
        store.save_alert(AlertRecord("a1", "spike", "spike:bao", t, t, "high", "Tăng đột biến", {"n": 1}))
        store.save_alert(AlertRecord("a1", "spike", "spike:bao", t, t + timedelta(hours=1), "high",
                                     "Tăng đột biến", {"n": 2}))
        store.save_alert(AlertRecord("a2", "keyword", "kw:vo_dap", t, t, "medium", "Từ khóa", {}))
        alerts = store.alerts()
        assert [a.alert_id for a in alerts] == ["a1", "a2"]
        assert alerts[0].payload == {"n": 2}
        assert [a.alert_id for a in store.alerts(dedup_key="kw:vo_dap")] == ["a2"]
        assert store.alerts(since=t + timedelta(minutes=30))[0].alert_id == "a1"

    def test_state(self, store):
        assert store.get_state("source:x", "feed") is None
        store.set_state("source:x", "feed", {"etag": "W/\"1\""})
        store.set_state("source:x", "feed", {"etag": "W/\"2\"", "n": 1})
        assert store.get_state("source:x", "feed") == {"etag": "W/\"2\"", "n": 1}

    def test_forecasts_have_one_row_per_series(self, store):
        everything = forecast_record("*", "*", T0)
        flood = forecast_record("lu-lut", "*", T0, model="poisson")
        place = forecast_record("*", "Văn Bàn", T0, model="seasonal_naive")
        assert store.forecasts() == []
        assert all(store.save_forecast(r) for r in (flood, everything, place))
        assert [r.key for r in store.forecasts()] == ["*|*", "*|Văn Bàn", "lu-lut|*"]
        assert store.forecasts(topic="*", place="*") == [everything]  # every field round-trips
        assert [r.key for r in store.forecasts(place="Văn Bàn")] == ["*|Văn Bàn"]
        assert store.forecasts(topic="khong-co") == []
        # A newer run replaces its series' row and nothing else.
        newer = forecast_record("*", "*", T0 + timedelta(hours=24), volume=30.0)
        assert store.save_forecast(newer)
        assert store.forecasts(topic="*", place="*") == [newer]
        assert store.forecasts(topic="lu-lut")[0] == flood
        # An older run finishing late does not overwrite it.
        assert not store.save_forecast(forecast_record("*", "*", T0 + timedelta(hours=1), volume=1.0))
        assert store.forecasts(topic="*", place="*")[0].points[0].volume == 30.0
        assert [r.key for r in store.forecasts(generated_since=T0 + timedelta(hours=2))] == ["*|*"]

    def test_forecasts_written_in_parallel_are_all_kept(self, store):
        """Two hosts forecasting at once: each series has its own row, so no run loses another's."""
        import threading

        def host(n: int) -> None:
            for i in range(3):
                store.save_forecast(forecast_record(f"chu-de-{n}-{i}", "*", T0 + timedelta(minutes=n)))

        threads = [threading.Thread(target=host, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(store.forecasts()) == 12

    def test_a_document_whose_time_changes_moves_without_duplicating(self, store):
        first = doc(1, title="Lũ quét ở Bát Xát", topics=["lu_lut"])
        store.upsert([first, doc(2), doc(3)])
        moved = Document.from_dict({**first.to_dict(), "published_at": "2025-07-09T00:00:00Z"})
        assert store.upsert([moved]).updated == 1
        assert store.count(SearchQuery()) == 3
        assert store.count(SearchQuery(text="bat xat")) == 1
        assert store.facets(SearchQuery(), ["topics"])["topics"] == [("lu_lut", 1)]
        assert store.search(SearchQuery(), size=1).documents[0].id == first.id

    def test_ties_on_time_are_ordered_by_id_across_pages(self, store):
        same = T0 + timedelta(days=2)
        docs = [doc(i, title=f"Mưa lớn {i}", published_at=same) for i in range(25)]
        store.upsert(docs)
        for query in (SearchQuery(), SearchQuery(text="mua lon")):
            seen, cursor = [], None
            while True:
                page = store.search(query, size=7, cursor=cursor)
                seen += [d.id for d in page.documents]
                cursor = page.next_cursor
                if not cursor:
                    break
            assert seen == sorted((d.id for d in docs), reverse=True), query
