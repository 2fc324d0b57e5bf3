"""What a person types after --topic, --place, --sentiment, --kind and in a query, made exact.

The store compares filters exactly ("Yên Bái", "lu-lut", "negative"); people type "Yen Bai", the
label the digest showed ("Lũ lụt"), or a word that is not a value at all ("angry"). These helpers
fold case and diacritics against the known values, and turn anything unknown into exit 2 with the
values that are allowed, instead of a silent zero.
"""

from __future__ import annotations

from typing import Iterable

import typer
from typer.core import TyperCommand

from mediawatch.document import SENTIMENT_LABELS, SOURCE_KINDS
from mediawatch.settings import Settings
from mediawatch.store.query import QuerySyntaxError, validate_user_query
from mediawatch.text import fold

from .common import EXIT_USAGE, err

# Vietnamese (and English) words accepted for the fixed vocabularies.
_SENTIMENT_WORDS = {"tieu cuc": "negative", "trung lap": "neutral", "trung tinh": "neutral",
                    "tich cuc": "positive", **{label: label for label in SENTIMENT_LABELS}}
_KIND_WORDS = {"bao chi": "press", "bao": "press", "mang xa hoi": "social", "mxh": "social",
               "trang web": "web", **{kind: kind for kind in SOURCE_KINDS}}
_PLACE_PREFIXES = ("tinh ", "thanh pho ", "tp. ", "tp ", "xa ", "phuong ", "huyen ", "thi xa ")


class FreeTextCommand(TyperCommand):
    """A command whose free text may start with '-' (``mediawatch search -lũ bão``).

    click would read ``-lũ`` as an unknown option; here every argument that is not one of the
    command's own options (exact spelling, ``--opt=value`` too) is search text. ``-n5`` is text:
    write ``-n 5``."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        takes_value: dict[str, bool] = {}
        for param in self.get_params(ctx):
            if getattr(param, "param_type_name", "") == "option":  # typer vendors its own click
                for name in (*param.opts, *param.secondary_opts):
                    takes_value[name] = not param.is_flag and not param.count
        options: list[str] = []
        text: list[str] = []
        index = 0
        while index < len(args):
            arg = args[index]
            if arg == "--":
                text.extend(args[index + 1:])
                break
            name = arg.split("=", 1)[0]
            if arg.startswith("-") and name in takes_value:
                options.append(arg)
                if takes_value[name] and "=" not in arg and index + 1 < len(args):
                    options.append(args[index + 1])
                    index += 1
            else:
                text.append(arg)
            index += 1
        return super().parse_args(ctx, options + (["--", *text] if text else []))


def checked_query(text: str | None, option: str = "query") -> str | None:
    """The query if its syntax is sound; else exit 2 showing where the problem is."""
    if not text or not text.strip():
        return None
    try:
        validate_user_query(text)
    except QuerySyntaxError as exc:
        err(f"mediawatch: truy vấn không hợp lệ / invalid {option}: {exc}\n    {text}\n    {' ' * exc.position}^\n"
            'Fix: close every "phrase", write OR/NOT between terms, use title:word for the title; '
            "see docs/document.md (search syntax).")
        raise typer.Exit(EXIT_USAGE) from None
    return text


def _unknown(option: str, value: str, allowed: Iterable[str]) -> None:
    err(f"mediawatch: {option} {value!r} không hợp lệ / is not a known value. "
        f"Fix: use one of: {', '.join(allowed)}.")
    raise typer.Exit(EXIT_USAGE)


def sentiments(values: list[str] | None) -> list[str]:
    out = []
    for value in values or []:
        label = _SENTIMENT_WORDS.get(fold(value))
        if label is None:
            _unknown("--sentiment", value, [*SENTIMENT_LABELS, "tiêu cực", "trung lập", "tích cực"])
        out.append(label)
    return out


def kinds(values: list[str] | None) -> list[str]:
    out = []
    for value in values or []:
        kind = _KIND_WORDS.get(fold(value))
        if kind is None:
            _unknown("--kind", value, [*SOURCE_KINDS, "báo chí", "mạng xã hội", "trang web"])
        out.append(kind)
    return out


def topics(values: list[str] | None, settings: Settings) -> list[str]:
    """Topic names from names or the labels shown in the digest, case and diacritics aside."""
    if not values:
        return []
    from mediawatch.flows.reports.summary_render import topic_labels

    labels = topic_labels(settings)
    by_fold: dict[str, str] = {}
    for name, label in labels.items():
        by_fold.setdefault(fold(name), name)
        by_fold.setdefault(fold(label), name)
        by_fold.setdefault(fold(name.replace("-", " ").replace("_", " ")), name)
        for part in label.split(","):  # "Lũ, lũ quét, ngập lụt": each part names the topic
            by_fold.setdefault(fold(part), name)
    out = []
    stored: dict[str, str] | None = None
    for value in values:
        key = fold(value.replace("-", " ").replace("_", " "))
        name = value if value in labels else by_fold.get(fold(value)) or by_fold.get(key)
        if name is None:  # the start of one label only ("sat lo" for "Sạt lở đất")
            starts = {n for f, n in by_fold.items() if key and f.startswith(key)}
            name = starts.pop() if len(starts) == 1 else None
        if name is None:  # a topic no longer configured may still tag stored documents
            stored = _stored_topics(settings) if stored is None else stored
            name = stored.get(fold(value)) or stored.get(key)
        if name is None:
            _unknown("--topic", value, [f"{n} ({labels[n]})" if labels[n] != n else n for n in sorted(labels)])
        out.append(name)
    return out


def _stored_topics(settings: Settings) -> dict[str, str]:
    from mediawatch.store import SearchQuery

    from .common import open_store_or_exit

    with open_store_or_exit(settings) as store:
        values = [v for v, _ in store.facets(SearchQuery(), ["topics"], size=10_000)["topics"]]
    found: dict[str, str] = {}
    for value in values:
        found.setdefault(fold(value), value)
        found.setdefault(fold(value.replace("-", " ").replace("_", " ")), value)
    return found


def places(values: list[str] | None, settings: Settings) -> list[str]:
    """Stored place names for what was typed: "Yen Bai" -> "Yên Bái" (and any unit spelled the same
    without diacritics); typed with diacritics, the exact name is preferred. Unknown names are kept
    as typed (a custom alias may be stored under them)."""
    if not values:
        return []
    known: dict[str, set[str]] = {}
    province = settings.province
    for name in (province.name, *province.former_names, *province.aliases):
        known.setdefault(fold(name), set()).add(name)
    index: dict = {}
    if any(fold(v) not in known for v in values):  # the gazetteer takes a few seconds to load
        try:
            from mediawatch.classifiers.places import load_gazetteer

            index = load_gazetteer().index
        except ImportError:  # classifiers not installed: the configured names only
            pass
    out: list[str] = []
    for value in values:
        key = fold(value)
        for prefix in _PLACE_PREFIXES:
            if key.startswith(prefix) and (key[len(prefix):] in index or key[len(prefix):] in known):
                key = key[len(prefix):]
                break
        names = set(known.get(key, set())) | {unit.name for unit in index.get(key, [])}
        exact = {n for n in names if n.lower() == value.strip().lower()}
        chosen = sorted(exact if exact and fold(value) != value.strip().lower() else names) or [value.strip()]
        out.extend(n for n in chosen if n not in out)
    return out
