"""Forecasts in their own index, one document per series (a mixin of ElasticStore, which provides
``es``, ``names`` and ``_call``).

The series' document is written with external versioning on ``generated_at`` (``external_gte``):
Elasticsearch itself refuses an older forecast over a newer one, so two hosts forecasting at once
never lose a series and a late old run never wins. The points are also flattened into the
``<prefix>-forecast`` index, one document per day and series, which the Kibana forecast panel charts.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

from ..document import format_ts
from .forecasts import ForecastRecord

log = logging.getLogger("mediawatch.store.elastic")


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


class ElasticForecastsMixin:
    @staticmethod
    def _forecast_id(topic: str, place: str) -> str:
        return hashlib.sha1(f"{topic}\x00{place}".encode("utf-8")).hexdigest()

    def save_forecast(self, record: ForecastRecord) -> bool:
        from elasticsearch import ConflictError

        try:
            self._call("save_forecast", self.es.index, index=self.names.small("forecasts"),
                       id=self._forecast_id(record.topic, record.place), version=_ms(record.generated_at),
                       version_type="external_gte", refresh=True,
                       document={"topic": record.topic, "place": record.place,
                                 "generated_at": format_ts(record.generated_at), "model": record.model,
                                 "body": record.to_dict()})
        except ConflictError:
            log.info("forecast %s: a newer forecast is already stored, this one is dropped", record.key)
            return False
        self._index_forecast_points(record)
        self._drop_state_forecasts()
        return True

    def forecasts(self, *, topic: str | None = None, place: str | None = None,
                  generated_since: datetime | None = None) -> list[ForecastRecord]:
        filters: list[dict[str, Any]] = []
        if topic is not None:
            filters.append({"term": {"topic": topic}})
        if place is not None:
            filters.append({"term": {"place": place}})
        if generated_since is not None:
            filters.append({"range": {"generated_at": {"gte": format_ts(generated_since)}}})
        found: list[ForecastRecord] = []
        after: list[Any] | None = None
        while True:
            kwargs: dict[str, Any] = {"search_after": after} if after else {}
            resp = self._call("forecasts", self.es.search, index=self.names.small("forecasts"),
                              query={"bool": {"filter": filters}}, size=500,
                              sort=[{"topic": "asc"}, {"place": "asc"}], **kwargs)
            hits = resp["hits"]["hits"]
            found.extend(ForecastRecord.from_dict(h["_source"]["body"]) for h in hits)
            if len(hits) < 500:
                return found
            after = hits[-1]["sort"]

    def _index_forecast_points(self, record: ForecastRecord) -> None:
        """One document per day and series for Kibana; this run's points replace the older run's."""
        from elasticsearch.helpers import bulk

        index = self.names.small("forecast")
        key, generated = record.key, format_ts(record.generated_at)
        common = {"key": key, "topic": record.topic, "place": record.place, "generated_at": generated}
        actions = [{"_index": index, "_id": f"{key}|{h.date.isoformat()}|actual", "_source": {
            **common, "series": "actual", "date": h.date.isoformat(), "volume": h.count}} for h in record.history]
        actions += [{"_index": index, "_id": f"{key}|{p.date.isoformat()}|forecast", "_source": {
            **common, "series": "forecast", "date": p.date.isoformat(), "volume": p.volume,
            "volume_lower": p.volume_lower, "volume_upper": p.volume_upper,
            "negative_share": p.negative_share}} for p in record.points]
        if actions:
            self._call("forecast", bulk, self.es, actions, refresh=True)
        self._call("forecast", self.es.delete_by_query, index=index, refresh=True, conflicts="proceed",
                   query={"bool": {"filter": [{"term": {"key": key}},
                                              {"range": {"generated_at": {"lt": generated}}}]}})

    def _drop_state_forecasts(self) -> None:
        """Forecasts used to be whole values in the state index; they are recomputed in the new form,
        so the old entries go (once per process)."""
        if getattr(self, "_state_forecasts_dropped", False):
            return
        self._call("forecast", self.es.delete_by_query, index=self.names.small("state"), refresh=True,
                   conflicts="proceed", query={"term": {"namespace": "forecast"}})
        self._state_forecasts_dropped = True
