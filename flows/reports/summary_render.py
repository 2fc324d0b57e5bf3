"""Summaries as Markdown, plain text and mail-client-safe HTML.

The HTML is built for e-mail: one centred 600px table, inline styles only (Gmail and Outlook drop
<style> blocks and ignore flex/grid), system fonts, and every piece of document text passed
through ``html.escape``. Images are given as ``src`` values: ``cid:...`` in the e-mail, ``data:``
URIs in a standalone file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from html import escape
from typing import Any

from mediawatch.document import parse_ts

from mediawatch.flows.forecast.trend import NEW_MIN, RISING_FACTOR, RISING_MIN, is_up
from mediawatch.i18n import fmt_date, fmt_num, fmt_pct, severity, t
from .summary import Summary

SENTIMENT_COLOURS = {"negative": "#c0392b", "neutral": "#7f8c8d", "positive": "#27ae60"}


@dataclass
class Extras:
    """What a digest adds to a summary: charts and the forecast lines."""

    images: list[tuple[str, str]] = field(default_factory=list)  # (alt text, src)
    forecast_lines: list[str] = field(default_factory=list)
    forecast_image: tuple[str, str] | None = None
    title: str | None = None
    labels: dict[str, str] = field(default_factory=dict)  # topic name -> label people read


def topic_labels(settings) -> dict[str, str]:
    """Topic name -> label: the classifiers' default crisis topics, overridden by configured ones."""
    from mediawatch.classifiers.topics import topic_labels as labels_of

    return labels_of(settings.topics)


def period_label(summary: Summary, lang: str) -> str:
    since, until = parse_ts(summary.since), parse_ts(summary.until)
    last = until - timedelta(seconds=1)
    if until - since <= timedelta(days=1) and fmt_date(since, summary.tz) == fmt_date(last, summary.tz):
        return t("day", lang, day=fmt_date(since, summary.tz))
    return t("period_range", lang, start=fmt_date(since, summary.tz), end=fmt_date(last, summary.tz))


def _change(value: float | None, lang: str) -> str:
    return "" if value is None else f" ({t('change', lang)} {fmt_pct(value, lang, signed=True)})"


def _sentiment_line(summary: Summary, lang: str) -> str:
    if not summary.sentiment:
        return t("none", lang)
    parts = []
    for label in ("negative", "neutral", "positive"):
        delta = summary.sentiment_change(label)
        change = "" if delta is None else f" ({delta:+.0f} {t('points', lang)})"
        parts.append(f"{t(label, lang)} {summary.sentiment[label] * 100:.0f}%{change}")
    return ", ".join(parts)


def _filters(summary: Summary, lang: str, labels: dict[str, str] | None = None) -> str:
    parts = []
    if summary.topic:
        parts.append(f"{t('topic', lang)}: {(labels or {}).get(summary.topic) or summary.topic}")
    if summary.place:
        parts.append(f"{t('place', lang)}: {summary.place}")
    return f"{t('filters', lang)} " + "; ".join(parts) if parts else ""


def _trend_lines(summary: Summary, lang: str, extras: Extras) -> tuple[list[str], list[str]]:
    """New and rising topics, one line each; falling ones, short: every status beside its two counts."""
    up, down = [], []
    for tr in summary.topics:
        label = extras.labels.get(tr.topic, tr.topic)
        if is_up(tr.status):
            up.append(f"{label}: {tr.count} ({t(tr.status, lang)}; {t('previous', lang)} {tr.previous})")
        elif tr.status == "falling":
            down.append(f"{label} {tr.count} ({t('previous', lang)} {tr.previous})")
    return up, down


def _trend_rule(lang: str) -> str:
    return t("trend_rule", lang, min=RISING_MIN, factor=RISING_FACTOR, new=NEW_MIN)


# --- text and Markdown -----------------------------------------------------------------------------

def render_text(summary: Summary, lang: str = "vi", *, markdown: bool = True,
                extras: Extras | None = None) -> str:
    """Markdown (``markdown=True``) or the plain-text part of the e-mail; both read well as text."""
    extras = extras or Extras()
    h1 = "# " if markdown else ""
    h2 = "## " if markdown else ""
    bullet = "- "
    out: list[str] = []
    title = extras.title or t("summary_title", lang, period=period_label(summary, lang))
    out.append(f"{h1}{title}")
    if not markdown:
        out.append("=" * len(title))
    filters = _filters(summary, lang, extras.labels)
    if filters:
        out.append(filters)
    out.append("")
    out.append(f"{h2}{t('overview', lang)}")
    out.append(f"{bullet}{t('volume', lang)}: {summary.volume}{_change(summary.change_pct, lang)}; "
               f"{t('previous', lang)}: {summary.previous_volume}")
    out.append(f"{bullet}{t('press', lang)} {summary.by_kind.get('press', 0)}, "
               f"{t('social', lang)} {summary.by_kind.get('social', 0)}, {t('web', lang)} "
               f"{summary.by_kind.get('web', 0)}")
    out.append(f"{bullet}{t('sentiment_mix', lang)}: {_sentiment_line(summary, lang)}")
    out.append("")

    out.append(f"{h2}{t('top_stories', lang)}")
    if not summary.stories:
        out.append(t("none", lang))
    for i, story in enumerate(summary.stories, 1):
        out.append(f"{i}. {story.headline}")
        out.append(f"   {t('sources_n', lang, n=story.sources)}, {t('items_n', lang, n=story.count)}, "
                   f"{t('press_social', lang, press=story.press, social=story.social)}; "
                   f"{t('negative', lang)} {story.sentiment.get('negative', 0)}, "
                   f"{t('positive', lang)} {story.sentiment.get('positive', 0)}")
        out.append(f"   {story.url}")
    out.append("")

    out.append(f"{h2}{t('people_say', lang)}")
    out.append(t("people_say_note", lang))
    if not summary.phrases:
        out.append(t("none", lang))
    for phrase in summary.phrases:
        out.append(f"{bullet}\"{phrase.phrase}\" ({t('mentions_n', lang, n=phrase.count)})")
        for quote in phrase.quotes:
            out.append(f"    > {quote}")
    out.append("")

    out.append(f"{h2}{t('topics_trend', lang)}")
    up, down = _trend_lines(summary, lang, extras)
    if not up:
        out.append(t("none", lang))
    out.extend(f"{bullet}{line}" for line in up)
    if down:
        out.append(f"{t('topics_falling', lang)}: " + "; ".join(down))
    out.append(_trend_rule(lang))
    out.append("")

    out.append(f"{h2}{t('misinfo_queue', lang)}")
    out.append(f"{t('new_flags', lang)}:")
    if not summary.new_flags:
        out.append(t("none", lang))
    for flag in summary.new_flags:
        out.append(f"{bullet}{flag.claim} ({t('items_n', lang, n=flag.count)}, {t('score', lang)} "
                   f"{fmt_num(flag.score, lang)}) {flag.url}")
        if flag.evidence_url:
            out.append(f"    {t('evidence', lang)}: {flag.evidence_url}")
    out.append(f"{t('confirmed_false', lang)}:")
    if not summary.confirmed:
        out.append(t("none", lang))
    for claim in summary.confirmed:
        key = "correction_spreading" if claim.spreading else "correction_lagging"
        out.append(f"{bullet}{claim.claim}")
        out.append(f"    {t(key, lang, c=claim.corrections, r=claim.rumours)}")
    if summary.corrections:
        out.append(f"{t('corrections_spreading', lang)}:")
    for item in summary.corrections:
        out.append(f"{bullet}{item.claim} ({t('corrections_n', lang, c=item.corrections, r=item.rumours)})")
        for url in item.urls:
            out.append(f"    {url}")
    out.append("")

    if extras.forecast_lines or extras.forecast_image:
        out.append(f"{h2}{t('forecast', lang)}")
        out.extend(f"{bullet}{line}" for line in extras.forecast_lines)
        out.append("")

    out.append(f"{h2}{t('alerts', lang)}")
    if not summary.alerts:
        out.append(t("none", lang))
    for alert in summary.alerts:
        out.append(f"{bullet}{_local_time(alert.fired_at, summary.tz)} [{severity(alert.severity, lang)}] {alert.title}")
    out.append("")
    out.append("--")
    out.append(t("footer", lang))
    return "\n".join(out).rstrip() + "\n"


def _local_time(stamp: str, tz: str) -> str:
    from mediawatch.i18n import fmt_datetime

    return fmt_datetime(parse_ts(stamp), tz)


def render_json(summary: Summary) -> str:
    return json.dumps(summary.to_dict(), ensure_ascii=False, indent=2)


# --- HTML ------------------------------------------------------------------------------------------

FONT = "font-family:Arial,Helvetica,sans-serif;"
H2 = f"{FONT}font-size:17px;color:#1a3c6e;margin:22px 0 8px 0;border-bottom:2px solid #1a3c6e;padding-bottom:4px;"
P = f"{FONT}font-size:14px;line-height:1.5;color:#222;margin:4px 0;"
SMALL = f"{FONT}font-size:12px;line-height:1.4;color:#666;margin:2px 0;"
LINK = "color:#1a5fb4;text-decoration:underline;"


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _section(title: str, body: str) -> str:
    return f'<tr><td style="padding:0 20px;"><h2 style="{H2}">{_e(title)}</h2>{body}</td></tr>'


def _p(text_html: str, style: str = P) -> str:
    return f'<p style="{style}">{text_html}</p>'


def _link(url: str, label: str) -> str:
    # Only http(s) links: a javascript: URL in a feed must not become clickable.
    if not url.lower().startswith(("http://", "https://")):
        return _e(label)
    return f'<a href="{_e(url)}" style="{LINK}">{_e(label)}</a>'


def _img(alt: str, src: str) -> str:
    return (f'<img src="{_e(src)}" alt="{_e(alt)}" width="560" '
            f'style="display:block;width:100%;max-width:560px;height:auto;border:0;margin:6px 0;">')


def _sentiment_bar(shares: dict[str, float]) -> str:
    if not shares:
        return ""
    cells = "".join(
        f'<td width="{max(1, round(shares[k] * 100))}%" style="background:{SENTIMENT_COLOURS[k]};'
        f'height:10px;font-size:0;line-height:0;">&nbsp;</td>'
        for k in ("negative", "neutral", "positive") if shares.get(k, 0) > 0)
    return (f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
            f'style="border-collapse:collapse;margin:6px 0;"><tr>{cells}</tr></table>')


def render_html(summary: Summary, lang: str = "vi", *, extras: Extras | None = None) -> str:
    extras = extras or Extras()
    title = extras.title or t("summary_title", lang, period=period_label(summary, lang))
    rows: list[str] = []
    filters = _filters(summary, lang, extras.labels)
    rows.append(
        f'<tr><td style="background:#1a3c6e;padding:18px 20px;">'
        f'<h1 style="{FONT}font-size:21px;line-height:1.3;color:#ffffff;margin:0;">{_e(title)}</h1>'
        + (f'<p style="{FONT}font-size:13px;color:#dfe7f2;margin:6px 0 0 0;">{_e(filters)}</p>' if filters else "")
        + "</td></tr>")

    overview = _p(f"<strong>{_e(t('volume', lang))}:</strong> {summary.volume}"
                  f"{_e(_change(summary.change_pct, lang))}; {_e(t('previous', lang))}: "
                  f"{summary.previous_volume}")
    overview += _p(_e(f"{t('press', lang)} {summary.by_kind.get('press', 0)} · {t('social', lang)} "
                      f"{summary.by_kind.get('social', 0)} · {t('web', lang)} {summary.by_kind.get('web', 0)}"))
    overview += _p(f"<strong>{_e(t('sentiment_mix', lang))}:</strong> {_e(_sentiment_line(summary, lang))}")
    overview += _sentiment_bar(summary.sentiment)
    rows.append(_section(t("overview", lang), overview))

    if extras.images:
        rows.append(_section(t("charts", lang), "".join(_img(alt, src) for alt, src in extras.images)))

    stories = ""
    for i, story in enumerate(summary.stories, 1):
        meta = (f"{t('sources_n', lang, n=story.sources)} · {t('items_n', lang, n=story.count)} · "
                f"{t('press_social', lang, press=story.press, social=story.social)} · "
                f"{t('negative', lang)} {story.sentiment.get('negative', 0)}")
        stories += _p(f"<strong>{i}.</strong> {_link(story.url, story.headline)}") + _p(_e(meta), SMALL)
    rows.append(_section(t("top_stories", lang), stories or _p(_e(t("none", lang)))))

    phrases = _p(_e(t("people_say_note", lang)), SMALL)
    for phrase in summary.phrases:
        phrases += _p(f"<strong>&ldquo;{_e(phrase.phrase)}&rdquo;</strong> "
                      f"<span style=\"color:#666;\">({_e(t('mentions_n', lang, n=phrase.count))})</span>")
        for quote in phrase.quotes:
            phrases += (f'<p style="{P}margin-left:10px;padding-left:8px;border-left:3px solid #ccd6e4;'
                        f'color:#444;font-style:italic;">{_e(quote)}</p>')
    if not summary.phrases:
        phrases += _p(_e(t("none", lang)))
    rows.append(_section(t("people_say", lang), phrases))

    up, down = _trend_lines(summary, lang, extras)
    topics = "".join(_p(_e(line)) for line in up) or _p(_e(t("none", lang)))
    if down:
        topics += _p(_e(f"{t('topics_falling', lang)}: " + "; ".join(down)))
    topics += _p(_e(_trend_rule(lang)), SMALL)
    rows.append(_section(t("topics_trend", lang), topics))

    misinfo = _p(f"<strong>{_e(t('new_flags', lang))}</strong>")
    for flag in summary.new_flags:
        misinfo += _p(f"{_link(flag.url, flag.claim)} <span style=\"color:#666;\">"
                      f"({_e(t('items_n', lang, n=flag.count))}, {_e(t('score', lang))} "
                      f"{fmt_num(flag.score, lang)})</span>")
        if flag.evidence_url:
            misinfo += _p(f"{_e(t('evidence', lang))}: {_link(flag.evidence_url, flag.evidence_url)}", SMALL)
    if not summary.new_flags:
        misinfo += _p(_e(t("none", lang)))
    misinfo += _p(f"<strong>{_e(t('confirmed_false', lang))}</strong>")
    for claim in summary.confirmed:
        key = "correction_spreading" if claim.spreading else "correction_lagging"
        colour = "#27ae60" if claim.spreading else "#c0392b"
        misinfo += _p(_link(claim.url, claim.claim))
        misinfo += _p(f'<span style="color:{colour};">{_e(t(key, lang, c=claim.corrections, r=claim.rumours))}</span>',
                      SMALL)
    if not summary.confirmed:
        misinfo += _p(_e(t("none", lang)))
    if summary.corrections:
        misinfo += _p(f"<strong>{_e(t('corrections_spreading', lang))}</strong>")
    for item in summary.corrections:
        colour = "#27ae60" if item.spreading else "#c0392b"
        misinfo += _p(f"{_e(item.claim)} <span style=\"color:{colour};\">"
                      f"({_e(t('corrections_n', lang, c=item.corrections, r=item.rumours))})</span>")
        for url in item.urls:
            misinfo += _p(_link(url, url), SMALL)
    rows.append(_section(t("misinfo_queue", lang), misinfo))

    if extras.forecast_lines or extras.forecast_image:
        body = _img(*extras.forecast_image) if extras.forecast_image else ""
        body += "".join(_p(_e(line)) for line in extras.forecast_lines)
        rows.append(_section(t("forecast", lang), body))

    alerts = "".join(_p(_e(f"{_local_time(a.fired_at, summary.tz)} [{severity(a.severity, lang)}] {a.title}"))
                     for a in summary.alerts) or _p(_e(t("none", lang)))
    rows.append(_section(t("alerts", lang), alerts))
    rows.append(f'<tr><td style="padding:20px;">{_p(_e(t("footer", lang)), SMALL)}</td></tr>')

    return (
        f'<!DOCTYPE html>\n<html lang="{_e(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title></head>"
        '<body style="margin:0;padding:0;background:#eef1f5;">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'style="border-collapse:collapse;background:#eef1f5;"><tr><td align="center" style="padding:12px 6px;">'
        '<table role="presentation" width="600" cellpadding="0" cellspacing="0" '
        'style="border-collapse:collapse;width:100%;max-width:600px;background:#ffffff;">'
        + "".join(rows)
        + "</table></td></tr></table></body></html>\n")


