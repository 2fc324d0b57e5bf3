"""The Elasticsearch store: the production backend behind the same interface as SQLite.

Documents live in monthly indices (``<prefix>-docs-YYYY.MM``, by the UTC month of
``published_at``-else-``fetched_at``) created from one index template; the read alias
``<prefix>-docs`` covers them all and the write alias ``<prefix>-docs-write`` points at the newest
month for outside writers. An id always maps to one index: when a re-ingest moves a document to
another month (its publication date became known) the old copy is deleted in the same bulk request.

Writes that the cluster cannot take (unreachable, 429, 5xx) go to a disk spool and are replayed in
order before any newer write; see :mod:`.elastic_spool`. Runs, reviews, alerts and state live in
small indices of their own, as do the desk's claims, audit log, acknowledgements, mutes, accounts and
sessions (:mod:`.elastic_desk`).
"""

from __future__ import annotations

import base64
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Literal

from ..document import REVIEW_STATUSES, Document, Misinfo, format_ts, parse_ts
from ..errors import TemporaryError
from ..faults import crash_point
from .base import TOTAL_CAP, Bucket, Page, ReviewDecision, SearchQuery, Store, UpsertResult, decode_cursor, encode_cursor
from .desk_base import AuditEntry
from .elastic_desk import ElasticDeskMixin
from .elastic_forecasts import ElasticForecastsMixin
from .elastic_mappings import SMALL_INDICES, IndexNames, document_template, ilm_policy
from .elastic_query import (SORT, build_query, facet_aggs, facet_values, histogram_agg,
                            histogram_buckets, month_of)
from .elastic_records import ElasticRecordsMixin
from .elastic_rows import ElasticRowsMixin
from .elastic_spool import DiskSpool

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from ..settings import Settings

log = logging.getLogger("mediawatch.store.elastic")

_DERIVED = ("when", "content_hash")  # fields we add to the indexed document
_TEMPORARY_STATUS = {408, 429, 500, 502, 503, 504}


class ClusterUnavailable(TemporaryError):
    """The cluster could not take a write: ``data`` holds the documents not confirmed, ``partial``
    what the batch did write before it failed."""

    def __init__(self, message: str, *, data: list[Document] | None = None,
                 partial: UpsertResult | None = None, **kwargs: Any):
        super().__init__(message, data=list(data or []), **kwargs)
        self.partial = partial or UpsertResult()


@dataclass
class _Known:
    index: str
    content_hash: str | None


@dataclass
class _BulkOutcome:
    result: UpsertResult = field(default_factory=UpsertResult)
    rejected: list[tuple[Document, str]] = field(default_factory=list)


def _is_temporary(exc: BaseException) -> bool:
    from elastic_transport import ConnectionError as TransportConnectionError
    from elastic_transport import ConnectionTimeout
    from elasticsearch import ApiError

    if isinstance(exc, (TransportConnectionError, ConnectionTimeout)):
        return True
    return isinstance(exc, ApiError) and exc.meta.status in _TEMPORARY_STATUS


def describe_failure(exc: BaseException) -> str:
    """What went wrong talking to the cluster, in a few words (the client's own text runs to lines)."""
    from elastic_transport import ConnectionError as TransportConnectionError
    from elastic_transport import ConnectionTimeout
    from elasticsearch import ApiError

    if isinstance(exc, ConnectionTimeout):
        return "no answer in time (connection timeout)"
    if isinstance(exc, TransportConnectionError):
        text = str(exc)
        for needle, words in (("Connection refused", "connection refused"),
                              ("Name or service not known", "host name not found"),
                              ("nodename nor servname", "host name not found"),
                              ("Temporary failure in name resolution", "host name not found"),
                              ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted"),
                              ("timed out", "connection timed out"),
                              ("Connection reset", "connection reset")):
            if needle in text:
                return words
        return "cannot connect"
    if isinstance(exc, ApiError):
        return f"HTTP {exc.meta.status}"
    return type(exc).__name__


def _indexed(doc: Document) -> dict[str, Any]:
    body = doc.to_dict()
    body["when"] = format_ts(doc.when)
    body["content_hash"] = doc.content_hash()
    return body


def _document(source: dict[str, Any]) -> Document:
    data = {k: v for k, v in source.items() if k not in _DERIVED}
    return Document.from_dict(data)


class ElasticStore(ElasticDeskMixin, ElasticRowsMixin, ElasticRecordsMixin, ElasticForecastsMixin, Store):
    def __init__(self, url: str, *, api_key: str | None = None, username: str | None = None,
                 password: str | None = None, ca_file: str | None = None, index_prefix: str = "mediawatch",
                 retention_days: int = 365, spool_path: str | Path | None = None,
                 refresh: bool | str = True, chunk_size: int = 500, bulk_retries: int = 3,
                 initial_backoff: float = 0.5, request_timeout: float = 30.0, max_retries: int = 2,
                 replay_backoff: float = 5.0,
                 client: "Elasticsearch | None" = None):
        from elasticsearch import Elasticsearch

        from .elastic_node import PlainJsonNode

        self.url = url
        self.names = IndexNames(index_prefix)
        self.retention_days = retention_days
        self.refresh = refresh
        self.chunk_size = chunk_size
        self.bulk_retries = bulk_retries
        self.initial_backoff = initial_backoff
        self.replay_backoff = replay_backoff  # seconds between replay attempts while the cluster is down
        self._retry_at = 0.0
        self.spool = DiskSpool(spool_path or Path("data") / "spool" / "elastic")
        self.spooled = 0  # documents spooled by this instance
        self.replayed = UpsertResult()  # what replays by this instance wrote
        if client is None:
            kwargs: dict[str, Any] = {"node_class": PlainJsonNode, "request_timeout": request_timeout,
                                      "max_retries": max_retries, "retry_on_timeout": True}
            if api_key:
                kwargs["api_key"] = api_key
            elif username:
                # Built here: the client encodes basic auth as ASCII and fails on "bí mật" (RFC 7617: UTF-8).
                token = base64.b64encode(f"{username}:{password or ''}".encode("utf-8")).decode("ascii")
                kwargs["headers"] = {"authorization": f"Basic {token}"}
            if ca_file:
                kwargs["ca_certs"] = ca_file
            client = Elasticsearch(url, **kwargs)
        self.es = client
        self._ready = False
        self._ilm: bool | None = None
        self._months: set[str] = set()

    @classmethod
    def from_settings(cls, settings: "Settings", **overrides: Any) -> "ElasticStore":
        cfg = settings.store
        kwargs: dict[str, Any] = {
            "api_key": cfg.api_key.get_secret_value() if cfg.api_key else None,
            "username": cfg.username,
            "password": cfg.password.get_secret_value() if cfg.password else None,
            "ca_file": str(settings.base_dir() / cfg.ca_file) if cfg.ca_file else None,
            "index_prefix": cfg.index_prefix,
            "retention_days": cfg.retention_days,
            "spool_path": settings.data_path("spool", "elastic"),
        }
        kwargs.update(overrides)
        return cls(settings.store_url(), **kwargs)

    # --- setup ---------------------------------------------------------------------------------
    def supports_ilm(self) -> bool:
        """Whether the cluster has index lifecycle management (OpenSearch and osmem do not)."""
        if self._ilm is None:
            from elasticsearch import ApiError

            try:
                self.es.ilm.get_status()
                self._ilm = True
            except ApiError as exc:
                if _is_temporary(exc):
                    raise
                self._ilm = False
        return self._ilm

    def setup(self) -> None:
        """Create (or update) the ILM policy, index template and small indices. Idempotent."""
        if self._ready:
            return
        try:
            ilm = self.supports_ilm()
            if ilm:
                self.es.ilm.put_lifecycle(name=self.names.policy, policy=ilm_policy(self.retention_days))
            else:
                log.info("cluster at %s has no ILM: retention is enforced by `mediawatch purge` only", self.url)
            self.es.indices.put_index_template(name=self.names.template,
                                               **document_template(self.names, ilm=ilm))
            for name, mappings in SMALL_INDICES.items():
                self._create_index(self.names.small(name), mappings=mappings)
            self._months = self._existing_months()
            # The read alias exists from the start so searches on an empty store answer "nothing".
            self._ensure_months({month_of(datetime.now().astimezone())})
        except Exception as exc:
            if _is_temporary(exc):
                raise ClusterUnavailable(f"Elasticsearch at {self.url} is unreachable ({describe_failure(exc)})",
                                         fix="check store.url and that the cluster is up") from exc
            raise
        self._ready = True

    def _create_index(self, name: str, **body: Any) -> bool:
        from elasticsearch import BadRequestError

        try:
            self.es.indices.create(index=name, **body)
            return True
        except BadRequestError as exc:
            if "already_exists" in str(exc.error):
                return False
            raise

    def _existing_months(self) -> set[str]:
        found = self.es.indices.get_alias(index=self.names.docs_pattern, allow_no_indices=True,
                                          ignore_unavailable=True)
        prefix = self.names.month_index("")
        return {name[len(prefix):] for name in found.body if name.startswith(prefix)}

    def _ensure_months(self, months: set[str]) -> None:
        missing = months - self._months
        if not missing:
            return
        for month in sorted(missing):
            self._create_index(self.names.month_index(month))
            self._months.add(month)
        newest = max(self._months)
        if newest in missing:
            self._point_write_alias(self.names.month_index(newest))

    def _point_write_alias(self, index: str) -> None:
        from elasticsearch import NotFoundError

        alias = self.names.write_alias
        try:
            holders = list(self.es.indices.get_alias(name=alias).body)
        except NotFoundError:
            holders = []
        actions: list[dict[str, Any]] = [{"remove": {"index": h, "alias": alias}} for h in holders if h != index]
        actions.append({"add": {"index": index, "alias": alias, "is_write_index": True}})
        self.es.indices.update_aliases(actions=actions)

    def _call(self, what: str, fn, *args: Any, **kwargs: Any) -> Any:
        """Run a read; an unreachable cluster becomes a TemporaryError naming the fix."""
        try:
            self.setup()
            return fn(*args, **kwargs)
        except ClusterUnavailable:
            raise
        except Exception as exc:
            if _is_temporary(exc):
                raise TemporaryError(f"Elasticsearch at {self.url} is unreachable ({describe_failure(exc)}) "
                                     f"during {what}",
                                     fix="check store.url and that the cluster is up") from exc
            raise

    # --- documents: writes ------------------------------------------------------------------------
    def upsert(self, documents: Iterable[Document]) -> UpsertResult:
        total = UpsertResult()
        batch: dict[str, Document] = {}
        for doc in documents:
            batch[doc.id] = doc  # the last version of an id in one batch wins, as in SQLite
            if len(batch) >= self.chunk_size:
                total += self._upsert_batch(list(batch.values()))
                batch = {}
        if batch:
            total += self._upsert_batch(list(batch.values()))
        return total

    def _upsert_batch(self, batch: list[Document]) -> UpsertResult:
        with self.spool.locked():
            # After a failure, batches go straight to the spool for a while instead of each waiting
            # on a dead cluster (timeouts x retries); then one replay attempt probes it again.
            if self.spool and time.monotonic() >= self._retry_at:
                self._replay_locked()
            if self.spool:  # still down: queue behind what is waiting, to keep the order
                return UpsertResult(spooled=self._spool(batch))
            try:
                result = self._write(batch)
            except ClusterUnavailable as exc:
                spooled = self._spool(exc.data)
                self._retry_at = time.monotonic() + self.replay_backoff
                exc.partial.spooled += spooled
                return exc.partial
            return result

    def _spool(self, documents: list[Document]) -> int:
        count = self.spool.append(documents)
        crash_point("spool.appended")
        self.spooled += count
        log.warning("Elasticsearch at %s unavailable: %d document(s) spooled to %s (replayed when it is back)",
                    self.url, count, self.spool.path)
        return count

    def flush_spool(self) -> UpsertResult:
        """Replay spooled documents now; returns what they wrote. Raises nothing if still down."""
        with self.spool.locked():
            return self._replay_locked()

    def spool_pending(self) -> int:
        return self.spool.pending()

    def _replay_locked(self) -> UpsertResult:
        done = UpsertResult()
        for segment in self.spool.segments():
            docs = self.spool.read(segment)
            try:
                for start in range(0, len(docs), self.chunk_size):
                    done += self._write(docs[start:start + self.chunk_size])
            except ClusterUnavailable as exc:
                log.info("spool replay to %s stopped, still unavailable: %s", self.url, exc.message)
                self._retry_at = time.monotonic() + self.replay_backoff
                break
            crash_point("spool.replayed")
            self.spool.remove(segment)
            log.info("replayed %d spooled document(s) from %s", len(docs), segment.name)
        self.replayed += done
        return done

    def _write(self, batch: list[Document]) -> UpsertResult:
        """Index one batch. Raises ClusterUnavailable carrying the documents not confirmed."""
        try:
            self.setup()
            known = self._known(list({d.id for d in batch}))
        except Exception as exc:
            if isinstance(exc, ClusterUnavailable) or _is_temporary(exc):
                raise ClusterUnavailable(f"Elasticsearch at {self.url} unavailable: {exc}", data=batch) from exc
            raise
        # Plan per id, in order: what each version counts as, and the one index action to send.
        plan: dict[str, tuple[Document, list[str], str | None]] = {}  # id -> (doc, kinds, old index)
        unchanged = 0
        for doc in batch:
            digest = doc.content_hash()
            prev = known.get(doc.id)
            if prev is not None and prev.content_hash == digest:
                unchanged += 1
                continue
            target = self.names.month_index(month_of(doc.when))
            kinds = plan[doc.id][1] if doc.id in plan else []
            kinds.append("updated" if prev is not None else "inserted")
            stale = plan[doc.id][2] if doc.id in plan else (prev.index if prev and prev.index != target else None)
            plan[doc.id] = (doc, kinds, stale if stale != target else None)
            known[doc.id] = _Known(target, digest)
        if not plan:
            return UpsertResult(unchanged=unchanged)
        actions: list[dict[str, Any]] = []
        for doc_id, (doc, _, stale) in plan.items():
            if stale:
                actions.append({"_op_type": "delete", "_index": stale, "_id": doc_id})
            actions.append({"_op_type": "index", "_index": known[doc_id].index, "_id": doc_id,
                            "_source": _indexed(doc)})
        outcome = _BulkOutcome(UpsertResult(unchanged=unchanged))
        settled: set[str] = set()
        try:
            self._ensure_months({a["_index"][len(self.names.month_index("")):] for a in actions
                                 if a["_op_type"] == "index"})
            self._bulk(actions, plan, outcome, settled)
        except Exception as exc:
            if not _is_temporary(exc):
                raise
            left = [doc for doc_id, (doc, _, _) in plan.items() if doc_id not in settled]
            raise ClusterUnavailable(f"Elasticsearch at {self.url} failed mid-batch: {exc}", data=left,
                                     partial=outcome.result) from exc
        if outcome.rejected:
            where = self.spool.dead_letter(outcome.rejected)
            log.error("Elasticsearch refused %d document(s) for good (first: %s); kept in %s",
                      len(outcome.rejected), outcome.rejected[0][1], where)
        temporary = [doc for doc_id, (doc, _, _) in plan.items() if doc_id not in settled]
        if temporary:
            raise ClusterUnavailable(f"Elasticsearch at {self.url} rejected {len(temporary)} document(s) "
                                     "after retries", data=temporary, partial=outcome.result)
        return outcome.result

    def _bulk(self, actions: list[dict[str, Any]], plan: dict[str, tuple[Document, list[str], str | None]],
              outcome: _BulkOutcome, settled: set[str]) -> None:
        from elasticsearch.helpers import streaming_bulk

        # streaming_bulk retries 429s with backoff; results come back out of order after a retry,
        # so they are matched by id (one index action per id per call).
        results = streaming_bulk(self.es, actions, chunk_size=self.chunk_size, max_retries=self.bulk_retries,
                                 initial_backoff=self.initial_backoff, max_backoff=30,
                                 raise_on_error=False, raise_on_exception=True, yield_ok=True,
                                 refresh=self.refresh)
        for ok, item in results:
            op, info = next(iter(item.items()))
            if op == "delete":
                continue  # a missing old copy (404) is as good as deleted
            doc_id = info["_id"]
            doc, kinds, _ = plan[doc_id]
            if ok:
                settled.add(doc_id)
                for kind in kinds:
                    setattr(outcome.result, kind, getattr(outcome.result, kind) + 1)
            elif info.get("status") not in _TEMPORARY_STATUS:
                outcome.rejected.append((doc, str(info.get("error"))))
                settled.add(doc_id)  # dead-lettered, not retried

    def _known(self, ids: list[str]) -> dict[str, _Known]:
        if not ids:
            return {}
        resp = self.es.search(index=self.names.read_alias, query={"ids": {"values": ids}},
                              size=len(ids) * 2, source=["content_hash"])
        found: dict[str, _Known] = {}
        for hit in resp["hits"]["hits"]:
            found[hit["_id"]] = _Known(hit["_index"], (hit.get("_source") or {}).get("content_hash"))
        return found

    def refresh_indices(self) -> None:
        """Make recent writes searchable (for bulk loads with ``refresh=False``)."""
        self._call("refresh", self.es.indices.refresh, index=self.names.read_alias)

    # --- documents: reads ---------------------------------------------------------------------
    def _hit(self, doc_id: str) -> dict[str, Any] | None:
        resp = self._call("get", self.es.search, index=self.names.read_alias,
                          query={"ids": {"values": [doc_id]}}, size=1)
        hits = resp["hits"]["hits"]
        return hits[0] if hits else None

    def get(self, doc_id: str) -> Document | None:
        hit = self._hit(doc_id)
        return _document(hit["_source"]) if hit else None

    def search(self, query: SearchQuery, *, size: int = 20, cursor: str | None = None) -> Page:
        kwargs: dict[str, Any] = {"index": self.names.read_alias, "query": build_query(query), "sort": SORT,
                                  "size": size + 1, "track_total_hits": TOTAL_CAP}
        if cursor:
            when_ms, doc_id = decode_cursor(cursor)
            kwargs["search_after"] = [when_ms, doc_id]
        resp = self._call("search", self.es.search, **kwargs)
        hits = resp["hits"]["hits"]
        more = len(hits) > size
        hits = hits[:size]
        next_cursor = None
        if more and hits:
            when_ms, doc_id = hits[-1]["sort"]
            next_cursor = encode_cursor(int(when_ms), str(doc_id))
        total = resp["hits"]["total"]
        return Page(documents=[_document(h["_source"]) for h in hits], total=min(int(total["value"]), TOTAL_CAP),
                    next_cursor=next_cursor, total_exact=total.get("relation", "eq") == "eq")

    def count(self, query: SearchQuery) -> int:
        resp = self._call("count", self.es.count, index=self.names.read_alias, query=build_query(query))
        return int(resp["count"])

    def facets(self, query: SearchQuery, fields: Iterable[str], *, size: int = 10
               ) -> dict[str, list[tuple[str, int]]]:
        names = list(fields)
        if not names:
            return {}
        resp = self._call("facets", self.es.search, index=self.names.read_alias, query=build_query(query),
                          size=0, aggs=facet_aggs(names, size))
        return facet_values(resp.get("aggregations", {}), names)

    def histogram(self, query: SearchQuery, *, interval: Literal["hour", "day"] = "day",
                  tz: str = "Asia/Ho_Chi_Minh") -> list[Bucket]:
        aggs = histogram_agg(interval, tz)
        resp = self._call("histogram", self.es.search, index=self.names.read_alias, query=build_query(query),
                          size=0, aggs=aggs)
        return histogram_buckets(resp.get("aggregations", {}), interval, tz)

    def iter_documents(self, query: SearchQuery | None = None, *, batch_size: int = 1000
                       ) -> Iterator[Document]:
        after: list[Any] | None = None
        body = build_query(query)
        while True:
            kwargs: dict[str, Any] = {"index": self.names.read_alias, "query": body, "sort": SORT,
                                      "size": batch_size}
            if after is not None:
                kwargs["search_after"] = after
            hits = self._call("iterate", self.es.search, **kwargs)["hits"]["hits"]
            for hit in hits:
                yield _document(hit["_source"])
            if len(hits) < batch_size:
                return
            after = hits[-1]["sort"]

    def purge(self, older_than: datetime) -> int:
        resp = self._call("purge", self.es.delete_by_query, index=self.names.read_alias,
                          query={"range": {"when": {"lt": format_ts(older_than)}}}, refresh=True,
                          conflicts="proceed")
        return int(resp.get("deleted", 0))

    # --- misinformation review -----------------------------------------------------------------
    def review(self, decision: ReviewDecision) -> Document:
        if decision.verdict not in REVIEW_STATUSES or decision.verdict == "pending":
            raise ValueError(f"verdict {decision.verdict!r} is not one of "
                             f"{', '.join(s for s in REVIEW_STATUSES if s != 'pending')}")
        hit = self._hit(decision.doc_id)
        if hit is None:
            raise KeyError(f"no document with id {decision.doc_id!r}")
        doc = _document(hit["_source"])
        previous = doc.misinfo.review_status if doc.misinfo else None
        if doc.misinfo is None:  # a reviewer may judge a post the model did not flag
            doc.misinfo = Misinfo(score=0.0)
        doc.misinfo.review_status = decision.verdict
        self._call("review", self.es.index, index=hit["_index"], id=doc.id, document=_indexed(doc),
                   refresh=True)
        record = ReviewDecision(doc_id=decision.doc_id, verdict=decision.verdict, reviewer=decision.reviewer,
                                note=decision.note, decided_at=decision.decided_at, previous_status=previous)
        self._call("review", self.es.index, index=self.names.small("reviews"),
                   document={"doc_id": record.doc_id, "verdict": record.verdict, "reviewer": record.reviewer,
                             "note": record.note, "decided_at": format_ts(record.decided_at),
                             "previous_status": previous, "seq": time.time_ns()}, refresh=True)
        self.audit(AuditEntry(at=decision.decided_at, actor=decision.reviewer, action="review",
                              target=f"doc:{decision.doc_id}", summary=decision.note, before={"status": previous},
                              after={"status": decision.verdict}))
        decision.previous_status = previous
        return doc

    def reviews(self, *, doc_id: str | None = None, limit: int = 1000) -> list[ReviewDecision]:
        query = {"term": {"doc_id": doc_id}} if doc_id else {"match_all": {}}
        resp = self._call("reviews", self.es.search, index=self.names.small("reviews"), query=query,
                          size=limit, sort=[{"decided_at": "desc"}, {"seq": "desc"}])
        return [ReviewDecision(doc_id=s["doc_id"], verdict=s["verdict"], reviewer=s["reviewer"], note=s["note"],
                               decided_at=parse_ts(s["decided_at"]), previous_status=s.get("previous_status"))
                for s in (h["_source"] for h in resp["hits"]["hits"])]

    # --- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        self.es.close()
