"""Typed ``options`` of sources, alert rules and webhooks: one model per type, validated at load.

The TOML keeps its shape (``options = { ... }`` or an ``[sources.options]`` table), but what a
table may hold depends on the entry's ``type`` (sources, alert rules) or ``format`` (webhooks): an
``rss`` source takes ``fetch_articles`` and ``min_chars``, a ``file`` source ``path``, ``format``,
``platform`` and ``mapping``, and so on. A key that is not an option of that type is an error at
load naming the key, the file and line, and the options the type does take. docs/configuration.md
lists every model below (``python -m mediawatch.app.docs_gen``).

How the entry's type reaches its options: the entry's ``before`` validator wraps the options table
in :class:`_Tagged`, a dict that remembers the type, and a callable discriminator reads it. So
errors keep their path (``sources.2.options.min_chars``) and a dict, a model instance or a JSON
round trip all validate the same way.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, field_validator,
                      model_validator)

from .config_check import problem

# --- shared pieces ---------------------------------------------------------------------------------


def _as_list(value: Any) -> Any:
    """A single string is a one-item list; blank items are dropped."""
    if value is None:
        return []
    if isinstance(value, (str, int)):
        value = [value]
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return value


Names = Annotated[list[str], BeforeValidator(_as_list)]


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- sources -----------------------------------------------------------------------------------------

# Listing pages: where article links and the next page usually are. An article path usually ends
# in a slug with an id or .html; section fronts do not.
LISTING_LINKS = ("article a::attr(href), h1 a::attr(href), h2 a::attr(href), h3 a::attr(href), "
                 ".title a::attr(href), .story a::attr(href)")
LISTING_NEXT = "a[rel~=next]::attr(href), .pagination a.next::attr(href), a.next-page::attr(href)"
LISTING_ARTICLE_PATTERN = r"(-\d{4,}|\.html?|\.htm|/\d{6,})(\?.*)?$"

# Document fields a file import can map a column to.
FILE_FIELDS = ("id", "text", "title", "url", "published_at", "author", "author_name", "author_handle",
               "author_url", "likes", "comments", "shares", "views", "parent_id", "lang")


class _CatalogueOptions(Options):
    role: Literal["paper", "portal", "radio_tv", "national"] | None = Field(
        None, description="Informational: the outlet's role in the source catalogue (`mediawatch init`, "
                          "`mediawatch sources catalogue`): paper, portal, radio_tv or national.")
    verified: bool = Field(False, description="Informational: set to true once `mediawatch sources check` "
                                              "showed the URL works.")


class _ArticleOptions(_CatalogueOptions):
    min_chars: int = Field(200, ge=0, description="Articles whose extracted text is shorter are not stored "
                                                  "(counted as extraction errors).")


class RssOptions(_ArticleOptions):
    fetch_articles: bool = Field(True, description="Fetch and extract every linked article; false stores "
                                                   "the feed entries' own title and summary.")


class SitemapOptions(_ArticleOptions):
    max_sitemaps: int = Field(10, ge=1, description="Child sitemaps read from a sitemap index, newest first.")
    max_urls: int = Field(500, ge=1, description="Article URLs taken per run.")
    since_days: float = Field(7, ge=0, description="Skip URLs and child sitemaps older than this many days "
                                                   "(0: no limit).")


class ListingOptions(_ArticleOptions):
    link_selector: str = Field(LISTING_LINKS, min_length=1, description="CSS selector of article links.")
    next_selector: str = Field(LISTING_NEXT, min_length=1, description="CSS selector of the next page link.")
    article_pattern: str = Field(LISTING_ARTICLE_PATTERN, min_length=1,
                                 description="Regular expression an article URL must match.")
    max_pages: int = Field(3, ge=1, description="Listing pages followed per run.")

    @field_validator("article_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise problem(f"not a valid regular expression ({exc})",
                          r'write a Python regular expression, e.g. "-\d{5,}\.html$"') from None
        return value


class FacebookOptions(Options):
    pages: Names = Field(min_length=1, description="Page ids or usernames of the Facebook Pages to read.")
    comments: bool = Field(True, description="Also collect the posts' public comments.")


class YoutubeOptions(Options):
    keywords: Names = Field(default_factory=list, description="Search terms; empty: the province's name and "
                                                              "former names.")
    comments: bool = Field(True, description="Also collect the videos' public comments.")
    search_pages: int = Field(5, ge=1, description="Search result pages per run (each costs 100 of the 10,000 "
                                                   "daily quota units).")
    comment_pages: int = Field(2, ge=0, description="Comment pages read per video.")


class TelegramOptions(Options):
    channels: Names = Field(min_length=1, description="Public channel usernames (without @) that publish a web "
                                                      "preview at t.me/s/<channel>.")


class MastodonOptions(Options):
    instance: str | None = Field(None, description="The instance, e.g. https://mastodon.social; default: the "
                                                   "source's url.")
    hashtags: Names = Field(default_factory=list, description="Hashtags (without #) whose public timelines "
                                                              "are read; hashtags, accounts or both.")
    accounts: Names = Field(default_factory=list, description="Public accounts (user or user@host) whose "
                                                              "statuses are read; they keep their name.")
    backfill_pages: int = Field(5, ge=1, description="Pages read back on the first run of each hashtag or "
                                                     "account.")

    @field_validator("instance")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise problem(f"{value!r} is not an http(s) URL", 'write the instance, e.g. "https://mastodon.social"')
        return value

    @model_validator(mode="after")
    def _targets(self) -> "MastodonOptions":
        if not self.hashtags and not self.accounts:
            raise problem("a mastodon source needs hashtags or accounts", 'add hashtags = ["laocai"] or '
                          'accounts = ["baolaocai@mastodon.social"] to its options')
        return self


class BlueskyOptions(Options):
    keywords: Names = Field(default_factory=list, description="Search terms; with no keywords and no "
                                                              "accounts: the province's names.")
    accounts: Names = Field(default_factory=list, description="Handles whose author feeds are read; they keep "
                                                              "their name.")
    lang: str = Field("vi", description="Language of the posts searched for.")


class FileOptions(Options):
    path: str | None = Field(None, description="The export file, relative to the configuration file's folder; "
                                               "default: the source's url.")
    format: Literal["jsonl", "ndjson", "json", "csv"] | None = Field(
        None, description="jsonl or csv; default: from the file's extension.")
    platform: str = Field("file", min_length=1, description="The platform the rows come from; it keys the "
                                                            "author pseudonyms.")
    mapping: dict[str, str] = Field(description="Document field -> column (dotted paths reach into JSON "
                                                "objects); id and text are required. Fields: "
                                                + ", ".join(FILE_FIELDS) + ".")
    delimiter: str | None = Field(None, min_length=1, max_length=1,
                                  description="The CSV delimiter; default: sniffed from the header line "
                                              "among , ; TAB |.")

    @field_validator("format", "platform", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("mapping")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(FILE_FIELDS))
        if unknown:
            raise problem(f"unknown field(s) {', '.join(unknown)}", f"map only these fields: {', '.join(FILE_FIELDS)}")
        missing = [f for f in ("id", "text") if f not in value]
        if missing:
            raise problem(f"{' and '.join(missing)} not mapped", 'map id and text to columns, e.g. mapping = '
                          '{ id = "post_id", text = "message" }')
        return value


SOURCE_OPTIONS: dict[str, type[Options]] = {
    "rss": RssOptions, "sitemap": SitemapOptions, "listing": ListingOptions, "facebook": FacebookOptions,
    "youtube": YoutubeOptions, "telegram": TelegramOptions, "mastodon": MastodonOptions,
    "bluesky": BlueskyOptions, "file": FileOptions,
}


# --- alert rules -------------------------------------------------------------------------------------

class _WindowOptions(Options):
    window_hours: float | None = Field(None, gt=0, description="Length of the window compared; default 1 hour "
                                                               "for source_kind = \"social\", else 24.")
    baseline_windows: int | None = Field(None, ge=1, description="Earlier windows that make the baseline; "
                                                                  "default 12 for social, else 14.")


class SpikeOptions(_WindowOptions):
    pass


class NegativityOptions(_WindowOptions):
    min_delta: float = Field(0.1, ge=0, le=1, description="The negative share must also rise by at least this "
                                                          "much over the baseline share (0.1 = 10 points).")


class MisinfoOptions(Options):
    window_hours: float = Field(6, gt=0, description="Flagged documents about one claim are counted over this "
                                                     "many hours.")
    rate_per_hour: float = Field(0, ge=0, description="Also require this many flagged documents per hour.")
    scan_limit: int = Field(5000, ge=1, description="Most flagged documents read per evaluation.")


class SilentSourceOptions(Options):
    factor: float = Field(3.0, gt=0, description="Silent when quiet for longer than this many times the source's "
                                                 "usual gap between items.")
    min_silence_hours: float = Field(6, ge=0, description="...and for at least this many hours.")
    runs_limit: int = Field(5000, ge=1, description="Most recent ingest runs read to learn the usual gaps.")


class KeywordOptions(Options):
    window_minutes: float | None = Field(None, gt=0, description="Matching documents are counted over this many "
                                                                 "minutes; default twice "
                                                                 "flows.ingest_every_minutes, at least 60.")


RULE_OPTIONS: dict[str, type[Options]] = {
    "spike": SpikeOptions, "negativity": NegativityOptions, "misinfo": MisinfoOptions,
    "silent_source": SilentSourceOptions, "keyword": KeywordOptions,
}


# --- webhooks ----------------------------------------------------------------------------------------

class JsonWebhookOptions(Options):
    pass


class SlackWebhookOptions(Options):
    pass


class TeamsWebhookOptions(Options):
    pass


class TelegramWebhookOptions(Options):
    chat_id: int | str = Field(description="The chat, group or channel the bot posts to (e.g. -1001234567890 "
                                           "or @channelname).")


class ZaloWebhookOptions(Options):
    group_id: int | str | None = Field(None, description="The Official Account's group to post to.")
    user_id: int | str | None = Field(None, description="A follower to message (when no group_id).")

    @model_validator(mode="after")
    def _recipient(self) -> "ZaloWebhookOptions":
        if not self.group_id and not self.user_id:
            raise problem("a zalo webhook needs a recipient", "set options.group_id (a group) or options.user_id "
                          "(a follower)")
        return self


WEBHOOK_OPTIONS: dict[str, type[Options]] = {
    "json": JsonWebhookOptions, "slack": SlackWebhookOptions, "teams": TeamsWebhookOptions,
    "telegram": TelegramWebhookOptions, "zalo": ZaloWebhookOptions,
}


# --- the mechanism -------------------------------------------------------------------------------------

class _Tagged(dict):
    """An options table that remembers the type of the entry it belongs to."""

    tag: str | None = None


def tagged(data: Any, key: str, default: str, models: dict[str, type[Options]]) -> Any:
    """The entry's raw data with its ``options`` wrapped so the discriminator knows the type."""
    if not isinstance(data, dict):
        return data
    options = data.get("options", {})
    if isinstance(options, dict) and not isinstance(options, BaseModel):
        kind = data.get(key, default)
        wrapped = _Tagged(options)
        wrapped.tag = kind if isinstance(kind, str) and kind in models else None
        return {**data, "options": wrapped}
    return data


def _discriminator(models: dict[str, type[Options]]):
    by_class = {cls: name for name, cls in models.items()}

    def tag(value: Any) -> str | None:
        if isinstance(value, _Tagged):
            return value.tag
        return by_class.get(type(value))

    return tag


def options_union(models: dict[str, type[Options]], what: str) -> Any:
    """The annotation of an ``options`` field whose model is chosen by the entry's type."""
    members = tuple(Annotated[cls, Tag(name)] for name, cls in models.items())
    return Annotated[Union[members], Discriminator(  # type: ignore[valid-type]
        _discriminator(models), custom_error_type="options_type",
        custom_error_message=f"options must be a table of the {what}'s options")]


def option_names(models: dict[str, type[Options]], kind: str) -> list[str]:
    model = models.get(kind)
    return list(model.model_fields) if model else []
