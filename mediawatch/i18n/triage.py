"""Why triage flagged a post or let it pass (classifiers/misinfo): the reasons a reviewer reads.

``triage.reason.*``: the sentence templates of the score (scorer.py); ``triage.cue.*``: one label
per check-worthiness cue, keyed by the cue's name (cues.py keeps the patterns); ``triage.verdict.*``:
a register verdict as quoted in a reason (``label("triage.verdict", verdict, lang)``). Reasons quote
only words that are in the post.
"""

from __future__ import annotations

TRIAGE: dict[str, dict[str, str]] = {
    # the score (classifiers/misinfo/scorer.py)
    "triage.reason.model": {"vi": "mô hình đánh giá khả năng tin không đáng tin cậy: {p:.0%}",
                            "en": "model's likelihood of an unreliable post: {p:.0%}"},
    "triage.reason.linked": {"vi": "trùng khớp nhận định đã được kết luận là {verdict} ({sim:.0%}, mục {cid} trong sổ "
                                   "nhận định): {quote}",
                             "en": "matches a claim judged {verdict} ({sim:.0%}, register entry {cid}): {quote}"},
    "triage.reason.suggest": {"vi": "có thể trùng nhận định đã kết luận là {verdict} ({sim:.0%}, mục {cid}), cần người "
                                    "kiểm tra: {quote}",
                              "en": "may match a claim judged {verdict} ({sim:.0%}, entry {cid}), needs a reviewer: "
                                    "{quote}"},
    "triage.reason.verified": {"vi": "khớp thông tin đã được xác thực ({sim:.0%}, mục {cid}): {quote}",
                               "en": "matches verified information ({sim:.0%}, entry {cid}): {quote}"},
    "triage.reason.sourced": {"vi": "có dẫn nguồn chính thức", "en": "cites an official source"},
    "triage.reason.no_claim": {"vi": "ý kiến/phản ánh, không có nhận định cụ thể để kiểm chứng",
                               "en": "opinion or complaint without a checkable claim"},
    "triage.reason.opinion": {"vi": "chủ yếu là ý kiến, cảm xúc hoặc phản ánh, không phải tin sai",
                              "en": "mostly opinion, emotion or a complaint, not misinformation"},
    "triage.reason.refutes": {"vi": "bác bỏ/đính chính nhận định, không đưa vào hàng đợi: {quote}",
                              "en": "refutes or corrects the claim, not queued: {quote}"},
    "triage.reason.evidence": {"vi": "là bằng chứng đính chính cho mục {cid} trong sổ nhận định ({sim:.0%})",
                               "en": "evidence correcting register entry {cid} ({sim:.0%})"},
    "triage.reason.official": {"vi": "nguồn chính thức hoặc báo chí lên tiếng",
                               "en": "an official body or the press speaks"},
    "triage.reason.questions": {"vi": "đặt câu hỏi về nhận định, ưu tiên thấp hơn: {quote}",
                                "en": "questions the claim, lower priority: {quote}"},
    # a register verdict in those reasons (the stored values: mediawatch.store.desk_base.CLAIM_VERDICTS)
    "triage.verdict.tin giả": {"vi": "tin giả", "en": "fake"},
    "triage.verdict.tin sai sự thật": {"vi": "tin sai sự thật", "en": "untrue"},
    "triage.verdict.tin xác thực": {"vi": "tin xác thực", "en": "verified"},

    # the check-worthiness cues (classifiers/misinfo/cues.py CUES), by cue name
    "triage.cue.hearsay": {"vi": "lời đồn không rõ nguồn", "en": "hearsay without a source"},
    "triage.cue.share_urgently": {"vi": "kêu gọi chia sẻ gấp", "en": "urges people to share urgently"},
    "triage.cue.alarm": {"vi": "giật gân, báo động", "en": "alarmist wording"},
    "triage.cue.secret": {"vi": "cho rằng thông tin bị che giấu", "en": "claims the truth is being hidden"},
    "triage.cue.unsourced_official": {"vi": "nêu tên cơ quan chức năng nhưng không dẫn nguồn",
                                      "en": "names an authority without citing a source"},
    "triage.cue.casualties": {"vi": "nêu số thương vong", "en": "states a casualty count"},
    "triage.cue.numbers": {"vi": "có số liệu cụ thể", "en": "contains specific figures"},
    "triage.cue.dates": {"vi": "nêu thời điểm cụ thể", "en": "gives a specific time"},
    "triage.cue.event_assertion": {"vi": "khẳng định một sự việc có thể kiểm chứng", "en": "asserts a checkable event"},
}
