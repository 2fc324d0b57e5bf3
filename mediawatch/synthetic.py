"""Synthetic documents for benchmarks and store tests: deterministic, Vietnamese-looking, varied."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Iterator

from .document import Document, Engagement, Misinfo, Sentiment, Source, doc_id_for_url

PLACES = ["Lào Cai", "Yên Bái", "Sa Pa", "Bát Xát", "Mù Cang Chải", "Văn Chấn", "Nghĩa Lộ", "Hà Nội"]
TOPICS = ["bao", "lu_lut", "sat_lo", "thuy_dien", "dich_benh", "chay_no", "o_nhiem", "giao_thong"]
SOURCES = [Source(f"src{i}", "press" if i < 6 else "social", f"Nguồn {i}", None if i < 6 else "facebook")
           for i in range(10)]
WORDS = ("mưa lũ sạt lở đất đá thủy điện hồ chứa người dân chính quyền tỉnh xã phường huyện cứu hộ "
         "di dời khẩn cấp thiệt hại nhà cửa đường giao thông ách tắc bệnh viện dịch sốt xuất huyết "
         "học sinh trường học nông dân lúa ngô chè du lịch khách sạn cáp treo biên giới cửa khẩu hàng hóa "
         "xuất khẩu giá điện nước rác thải ô nhiễm khói bụi cháy rừng cảnh báo thời tiết bão áp thấp").split()
SENTIMENTS = [("negative", -0.7), ("neutral", 0.0), ("positive", 0.6)]


def synthetic_documents(count: int, *, seed: int = 7, start: datetime | None = None,
                        span_days: int = 60, words: int = 60) -> Iterator[Document]:
    rng = random.Random(seed)
    start = start or datetime(2025, 7, 1, tzinfo=timezone.utc)
    span = span_days * 86400
    for i in range(count):
        url = f"https://bao.example.vn/tin/{i}.html"
        label, score = SENTIMENTS[rng.randrange(3)]
        flagged = rng.random() < 0.02
        yield Document(
            id=doc_id_for_url(url), url=url, source=SOURCES[rng.randrange(len(SOURCES))],
            title=" ".join(rng.choices(WORDS, k=10)).capitalize(),
            text=" ".join(rng.choices(WORDS, k=words)) + f" {PLACES[rng.randrange(len(PLACES))]}.",
            lang="vi", published_at=start + timedelta(seconds=rng.randrange(span)),
            fetched_at=start + timedelta(seconds=span + 3600),
            engagement=Engagement(likes=rng.randrange(100), shares=rng.randrange(20)),
            places=rng.sample(PLACES, k=rng.randrange(0, 3)), topics=rng.sample(TOPICS, k=rng.randrange(0, 3)),
            sentiment=Sentiment(label, score),
            misinfo=Misinfo(score=0.8, claim="Đập thủy điện sắp vỡ", reasons=["test"], flagged=True) if flagged else None,
        )
