"""Per-row homes in Elasticsearch: near-duplicate fingerprints and run summaries (a mixin of
ElasticStore, which provides ``es``, ``names``, ``_call`` and the small-state methods).

One document per fingerprint (id = document id) and per run (id = run id): writers on several
hosts never overwrite each other's entries. Values kept by older versions in the ``state`` index
(one JSON value for the whole fingerprint index, ``runs/<id>`` and ``runs/latest``) are moved into
these rows the first time either home is used.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Iterable

from ..document import format_ts, parse_ts
from .base import Fingerprint

log = logging.getLogger("mediawatch.store.elastic")

_PAGE = 5000  # below the default index.max_result_window (10,000)


class ElasticRowsMixin:
    _legacy_moved = False

    # --- near-duplicate fingerprints ---------------------------------------------------------------
    def add_fingerprints(self, rows: Iterable[Fingerprint]) -> None:
        from elasticsearch.helpers import bulk

        self._move_legacy_rows()
        index = self.names.small("fingerprints")
        actions = [{"_index": index, "_id": r.doc_id,
                    "_source": {"doc_id": r.doc_id, "fp": f"{r.value & 0xFFFF_FFFF_FFFF_FFFF:016x}",
                                "seen_at": format_ts(r.seen_at)}} for r in rows]
        if actions:
            self._call("add_fingerprints", bulk, self.es, actions, refresh=True)

    def fingerprints(self, *, limit: int = 20_000) -> list[Fingerprint]:
        self._move_legacy_rows()
        out: list[Fingerprint] = []
        after: list[Any] | None = None
        while len(out) < limit:
            kwargs: dict[str, Any] = {"index": self.names.small("fingerprints"), "size": min(_PAGE, limit - len(out)),
                                      "sort": [{"seen_at": "desc"}, {"doc_id": "desc"}], "query": {"match_all": {}}}
            if after is not None:
                kwargs["search_after"] = after
            hits = self._call("fingerprints", self.es.search, **kwargs)["hits"]["hits"]
            out += [Fingerprint(h["_source"]["doc_id"], int(h["_source"]["fp"], 16), parse_ts(h["_source"]["seen_at"]))
                    for h in hits]
            if len(hits) < kwargs["size"]:
                break
            after = hits[-1]["sort"]
        return out

    def trim_fingerprints(self, older_than: datetime) -> int:
        resp = self._call("trim_fingerprints", self.es.delete_by_query, index=self.names.small("fingerprints"),
                          query={"range": {"seen_at": {"lt": format_ts(older_than)}}}, refresh=True,
                          conflicts="proceed")
        return int(resp.get("deleted", 0))

    # --- run summaries -------------------------------------------------------------------------------
    def save_run_summary(self, run_id: str, summary: dict[str, Any]) -> None:
        self._move_legacy_rows()
        self._index_summary(run_id, summary)

    def _index_summary(self, run_id: str, summary: dict[str, Any]) -> None:
        started, finished = summary.get("started_at"), summary.get("finished_at")
        self._call("save_run_summary", self.es.index, index=self.names.small("run-summaries"), id=run_id,
                   document={"run_id": run_id, "started_at": started, "finished_at": finished,
                             "sort_at": finished or started, "value": summary}, refresh=True)

    def run_summaries(self, *, limit: int = 20) -> list[dict[str, Any]]:
        self._move_legacy_rows()
        resp = self._call("run_summaries", self.es.search, index=self.names.small("run-summaries"),
                          query={"match_all": {}}, size=limit,
                          sort=[{"sort_at": {"order": "desc", "missing": "_last"}}, {"run_id": "desc"}])
        return [dict(h["_source"].get("value") or {}) for h in resp["hits"]["hits"]]

    # --- values kept by older versions in the state index ------------------------------------------
    def _move_legacy_rows(self) -> None:
        if self._legacy_moved:
            return
        from elasticsearch.helpers import bulk

        state = self.names.small("state")
        legacy = self.get_state("dedup", "simhash")
        if legacy and legacy.get("entries"):
            index = self.names.small("fingerprints")
            actions = [{"_index": index, "_id": doc_id, "_source": {
                "doc_id": doc_id, "fp": fp_hex, "seen_at": format_ts(parse_ts(seen))}}
                for doc_id, fp_hex, seen in legacy["entries"]]
            self._call("add_fingerprints", bulk, self.es, actions, refresh=True)
            log.info("moved %d near-duplicate fingerprints from the state index into their own rows", len(actions))
        after: list[Any] | None = None
        moved = 0
        while True:
            kwargs: dict[str, Any] = {"index": state, "size": 1000, "sort": [{"key": "asc"}],
                                      "query": {"term": {"namespace": "runs"}}}
            if after is not None:
                kwargs["search_after"] = after
            hits = self._call("run_summaries", self.es.search, **kwargs)["hits"]["hits"]
            actions = []
            for hit in hits:
                value = hit["_source"].get("value") or {}
                run_id = value.get("run_id") or hit["_source"]["key"]
                started, finished = value.get("started_at"), value.get("finished_at")
                actions.append({"_index": self.names.small("run-summaries"), "_id": run_id, "_source": {
                    "run_id": run_id, "started_at": started, "finished_at": finished,
                    "sort_at": finished or started, "value": value}})
            if actions:
                self._call("save_run_summary", bulk, self.es, actions, refresh=True)
                moved += len(actions)
            if len(hits) < 1000:
                break
            after = hits[-1]["sort"]
        if moved:
            log.info("moved %d run summaries from the state index into their own rows", moved)
        self._call("move_legacy_state", self.es.delete_by_query, index=state, refresh=True, conflicts="proceed",
                   query={"bool": {"should": [{"term": {"namespace": "runs"}},
                                              {"bool": {"filter": [{"term": {"namespace": "dedup"}},
                                                                   {"term": {"key": "simhash"}}]}}]}})
        self._legacy_moved = True
