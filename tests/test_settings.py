from __future__ import annotations

import pytest

from mediawatch.errors import ConfigError
from mediawatch.settings import load_settings


def write(tmp_path, text: str):
    path = tmp_path / "mediawatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MEDIAWATCH_CONFIG", raising=False)
    settings = load_settings()
    assert settings.language == "vi"
    assert settings.store.url.startswith("sqlite:///")
    assert settings.store_url() == f"sqlite:///{tmp_path}/data/mediawatch.db"


def test_missing_explicit_file_names_the_fix(tmp_path):
    with pytest.raises(ConfigError, match="mediawatch init"):
        load_settings(tmp_path / "nope.toml")


def test_bad_value_names_key_file_line_and_fix(tmp_path):
    path = write(tmp_path, '[province]\nname = "Lào Cai"\n\n[store]\nurl = "mysql://x"\nretention_days = 30\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert f"{path}:5" in message and "store.url" in message and "sqlite:///" in message and "Fix:" in message


def test_unknown_key_in_array_of_tables(tmp_path):
    path = write(tmp_path, '[[sources]]\nid = "a"\nurl = "http://x/rss"\nurll = "typo"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert "sources.0.urll" in str(info.value) and ":4" in str(info.value)
    assert "spelling" in str(info.value)


def test_toml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, 'language = "vi"\n[store\nurl = 1\n')
    with pytest.raises(ConfigError, match="line 2"):
        load_settings(path)


def test_environment_overrides_file_and_secrets_do_not_print(tmp_path, monkeypatch):
    path = write(tmp_path, '[smtp]\nhost = "smtp.example.vn"\npassword = "file-secret"\n')
    monkeypatch.setenv("MEDIAWATCH_SMTP__PASSWORD", "env-secret-123")
    monkeypatch.setenv("MEDIAWATCH_LANGUAGE", "en")
    settings = load_settings(path)
    assert settings.language == "en"
    assert settings.smtp.password.get_secret_value() == "env-secret-123"
    assert settings.smtp.host == "smtp.example.vn"
    dumped = repr(settings) + str(settings) + settings.model_dump_json()
    assert "env-secret-123" not in dumped and "file-secret" not in dumped


def test_unknown_timezone_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="IANA"):
        load_settings(write(tmp_path, 'timezone = "Hanoi"\n'))
