"""Configuration problems: what is wrong, where it came from (file:line or variable) and the fix.

``load_settings`` turns every validation error, and every problem its checks find after
validation (duplicate ids, a topic query that does not parse), into a :class:`ConfigProblem`, then
names its origin with :class:`Origins`: the ``MEDIAWATCH_*`` variable when the environment set
that key (it wins over the file), else the line of the TOML file, else the file. One
:class:`~mediawatch.errors.ConfigError` lists them all, so one run of the program shows every
mistake at once.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic_core import PydanticCustomError

Loc = tuple[str | int, ...]

ENV_PREFIX = "MEDIAWATCH_"
ENV_DELIMITER = "__"
_SECRET_KEY = re.compile(r"(password|token|secret|(^|_)key)$")


@dataclass(frozen=True)
class ConfigProblem:
    """One problem at ``loc`` (a path in the settings, e.g. ``("sources", 2, "id")``)."""

    loc: Loc
    message: str
    fix: str

    @property
    def key(self) -> str:
        return ".".join(str(p) for p in self.loc) or "(top level)"


def problem(message: str, fix: str) -> PydanticCustomError:
    """A validation error that carries its fix (read back by :func:`from_validation_error`)."""
    return PydanticCustomError("mw_config", "{message}", {"message": message, "fix": fix})


# --- value checks shared by the settings models ------------------------------------------------------

_HHMM = re.compile(r"^\s*([01]?\d|2[0-3])[:h.]([0-5]\d)\s*$")
_EMAIL = re.compile(r"^[^@\s<>,;\"']+@[^@\s<>,;\"']+$")
_HTTP = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.I)


def check_hhmm(value: str) -> str:
    """A local time of day, normalised to HH:MM ("7:05" -> "07:05")."""
    match = _HHMM.match(value) if isinstance(value, str) else None
    if not match:
        raise problem(f"{value!r} is not a time of day", 'write it as HH:MM on the 24-hour clock, e.g. "07:00"')
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def check_email(value: str) -> str:
    """One address, bare or with a display name ("Văn phòng <vanphong@laocai.gov.vn>")."""
    from email.utils import parseaddr

    value = value.strip() if isinstance(value, str) else value
    address = parseaddr(value)[1] if isinstance(value, str) and "<" in value else value
    if not isinstance(address, str) or not _EMAIL.match(address) or address.endswith("."):
        raise problem(f"{value!r} is not an e-mail address",
                      'write one address per string, e.g. "vanphong@laocai.gov.vn"')
    return value


def check_http_url(value: str) -> str:
    if not isinstance(value, str) or not _HTTP.match(value.strip()):
        raise problem(f"{value!r} is not an http(s) URL", 'write the full address, e.g. "https://example.vn/path"')
    return value.strip()


def duplicates(items: Iterable[Any], attr: str, section: str, fix: str) -> list[ConfigProblem]:
    """A problem for every entry whose ``attr`` repeats an earlier entry's."""
    seen: dict[str, int] = {}
    out = []
    for i, item in enumerate(items):
        value = getattr(item, attr)
        if value in seen:
            out.append(ConfigProblem((section, i, attr) if "." not in section else
                                     (*section.split("."), i, attr),
                                     f"{value!r} is used twice (also by entry {seen[value] + 1})", fix))
        else:
            seen[value] = i
    return out


# --- from pydantic errors ------------------------------------------------------------------------------

def _strip_tags(loc: Loc, tags: set[str]) -> Loc:
    """Drop the discriminator tag pydantic puts after ``options`` (``options.rss.min_chars``)."""
    out: list[str | int] = []
    skip = False
    for part in loc:
        if skip:
            skip = False
            if isinstance(part, str) and part in tags:
                continue
        out.append(part)
        if part == "options":
            skip = True
    return tuple(out)


def _fix(error: dict[str, Any], loc: Loc, option_names: Mapping[Loc, tuple[list[str], list[str]]]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if "fix" in ctx:
        return str(ctx["fix"])
    if kind == "extra_forbidden":
        if loc[:-1] in option_names:
            known, entry_keys = option_names[loc[:-1]]
            if loc[-1] in entry_keys:
                return f"move {loc[-1]} out of options: it is a key of the entry itself"
            return ("remove it or correct its spelling; this type takes "
                    + (", ".join(known) if known else "no options"))
        return "remove the key or correct its spelling (see docs/configuration.md)"
    if kind == "missing":
        return "add the key"
    if kind == "options_type":
        return "write options as a table, e.g. options = { key = \"value\" } (see docs/configuration.md)"
    return "set a valid value (see docs/configuration.md)"


def _message(error: dict[str, Any], loc: Loc) -> str:
    msg = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    value = error.get("input")
    last = str(loc[-1]) if loc else ""
    if error["type"] not in ("mw_config", "missing", "extra_forbidden") and isinstance(value, (str, int, float)) \
            and not isinstance(value, bool) and not _SECRET_KEY.search(last):
        msg += f" (got {json.dumps(value, ensure_ascii=False)})"
    return msg


def from_validation_error(errors: list[dict[str, Any]], tags: set[str],
                          option_names: Mapping[Loc, tuple[list[str], list[str]]] | None = None
                          ) -> list[ConfigProblem]:
    """Problems from ``ValidationError.errors()``, without the noise of tagged unions."""
    option_names = option_names or {}
    problems = []
    bad_types = {_strip_tags(tuple(e["loc"]), tags)[:-1] for e in errors
                 if e["loc"] and e["loc"][-1] in ("type", "format")}
    for error in errors:
        loc = _strip_tags(tuple(error["loc"]), tags)
        if error["type"] == "options_type" and loc[:-1] in bad_types:
            continue  # the entry's type is wrong: that error says it, options cannot be judged
        problems.append(ConfigProblem(loc, _message(error, loc), _fix(error, loc, option_names)))
    return problems


# --- origins ---------------------------------------------------------------------------------------

class Origins:
    """Where a key's value came from: a ``MEDIAWATCH_*`` variable, a line of the file, or the file."""

    def __init__(self, path: Path | None, text: str, environ: Mapping[str, str]):
        self.path = path
        self.text = text
        self._lines: dict[Loc, int] | None = None  # walked only when there is a problem to place
        self.environ = {k.upper(): (k, v) for k, v in environ.items() if k.upper().startswith(ENV_PREFIX)}

    @property
    def lines(self) -> dict[Loc, int]:
        if self._lines is None:
            self._lines = toml_lines(self.text) if self.text else {}
        return self._lines

    def env_var(self, loc: Loc) -> str | None:
        names: list[str] = []
        for part in loc:
            if isinstance(part, int):
                break
            names.append(str(part))
        for k in range(len(names), 0, -1):
            found = self.environ.get(ENV_PREFIX + ENV_DELIMITER.join(names[:k]).upper())
            if found is None:
                continue
            name, value = found
            if k == len(loc) or _json_has(value, loc[k:]):
                return name
        return None

    def line(self, loc: Loc) -> int | None:
        for k in range(len(loc), 0, -1):
            line = self.lines.get(tuple(loc[:k]))
            if line is not None:
                return line
        return None

    def describe(self, loc: Loc) -> str:
        env = self.env_var(loc)
        if env:
            return f"{env} (environment variable)"
        if self.path is None:
            return "defaults (no configuration file)"
        line = self.line(loc)
        return f"{self.path}:{line}" if line else str(self.path)


def _json_has(value: str, rest: Loc) -> bool:
    try:
        node: Any = json.loads(value)
    except ValueError:
        return False
    for part in rest:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return isinstance(part, str) and isinstance(node, dict)  # a key that should not be there
    return True


def report(problems: list[ConfigProblem], origins: Origins) -> list[str]:
    """One line per problem: origin, key, what is wrong, and the fix."""
    return [f"{origins.describe(p.loc)}: {p.key}: {p.message}. Fix: {p.fix}" for p in problems]


# --- where each key is in the TOML text ----------------------------------------------------------------

_KEY = re.compile(r"""((?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')(?:[ \t]*\.[ \t]*(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*'))*)[ \t]*=""")
_HEADER = re.compile(r"\[\[([^\]\n]+)\]\]|\[([^\]\n]+)\]")


def _parts(raw: str) -> tuple[str, ...]:
    return tuple(p.strip().strip("\"'") for p in re.findall(r"""(?:"[^"]*"|'[^']*'|[^.])+""", raw))


class _Locator:
    """A small TOML walker that records the line of every table, key and array item."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.found: dict[Loc, int] = {}
        self.arrays: dict[Loc, int] = {}

    def line_at(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos)

    def record(self, loc: Loc, pos: int) -> None:
        self.found.setdefault(loc, self.line_at(pos))

    def blank(self, pos: int, newlines: bool = True) -> int:
        text, n = self.text, len(self.text)
        while pos < n:
            c = text[pos]
            if c == "#":
                end = text.find("\n", pos)
                pos = n if end < 0 else end
            elif c in " \t\r" or (newlines and c == "\n"):
                pos += 1
            else:
                break
        return pos

    def walk(self) -> dict[Loc, int]:
        text, n = self.text, len(self.text)
        table: Loc = ()
        pos = 0
        while True:
            pos = self.blank(pos)
            if pos >= n:
                break
            header = _HEADER.match(text, pos) if text[pos] == "[" else None
            if header:
                table = self.header(header, pos)
                pos = header.end()
                continue
            key = _KEY.match(text, pos)
            if key:
                loc = table + _parts(key.group(1))
                self.record(loc, pos)
                pos = self.value(self.blank(key.end(), newlines=False), loc)
                continue
            end = text.find("\n", pos)  # not a statement we understand: skip the line
            pos = n if end < 0 else end + 1
        return self.found

    def header(self, match: re.Match[str], pos: int) -> Loc:
        is_array = match.group(1) is not None
        names = _parts(match.group(1) or match.group(2))
        resolved: list[str | int] = []
        for i, name in enumerate(names):
            resolved.append(name)
            last = i == len(names) - 1
            key = tuple(resolved)
            if last and is_array:
                self.arrays[key] = self.arrays.get(key, -1) + 1
                resolved.append(self.arrays[key])
            elif key in self.arrays:
                resolved.append(self.arrays[key])
        loc = tuple(resolved)
        if is_array:
            self.record(loc[:-1], pos)
        self.record(loc, pos)
        return loc

    def value(self, pos: int, loc: Loc) -> int:
        text, n = self.text, len(self.text)
        if pos >= n:
            return pos
        for quote in ('"""', "'''"):
            if text.startswith(quote, pos):
                end = text.find(quote, pos + 3)
                return n if end < 0 else end + 3
        c = text[pos]
        if c == '"':
            i = pos + 1
            while i < n and text[i] not in '"\n':
                i += 2 if text[i] == "\\" else 1
            return i + 1
        if c == "'":
            end = text.find("'", pos + 1)
            return n if end < 0 else end + 1
        if c == "{":
            pos += 1
            while pos < n:
                pos = self.blank(pos)
                if pos >= n or text[pos] == "}":
                    return pos + 1
                if text[pos] == ",":
                    pos += 1
                    continue
                key = _KEY.match(text, pos)
                if not key:
                    return pos + 1
                inner = loc + _parts(key.group(1))
                self.record(inner, pos)
                pos = self.value(self.blank(key.end(), newlines=False), inner)
            return pos
        if c == "[":
            pos += 1
            index = 0
            while pos < n:
                pos = self.blank(pos)
                if pos >= n or text[pos] == "]":
                    return pos + 1
                if text[pos] == ",":
                    index += 1
                    pos += 1
                    continue
                self.record(loc + (index,), pos)
                pos = self.value(pos, loc + (index,))
            return pos
        match = re.compile(r"[^,\]\}\n#]*").match(text, pos)
        return match.end() if match else pos + 1


def toml_lines(text: str) -> dict[Loc, int]:
    """Path -> line number for every table, array item and key in ``text`` (valid TOML)."""
    try:
        return _Locator(text).walk()
    except (IndexError, ValueError, RecursionError):  # a locator failure must never hide the real error
        return {}
