"""What `mediawatch demo` tells the person watching it (app/demo/runner.py), step by step."""

from __future__ import annotations

DEMO: dict[str, dict[str, str]] = {
    "demo.skipped_stage": {"vi": "  ! Bỏ qua bước {name}: {why}", "en": "  ! Skipped {name}: {why}"},
    "demo.not_installed": {"vi": "thành phần chưa được cài ({what})", "en": "component not installed yet ({what})"},
    "demo.site": {"vi": "1. Trang tin demo: {url}/ ({articles} bài, RSS {url}/rss.xml); mạng xã hội: tệp xuất "
                        "{posts} bài đăng -> social.jsonl",
                  "en": "1. Demo news site: {url}/ ({articles} articles, RSS {url}/rss.xml); social: an export of "
                        "{posts} posts -> social.jsonl"},
    "demo.receiver": {"vi": "   Máy nhận webhook: {url}", "en": "   Webhook receiver: {url}"},
    "demo.config": {"vi": "   Cấu hình: {path}", "en": "   Configuration: {path}"},
    "demo.skipped": {"vi": "Các bước bị bỏ qua: {names}", "en": "Skipped stages: {names}"},
    "demo.ingest": {"vi": "2. Thu thập: {documents} tài liệu trong kho sau {secs} giây ({sources})",
                    "en": "2. Ingest: {documents} documents stored in {secs} s ({sources})"},
    "demo.ingest_source": {"vi": "{source}: {new} mới", "en": "{source}: {new} new"},
    "demo.ingest_errors": {"vi": ", lỗi {errors}", "en": ", errors {errors}"},
    "demo.rule_failed": {"vi": "   ! quy tắc {name}: {error}", "en": "   ! rule {name}: {error}"},
    "demo.alerts": {"vi": "3. Cảnh báo: {fired} đã phát; máy nhận đã nhận {received} webhook:",
                    "en": "3. Alerts: {fired} fired; the receiver got {received} webhooks:"},
    "demo.signed": {"vi": "có chữ ký", "en": "signed"},
    "demo.unsigned": {"vi": "không có chữ ký", "en": "unsigned"},
    "demo.nothing_flagged": {"vi": "4. Thẩm định: không có tin nghi vấn nào được gắn cờ",
                             "en": "4. Review: nothing flagged (the misinformation classifier flagged no post)"},
    "demo.reviewed": {"vi": "4. Thẩm định: {n} tin nghi vấn chờ duyệt; biên tập viên demo xác nhận SAI SỰ THẬT: \"{claim}\"",
                      "en": "4. Review: {n} flagged posts waiting; the demo editor confirms as false: \"{claim}\""},
    "demo.forecast": {"vi": "5. Dự báo ({model}), 7 ngày tới: {volume}; {series} chuỗi số liệu",
                      "en": "5. Forecast ({model}), next 7 days: {volume}; {series} series"},
    "demo.forecast_none": {"vi": "5. Dự báo: chưa có dữ liệu", "en": "5. Forecast: no data yet"},
    "demo.digest": {"vi": "6. Bản tin: {subject} -> {url} (+ digest.txt)", "en": "6. Digest: {subject} -> {url} (+ digest.txt)"},
    "demo.dashboards": {"vi": "7. Bảng điều khiển: {url}", "en": "7. Dashboards: {url}"},
    "demo.desk": {"vi": "   Bàn kiểm chứng: {url}  (tài khoản {user} / {password})",
                  "en": "   Review desk: {url}  (account {user} / {password})"},
    "demo.links": {"vi": "   Trang tin: {site}/   Bản tin: {digest}", "en": "   Site: {site}/   Digest: {digest}"},
    "demo.stop": {"vi": "   Ctrl-C để dừng", "en": "   Ctrl-C to stop"},
    "demo.failed": {"vi": "mediawatch: bản demo chưa chạy xong; xem các dòng ở trên.",
                    "en": "mediawatch: the demo ingest did not complete; see the lines above."},
}
