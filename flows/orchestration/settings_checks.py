"""The configuration as the stages read it, checked at start rather than when a flow first needs it.

The kernel validates each value (times, addresses, URLs, option keys) and names repeated ids.
What only a stage can judge is checked here, right after loading and before any work: topic
queries parse, the province is one of the 34, alert rules name a known topic, the claims register
exists. Every command and every scheduled flow loads its settings through :func:`load_checked`,
so a broken value stops the program at start (exit 2) with its file and line, never halfway
through a run with a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from mediawatch.config_check import ConfigProblem
from mediawatch.errors import ConfigError
from mediawatch.settings import Settings, load_settings


def topic_problems(settings: Settings) -> list[ConfigProblem]:
    from mediawatch.classifiers.topics import TopicQueryError, parse_query

    problems = []
    for i, topic in enumerate(settings.topics):
        try:
            parse_query(topic.query, topic.name)
        except TopicQueryError as exc:
            pointer = f"{topic.query!r}, character {exc.position + 1}"
            problems.append(ConfigProblem(("topics", i, "query"), f"topic {topic.name!r}: {exc.problem} ({pointer})",
                                          exc.FIX))
    return problems


def province_problems(settings: Settings) -> list[ConfigProblem]:
    from mediawatch.classifiers.places import current_province

    try:
        current_province(settings.province.name)
    except ConfigError as exc:
        return [ConfigProblem(("province", "name"), exc.message, exc.fix or "")]
    return []


def rule_problems(settings: Settings) -> list[ConfigProblem]:
    """Rules about a topic nobody defined would never fire, silently."""
    from mediawatch.classifiers.topics import load_default_topics

    known = {t.name for t in load_default_topics()} | {t.name for t in settings.topics}
    problems = []
    for i, rule in enumerate(settings.alerts.rules):
        if rule.topic and rule.topic not in known:
            problems.append(ConfigProblem(("alerts", "rules", i, "topic"), f"no topic is named {rule.topic!r}",
                                          f"use the name of a [[topics]] entry or a default topic "
                                          f"({', '.join(sorted(known))})"))
    return problems


def file_problems(settings: Settings) -> list[ConfigProblem]:
    register = settings.classifiers.claims_register
    if register:
        path = Path(register)
        path = path if path.is_absolute() else settings.base_dir() / path
        if not path.is_file():
            return [ConfigProblem(("classifiers", "claims_register"), f"no file at {path}",
                                  "point it at the CSV or YAML claims register, relative to the configuration "
                                  "file's folder, or remove the key")]
    return []


STAGE_CHECKS = (topic_problems, province_problems, rule_problems, file_problems)


def load_checked(path: str | os.PathLike[str] | None = None, *, required: bool = False) -> Settings:
    """:func:`~mediawatch.settings.load_settings` plus the stages' checks; raises ConfigError."""
    return load_settings(path, required=required, checks=STAGE_CHECKS)
