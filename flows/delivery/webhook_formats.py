"""Alert payload -> the body each receiver expects, and the signature of the generic format.

Pure functions: no HTTP here. ``mediawatch.flows.delivery.webhooks`` sends what these build.

Generic JSON is signed: ``X-Mediawatch-Timestamp: <unix seconds>``, ``X-Mediawatch-Delivery: <id>``
and ``X-Mediawatch-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<delivery id>.<body>")>``.
The delivery id is signed with the body, so a receiver that deduplicates on it cannot be made to
drop a real alert by a forged id. A receiver recomputes the HMAC over the raw body and refuses
timestamps older than a few minutes, which stops replays of a captured request.

Links in chat formats are only ever http(s): a ``javascript:`` or ``data:`` URL from a post is
shown as text, never as a link.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
from typing import Any

from mediawatch.document import is_web_url
from mediawatch.i18n import label, t
from mediawatch.settings import WebhookSettings

SIGNATURE_HEADER = "X-Mediawatch-Signature"
TIMESTAMP_HEADER = "X-Mediawatch-Timestamp"
DELIVERY_HEADER = "X-Mediawatch-Delivery"
REPLAY_TOLERANCE_S = 300

_COLOURS = {"high": "D32F2F", "medium": "F57C00", "low": "607D8B"}
_ZALO_MAX = 2000  # Zalo OA text messages are limited to 2,000 characters


def signing_string(timestamp: int, delivery_id: str, body: bytes) -> bytes:
    """Exactly what is signed: ``<timestamp>.<delivery id>.<raw body>``."""
    return f"{timestamp}.{delivery_id}.".encode("utf-8") + body


def sign(secret: str, timestamp: int, body: bytes, delivery_id: str) -> str:
    mac = hmac.new(secret.encode("utf-8"), signing_string(timestamp, delivery_id, body), hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str | int | None, body: bytes, signature: str | None, now: float, *,
           delivery_id: str | None, tolerance_s: int = REPLAY_TOLERANCE_S) -> bool:
    """What a receiver does: constant-time compare, refuse stale or future timestamps. A missing
    header (signature, timestamp or delivery id ``None``) is a refusal, never an exception."""
    if not secret or not isinstance(signature, str) or not isinstance(delivery_id, str) or body is None:
        return False
    try:
        ts = int(timestamp)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    if abs(now - ts) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, ts, body, delivery_id).encode(), signature.encode("utf-8", "replace"))


def _link(url: str | None) -> str | None:
    return url if is_web_url(url) else None


def _lines(payload: dict[str, Any], lang: str) -> list[str]:
    """Plain-text facts shared by the chat formats."""
    out = []
    terms = ", ".join(payload.get("top_terms") or [])
    if terms:
        out.append(f"{t('webhook.top_terms', lang)}: {terms}")
    sources = ", ".join(f"{s['name']} ({s['count']})" for s in payload.get("top_sources") or [])
    if sources:
        out.append(f"{t('webhook.top_sources', lang)}: {sources}")
    mix = payload.get("sentiment_mix") or {}
    if mix:
        out.append(f"{t('webhook.sentiment', lang)}: "
                   + ", ".join(f"{label('sentiment', k, lang)} {v}" for k, v in mix.items()))
    window = payload.get("window") or {}
    if window.get("start_local"):
        out.append(f"{t('webhook.window', lang)}: {window['start_local']} – {window['end_local']}")
    return out


def _head(payload: dict[str, Any]) -> str:
    lang = payload.get("language", "vi")
    tag = label("severity", payload.get("severity", "medium"), lang).upper()
    update = f" ({t('webhook.update', lang)})" if payload.get("status") == "update" else ""
    return f"[{tag}] {payload.get('title', '')}{update}"


def plain_text(payload: dict[str, Any]) -> str:
    lang = payload.get("language", "vi")
    parts = [_head(payload), payload.get("text", ""), *_lines(payload, lang)]
    for d in payload.get("documents") or []:
        url = _link(d.get("url"))
        parts.append(f"• {d['title']} — {url}" if url else f"• {d['title']}")
    if _link(payload.get("dashboard_url")):
        parts.append(f"{t('webhook.dashboard', lang)}: {payload['dashboard_url']}")
    return "\n".join(p for p in parts if p)


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(payload: dict[str, Any]) -> dict[str, Any]:
    lang = payload.get("language", "vi")
    docs = "\n".join(f"• <{_slack_escape(_link(d.get('url')))}|{_slack_escape(d['title'])}>" if _link(d.get("url"))
                     else f"• {_slack_escape(d['title'])}" for d in payload.get("documents") or [])
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _head(payload)[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(payload.get("text", ""))}},
    ]
    facts = _lines(payload, lang)
    if facts:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape("\n".join(facts))}})
    if docs:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": docs}})
    if _link(payload.get("dashboard_url")):
        blocks.append({"type": "actions", "elements": [{
            "type": "button", "url": payload["dashboard_url"],
            "text": {"type": "plain_text", "text": t("webhook.open_dashboard", lang)}}]})
    return {"text": _slack_escape(f"{_head(payload)}: {payload.get('text', '')}"), "blocks": blocks}


def teams(payload: dict[str, Any]) -> dict[str, Any]:
    """Office 365 connector MessageCard, which Teams incoming webhooks and workflows accept."""
    lang = payload.get("language", "vi")
    facts = [{"name": line.split(": ", 1)[0], "value": html.escape(line.split(": ", 1)[1])}
             for line in _lines(payload, lang)]
    docs = "<br>".join(f"<a href=\"{html.escape(_link(d.get('url')))}\">{html.escape(d['title'])}</a>"
                       if _link(d.get("url")) else html.escape(d["title"]) for d in payload.get("documents") or [])
    card: dict[str, Any] = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": _head(payload)[:200],
        "themeColor": _COLOURS.get(payload.get("severity", ""), "607D8B"),
        "title": html.escape(_head(payload)),
        "text": html.escape(payload.get("text", "")),
        "sections": [{"facts": facts}] + ([{"text": docs}] if docs else []),
    }
    if _link(payload.get("dashboard_url")):
        card["potentialAction"] = [{"@type": "OpenUri",
                                    "name": t("webhook.open_dashboard", lang),
                                    "targets": [{"os": "default", "uri": payload["dashboard_url"]}]}]
    return card


def telegram(payload: dict[str, Any], chat_id: str | int) -> dict[str, Any]:
    """Bot API sendMessage with HTML formatting (document text is escaped)."""
    lang = payload.get("language", "vi")
    parts = [f"<b>{html.escape(_head(payload))}</b>", html.escape(payload.get("text", ""))]
    parts += [html.escape(line) for line in _lines(payload, lang)]
    parts += [f"• <a href=\"{html.escape(_link(d.get('url')))}\">{html.escape(d['title'])}</a>"
              if _link(d.get("url")) else f"• {html.escape(d['title'])}" for d in payload.get("documents") or []]
    if _link(payload.get("dashboard_url")):
        parts.append(f"<a href=\"{html.escape(payload['dashboard_url'])}\">"
                     f"{t('webhook.open_dashboard', lang)}</a>")
    return {"chat_id": chat_id, "text": "\n".join(p for p in parts if p)[:4096], "parse_mode": "HTML",
            "disable_web_page_preview": True}


def zalo(payload: dict[str, Any], options: Any) -> dict[str, Any]:
    """Zalo Official Account message: to a group (``group_id``) or a follower (``user_id``)."""
    if options.group_id:
        recipient = {"group_id": str(options.group_id)}
    elif options.user_id:
        recipient = {"user_id": str(options.user_id)}
    else:  # the configuration check refuses such a webhook; kept for payloads built by hand
        raise ValueError("a zalo webhook needs options.group_id or options.user_id")
    return {"recipient": recipient, "message": {"text": plain_text(payload)[:_ZALO_MAX]}}


def render(webhook: WebhookSettings, payload: dict[str, Any]) -> dict[str, Any]:
    """The JSON body for ``webhook``'s format. Raises ValueError naming the missing option."""
    if webhook.format == "json":
        return payload
    if webhook.format == "slack":
        return slack(payload)
    if webhook.format == "teams":
        return teams(payload)
    if webhook.format == "telegram":
        return telegram(payload, webhook.options.chat_id)
    return zalo(payload, webhook.options)


def endpoint(webhook: WebhookSettings) -> tuple[str, dict[str, str]]:
    """URL and extra headers at send time (tokens are read from the settings, never spooled)."""
    headers: dict[str, str] = {}
    url = webhook.url
    if webhook.format == "telegram":
        if webhook.token is None:
            raise ValueError(f"webhook {webhook.name!r}: telegram needs token (the bot token)")
        if not url.rstrip("/").endswith("/sendMessage"):
            url = f"{url.rstrip('/')}/bot{webhook.token.get_secret_value()}/sendMessage"
    elif webhook.format == "zalo":
        if webhook.token is None:
            raise ValueError(f"webhook {webhook.name!r}: zalo needs token (the OA access token)")
        headers["access_token"] = webhook.token.get_secret_value()
    return url, headers


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
