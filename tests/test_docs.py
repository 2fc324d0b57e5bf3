"""The configuration reference is generated from the Settings object and must match it."""

from __future__ import annotations

from pathlib import Path

from mediawatch.app.docs_gen import render_configuration, type_name
from mediawatch.settings import Settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_committed_configuration_reference_is_current():
    assert DOC.read_text(encoding="utf-8") == render_configuration(), (
        "docs/configuration.md is out of date: run `.venv/bin/python -m mediawatch.app.docs_gen > docs/configuration.md`")


def _keys(model, prefix=""):
    from pydantic import BaseModel

    from mediawatch.app.docs_gen import _strip_optional

    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        annotation, _ = _strip_optional(field.annotation)
        args = getattr(annotation, "__args__", ())
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _keys(annotation, f"{prefix}{name}.")
        elif args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            yield f"{prefix}{name}"
            yield from _keys(args[0], f"{prefix}{name}[].")
        else:
            yield f"{prefix}{name}"


def test_every_setting_and_its_environment_variable_is_listed():
    text = render_configuration()
    keys = list(_keys(Settings))
    assert len(keys) > 60
    for key in keys:
        section, _, name = key.rpartition(".")
        assert f"| `{name}` |" in text, key
        if "[]" not in key:
            env = "MEDIAWATCH_" + key.upper().replace(".", "__")
            assert f"`{env}`" in text, env
    assert "## `[[alerts.rules]]`" in text and "## `[smtp]`" in text
    assert "`MEDIAWATCH_SMTP__PASSWORD` |" in text and "secret string (optional)" in text


def test_type_names():
    from typing import Literal

    assert type_name(Literal["a", "b"]) == '"a" | "b"'
    assert type_name(list[str] | None) == "list of string (optional)"


def test_docker_compose_targets_our_versions():
    import yaml

    compose = yaml.safe_load((DOC.parents[1] / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert services["prefect"]["image"] == "prefecthq/prefect:3.8.8-python3.11"
    for name in ("elasticsearch", "kibana"):
        assert ":${STACK_VERSION:-8." in services[name]["image"]
    # Nothing listens beyond this host without a proxy in front.
    for service in services.values():
        assert all(str(p).startswith("127.0.0.1:") for p in service.get("ports", []))


def test_every_option_of_every_type_is_listed():
    """The options tables (sources, alert rules, webhooks) are part of the reference too."""
    from mediawatch.options import RULE_OPTIONS, SOURCE_OPTIONS, WEBHOOK_OPTIONS

    text = render_configuration()
    count = 0
    for title, by, models in (("[[sources]]", "type", SOURCE_OPTIONS), ("[[alerts.rules]]", "type", RULE_OPTIONS),
                              ("[[webhooks]]", "format", WEBHOOK_OPTIONS)):
        section = text.split(f"## `{title}` options by {by}", 1)[1].split("\n## ", 1)[0]
        for value, model in models.items():
            block = section.split(f'### `{by} = "{value}"`', 1)[1].split("\n### ", 1)[0]
            for name, field in model.model_fields.items():
                assert f"| `{name}` |" in block, f"{title} {value}: {name}"
                assert field.description, f"{title} {value}: {name} has no description"
                count += 1
    assert count >= 32  # the keys that used to hide in untyped option tables
