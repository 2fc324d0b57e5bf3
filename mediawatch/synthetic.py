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
_ONSETS = "b c ch d đ g gi h k kh l m n ng nh p ph qu r s t th tr v x".split()
_RIMES = "a ai am an ang anh ao au ay e em en eo ê ên i im in inh iu o oa oai oan oc oi om on ong ô ôi ông ơ ơi u ua ui um un ung ư ưa ưng ươc ương".split()


def _vocabulary() -> tuple[list[str], list[float]]:
    """Real topical words spread among filler syllables, with Zipfian weights: a topical word such
    as "thủy" lands in a few percent of documents, as in real news, not in half of them."""
    filler = [o + r for o in _ONSETS for r in _RIMES]
    vocab: list[str] = []
    real = iter(WORDS)
    for rank, syllable in enumerate(filler):
        vocab.append(syllable)
        if rank % 12 == 5:
            vocab.append(next(real, syllable))
    cumulative, total = [], 0.0
    for rank in range(len(vocab)):
        total += 1.0 / (rank + 1)
        cumulative.append(total)
    return vocab, cumulative


VOCAB, CUM_WEIGHTS = _vocabulary()


def synthetic_documents(count: int, *, seed: int = 7, start: datetime | None = None,
                        span_days: int = 60, words: int = 60, in_order: bool = False) -> Iterator[Document]:
    """``in_order`` makes times grow with the index, give or take an hour, as a live crawl sees
    them; otherwise times are spread at random over the span (a backfill)."""
    rng = random.Random(seed)
    start = start or datetime(2025, 7, 1, tzinfo=timezone.utc)
    span = span_days * 86400
    for i in range(count):
        url = f"https://bao.example.vn/tin/{i}.html"
        label, score = SENTIMENTS[rng.randrange(3)]
        flagged = rng.random() < 0.02
        yield Document(
            id=doc_id_for_url(url), url=url, source=SOURCES[rng.randrange(len(SOURCES))],
            title=" ".join(rng.choices(VOCAB, cum_weights=CUM_WEIGHTS, k=10)).capitalize(),
            text=" ".join(rng.choices(VOCAB, cum_weights=CUM_WEIGHTS, k=words))
            + f" {PLACES[rng.randrange(len(PLACES))]}.",
            lang="vi", published_at=start + timedelta(seconds=(
                min(span - 1, max(0, span * i // count + rng.randrange(-3600, 3600))) if in_order
                else rng.randrange(span))),
            fetched_at=start + timedelta(seconds=span + 3600),
            engagement=Engagement(likes=rng.randrange(100), shares=rng.randrange(20)),
            places=rng.sample(PLACES, k=rng.randrange(0, 3)), topics=rng.sample(TOPICS, k=rng.randrange(0, 3)),
            sentiment=Sentiment(label, score),
            misinfo=Misinfo(score=0.8, claim="Đập thủy điện sắp vỡ", reasons=["test"], flagged=True) if flagged else None,
        )
