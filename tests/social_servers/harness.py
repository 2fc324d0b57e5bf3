"""Running a collector the way flows/ingest does, for tests and the benchmark."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from mediawatch.crawlers.base import CollectContext, SourceReport
from mediawatch.crawlers.registry import collector_for
from mediawatch.document import Document
from mediawatch.settings import Settings, SourceSettings
from mediawatch.store.base import Store

KEY = "test-pseudonymisation-key-0123456789"


def make_settings(tmp_path=None, **social: Any) -> Settings:
    values: dict[str, Any] = {"privacy": {"pseudonymisation_key": KEY},
                              "social": {"max_retry_wait_s": 2.0, "max_retries": 2, **social},
                              "crawl": {"timeout_s": 5.0}}
    if tmp_path is not None:
        values["data_dir"] = str(tmp_path)
    return Settings(**values)


@dataclass
class Outcome:
    documents: list[Document]
    report: SourceReport
    sleeps: list[float] = field(default_factory=list)

    def by_type(self, kind: str) -> list[Document]:
        return [d for d in self.documents if d.extra.get("type") == kind]


def collect(source: SourceSettings, settings: Settings, store: Store, *,
            sleep: Callable[[float], None] | None = None, upsert: bool = True) -> Outcome:
    """Collect one source fully; documents are upserted like an ingest run does."""
    report = SourceReport(source_id=source.id)
    sleeps: list[float] = []
    extras: dict[str, Any] = {}
    if sleep is not None:
        def recording(seconds: float) -> None:
            sleeps.append(seconds)
            sleep(seconds)

        extras["sleep"] = recording
    ctx = CollectContext(settings=settings, store=store, report=report, extras=extras)
    documents = list(collector_for(source)(source, ctx))
    if upsert and documents:
        store.upsert(documents)
    return Outcome(documents, report, sleeps)


def leaked(raw_strings: list[str], *, store_files: list = (), logs: str = "",
           documents: list[Document] = ()) -> list[str]:
    """Which raw author identifiers appear in the store's files, the logs or the exported JSON."""
    blobs: list[bytes] = [logs.encode("utf-8")]
    for path in store_files:
        if path.exists():
            blobs.append(path.read_bytes())
    blobs.extend(doc.to_json().encode("utf-8") for doc in documents)
    found = []
    for raw in raw_strings:
        needle = raw.encode("utf-8")
        # JSON may escape non-ASCII; to_json uses ensure_ascii=False, but check both spellings.
        escaped = raw.encode("ascii", "backslashreplace").decode("ascii").encode()
        if any(needle in blob or escaped in blob for blob in blobs):
            found.append(raw)
    return found
