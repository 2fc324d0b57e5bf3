"""Social sources through the real ingest cycle (flows/orchestration/ingest.py) into SQLite."""

from __future__ import annotations

from datetime import timedelta

from mediawatch.flows.orchestration.ingest import run_ingest
from mediawatch.settings import SourceSettings
from mediawatch.store import open_store
from mediawatch.store.base import SearchQuery
from tests.social_servers.data import T0
from tests.social_servers.harness import collect, make_settings
from tests.social_servers.mastodon import FakeMastodon
from tests.social_servers.telegram import FakeTelegram


def test_ingest_cycle_records_runs_and_resumes(tmp_path):
    with FakeTelegram({"tinlaocai": 30}) as telegram, FakeMastodon(tagged=20, published=3) as mastodon:
        settings = make_settings(telegram_base=telegram.base)
        settings.sources = [
            SourceSettings(id="tg", name="Tin Lào Cai", kind="social", type="telegram",
                           options={"channels": ["tinlaocai"]}),
            SourceSettings(id="md", name="Mastodon", kind="social", type="mastodon", url=mastodon.base,
                           options={"hashtags": ["laocai"], "accounts": ["baolaocai"]}),
            SourceSettings(id="yt", name="YouTube", kind="social", type="youtube"),  # no key: off
        ]
        with open_store(f"sqlite:///{tmp_path / 'store.db'}") as store:
            first = run_ingest(settings, store)
            by_source = {r.source_id: r for r in first.records}
            assert by_source["tg"].new > 20 and by_source["tg"].errors == {}
            assert by_source["md"].new > 15
            assert by_source["yt"].errors["switched_off"] == 1 and by_source["yt"].fetched == 0
            assert store.count(SearchQuery(platforms=["telegram"])) == by_source["tg"].new
            telegram.add_message("tinlaocai", "Lào Cai: thông báo mới 📢", T0 + timedelta(hours=1))
            second = run_ingest(settings, store)
            again = {r.source_id: r for r in second.records}
            assert again["tg"].new == 1 and again["tg"].fetched == 1
            assert again["md"].fetched == 0


def test_cursor_is_not_trusted_when_the_last_batch_never_reached_the_store(tmp_path):
    with FakeTelegram({"tinlaocai": 30}) as telegram:
        settings = make_settings(telegram_base=telegram.base)
        source = SourceSettings(id="tg", kind="social", type="telegram", options={"channels": ["tinlaocai"]})
        with open_store(f"sqlite:///{tmp_path / 'store.db'}") as store:
            lost = collect(source, settings, store, upsert=False)  # e.g. the store failed mid-run
            assert lost.documents
            again = collect(source, settings, store)
            assert len(again.documents) == len(lost.documents)
            assert collect(source, settings, store).documents == []
