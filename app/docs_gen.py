"""Generate docs/configuration.md from the Settings object, so the reference never drifts.

``python -m mediawatch.app.docs_gen > docs/configuration.md`` rewrites it; a test checks that the
committed file equals :func:`render_configuration`'s output. Descriptions come from the fields'
``description``; the few fields without one get theirs from :data:`EXTRA_DESCRIPTIONS`.
"""

from __future__ import annotations

import json
import sys
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MinLen
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

ENV_PREFIX = "MEDIAWATCH_"

# Fields the settings module leaves undocumented, keyed by dotted path ("[]" marks list items).
EXTRA_DESCRIPTIONS: dict[str, str] = {
    "sources": "Where documents come from, one [[sources]] table each (see below).",
    "topics": "Topics as boolean queries, one [[topics]] table each; merged with the default crisis topics.",
    "webhooks": "Where alerts are delivered, one [[webhooks]] table each.",
    "language": "Language of everything people read (digest, alerts, dashboards, CLI).",
    "timezone": "IANA time zone of dates shown to people and of daily buckets.",
    "sources[].kind": "press (newspapers, portals), social (platform posts) or web (other sites).",
    "sources[].type": "The collector that reads it.",
    "sources[].enabled": "Disabled sources are kept in the file but not collected.",
    "crawl.user_agent": "User-Agent of every request; {contact_url} is replaced by crawl.contact_url.",
    "crawl.contact_url": "Where site owners can reach the operator (part of the User-Agent).",
    "crawl.timeout_s": "Seconds before a request is abandoned (counted as a temporary error).",
    "crawl.per_host_delay_s": "Pause between two requests to the same host.",
    "crawl.concurrency_per_host": "Requests in flight at once per host.",
    "crawl.obey_robots": "Honour robots.txt (keep true for sites you do not own).",
    "topics[].name": "Identifier used in filters, alerts and dashboards.",
    "topics[].label": "Name shown to people.",
    "topics[].urgent": "Keyword alerts fire on every new matching document.",
    "alerts.enabled": "Evaluate alert rules after each ingest.",
    "alerts.rules": "Alert rules; see docs/alerts.md.",
    "alerts.dashboard_url": "Base URL of the dashboards, used for links in alert messages.",
    "alerts.rules[].name": "Name shown in alerts.",
    "alerts.rules[].type": "spike (volume), negativity (negative share), misinfo (a claim spreading), "
                           "silent_source (a source stopped publishing) or keyword (urgent topics).",
    "alerts.rules[].topic": "Only documents of this topic.",
    "alerts.rules[].place": "Only documents about this place.",
    "alerts.rules[].source_kind": "Only press, social or web documents.",
    "alerts.rules[].min_count": "Never fire below this many documents in the window.",
    "alerts.rules[].cooldown_minutes": "After firing, updates within this time go to the same alert.",
    "webhooks[].name": "Name used in logs and the outbox.",
    "webhooks[].url": "Where alerts are POSTed.",
    "webhooks[].format": "Body format: generic JSON or the chat platform's own.",
    "webhooks[].timeout_s": "Seconds before a delivery attempt is abandoned and retried later.",
    "smtp.port": "587 for STARTTLS, 465 for SSL, 25 for none.",
    "smtp.username": "SMTP login; no username, no authentication.",
    "smtp.password": "SMTP password (use MEDIAWATCH_SMTP__PASSWORD).",
    "smtp.security": "starttls (upgrade after connecting), ssl (TLS from the start) or none.",
    "smtp.sender": "From address of the digest.",
    "smtp.timeout_s": "Seconds before an SMTP attempt is abandoned (then retried, then kept in the outbox).",
    "digest.recipients": "E-mail addresses of the daily digest.",
    "social.facebook_access_token": "Graph API token (page access) for facebook sources.",
    "social.youtube_api_key": "YouTube Data API v3 key for youtube sources.",
    "social.bluesky_handle": "Bluesky handle for authenticated reads (optional).",
    "social.bluesky_app_password": "Bluesky app password (never the account password).",
    "social.facebook_api_base": "Graph API base URL (tests point it at a local server).",
    "social.youtube_api_base": "YouTube API base URL (tests point it at a local server).",
    "social.telegram_base": "Public Telegram channel preview base URL.",
    "social.bluesky_api_base": "Bluesky AppView base URL.",
    "classifiers.misinfo_flag_threshold": "Misinformation score at or above which a document enters the "
                                          "review queue. Unset: the operating point stored with the model "
                                          "(chosen for 0.8 reviewer precision; `mediawatch eval misinfo`).",
    "classifiers.claim_link_threshold": "Similarity at which a document is linked to a registered claim.",
    "classifiers.claim_suggest_threshold": "Similarity at which a registered claim is suggested to reviewers.",
    "flows.ingest_every_minutes": "Minutes between scheduled ingest runs.",
    "flows.forecast_at": "Local time (HH:MM) of the nightly forecast.",
    "flows.retrain_weekday": "Day of the weekly model retraining (0 = Monday).",
    "flows.task_runner": "Prefect task runner: thread (one machine) or dask (a cluster).",
    "flows.dask_address": "Address of the Dask scheduler when task_runner = dask.",
}


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) < len(get_args(annotation)):
            return (args[0] if len(args) == 1 else Union[tuple(args)]), True
    return annotation, False


def type_name(annotation: Any) -> str:
    inner, optional = _strip_optional(annotation)
    origin = get_origin(inner)
    if origin is Annotated:  # a checked value: name what is checked where we know it
        base, *checks = get_args(inner)
        names = {getattr(getattr(c, "func", None), "__name__", "") for c in checks}
        text = "e-mail address" if "check_email" in names else type_name(base)
    elif origin is Literal:
        text = " | ".join(json.dumps(v, ensure_ascii=False) for v in get_args(inner))
    elif origin is list:
        (item,) = get_args(inner) or (Any,)
        text = "list of tables" if _is_model(item) else f"list of {type_name(item)}"
    elif origin is dict:
        text = "table"
    elif inner is SecretStr:
        text = "secret string"
    elif inner in (str, int, float, bool):
        text = {str: "string", int: "integer", float: "number", bool: "boolean"}[inner]
    elif _is_model(inner):
        text = "table"
    elif origin in (Union, types.UnionType):
        text = " or ".join(type_name(arg) for arg in get_args(inner))
    else:
        text = getattr(inner, "__name__", str(inner))
    return f"{text} (optional)" if optional else text


def _constraints(field: FieldInfo) -> str:
    parts = []
    for item in field.metadata:
        for cls, symbol, attr in ((Ge, "≥", "ge"), (Gt, ">", "gt"), (Le, "≤", "le"), (Lt, "<", "lt")):
            if isinstance(item, cls):
                parts.append(f"{symbol} {getattr(item, attr)}")
        if isinstance(item, MinLen) and item.min_length == 1:
            parts.append("not empty")
    return ", ".join(parts)


def default_text(field: FieldInfo) -> str:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if "doc_default" in extra:
        return str(extra["doc_default"])
    if field.default is PydanticUndefined and field.default_factory is None:
        return "required"
    value = field.default_factory() if field.default_factory is not None else field.default
    if value is None:
        return "none"
    if isinstance(value, BaseModel):
        return "see below"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "`" + json.dumps(value, ensure_ascii=False) + "`"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


Section = tuple[str, list[str], type, bool]  # (dotted key with [] for list items, env path, model, in a list)


def _typed_options() -> dict[type, tuple[str, dict[str, type[BaseModel]]]]:
    """Entries whose ``options`` depend on a field: the model -> (that field, models by its value)."""
    from mediawatch.options import RULE_OPTIONS, SOURCE_OPTIONS, WEBHOOK_OPTIONS
    from mediawatch.settings import AlertRuleSettings, SourceSettings, WebhookSettings

    return {SourceSettings: ("type", SOURCE_OPTIONS), AlertRuleSettings: ("type", RULE_OPTIONS),
            WebhookSettings: ("format", WEBHOOK_OPTIONS)}


def _option_rows(model: type[BaseModel]) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        kind = type_name(field.annotation)
        limits = _constraints(field)
        if limits:
            kind += f", {limits}"
        rows.append(f"| `{name}` | {_escape(kind)} | {_escape(default_text(field))} | "
                    f"{_escape(field.description or '')} |")
    return rows


def render_options(dotted: str, by: str, models: dict[str, type[BaseModel]]) -> list[str]:
    """The options each value of ``by`` takes, one table per value."""
    title = f"[[{dotted[:-2]}]]" if dotted.endswith("[]") else f"[{dotted}]"
    table = dotted[:-2] if dotted.endswith("[]") else dotted
    out = [f"## `{title}` options by {by}\n",
           f"`options` is a table, written `options = {{ key = value }}` or as an `[{table}.options]` table "
           f"after the entry's keys. Which keys it takes depends on the entry's `{by}`; any other key is an "
           "error at load that names the file, the line and the keys that type takes.\n"]
    for value, model in models.items():
        out.append(f"### `{by} = \"{value}\"`\n")
        rows = _option_rows(model)
        if rows:
            out.append("| option | type | default | description |\n|---|---|---|---|")
            out.extend(rows)
        else:
            out.append("No options.")
        out.append("")
    return out


def _rows(model: type[BaseModel], dotted: str, env_path: list[str], in_list: bool,
          sections: list[Section]) -> list[str]:
    rows = []
    typed = _typed_options().get(model)
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        annotation, _ = _strip_optional(field.annotation)
        key = f"{dotted}.{name}" if dotted else name
        description = field.description or EXTRA_DESCRIPTIONS.get(key, "")
        if typed and name == "options":
            rows.append(f"| `{name}` | table, by {typed[0]} | `{{}}` | – | {_escape(description)} |")
            continue
        item = get_args(annotation)[0] if get_origin(annotation) is list and get_args(annotation) else None
        if _is_model(annotation):
            sections.append((key, env_path + [name], annotation, in_list))
            continue
        if _is_model(item):
            sections.append((key + "[]", env_path + [name], item, True))
        env = "–" if in_list else f"`{ENV_PREFIX}{'__'.join(p.upper() for p in env_path + [name])}`"
        kind = type_name(field.annotation)
        limits = _constraints(field)
        if limits:
            kind += f", {limits}"
        rows.append(f"| `{name}` | {_escape(kind)} | {_escape(default_text(field))} | {env} | {_escape(description)} |")
    return rows


HEADER = """# Configuration reference

<!-- Generated by `python -m mediawatch.app.docs_gen > docs/configuration.md` from mediawatch/settings.py.
     Do not edit by hand: tests/test_docs.py fails when this file and the settings differ. -->

mediawatch reads `mediawatch.toml` (or the file given with `--config` / `MEDIAWATCH_CONFIG`), then the
environment. **Environment variables win over the file.** Each key has a variable named
`MEDIAWATCH_` + its path in upper case with `__` between levels, e.g. `smtp.password` is
`MEDIAWATCH_SMTP__PASSWORD`. Lists of tables (`[[sources]]`, `[[topics]]`, `[[webhooks]]`,
`[[alerts.rules]]`) are set in the file, or as one JSON value in the list's own variable (e.g.
`MEDIAWATCH_WEBHOOKS='[{"name": "ops", "url": "https://..."}]'`); their items have no variables of
their own. Secrets (type "secret string") never appear in logs or output: keep them in the
environment. Relative paths are relative to the configuration file's folder. A key the program does
not know is an error that names the key, the file and the line.

`mediawatch init` writes a commented starter file.
"""


def render_configuration() -> str:
    from mediawatch.settings import Settings

    out = [HEADER]
    sections: list[Section] = []
    head = "| key | type | default | environment variable | description |\n|---|---|---|---|---|"
    out.append("## Top level\n")
    out.append(head)
    out.extend(_rows(Settings, "", [], False, sections))
    out.append("")
    while sections:
        dotted, env_path, model, in_list = sections.pop(0)
        title = f"[[{dotted[:-2]}]]" if dotted.endswith("[]") else f"[{dotted}]"
        out.append(f"## `{title}`\n")
        nested: list[Section] = []
        rows = _rows(model, dotted, env_path, in_list, nested)
        out.append(head)
        out.extend(rows)
        out.append("")
        typed = _typed_options().get(model)
        if typed:
            out.extend(render_options(dotted, *typed))
        sections[0:0] = nested  # a section's own sub-tables follow it directly
    return "\n".join(out).rstrip() + "\n"


def main() -> None:
    sys.stdout.write(render_configuration())


if __name__ == "__main__":
    main()
