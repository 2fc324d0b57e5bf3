"""Every error the stages raise is a MediawatchError of the right kind, and still what callers caught."""

from __future__ import annotations

import sqlite3

import pytest

from mediawatch.errors import BadInputError, ConfigError, ErrorKind, MediawatchError, PermanentError


def test_topic_query_error_is_bad_input_and_still_a_value_error():
    from mediawatch.classifiers.topics import TopicQueryError, parse_query

    with pytest.raises(TopicQueryError) as info:
        parse_query("(lũ OR", "lu")
    exc = info.value
    assert isinstance(exc, BadInputError) and isinstance(exc, ValueError) and exc.kind == ErrorKind.BAD_INPUT
    assert "topic 'lu'" in str(exc) and "\nFix: use AND, OR" in str(exc)


def test_schema_too_new_is_permanent_and_says_how_to_fix(tmp_path):
    from mediawatch.store.sqlite_schema import SCHEMA_VERSION, SchemaTooNewError, migrate

    conn = sqlite3.connect(tmp_path / "x.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaTooNewError) as info:
        migrate(conn)
    conn.close()
    assert isinstance(info.value, PermanentError) and isinstance(info.value, RuntimeError)
    assert "Fix: install" in str(info.value)


def test_permanent_delivery_and_extraction_errors():
    from mediawatch.crawlers.extract import ExtractionError, extract_article
    from mediawatch.flows.delivery.webhooks import PermanentDeliveryError

    assert issubclass(PermanentDeliveryError, PermanentError)
    assert PermanentDeliveryError("HTTP 403").kind == ErrorKind.PERMANENT
    with pytest.raises(ExtractionError) as info:
        extract_article("<html><body><p>ngắn</p></body></html>", "https://example.vn/a")
    assert isinstance(info.value, BadInputError) and isinstance(info.value, ValueError)
    assert info.value.url == "https://example.vn/a" and "https://example.vn/a" in str(info.value)


def test_open_store_refuses_an_unknown_url_as_a_config_error():
    from mediawatch.store import UnsupportedStoreURL, open_store

    with pytest.raises(ValueError) as info:  # what callers caught before
        open_store("mysql://db/x")
    assert isinstance(info.value, ConfigError) and isinstance(info.value, MediawatchError)
    assert isinstance(info.value, UnsupportedStoreURL) and "sqlite:///PATH" in str(info.value)
