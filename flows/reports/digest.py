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
from zoneinfo import ZoneInfo

from mediawatch.document import utcnow
from mediawatch.settings import Settings
from mediawatch.store.base import SearchQuery, Store
from mediawatch.store.forecasts import ALL, ForecastRecord

from mediawatch.flows.forecast.describe import choice_line, interval_line
from mediawatch.flows.forecast.series import count_today, stored_forecasts, update_today
from mediawatch.flows.forecast.trend import is_up
from mediawatch.i18n import check_lang, fmt_date, t
from mediawatch.flows.delivery.mail import InlineImage, Mailer, OutgoingMail, Outbox, ledger_key
from .summary import Period, Summary, TopicTrend, build_summary, day_period
from .summary_render import Extras, render_html, render_text, topic_labels

log = logging.getLogger("mediawatch.digest")

CHART_DAYS = 14
MAX_TOPIC_LINES = 3


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


def forecast_lines(overall: ForecastRecord | None, topics: list[tuple[TopicTrend, ForecastRecord]], lang: str,
                   labels: dict[str, str] | None = None) -> list[str]:
    """The digest's forecast section: today so far and expected, the coming days, which model and
    why, how well its interval held, and today's outlook for each topic the digest lists as rising
    (beside the counts that make it rising)."""
    if overall is None:
        return []
    if not overall.points:
        return [t("forecast_stale", lang, day=fmt_date(overall.generated_at, overall.tz))]
    lines = []
    points = list(overall.points)
    today = overall.today
    if today is not None and points[0].date == today.as_of.astimezone(ZoneInfo(overall.tz)).date():
        first = points.pop(0)
        lines.append(t("forecast_today", lang, day=fmt_date(first.date), time=_hhmm(today.as_of, overall.tz),
                       so_far=today.so_far, mean=round(first.volume), low=round(first.volume_lower),
                       high=round(first.volume_upper)))
    if points:
        lines.append(t("forecast_days", lang, start=fmt_date(points[0].date), end=fmt_date(points[-1].date),
                       mean=f"{sum(p.volume for p in points) / len(points):.0f}",
                       low=round(min(p.volume_lower for p in points)), high=round(max(p.volume_upper for p in points)),
                       share=f"{sum(p.negative_share for p in points) / len(points) * 100:.0f}"))
    lines.append(choice_line(overall, lang))
    lines.append(interval_line(overall, lang))
    recent = {h.date for h in overall.history[-CHART_DAYS:]}
    cleaned = [d for d in overall.cleaned if d in recent]
    if cleaned:
        lines.append(t("forecast_cleaned", lang, days=", ".join(fmt_date(d) for d in cleaned)))
    for trend, record in topics[:MAX_TOPIC_LINES]:
        if record.points:
            point = record.points[0]
            lines.append(t("forecast_topic", lang, topic=(labels or {}).get(trend.topic, trend.topic),
                           status=t(trend.status, lang), count=trend.count, previous=trend.previous,
                           mean=round(point.volume), low=round(point.volume_lower), high=round(point.volume_upper)))
    return lines


def _hhmm(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%H:%M")


def current_forecasts(store: Store, summary: Summary, now: datetime, tz: str
                      ) -> tuple[ForecastRecord | None, list[tuple[TopicTrend, ForecastRecord]]]:
    """The overall forecast and those of the rising topics, with today's count so far as of ``now``."""
    records = stored_forecasts(store, now=now)
    overall = records.get(f"{ALL}|{ALL}")
    if overall is not None:
        overall = update_today(overall, count_today(store, now, tz=tz), now)
    topics = []
    for trend in summary.topics:
        record = records.get(f"{trend.topic}|{ALL}")
        if is_up(trend.status) and record is not None and len(topics) < MAX_TOPIC_LINES:
            topics.append((trend, update_today(record, count_today(store, now, topic=trend.topic, tz=tz), now)))
    return overall, topics


def build_digest(settings: Settings, store: Store, day: date, lang: str,
                 until: datetime | None = None, now: datetime | None = None) -> Digest:
    """The digest of local day ``day``; with ``until``, of the 24 hours before it instead. The
    forecast section is as of ``now`` (default ``until``, else the current time)."""
    tz = settings.timezone
    period = Period(until - timedelta(days=1), until) if until else day_period(day, tz)
    summary = build_summary(store, period.since, period.until, tz=tz)
    subject = t("digest_subject", lang, province=settings.province.name, day=fmt_date(day))
    days, counts, negative = _series(store, day, tz)
    from .digest_charts import forecast_chart, volume_chart

    images = [InlineImage("volume@mediawatch", volume_chart(days, counts, negative, lang),
                          t("chart_volume", lang) + " / " + t("chart_sentiment", lang))]
    overall, topics = current_forecasts(store, summary, now or until or utcnow(), tz)
    labels = topic_labels(settings)
    extras = Extras(images=[(images[0].alt, f"cid:{images[0].cid}")], title=subject, labels=labels,
                    forecast_lines=forecast_lines(overall, topics, lang, labels) or [t("forecast_none", lang)])
    if overall is not None and overall.points:
        images.append(InlineImage("forecast@mediawatch", forecast_chart(overall.to_dict(), lang), t("forecast", lang)))
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
