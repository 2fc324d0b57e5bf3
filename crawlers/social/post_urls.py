"""Post URLs without people in them: a known id-only shape per platform, else an opaque ``urn:``.

Most web addresses of a social post embed its author (``facebook.com/<username>/posts/…``,
``youtube.com/@handle``, ``mastodon.social/@user/…``, ``bsky.app/profile/<did>/…``), sometimes
percent-encoded, sometimes without the ``@`` the export wrote in another column. Guessing which part
is a name does not work, so the rule is the other way round: a URL is kept only when it matches a
shape known to carry nothing but ids (or the name of a publisher the operator configured), with
only the query parameters that name the post; every other URL becomes
``urn:mediawatch:<platform>:<document id>``. The shapes are listed in docs/privacy.md.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from mediawatch.document import is_opaque_url, is_web_url

from ..urls import canonical_url

_DIGITS = re.compile(r"\d+$")
_FB_POST = re.compile(r"(?:\d+|pfbid0?[A-Za-z0-9]+)$")
_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{3,}$")
_TOKEN = re.compile(r"[A-Za-z0-9_.-]+$")
_CHANNEL = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,}$")
# Query parameters a person's identity hides in on ordinary sites.
_PERSONAL_PARAMS = {"user", "username", "uid", "user_id", "userid", "author", "profile", "handle", "email",
                    "phone", "name", "id_user", "owner"}
# Path segments that introduce a person on ordinary sites.
_PERSONAL_SEGMENTS = {"user", "users", "profile", "profiles", "people", "u", "member", "members", "author"}


def opaque_url(platform: str, doc_id: str) -> str:
    return f"urn:mediawatch:{(platform or 'social').lower()}:{doc_id}"


def _host(netloc_host: str) -> str:
    host = (netloc_host or "").lower().rstrip(".")
    for prefix in ("www.", "m.", "mobile.", "web.", "mbasic.", "touch.", "music."):
        if host.startswith(prefix):
            host = host[len(prefix):]
    return host


def _params(query: str, allowed: dict[str, re.Pattern[str]]) -> list[tuple[str, str]] | None:
    """The allowed parameters, each matching its pattern; None when a required one is malformed."""
    kept = []
    for key, value in parse_qsl(query, keep_blank_values=False):
        pattern = allowed.get(key)
        if pattern is None:
            continue
        if not pattern.match(value):
            return None
        kept.append((key, value))
    return kept


def _build(scheme: str, host: str, path: str, params: list[tuple[str, str]] = ()) -> str:
    return urlunsplit((scheme, host, path, urlencode(list(params)), ""))


Rule = Callable[[str, str, str, str, frozenset[str]], "str | None"]  # scheme, host, path, query, publishers

_COMMENT = {"comment_id": _DIGITS, "reply_comment_id": _DIGITS}


def _facebook(scheme: str, host: str, path: str, query: str, publishers: frozenset[str]) -> str | None:
    segments = [s for s in path.split("/") if s]
    params = _params(query, _COMMENT)
    if params is None:
        return None
    if len(segments) == 1 and segments[0] in ("permalink.php", "story.php"):
        found = dict(_params(query, {"story_fbid": _FB_POST, "id": _DIGITS, **_COMMENT}) or [])
        if "story_fbid" in found and "id" in found:
            order = ("story_fbid", "id", "comment_id", "reply_comment_id")
            return _build(scheme, host, "/" + segments[0], [(k, found[k]) for k in order if k in found])
        return None
    if len(segments) == 1 and segments[0] in ("photo.php", "photo"):
        found = dict(_params(query, {"fbid": _DIGITS}) or [])
        return _build(scheme, host, "/photo.php", list(found.items())) if "fbid" in found else None
    if len(segments) == 1 and segments[0] == "watch":
        found = dict(_params(query, {"v": _DIGITS}) or [])
        return _build(scheme, host, "/watch", list(found.items())) if "v" in found else None
    if len(segments) == 1 and re.fullmatch(r"\d+(?:_\d+)?", segments[0]):
        return _build(scheme, host, "/" + segments[0], params)
    if len(segments) == 2 and segments[0] in ("reel", "videos") and _DIGITS.match(segments[1]):
        return _build(scheme, host, path, params)
    if len(segments) == 4 and segments[0] == "groups" and _DIGITS.match(segments[1]) \
            and segments[2] in ("posts", "permalink") and _DIGITS.match(segments[3]):
        return _build(scheme, host, path, params)
    if len(segments) == 3 and segments[1] in ("posts", "videos", "photos") and _FB_POST.match(segments[2]):
        owner = segments[0]
        if _DIGITS.match(owner) or owner.lower() in publishers:
            return _build(scheme, host, path, params)
    return None


def _youtube(scheme: str, host: str, path: str, query: str, publishers: frozenset[str]) -> str | None:
    segments = [s for s in path.split("/") if s]
    if host == "youtu.be":
        if len(segments) == 1 and _VIDEO_ID.match(segments[0]):
            return _build(scheme, "www.youtube.com", "/watch", [("v", segments[0])])
        return None
    if segments == ["watch"]:
        found = dict(_params(query, {"v": _VIDEO_ID, "lc": _TOKEN}) or [])
        if "v" in found:
            return _build(scheme, "www.youtube.com", "/watch", [(k, found[k]) for k in ("v", "lc") if k in found])
        return None
    if len(segments) == 2 and segments[0] in ("shorts", "live", "embed") and _VIDEO_ID.match(segments[1]):
        return _build(scheme, "www.youtube.com", path, [])
    return None


def _telegram(scheme: str, host: str, path: str, query: str, publishers: frozenset[str]) -> str | None:
    # t.me/<channel>/<n> is a public channel's message: a channel is a source, not a person.
    segments = [s for s in path.split("/") if s]
    if segments[:1] == ["s"]:
        segments = segments[1:]
    if len(segments) == 2 and _CHANNEL.match(segments[0]) and _DIGITS.match(segments[1]):
        return _build(scheme, "t.me", "/" + "/".join(segments), [])
    if len(segments) == 3 and segments[0] == "c" and _DIGITS.match(segments[1]) and _DIGITS.match(segments[2]):
        return _build(scheme, "t.me", path, [])
    return None


def _bluesky(scheme: str, host: str, path: str, query: str, publishers: frozenset[str]) -> str | None:
    segments = [s for s in path.split("/") if s]
    if len(segments) == 4 and segments[0] == "profile" and segments[2] == "post" \
            and segments[1].lower() in publishers and _TOKEN.match(segments[3]):
        return _build(scheme, host, path, [])
    return None


def _mastodon(scheme: str, host: str, path: str, query: str, publishers: frozenset[str]) -> str | None:
    segments = [s for s in path.split("/") if s]
    if len(segments) == 4 and segments[:3] == ["api", "v1", "statuses"] and _DIGITS.match(segments[3]):
        return _build(scheme, host, path, [])
    if len(segments) == 2 and segments[0].startswith("@") and _DIGITS.match(segments[1]):
        acct = segments[0][1:].lower()
        if acct in publishers or f"{acct}@{host}" in publishers or acct.split("@")[0] in publishers:
            return _build(scheme, host, path, [])
    if len(segments) == 4 and segments[0] == "users" and segments[2] == "statuses" \
            and segments[1].lower() in publishers and _DIGITS.match(segments[3]):
        return _build(scheme, host, path, [])
    return None


def _x(scheme: str, host: str, path: str, query: str, publishers: frozenset[str]) -> str | None:
    # x.com/<user>/status/<id> has an id-only twin: x.com/i/web/status/<id>.
    segments = [s for s in path.split("/") if s]
    if len(segments) >= 3 and segments[-2] == "status" and _DIGITS.match(segments[-1]):
        return _build("https", "x.com", f"/i/web/status/{segments[-1]}", [])
    return None


def _instagram(scheme: str, host: str, path: str, query: str, publishers: frozenset[str]) -> str | None:
    segments = [s for s in path.split("/") if s]
    if len(segments) == 2 and segments[0] in ("p", "reel", "tv") and _TOKEN.match(segments[1]):
        return _build(scheme, host, path, [])
    return None


def _reddit(scheme: str, host: str, path: str, query: str, publishers: frozenset[str]) -> str | None:
    segments = [s for s in path.split("/") if s]
    if len(segments) >= 4 and segments[0] == "r" and segments[2] == "comments" and _TOKEN.match(segments[3]):
        return _build(scheme, host, "/" + "/".join(segments[:4]), [])
    return None


def _none(*_args) -> None:
    return None


RULES_BY_HOST: dict[str, Rule] = {
    "facebook.com": _facebook, "fb.com": _facebook,
    "youtube.com": _youtube, "youtu.be": _youtube,
    "t.me": _telegram, "telegram.me": _telegram,
    "bsky.app": _bluesky,
    "x.com": _x, "twitter.com": _x,
    "instagram.com": _instagram,
    "reddit.com": _reddit, "old.reddit.com": _reddit,
    # No id-only public form: always opaque.
    "tiktok.com": _none, "vm.tiktok.com": _none, "threads.net": _none, "threads.com": _none,
    "zalo.me": _none, "chat.zalo.me": _none, "linkedin.com": _none, "fb.watch": _none, "vk.com": _none,
}
RULES_BY_PLATFORM: dict[str, Rule] = {"mastodon": _mastodon}


def _ordinary(url: str, path: str, query: str) -> str | None:
    """A link to an ordinary site (a newspaper in an export): kept unless it names a person."""
    segments = [s.lower() for s in path.split("/") if s]
    if any(s.startswith("@") or s.startswith("~") for s in segments):
        return None
    if any(s in _PERSONAL_SEGMENTS for s in segments[:-1]):
        return None
    if any(k.lower() in _PERSONAL_PARAMS for k, _ in parse_qsl(query)):
        return None
    return canonical_url(url)


def safe_post_url(url: str | None, *, platform: str, doc_id: str, publishers: Iterable[str] = (),
                  raw_authors: Iterable[str] = ()) -> str:
    """``url`` if it carries nothing but ids (or a configured publisher's name), rewritten to its
    id-only form; else the opaque ``urn:mediawatch:<platform>:<doc id>``. Never a non-web URL."""
    if is_opaque_url(url):
        return url  # type: ignore[return-value]
    fallback = opaque_url(platform, doc_id)
    if not is_web_url(url):
        return fallback
    assert url is not None
    parts = urlsplit(url.strip())
    path = unquote(parts.path)
    lowered = (path + "?" + unquote(parts.query)).lower()
    for raw in raw_authors:
        needle = str(raw or "").strip().lower().lstrip("@")
        if len(needle) >= 3 and needle in lowered:
            return fallback
    host = _host(parts.hostname or "")
    pubs = frozenset(str(p).strip().lower().lstrip("@") for p in publishers if str(p).strip())
    rule = RULES_BY_HOST.get(host) or RULES_BY_PLATFORM.get((platform or "").lower())
    if rule is not None:
        # Instances (Mastodon) keep their own address, port included; platforms get their canonical host.
        netloc = parts.netloc.lower().rsplit("@", 1)[-1] if rule is _mastodon else _canonical_host(host)
        return rule(parts.scheme.lower(), netloc, path, parts.query, pubs) or fallback
    if host.endswith((".facebook.com", ".youtube.com", ".tiktok.com", ".instagram.com")):
        return fallback
    return _ordinary(url, path, parts.query) or fallback


def _canonical_host(host: str) -> str:
    return {"facebook.com": "www.facebook.com", "fb.com": "www.facebook.com", "instagram.com": "www.instagram.com",
            "reddit.com": "www.reddit.com"}.get(host, host)
