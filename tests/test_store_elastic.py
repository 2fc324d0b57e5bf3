"""The Elasticsearch store runs the same contract suite as SQLite, against osmem-server.

osmem's session server comes from its pytest plugin (``osmem_server``); every test gets a fresh
copy-on-write clone of the empty base cluster (``osmem_clone``), so tests never see each other's
indices.
"""

from __future__ import annotations

import pytest

from mediawatch.store.elastic import ElasticStore
from tests.store_contract import StoreContract
from tests.support.osmem import osmem_server  # noqa: F401 (fixture: our session server)


@pytest.fixture
def store(osmem_clone, tmp_path):
    with ElasticStore(osmem_clone.url, spool_path=tmp_path / "spool", index_prefix="contract") as s:
        yield s
        assert s.spool_pending() == 0  # nothing was left behind in the spool


@pytest.fixture
def reopen(tmp_path):
    """Open the same indices again, as the next process would."""
    opened = []

    def again(store):
        opened.append(ElasticStore(store.url, spool_path=tmp_path / "spool", index_prefix=store.names.prefix))
        return opened[-1]

    yield again
    for s in opened:
        s.close()


@pytest.fixture
def second_store(store, osmem_clone, tmp_path):
    """Another client on the same cluster and prefix, as a second host would have."""
    with ElasticStore(osmem_clone.url, spool_path=tmp_path / "spool2", index_prefix="contract") as s:
        yield s


class TestElasticContract(StoreContract):
    pass
