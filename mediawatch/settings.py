"""One typed settings object: ``mediawatch.toml`` plus ``MEDIAWATCH_*`` environment variables.

Environment variables win over the file; nested keys use a double underscore, e.g.
``MEDIAWATCH_SMTP__PASSWORD`` or ``MEDIAWATCH_STORE__URL``. Secrets are ``SecretStr`` so they never
print. A broken file fails at start with a :class:`ConfigError` naming the key, file, line and fix.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, SecretStr, ValidationError, ValidationInfo,
                      field_validator, model_validator)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, SettingsError

from .config_check import (ConfigProblem, Origins, check_email, check_hhmm, check_http_url, duplicates,
                           from_validation_error, problem, report)
from .errors import ConfigError
from .options import RULE_OPTIONS, SOURCE_OPTIONS, WEBHOOK_OPTIONS, options_union, tagged

DEFAULT_CONFIG = "mediawatch.toml"
CONFIG_ENV = "MEDIAWATCH_CONFIG"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProvinceSettings(_Section):
    name: str = Field("Lào Cai", description="The watched province, as named since the July 2025 merger.")
    former_names: list[str] = Field(default_factory=list,
                                    description="Provinces merged into it in 2025, e.g. Yên Bái.")
    aliases: list[str] = Field(default_factory=list, description="Other spellings to match.")


class StoreSettings(_Section):
    url: str = Field("sqlite:///data/mediawatch.db",
                     description="sqlite:///PATH (embedded default) or http(s)://HOST:PORT of Elasticsearch.")
    api_key: SecretStr | None = Field(None, description="Elasticsearch API key.")
    username: str | None = Field(None, description="Elasticsearch basic-auth user.")
    password: SecretStr | None = Field(None, description="Elasticsearch basic-auth password.")
    ca_file: str | None = Field(None, description="CA bundle for TLS to Elasticsearch.")
    index_prefix: str = Field("mediawatch", description="Prefix of Elasticsearch indices and aliases.")
    retention_days: int = Field(365, ge=1, description="Documents older than this are purged.")

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not re.match(r"^(sqlite:///|https?://)", value):
            raise ValueError("must start with sqlite:/// or http(s)://")
        return value


class SourceSettings(_Section):
    id: str = Field(description="Stable identifier, letters, digits, '-' and '_'.")
    name: str = Field("", description="Name shown to analysts.")
    kind: Literal["press", "social", "web"] = "press"
    type: Literal["rss", "sitemap", "listing", "facebook", "youtube", "telegram", "mastodon",
                  "bluesky", "file"] = "rss"
    url: str | None = Field(None, validate_default=True,
                            description="Feed, sitemap or listing page; a Mastodon instance; a file source's path.")
    enabled: bool = True
    local: bool = Field(False, description="The province's own paper, portal, page or channel: all it "
                                           "publishes counts as about the province, named or not.")
    options: options_union(SOURCE_OPTIONS, "source type") = Field(  # type: ignore[valid-type]
        default_factory=dict,
        description="The collector's options; which keys depend on type (see below).")

    @model_validator(mode="before")
    @classmethod
    def _typed_options(cls, data: Any) -> Any:
        return tagged(data, "type", "rss", SOURCE_OPTIONS)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", value):
            raise ValueError("use only letters, digits, '.', '-' and '_'")
        return value

    @field_validator("url")
    @classmethod
    def _url_for_type(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("type")
        if value is None:
            if kind in ("rss", "sitemap", "listing"):
                raise problem(f"a {kind} source needs a url", "set url to the feed, sitemap or section page")
            return value
        if kind != "file":  # a file source's url may be a path
            check_http_url(value)
        return value

    @model_validator(mode="after")
    def _where_from(self) -> "SourceSettings":
        if self.type == "mastodon" and not (self.options.instance or self.url):
            raise problem("a mastodon source needs its instance", 'set url = "https://mastodon.social" (or the '
                          "instance you read)")
        if self.type == "file" and not (self.options.path or self.url):
            raise problem("a file source needs the export file", 'set options.path = "exports/posts.jsonl"')
        return self


class CrawlSettings(_Section):
    user_agent: str = "mediawatch/0.1 (+{contact_url})"
    contact_url: str = "https://github.com/mediawatch-vn/mediawatch"
    timeout_s: float = Field(20.0, gt=0)
    max_bytes: int = Field(5_000_000, gt=0, description="Responses larger than this are refused.")
    per_host_delay_s: float = Field(1.0, ge=0)
    concurrency_per_host: int = Field(2, ge=1)
    allow_private_hosts: list[str] = Field(default_factory=list,
                                           description="Hosts or IPs that may resolve to private "
                                                       "addresses (tests and the demo use 127.0.0.1).")
    obey_robots: bool = True
    retries: int = Field(2, ge=0, description="Retries on 429/5xx and timeouts, with exponential backoff.")
    backoff_s: float = Field(1.0, ge=0, description="First retry delay; doubles each time; Retry-After wins.")


class TopicSettings(_Section):
    name: str
    label: str = ""
    query: str = Field(description="Boolean query: AND, OR, NOT, \"phrases\", NEAR/n, wildcards*.")
    urgent: bool = False

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a topic needs a name")
        return value


class AlertRuleSettings(_Section):
    name: str
    type: Literal["spike", "negativity", "misinfo", "silent_source", "keyword"] = "spike"
    topic: str | None = None
    place: str | None = None
    source_kind: Literal["press", "social", "web"] | None = None
    sensitivity: float = Field(2.0, gt=0, description="k in mean + k·σ (presets 1.5, 2, 3).")
    min_count: int | None = Field(None, ge=1, json_schema_extra={"doc_default": "5; 1 for keyword rules"},
                                  description="Never fire below this many documents in the window.")
    cooldown_minutes: int = Field(180, ge=0)
    options: options_union(RULE_OPTIONS, "rule type") = Field(  # type: ignore[valid-type]
        default_factory=dict,
        description="The rule type's options (see below).")

    @model_validator(mode="before")
    @classmethod
    def _typed_options(cls, data: Any) -> Any:
        return tagged(data, "type", "spike", RULE_OPTIONS)

    @model_validator(mode="after")
    def _default_min_count(self) -> "AlertRuleSettings":
        # A keyword rule reports every urgent document; the statistical rules need a few.
        if self.min_count is None:
            self.min_count = 1 if self.type == "keyword" else 5
        return self


class AlertSettings(_Section):
    enabled: bool = True
    rules: list[AlertRuleSettings] = Field(default_factory=list)
    dashboard_url: str | None = None

    @field_validator("dashboard_url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        return check_http_url(value) if value else value


class WebhookSettings(_Section):
    name: str
    url: str
    format: Literal["json", "slack", "teams", "telegram", "zalo"] = "json"
    secret: SecretStr | None = Field(None, description="HMAC-SHA256 key for the signature header.")
    timeout_s: float = Field(5.0, gt=0)
    token: SecretStr | None = Field(None, description="Telegram bot token or Zalo OA access token.")
    options: options_union(WEBHOOK_OPTIONS, "webhook format") = Field(  # type: ignore[valid-type]
        default_factory=dict,
        description="The format's options: chat_id (telegram), group_id or user_id (zalo); see below.")

    @model_validator(mode="before")
    @classmethod
    def _typed_options(cls, data: Any) -> Any:
        return tagged(data, "format", "json", WEBHOOK_OPTIONS)

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        return check_http_url(value)

    @model_validator(mode="after")
    def _token(self) -> "WebhookSettings":
        if self.format in ("telegram", "zalo") and (self.token is None or not self.token.get_secret_value()):
            what = "the bot token" if self.format == "telegram" else "the Official Account access token"
            raise problem(f"a {self.format} webhook needs a token",
                          f"set token to {what} (in the file, or in MEDIAWATCH_WEBHOOKS)")
        return self


class SmtpSettings(_Section):
    host: str | None = Field(None, description="No host: e-mail is switched off.")
    port: int = 587
    username: str | None = None
    password: SecretStr | None = None
    security: Literal["starttls", "ssl", "none"] = "starttls"
    sender: str = "mediawatch@localhost"
    timeout_s: float = 30.0

    @field_validator("sender")
    @classmethod
    def _address(cls, value: str) -> str:
        return check_email(value)


class DigestSettings(_Section):
    recipients: list[Annotated[str, AfterValidator(check_email)]] = Field(default_factory=list)
    send_at: str = Field("07:00", description="Local time (HH:MM) of the daily digest.")
    language: Literal["vi", "en"] | None = Field(None, description="Defaults to the global language.")

    @field_validator("send_at")
    @classmethod
    def _time(cls, value: str) -> str:
        return check_hhmm(value)


class PrivacySettings(_Section):
    pseudonymisation_key: SecretStr | None = Field(
        None, description="Key of the author HMAC. Without it, social connectors switch off.")


class SocialSettings(_Section):
    facebook_access_token: SecretStr | None = None
    youtube_api_key: SecretStr | None = None
    bluesky_handle: str | None = None
    bluesky_app_password: SecretStr | None = None
    facebook_api_base: str = "https://graph.facebook.com/v21.0"
    youtube_api_base: str = "https://www.googleapis.com/youtube/v3"
    telegram_base: str = "https://t.me"
    bluesky_api_base: str = "https://public.api.bsky.app"
    bluesky_pds_base: str = Field("https://bsky.social", description="Where an app password logs in.")
    max_retry_wait_s: float = Field(60.0, ge=0, description="Longest Retry-After/quota wait honoured; "
                                    "a longer one ends the source's run and the cursor resumes next run.")
    max_retries: int = Field(3, ge=0, description="Retries of one request after 429/5xx.")
    max_pages: int = Field(50, ge=1, description="Pages fetched per page/channel/hashtag/query per run.")


class ClassifierSettings(_Section):
    models_dir: str | None = Field(None, description="Directory of trained models; defaults to the shipped ones. "
                                   "`mediawatch train` writes here (or to data_dir/models when unset).")
    datasets_dir: str = Field("../shared/datasets", description="Labelled data sets for `mediawatch train`/`eval` "
                              "and the forecast back-test; relative to the config file's folder.")
    misinfo_flag_threshold: float | None = Field(
        None, ge=0, le=1, description="Triage score at which a post joins the review queue. Unset: the "
                                      "operating point stored with the misinfo model (chosen for 0.8 "
                                      "reviewer precision; see classifiers/models/misinfo.md).")
    claim_link_threshold: float = Field(0.75, ge=0, le=1)
    claim_suggest_threshold: float = Field(0.5, ge=0, le=1)
    claims_register: str | None = Field(None, description="CSV or YAML file of known claims (`mediawatch "
                                                          "init` writes an empty one). Unset: only claims "
                                                          "in the store (reviewers' verdicts, imports).")
    filter_to_province: bool = Field(True, description="Keep only documents about the province.")


class FlowSettings(_Section):
    ingest_every_minutes: int = Field(30, ge=1)
    forecast_at: str = "02:00"
    retrain_weekday: int = Field(6, ge=0, le=6)
    task_runner: Literal["thread", "dask"] = "thread"
    dask_address: str | None = None

    @field_validator("forecast_at")
    @classmethod
    def _time(cls, value: str) -> str:
        return check_hhmm(value)


class DeskSettings(_Section):
    port: int = Field(8002, ge=1, le=65535, description="Port of the review desk, served by `mediawatch "
                      "dashboards serve` beside the dashboards (its own port: its own browser origin).")
    host: str = Field("127.0.0.1", description="Address the desk binds; keep 127.0.0.1 behind a reverse proxy.")
    secure_cookies: Literal["auto", "always", "never"] = Field(
        "auto", description="Secure flag on the desk's cookies: auto = when the request came over https "
                            "(also via a proxy on 127.0.0.1 sending X-Forwarded-Proto).")
    session_hours: float = Field(12.0, gt=0, description="A login lasts at most this long.")
    idle_minutes: float = Field(60.0, gt=0, description="A session unused this long ends.")
    login_max_failures: int = Field(5, ge=1, description="Failed logins per username within the window "
                                                         "before that username is refused.")
    login_max_failures_per_address: int = Field(20, ge=1, description="Failed logins per client address "
                                                                      "within the window before it is refused.")
    login_window_minutes: float = Field(15.0, gt=0, description="Window of the login rate limits.")
    dashboards_url: str | None = Field(None, description="Link to the dashboards shown on the desk "
                                       "(default: the embedded dashboards' port on the same host).")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDIAWATCH_", env_nested_delimiter="__",
                                      extra="forbid")

    language: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    data_dir: str = Field("data", description="Spools, outboxes, Prefect home; relative to the config file.")
    province: ProvinceSettings = Field(default_factory=ProvinceSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    sources: list[SourceSettings] = Field(default_factory=list)
    topics: list[TopicSettings] = Field(default_factory=list)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    webhooks: list[WebhookSettings] = Field(default_factory=list)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    social: SocialSettings = Field(default_factory=SocialSettings)
    classifiers: ClassifierSettings = Field(default_factory=ClassifierSettings)
    flows: FlowSettings = Field(default_factory=FlowSettings)
    desk: DeskSettings = Field(default_factory=DeskSettings)

    # Where the settings came from; set by load_settings, not read from the file.
    config_path: str | None = Field(None, exclude=True)

    def model_post_init(self, context: Any) -> None:
        # Every secret this process knows is scrubbed from logs, stored messages and output.
        from .redact import register_settings

        register_settings(self)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Ho_Chi_Minh")
        return value

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment beats the file, which is passed in as init values by load_settings.
        return (env_settings, init_settings)

    # Paths relative to the config file's folder, so `mediawatch -c /etc/x.toml` works from anywhere.
    def base_dir(self) -> Path:
        return Path(self.config_path).resolve().parent if self.config_path else Path.cwd()

    def data_path(self, *parts: str) -> Path:
        path = Path(self.data_dir)
        if not path.is_absolute():
            path = self.base_dir() / path
        return path.joinpath(*parts)

    def datasets_path(self) -> Path:
        path = Path(self.classifiers.datasets_dir)
        return path if path.is_absolute() else self.base_dir() / path

    def models_out_path(self) -> Path:
        """Where training writes models: never into the installed package."""
        if self.classifiers.models_dir:
            path = Path(self.classifiers.models_dir)
            return path if path.is_absolute() else self.base_dir() / path
        return self.data_path("models")

    def store_url(self) -> str:
        url = self.store.url
        if url.startswith("sqlite:///"):
            path = Path(url[len("sqlite:///"):])
            if not path.is_absolute():
                path = self.base_dir() / path
            return f"sqlite:///{path}"
        return url

    def user_agent(self) -> str:
        return self.crawl.user_agent.replace("{contact_url}", self.crawl.contact_url)

    def source(self, source_id: str) -> SourceSettings | None:
        return next((s for s in self.sources if s.id == source_id), None)


# Where each per-type options model applies: (list path, the field naming the type, its default, models).
_TYPED_LISTS = ((("sources",), "type", "rss", SOURCE_OPTIONS), (("alerts", "rules"), "type", "spike", RULE_OPTIONS),
                (("webhooks",), "format", "json", WEBHOOK_OPTIONS))
_TAGS = set(SOURCE_OPTIONS) | set(RULE_OPTIONS) | set(WEBHOOK_OPTIONS)


def _option_names(data: dict[str, Any], environ: dict[str, str]) -> dict[tuple, tuple[list[str], list[str]]]:
    """(list, index, "options") -> the option names of that entry's type and the entry's own keys."""
    out: dict[tuple, tuple[list[str], list[str]]] = {}
    entries = {("sources",): SourceSettings, ("alerts", "rules"): AlertRuleSettings, ("webhooks",): WebhookSettings}
    for path, key, default, models in _TYPED_LISTS:
        items: Any = data
        for part in path:
            items = items.get(part, {}) if isinstance(items, dict) else {}
        env = environ.get("MEDIAWATCH_" + "__".join(path).upper())
        if env:
            try:
                items = json.loads(env)
            except ValueError:
                pass
        for i, item in enumerate(items if isinstance(items, list) else []):
            kind = item.get(key, default) if isinstance(item, dict) else None
            if kind in models:
                out[(*path, i, "options")] = (list(models[kind].model_fields), list(entries[path].model_fields))
    return out


def settings_problems(settings: Settings) -> list[ConfigProblem]:
    """What validation of each value alone cannot see: entries that repeat a name."""
    return [
        *duplicates(settings.sources, "id", "sources",
                    "give every source its own id (the id keys the source's documents and history)"),
        *duplicates(settings.topics, "name", "topics", "give every topic its own name, or merge the two queries "
                                                       "with OR"),
        *duplicates(settings.alerts.rules, "name", "alerts.rules", "give every rule its own name (alerts are "
                                                                   "grouped by it)"),
        *duplicates(settings.webhooks, "name", "webhooks", "give every webhook its own name (the outbox is "
                                                           "keyed by it)"),
    ]


Check = Callable[[Settings], Iterable[ConfigProblem]]


def load_settings(path: str | os.PathLike[str] | None = None, *, required: bool = False,
                  checks: Iterable[Check] = ()) -> Settings:
    """Read the TOML file (if any) and the environment into a validated Settings object.

    Every problem is reported at once in one :class:`ConfigError`, each with the key, where it came
    from (``file:line``, or the ``MEDIAWATCH_*`` variable that set it) and the fix. ``checks`` are
    further checks of the validated settings by the stages above the kernel (topic queries,
    province names); their problems are reported the same way.
    """
    explicit = path is not None or CONFIG_ENV in os.environ
    config_path = Path(path or os.environ.get(CONFIG_ENV, DEFAULT_CONFIG))
    raw_text = ""
    data: dict[str, Any] = {}
    if config_path.is_file():
        try:
            raw_text = config_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{config_path}: cannot be read ({exc})",
                              fix="save the file as UTF-8 text and check its permissions") from None
        try:
            data = tomllib.loads(raw_text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config_path}: not valid TOML: {exc}",
                              fix="correct the syntax at that line (strings need quotes, tables [name])") from exc
    elif config_path.exists():
        raise ConfigError(f"{config_path} is not a file", fix="pass the path of mediawatch.toml with --config")
    elif explicit or required:
        raise ConfigError(f"configuration file {config_path} not found",
                          fix='create one with: mediawatch init --province "Lào Cai"')
    origins = Origins(config_path if raw_text or config_path.is_file() else None, raw_text, os.environ)
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        problems = from_validation_error(exc.errors(), _TAGS, _option_names(data, dict(os.environ)))
        _raise(problems, origins)
    except SettingsError as exc:  # a MEDIAWATCH_* variable that is not the JSON its key needs
        raise ConfigError(f"environment: {exc}", fix="write lists and tables in MEDIAWATCH_* variables as JSON, "
                          "e.g. MEDIAWATCH_DIGEST__RECIPIENTS='[\"a@laocai.gov.vn\"]'") from None
    settings.config_path = str(config_path) if config_path.is_file() else None
    problems = settings_problems(settings)
    for check in checks:
        problems.extend(check(settings))
    if problems:
        _raise(problems, origins)
    return settings


def _raise(problems: list[ConfigProblem], origins: Origins) -> NoReturn:
    lines = report(problems, origins)
    head = "invalid configuration" + (f" ({len(lines)} problems)" if len(lines) > 1 else "")
    raise ConfigError(head + ":\n  " + "\n  ".join(lines), data=lines) from None
