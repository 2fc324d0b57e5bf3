"""Documents and settings shared by the alert, webhook and flow tests (not a test module)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from mediawatch.document import Document, Engagement, Misinfo, Sentiment, Source, doc_id_for_url
from mediawatch.settings import AlertRuleSettings, Settings, TopicSettings

NOW = datetime(2026, 8, 10, 3, 0, tzinfo=timezone.utc)


def doc(n: int, when: datetime, *, kind: str = "social", topic: str = "lu-lut", source: str = "fb-page",
        sentiment: str | None = None, claim_id: str | None = None, claim: str | None = None,
        title: str | None = None, place: str = "Lào Cai") -> Document:
    url = f"https://example.test/{source}/{n}-{when.timestamp():.0f}"
    misinfo = None
    if claim_id or claim:
        misinfo = Misinfo(score=0.9, claim=claim or "Đập thủy điện bị vỡ", matched_claim_id=claim_id,
                          matched_claim="Đập thủy điện Thác Bà bị vỡ" if claim_id else None, flagged=True,
                          reasons=["khớp tin sai đã biết"])
    return Document(id=doc_id_for_url(url), url=url, source=Source(id=source, kind=kind, name=source),
                    title=title or f"Mưa lũ sạt lở đất tại Bảo Yên bài {n}",
                    text="Mưa lớn gây sạt lở đất, nhiều hộ dân phải sơ tán khẩn cấp.",
                    published_at=when, fetched_at=when, topics=[topic] if topic else [], places=[place],
                    sentiment=Sentiment(sentiment, -0.8 if sentiment == "negative" else 0.1) if sentiment else None,
                    misinfo=misinfo, engagement=Engagement(likes=n), author_key="ak-should-not-leak")


def background(hours: int = 13, per_hour: int = 2, *, kind: str = "social", end: datetime = NOW,
               sentiment: str = "neutral") -> list[Document]:
    """A steady baseline: ``per_hour`` documents in each hour before ``end`` minus the last hour."""
    docs = []
    for h in range(1, hours + 1):
        for i in range(per_hour):
            docs.append(doc(h * 100 + i, end - timedelta(hours=h, minutes=10 + i), kind=kind, sentiment=sentiment))
    return docs


def burst(count: int, *, kind: str = "social", end: datetime = NOW, **kw) -> list[Document]:
    return [doc(10_000 + i, end - timedelta(minutes=5 + i % 50), kind=kind, **kw) for i in range(count)]


def settings_with(tmp_path, rules: list[dict], **extra) -> Settings:
    return Settings(data_dir=str(tmp_path / "data"), store={"url": f"sqlite:///{tmp_path}/mw.db"},
                    topics=[TopicSettings(name="lu-lut", query="lũ OR sạt lở"),
                            TopicSettings(name="vo-dap", query='"vỡ đập"', urgent=True)],
                    alerts={"rules": [AlertRuleSettings(**r) for r in rules],
                            "dashboard_url": "http://dash.local/d/alerts"},
                    **extra)
