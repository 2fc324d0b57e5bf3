"""A broken configuration stops every command at start: exit 2, the key, where it came from, the fix.

The cases of issue 12 ("invalid config found only at run time") and the typed options of issue 13.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mediawatch.app.cli import app
from mediawatch.config_check import toml_lines
from mediawatch.errors import ConfigError
from mediawatch.flows.orchestration.settings_checks import load_checked
from mediawatch.settings import load_settings

GOOD = '''language = "vi"

[province]
name = "Lào Cai"

[store]
url = "sqlite:///data/mw.db"

[digest]
recipients = ["vanphong@laocai.gov.vn"]
send_at = "07:00"

[[sources]]
id = "bao-lao-cai"
url = "https://baolaocai.vn/rss/thoi-su.rss"

[[topics]]
name = "vo-dap"
label = "Tin đồn vỡ đập"
query = '"vỡ đập" OR "xả lũ"'
'''


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    import os

    for name in list(os.environ):
        if name.upper().startswith("MEDIAWATCH_"):
            monkeypatch.delenv(name)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mediawatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def assert_refused(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "Fix:" in result.output, result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)


def test_the_good_configuration_loads(tmp_path):
    settings = load_checked(write(tmp_path, GOOD))
    assert settings.sources[0].options.fetch_articles is True and settings.digest.send_at == "07:00"


def test_a_time_that_is_not_hh_mm_stops_serve_at_start(tmp_path):
    text = GOOD.replace('send_at = "07:00"', 'send_at = "7h sáng"')
    path = write(tmp_path, text)
    result = cli("-c", str(path), "serve")
    assert_refused(result, f"{path}:{line_of(text, 'send_at')}: digest.send_at", "7h sáng", "HH:MM")
    assert load_settings(write(tmp_path, GOOD.replace('"07:00"', '"7:05"'))).digest.send_at == "07:05"


def test_a_bad_topic_query_stops_run_with_one_short_message(tmp_path):
    text = GOOD.replace('query = \'"vỡ đập" OR "xả lũ"\'', 'query = \'("vỡ đập" OR "xả lũ"\'')
    path = write(tmp_path, text)
    result = cli("-c", str(path), "run")
    assert_refused(result, f"{path}:{line_of(text, 'query =')}: topics.0.query", "AND, OR, NOT")
    assert len(result.output.splitlines()) <= 3


def test_duplicate_ids_and_names_are_refused(tmp_path):
    text = GOOD + '''
[[sources]]
id = "bao-lao-cai"
url = "https://baolaocai.vn/rss/xa-hoi.rss"

[[topics]]
name = "vo-dap"
query = "đập"

[[alerts.rules]]
name = "khan"
type = "keyword"

[[alerts.rules]]
name = "khan"
type = "spike"

[[webhooks]]
name = "nhom-truc"
url = "https://example.vn/a"

[[webhooks]]
name = "nhom-truc"
url = "https://example.vn/b"
'''
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    lines = text.splitlines()
    second = [i for i, line in enumerate(lines, 1) if line == 'id = "bao-lao-cai"'][1]
    assert f"{path}:{second}: sources.1.id: 'bao-lao-cai' is used twice" in message
    assert "topics.1.name" in message and "alerts.rules.1.name" in message and "webhooks.1.name" in message
    assert "(4 problems)" in message


def test_a_bad_variable_is_blamed_on_the_variable_not_a_valid_line(tmp_path, monkeypatch):
    path = write(tmp_path, GOOD)
    monkeypatch.setenv("MEDIAWATCH_DIGEST__SEND_AT", "7h")
    monkeypatch.setenv("MEDIAWATCH_STORE__RETENTION_DAYS", "-3")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert "MEDIAWATCH_DIGEST__SEND_AT (environment variable): digest.send_at" in message
    assert "MEDIAWATCH_STORE__RETENTION_DAYS (environment variable): store.retention_days" in message
    assert f"{path}:" not in message


def test_a_bad_list_in_a_variable_names_the_variable(tmp_path, monkeypatch):
    path = write(tmp_path, GOOD)
    monkeypatch.setenv("MEDIAWATCH_WEBHOOKS", '[{"name": "ops", "url": "https://x.vn/h", "format": "telegram", '
                                              '"token": "t", "options": {"chat": 1}}]')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert "MEDIAWATCH_WEBHOOKS (environment variable): webhooks.0.options.chat" in str(info.value)
    monkeypatch.setenv("MEDIAWATCH_WEBHOOKS", "not json")
    with pytest.raises(ConfigError, match="MEDIAWATCH_"):
        load_settings(path)


def test_recipients_and_urls_are_checked(tmp_path):
    text = GOOD.replace('recipients = ["vanphong@laocai.gov.vn"]',
                        'recipients = ["vanphong@laocai.gov.vn", "lanh dao"]').replace(
        'url = "https://baolaocai.vn/rss/thoi-su.rss"', 'url = "baolaocai.vn/rss"')
    path = write(tmp_path, text)
    result = cli("-c", str(path), "status")
    assert_refused(result, f"{path}:{line_of(text, 'recipients')}: digest.recipients.1", "e-mail",
                   f"{path}:{line_of(text, 'baolaocai.vn/rss')}: sources.0.url", "http(s)")


def test_unknown_option_keys_name_the_line_and_the_keys_the_type_takes(tmp_path):
    text = GOOD.replace('url = "https://baolaocai.vn/rss/thoi-su.rss"',
                        'url = "https://baolaocai.vn/rss/thoi-su.rss"\noptions = { fetch_article = false }') + '''
[[sources]]
id = "trang-so-y-te"
kind = "social"
type = "facebook"
[sources.options]
page = ["soyte.laocai"]

[[alerts.rules]]
name = "khan"
type = "keyword"
[alerts.rules.options]
min_count = 2
'''
    path = write(tmp_path, text)
    result = cli("-c", str(path), "alerts", "list")
    assert_refused(result,
                   f"{path}:{line_of(text, 'fetch_article')}: sources.0.options.fetch_article: unknown key",
                   "min_chars, fetch_articles",
                   f"{path}:{line_of(text, 'page =')}: sources.1.options.page: unknown key",
                   "sources.1.options.pages: Field required",
                   f"{path}:{line_of(text, 'min_count = 2')}: alerts.rules.0.options.min_count",
                   "move min_count out of options")


def test_stage_checks_province_rule_topic_and_register(tmp_path):
    text = GOOD.replace('name = "Lào Cai"', 'name = "Yên Bái"') + '''
[classifiers]
claims_register = "khong-co.csv"

[[alerts.rules]]
name = "dap"
type = "keyword"
topic = "vo_dap"
'''
    path = write(tmp_path, text)
    result = cli("-c", str(path), "search", "lu")
    assert_refused(result, f"{path}:{line_of(text, 'Yên Bái')}: province.name", "part of Lào Cai",
                   f"{path}:{line_of(text, 'topic = ')}: alerts.rules.0.topic", "no topic is named 'vo_dap'",
                   f"{path}:{line_of(text, 'claims_register')}: classifiers.claims_register")


@pytest.mark.parametrize("args", [
    ["run"], ["search", "x"], ["status"], ["export"], ["summary"], ["digest", "--out", "d.html"], ["forecast"],
    ["alerts", "list"], ["alerts", "check"], ["alerts", "outbox"], ["sources", "check", "--no-probe"],
    ["dashboards", "export", "--out", "x.ndjson"], ["triage", "list"], ["classify", "--in", "-", "--out", "-"],
    ["train", "sentiment"], ["eval", "sentiment"], ["serve"],
])
def test_every_command_refuses_a_broken_configuration(tmp_path, args):
    path = write(tmp_path, GOOD.replace('send_at = "07:00"', 'send_at = "25:00"'))
    assert_refused(cli("-c", str(path), *args), "digest.send_at")


def test_keyword_rules_honour_min_count(tmp_path):
    from datetime import timedelta

    from mediawatch.flows.alerts.rules import evaluate
    from mediawatch.store.sqlite import SQLiteStore

    from .test_alert_fixtures import NOW, doc, settings_with

    with SQLiteStore(tmp_path / "mw.db") as store:
        store.upsert([doc(i, NOW - timedelta(minutes=10 + i), topic="vo-dap") for i in range(2)])
        one = settings_with(tmp_path, [{"name": "khan", "type": "keyword"}])
        three = settings_with(tmp_path, [{"name": "khan", "type": "keyword", "min_count": 3}])
        assert one.alerts.rules[0].min_count == 1 and [c.count for c in evaluate(one, store, NOW)[0]] == [2]
        assert evaluate(three, store, NOW)[0] == []
        store.upsert([doc(5, NOW - timedelta(minutes=5), topic="vo-dap")])
        assert [c.count for c in evaluate(three, store, NOW)[0]] == [3]
    spike = settings_with(tmp_path, [{"name": "s", "type": "spike"}]).alerts.rules[0]
    assert spike.min_count == 5


def test_starter_and_demo_configurations_load_checked(tmp_path):
    from mediawatch.app.demo.runner import demo_config
    from mediawatch.app.starter import REGISTER_FILE, register_template, starter_config

    for province in ("Lào Cai", "Hà Nội", "Cần Thơ"):
        (tmp_path / REGISTER_FILE).write_text(register_template(province), encoding="utf-8")  # as `init` does
        settings = load_checked(write(tmp_path, starter_config(province)))
        assert settings.sources and settings.province.name == province
    settings = load_checked(write(tmp_path, demo_config("http://127.0.0.1:8000", "http://127.0.0.1:9000/hook",
                                                        "k" * 43, "s" * 32)))
    assert {r.type: r.min_count for r in settings.alerts.rules} == {"spike": 5, "misinfo": 3, "keyword": 1}
    assert settings.sources[1].options.mapping["id"] == "id"


def test_toml_locator_knows_arrays_of_tables_sub_tables_and_inline_tables():
    text = '''a = 1
[[sources]]
id = "x"
options = { mapping = { id = "post", text = "msg" }, path = "f.jsonl" }

[[sources]]
id = "y"  # comment = "not a key"
[sources.options]
pages = [
  "a",
  "b",
]
desc = """
multi = "line"
"""
[[alerts.rules]]
name = "r"
'''
    lines = toml_lines(text)
    assert lines[("a",)] == 1 and lines[("sources", 0)] == 2 and lines[("sources", 1)] == 6
    assert lines[("sources", 0, "options", "mapping", "text")] == 4
    assert lines[("sources", 1, "options")] == 8 and lines[("sources", 1, "options", "pages", 1)] == 11
    assert ("sources", 1, "options", "multi") not in lines and lines[("sources", 1, "options", "desc")] == 13
    assert lines[("alerts", "rules", 0, "name")] == 17 and ("sources", 1, "comment") not in lines
