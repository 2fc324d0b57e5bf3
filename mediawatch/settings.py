"""One typed settings object: ``mediawatch.toml`` plus ``MEDIAWATCH_*`` environment variables.

Environment variables win over the file; nested keys use a double underscore, e.g.
``MEDIAWATCH_SMTP__PASSWORD`` or ``MEDIAWATCH_STORE__URL``. Secrets are ``SecretStr`` so they never
print. A broken file fails at start with a :class:`ConfigError` naming the key, file, line and fix.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .errors import ConfigError

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
    url: str | None = Field(None, description="Feed, sitemap, listing or API base URL.")
    enabled: bool = True
    local: bool = Field(False, description="The province's own paper, portal, page or channel: all it "
                                           "publishes counts as about the province, named or not.")
    options: dict[str, Any] = Field(default_factory=dict,
                                    description="Connector-specific options (pages, keywords, mapping).")

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", value):
            raise ValueError("use only letters, digits, '.', '-' and '_'")
        return value


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


class AlertRuleSettings(_Section):
    name: str
    type: Literal["spike", "negativity", "misinfo", "silent_source", "keyword"] = "spike"
    topic: str | None = None
    place: str | None = None
    source_kind: Literal["press", "social", "web"] | None = None
    sensitivity: float = Field(2.0, gt=0, description="k in mean + k·σ (presets 1.5, 2, 3).")
    min_count: int = Field(5, ge=1)
    cooldown_minutes: int = Field(180, ge=0)
    options: dict[str, Any] = Field(default_factory=dict)


class AlertSettings(_Section):
    enabled: bool = True
    rules: list[AlertRuleSettings] = Field(default_factory=list)
    dashboard_url: str | None = None


class WebhookSettings(_Section):
    name: str
    url: str
    format: Literal["json", "slack", "teams", "telegram", "zalo"] = "json"
    secret: SecretStr | None = Field(None, description="HMAC-SHA256 key for the signature header.")
    timeout_s: float = Field(5.0, gt=0)
    token: SecretStr | None = Field(None, description="Telegram bot token or Zalo OA access token.")
    options: dict[str, Any] = Field(default_factory=dict, description="chat_id (Telegram), group_id/user_id (Zalo).")


class SmtpSettings(_Section):
    host: str | None = Field(None, description="No host: e-mail is switched off.")
    port: int = 587
    username: str | None = None
    password: SecretStr | None = None
    security: Literal["starttls", "ssl", "none"] = "starttls"
    sender: str = "mediawatch@localhost"
    timeout_s: float = 30.0


class DigestSettings(_Section):
    recipients: list[str] = Field(default_factory=list)
    send_at: str = Field("07:00", description="Local time (HH:MM) of the daily digest.")
    language: Literal["vi", "en"] | None = Field(None, description="Defaults to the global language.")


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

    # Where the settings came from; set by load_settings, not read from the file.
    config_path: str | None = Field(None, exclude=True)

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


def _locate(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line number of a validation error's key in the TOML text."""
    keys = [str(k) for k in loc if not isinstance(k, int)]
    if not keys:
        return None
    lines = text.splitlines()
    wanted = keys[-1]
    table_hint = keys[0] if len(keys) > 1 else None
    in_table = table_hint is None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        header = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?", stripped)
        if header and table_hint is not None:
            in_table = header.group(1).split(".")[0] == table_hint
            if in_table and header.group(1).split(".")[-1] == wanted:
                return number
            continue
        if in_table and re.match(rf"^{re.escape(wanted)}\s*=", stripped):
            return number
    return None


def _fix_for(error_type: str, message: str) -> str:
    if error_type == "extra_forbidden":
        return "remove the key or correct its spelling (see docs/configuration.md)"
    if error_type == "missing":
        return "add the key"
    return "set a valid value (see docs/configuration.md)"


def load_settings(path: str | os.PathLike[str] | None = None, *, required: bool = False) -> Settings:
    """Read the TOML file (if any) and the environment into a validated Settings object."""
    explicit = path is not None or CONFIG_ENV in os.environ
    config_path = Path(path or os.environ.get(CONFIG_ENV, DEFAULT_CONFIG))
    raw_text = ""
    data: dict[str, Any] = {}
    if config_path.exists():
        raw_text = config_path.read_text(encoding="utf-8")
        try:
            data = tomllib.loads(raw_text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config_path}: not valid TOML: {exc}",
                              fix="correct the syntax at that line (strings need quotes, tables [name])") from exc
    elif explicit or required:
        raise ConfigError(f"configuration file {config_path} not found",
                          fix='create one with: mediawatch init --province "Lào Cai"')
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = ".".join(str(p) for p in error["loc"])
            line = _locate(raw_text, error["loc"]) if raw_text else None
            where = f"{config_path}:{line}" if line else str(config_path if raw_text else "environment")
            problems.append(f"{where}: {key}: {error['msg']}. Fix: {_fix_for(error['type'], error['msg'])}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems), data=problems) from None
    settings.config_path = str(config_path) if config_path.exists() else None
    return settings
