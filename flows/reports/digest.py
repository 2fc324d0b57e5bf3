"""The daily digest: yesterday's summary (or ``day``'s), charts and forecast, as HTML + text e-mail.

``run_digest(settings, store, day=None, send=True, out=None)`` is what the 07:00 flow and
``mediawatch digest`` call. It first sends whatever waits in the outbox, then builds the digest
for the day, writes it to ``out`` (a standalone HTML file with the charts embedded) when asked,
and sends it when ``send`` and ``smtp.host`` are set. The sent-ledger makes re-runs harmless.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from mediawatch.document import utcnow
from mediawatch.settings import Settings
from mediawatch.store.base import SearchQuery, Store

from mediawatch.flows.forecast.series import ALL, stored_forecasts
from mediawatch.i18n import check_lang, fmt_date, model_name, t
from mediawatch.flows.delivery.mail import InlineImage, Mailer, OutgoingMail, Outbox, ledger_key
from .summary import Period, Summary, build_summary, day_period
from .summary_render import Extras, render_html, render_text, topic_labels

log = logging.getLogger("mediawatch.digest")

CHART_DAYS = 14
MAX_FORECAST_LINES = 6


@dataclass
class Digest:
    day: date
    lang: str
    subject: str
    summary: Summary
    text: str
    html: str  # with cid: images, for the e-mail
    images: list[InlineImage] = field(default_factory=list)

    def standalone_html(self) -> str:
        """The HTML with its images inlined as data: URIs, for a file or a browser."""
        html = self.html
        for image in self.images:
            uri = "data:image/png;base64," + base64.b64encode(image.data).decode("ascii")
            html = html.replace(f'src="cid:{image.cid}"', f'src="{uri}"')
        return html


@dataclass
class DigestResult:
    digest: Digest
    status: str  # sent | duplicate | queued | off (no smtp.host) | no-recipients | not-asked
    out: Path | None = None
    outbox_sent: int = 0
    outbox_waiting: int = 0


def default_day(tz: str) -> date:
    """The digest at 07:00 reports on the whole of the previous local day."""
    return utcnow().astimezone(ZoneInfo(tz)).date() - timedelta(days=1)


def _series(store: Store, day: date, tz: str) -> tuple[list[date], list[int], list[int]]:
    zone = ZoneInfo(tz)
    first = day - timedelta(days=CHART_DAYS - 1)
    query = SearchQuery(since=day_period(first, tz).since, until=day_period(day, tz).until)
    buckets = {b.start.astimezone(zone).date(): b for b in store.histogram(query, interval="day", tz=tz)}
    days = [first + timedelta(days=i) for i in range(CHART_DAYS)]
    return (days, [buckets[d].count if d in buckets else 0 for d in days],
            [buckets[d].negative if d in buckets else 0 for d in days])


def forecast_lines(forecasts: dict[str, dict[str, Any]], lang: str,
                   labels: dict[str, str] | None = None) -> list[str]:
    lines = []
    overall = forecasts.get(f"{ALL}|{ALL}")
    if overall:
        days = overall["forecast"]
        low = round(min(f["volume_lower"] for f in days))
        high = round(max(f["volume_upper"] for f in days))
        mean = sum(f["volume"] for f in days) / len(days)
        share = sum(f["negative_share"] for f in days) / len(days)
        lines.append(t("forecast_all", lang, mean=f"{mean:.0f}", low=low, high=high,
                       share=f"{share * 100:.0f}"))
        lines.append(t("forecast_note", lang, model=model_name(overall["model"], lang),
                       level=round(overall["level"] * 100)))
    for key, value in sorted(forecasts.items()):
        if value.get("rising") and len(lines) < MAX_FORECAST_LINES:
            topic, _, place = key.partition("|")
            label = " / ".join((labels or {}).get(v, v) for v in (topic, place) if v != ALL) or t("all", lang)
            lines.append(t("forecast_rising", lang, series=label))
    return lines


def build_digest(settings: Settings, store: Store, day: date, lang: str,
                 until: datetime | None = None) -> Digest:
    """The digest of local day ``day``; with ``until``, of the 24 hours before it instead."""
    tz = settings.timezone
    period = Period(until - timedelta(days=1), until) if until else day_period(day, tz)
    summary = build_summary(store, period.since, period.until, tz=tz)
    subject = t("digest_subject", lang, province=settings.province.name, day=fmt_date(day))
    days, counts, negative = _series(store, day, tz)
    from .digest_charts import forecast_chart, volume_chart

    images = [InlineImage("volume@mediawatch", volume_chart(days, counts, negative, lang),
                          t("chart_volume", lang) + " / " + t("chart_sentiment", lang))]
    forecasts = stored_forecasts(store)
    overall = forecasts.get(f"{ALL}|{ALL}")
    labels = topic_labels(settings)
    extras = Extras(images=[(images[0].alt, f"cid:{images[0].cid}")], title=subject, labels=labels,
                    forecast_lines=forecast_lines(forecasts, lang, labels) or [t("forecast_none", lang)])
    if overall:
        images.append(InlineImage("forecast@mediawatch", forecast_chart(overall, lang), t("forecast", lang)))
        extras.forecast_image = (images[1].alt, f"cid:{images[1].cid}")
    return Digest(day=day, lang=lang, subject=subject, summary=summary,
                  text=render_text(summary, lang, markdown=False, extras=extras),
                  html=render_html(summary, lang, extras=extras), images=images)


def run_digest(settings: Settings, store: Store, *, day: date | None = None, send: bool = True,
               out: str | Path | None = None, lang: str | None = None, attempts: int = 3,
               backoff_s: float = 2.0, until: datetime | None = None) -> DigestResult:
    """``until`` (the demo, on-demand runs): cover the 24 hours before it instead of a calendar day."""
    lang = check_lang(lang or settings.digest.language or settings.language)
    if until is not None:
        day = until.astimezone(ZoneInfo(settings.timezone)).date()
    day = day or default_day(settings.timezone)
    mailer = Mailer(settings.smtp, store, Outbox(settings.data_path("outbox", "digest")),
                    attempts=attempts, backoff_s=backoff_s)
    outbox_sent = outbox_waiting = 0
    if send and settings.smtp.host:
        outbox_sent, outbox_waiting = mailer.flush()
    digest = build_digest(settings, store, day, lang, until=until)
    result = DigestResult(digest, "not-asked", outbox_sent=outbox_sent, outbox_waiting=outbox_waiting)
    if out:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(digest.standalone_html(), encoding="utf-8")
        path.with_suffix(".txt").write_text(digest.text, encoding="utf-8")
        result.out = path
        log.info("digest for %s written to %s", fmt_date(day), path)
    if not send:
        return result
    if not settings.smtp.host:
        log.info("e-mail is off: smtp.host is not set, the digest is not sent (set [smtp] host to send it)")
        result.status = "off"
        return result
    recipients = settings.digest.recipients
    if not recipients:
        log.warning("digest.recipients is empty: nobody to send the digest to")
        result.status = "no-recipients"
        return result
    mail = OutgoingMail(key=ledger_key("digest", day.isoformat(), recipients), subject=digest.subject,
                        recipients=list(recipients), text=digest.text, html=digest.html, images=digest.images)
    result.status = mailer.send(mail)
    return result
