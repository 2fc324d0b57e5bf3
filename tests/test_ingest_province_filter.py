"""The province filter keeps what the classifiers judged about the province, and everything from the
province's own media (local sources), which often name no place at all."""

from __future__ import annotations

import json

from mediawatch.flows.orchestration.ingest import run_ingest
from mediawatch.settings import Settings, SourceSettings
from mediawatch.store import SearchQuery
from mediawatch.store.sqlite import SQLiteStore


def _not_about_province(batch):
    # Stands in for the classifiers' judgement: none of these posts names the province.
    for doc in batch:
        doc.extra["about_province"] = False
    return batch


def test_local_sources_bypass_the_province_filter(tmp_path):
    export = tmp_path / "posts.jsonl"
    export.write_text("\n".join(json.dumps({"id": str(i), "text": f"Nước lên nhanh ở bản, bà con cẩn thận {i}",
                                            "url": f"https://example.vn/p/{i}", "author": "Nguyễn Văn A",
                                            "published_at": "2025-07-01T03:00:00Z"}, ensure_ascii=False)
                                 for i in range(5)), encoding="utf-8")
    options = {"path": str(export), "format": "jsonl", "platform": "export",
               "mapping": {"id": "id", "text": "text", "url": "url", "author": "author",
                           "published_at": "published_at"}}
    settings = Settings(privacy={"pseudonymisation_key": "k"}, sources=[
        SourceSettings(id="national", kind="social", type="file", options={**options, "platform": "a"}),
        SourceSettings(id="own-page", kind="social", type="file", local=True, options={**options, "platform": "b"}),
    ])
    with SQLiteStore(tmp_path / "s.db") as store:
        run_ingest(settings, store, enrich=_not_about_province)
        counts = dict(store.facets(SearchQuery(), ["source_id"])["source_id"])
    assert counts == {"own-page": 5}
