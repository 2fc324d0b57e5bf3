"""Alerts as people read them: titles and texts (flows/alerts/payload.py), the chat formats of the
webhooks (flows/delivery/webhook_formats.py) and the ingest run line of `mediawatch status`."""

from __future__ import annotations

ALERTS: dict[str, dict[str, str]] = {
    # the window an alert counts over
    "alert.window_days": {"vi": "{n} ngày qua", "en": "last {n} days"},
    "alert.window_days_one": {"vi": "{n} ngày qua", "en": "last day"},
    "alert.window_hours": {"vi": "{n} giờ qua", "en": "last {n} hours"},
    "alert.window_hours_one": {"vi": "{n} giờ qua", "en": "last hour"},
    # what an alert is about
    "alert.scope_topic": {"vi": "chủ đề «{topic}»", "en": "topic “{topic}”"},
    "alert.scope_place": {"vi": "tại {place}", "en": "in {place}"},
    "alert.scope_kind": {"vi": "trên {kind}", "en": "on {kind}"},
    "alert.scope_all": {"vi": "mọi nguồn", "en": "all sources"},
    # one title and one text per rule type
    "alert.spike_title": {"vi": "Tăng đột biến: {scope}", "en": "Spike: {scope}"},
    "alert.spike_text": {"vi": "{count} bài trong {window}, bình thường {mean} (ngưỡng {threshold}).",
                         "en": "{count} documents in the {window}, usually {mean} (threshold {threshold})."},
    "alert.negativity_title": {"vi": "Tin tiêu cực tăng: {scope}", "en": "Negativity surge: {scope}"},
    "alert.negativity_text": {"vi": "{share}% bài tiêu cực trong {window} ({count}/{total}), bình thường {base}%.",
                              "en": "{share}% negative in the {window} ({count}/{total}), usually {base}%."},
    "alert.misinfo_known_title": {"vi": "Tin sai đã biết đang lan truyền", "en": "Known false claim spreading"},
    "alert.misinfo_new_title": {"vi": "Nghi vấn tin sai mới đang lan truyền", "en": "New unverified claim spreading"},
    "alert.misinfo_text": {"vi": "«{claim}»: {count} bài bị gắn cờ trong {window}. Cần cán bộ kiểm chứng xem xét; "
                                 "đây là đề xuất của hệ thống, chưa phải kết luận.",
                           "en": "“{claim}”: {count} flagged documents in the {window}. Needs a reviewer; "
                                 "this is a triage suggestion, not a verdict."},
    "alert.silent_title": {"vi": "Nguồn ngừng cập nhật: {name}", "en": "Source went silent: {name}"},
    "alert.silent_text": {"vi": "Bài mới nhất: {last}. Kiểm tra nguồn và trình thu thập.",
                          "en": "Latest item: {last}. Check the source and its collector."},
    "alert.never": {"vi": "chưa có", "en": "never"},
    "alert.keyword_title": {"vi": "Chủ đề khẩn: {scope}", "en": "Urgent topic: {scope}"},
    "alert.keyword_text": {"vi": "{count} bài khớp chủ đề khẩn trong {window}.",
                           "en": "{count} documents matched an urgent topic in the {window}."},
    # the chat formats (Slack, Teams, Telegram, Zalo)
    "webhook.top_terms": {"vi": "Từ khoá nổi bật", "en": "Top terms"},
    "webhook.top_sources": {"vi": "Nguồn chính", "en": "Top sources"},
    "webhook.sentiment": {"vi": "Sắc thái", "en": "Sentiment"},
    "webhook.window": {"vi": "Khoảng thời gian", "en": "Window"},
    "webhook.update": {"vi": "cập nhật", "en": "update"},
    "webhook.dashboard": {"vi": "Bảng điều khiển", "en": "Dashboard"},
    "webhook.open_dashboard": {"vi": "Mở bảng điều khiển", "en": "Open dashboard"},
    # `mediawatch status`: the last ingest run
    "run.summary": {"vi": "  lần chạy {run_id} ({engine}): {sources} nguồn, {new} mới, {updated} cập nhật, "
                          "{filtered_out} ngoài tỉnh bị loại, {failed} nguồn lỗi; cảnh báo: {alerts_new} mới, "
                          "{alerts_update} cập nhật; webhook: {delivered} đã gửi, {pending} chờ, {refused} bị từ chối",
                    "en": "  run {run_id} ({engine}): {sources} sources, {new} new, {updated} updated, "
                          "{filtered_out} outside the province dropped, {failed} failed; alerts: {alerts_new} new, "
                          "{alerts_update} updated; webhooks: {delivered} delivered, {pending} pending, "
                          "{refused} refused"},
    "run.store_unreachable": {"vi": "kho dữ liệu không phản hồi trong lần chạy này: {error}",
                              "en": "the store was unreachable during this run: {error}"},
}
