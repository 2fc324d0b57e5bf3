"""What the `mediawatch` commands print (app/cli/*.py), keyed ``cli.<command>.<what>``."""

from __future__ import annotations

CLI: dict[str, dict[str, str]] = {
    # init, run, search, status, export (app/cli/core.py)
    "cli.unreachable": {"vi": "mediawatch: dịch vụ cần thiết không phản hồi / a required service is unreachable: {error}",
                        "en": "mediawatch: a required service is unreachable: {error}"},
    "cli.init.register_kept": {"vi": "Giữ nguyên sổ nhận định {path}.", "en": "Kept the existing claims register {path}."},
    "cli.init.register_written": {"vi": "Đã tạo sổ nhận định trống {path}: điền bằng tay hoặc `mediawatch claims import URL|FILE`.",
                                  "en": "Wrote an empty claims register {path}: fill it by hand or with `mediawatch claims import URL|FILE`."},
    "cli.init.done": {"vi": "Đã tạo {path} cho tỉnh {province}. Tiếp theo: mediawatch run",
                      "en": "Wrote {path} for {province}. Next: mediawatch run"},
    "cli.run.source": {"vi": "{source}: lấy {fetched}, mới {new}, cập nhật {updated}, không đổi {unchanged}, lỗi: {errors}",
                       "en": "{source}: fetched {fetched}, new {new}, updated {updated}, unchanged {unchanged}, "
                             "errors: {errors}"},
    "cli.deliveries.broken": {"vi": "mediawatch: webhook: không gửi được cảnh báo: {error}. Cách sửa: kiểm tra thư mục "
                                    "data_dir ghi được, rồi chạy `mediawatch alerts outbox --retry`.",
                              "en": "mediawatch: webhook: alerts not delivered: {error}. Fix: check data_dir is "
                                    "writable, then `mediawatch alerts outbox --retry`."},
    "cli.deliveries.refused": {"vi": "mediawatch: webhook: {n} cảnh báo bị từ chối (4xx), đã chuyển vào "
                                     "outbox/webhooks/failed. Cách sửa: kiểm tra url, token và tùy chọn của webhook, rồi "
                                     "chuyển tệp trở lại (`mediawatch alerts outbox`).",
                               "en": "mediawatch: webhook: {n} alert delivery(ies) refused (4xx), moved to "
                                     "outbox/webhooks/failed. Fix: check the webhook's url, token and options, then "
                                     "move the file back (`mediawatch alerts outbox`)."},
    "cli.deliveries.later": {"vi": "mediawatch: webhook: {n} cảnh báo chưa gửi được sau các lần thử, còn trong hộp thư đi. "
                                   "Cách sửa: kiểm tra nơi nhận đang chạy; lần chạy sau hoặc `mediawatch alerts outbox "
                                   "--retry` sẽ gửi.",
                             "en": "mediawatch: webhook: {n} alert delivery(ies) failed after retries and wait in the "
                                   "outbox. Fix: check the receiver is up; the next run or `mediawatch alerts outbox "
                                   "--retry` sends them."},
    "cli.run.aborted": {"vi": " (dừng giữa chừng)", "en": " (stopped part-way)"},
    "cli.run.total": {"vi": "Lần chạy {run_id}: {new} mới, {updated} cập nhật, {unchanged} không đổi, "
                            "{spooled} chờ ghi trên đĩa, {failed} nguồn lỗi",
                      "en": "Run {run_id}: {new} new, {updated} updated, {unchanged} unchanged, {spooled} spooled, "
                            "{failed} failed source(s)"},
    "cli.run.store_unreachable": {"vi": "Kho dữ liệu không phản hồi ({error}). {waiting}con trỏ của các nguồn giữ "
                                        "nguyên nên không mất dữ liệu.",
                                  "en": "The store is unreachable ({error}). {waiting}source cursors did not move, "
                                        "so nothing is lost."},
    "cli.run.spool_waiting": {"vi": "{n} tài liệu đang chờ trong hàng đợi trên đĩa, lần chạy sau sẽ ghi vào kho; ",
                              "en": "{n} document(s) wait in the disk spool; the next run writes them; "},
    "cli.run.spool_written": {"vi": "Đã ghi đủ khi kho hoạt động trở lại; ",
                              "en": "Everything was written once it came back; "},
    "cli.status.spool": {"vi": "{n} tài liệu đang chờ trong hàng đợi trên đĩa (spool)",
                         "en": "{n} document(s) waiting in the disk spool"},
    "cli.search.total": {"vi": "{total} kết quả", "en": "{total} results"},
    "cli.search.total_one": {"vi": "{total} kết quả", "en": "{total} result"},
    "cli.status.total": {"vi": "Tổng số tài liệu: {total}", "en": "Documents stored: {total}"},
    "cli.status.last_run": {"vi": "Lần chạy gần nhất: {when}", "en": "Last run: {when}"},
    "cli.status.source": {"vi": "nguồn", "en": "source"},
    "cli.status.errors": {"vi": "lỗi lần chạy cuối", "en": "last-run errors"},
    "cli.status.silent": {"vi": "Cảnh báo: nguồn {source} im lặng {hours} giờ (thường {usual} giờ có bài mới)",
                          "en": "Warning: source {source} silent for {hours} h (usually a new item every {usual} h)"},
    "cli.export.done": {"vi": "{n} tài liệu -> {out}", "en": "{n} documents -> {out}"},
    "cli.export.done_one": {"vi": "{n} tài liệu -> {out}", "en": "{n} document -> {out}"},

    # alerts list|backtest|check|outbox (app/cli/alerts.py)
    "cli.alerts.count": {"vi": "{n} cảnh báo", "en": "{n} alerts"},
    "cli.alerts.count_one": {"vi": "{n} cảnh báo", "en": "{n} alert"},
    "cli.alerts.updates": {"vi": ", {n} lần cập nhật", "en": ", {n} updates"},
    "cli.alerts.updates_one": {"vi": ", {n} lần cập nhật", "en": ", {n} update"},
    "cli.alerts.replayed": {"vi": "Chạy lại {n} lần đánh giá từ {start} đến {end}:",
                            "en": "Replayed {n} evaluations from {start} to {end}:"},
    "cli.alerts.fired": {"vi": "cảnh báo ({updates} cập nhật)", "en": "alert(s) ({updates} update(s))"},
    "cli.alerts.outbox": {"vi": "{pending} chờ gửi, {refused} bị từ chối ({path})",
                          "en": "{pending} pending, {refused} refused ({path})"},
    "cli.alerts.refused": {"vi": "từ chối", "en": "refused"},
    "cli.alerts.attempt": {"vi": "lần thử {attempts}, lần tới {next}", "en": "attempts {attempts}, next {next}"},

    # classify, triage list|review (app/cli/classify.py)
    "cli.classify.bad_line": {"vi": "{path}:{n}: bỏ qua dòng không đọc được: {why}",
                              "en": "{path}:{n}: skipped an unreadable line: {why}"},
    "cli.classify.empty_line": {"vi": "dòng trống", "en": "empty line"},
    "cli.classify.skipped": {"vi": "{skipped} dòng bị bỏ qua trong {total} dòng; {done} tài liệu đã ghi vào {out}",
                             "en": "{skipped} of {total} lines skipped; {done} documents written to {out}"},
    "cli.classify.done": {"vi": "Đã phân loại {done} tài liệu, ghi vào {out}",
                          "en": "Classified {done} documents into {out}"},
    "cli.triage.empty": {"vi": "Không có tin nào chờ xem xét.", "en": "Nothing waiting for review."},
    "cli.triage.header": {"vi": "{n} tin bị gắn cờ (trạng thái: {status})",
                          "en": "{n} flagged documents (status: {status})"},
    "cli.triage.score": {"vi": "điểm", "en": "score"},
    "cli.triage.claim": {"vi": "Nhận định", "en": "Claim"},
    "cli.triage.matched": {"vi": "Khớp với", "en": "Matches"},
    "cli.triage.evidence": {"vi": "Bằng chứng", "en": "Evidence"},
    "cli.triage.reasons": {"vi": "Lý do", "en": "Reasons"},
    "cli.triage.stance": {"vi": "Thái độ với nhận định", "en": "Stance towards the claim"},
    "cli.triage.not_found": {"vi": "không tìm thấy tài liệu {id}. Fix: lấy mã từ `mediawatch triage list`",
                             "en": "no document {id}. Fix: take the id from `mediawatch triage list`"},
    "cli.triage.reviewed": {"vi": "Đã ghi nhận: {id} -> {verdict} (trước đó: {previous}), người duyệt {reviewer}",
                            "en": "Recorded: {id} -> {verdict} (was: {previous}), reviewer {reviewer}"},
    "cli.triage.registered": {"vi": "Đã thêm vào sổ nhận định sai: {claim}",
                              "en": "Added to the claims register: {claim}"},

    # train, eval (app/cli/models.py)
    "cli.models.unknown": {"vi": "mô hình {name!r} không có; các mô hình: {names}",
                           "en": "no model {name!r}; models: {names}"},
    "cli.models.trained": {"vi": "Đã huấn luyện {name} trong {secs} giây, lưu vào {out}",
                           "en": "Trained {name} in {secs} s, saved to {out}"},
    "cli.models.scores": {"vi": "Điểm đánh giá của {name}:", "en": "Scores of {name}:"},
    "cli.models.no_reintel": {"vi": "mediawatch: không thấy ReINTEL tại {path}. Cách sửa: truyền --datasets là thư mục "
                                    "chứa reintel/train.csv.",
                              "en": "mediawatch: ReINTEL not found at {path}. Fix: pass --datasets, the folder that "
                                    "holds reintel/train.csv."},
    "cli.models.floor": {"vi": "ngưỡng", "en": "floor"},
    "cli.models.rule_based": {"vi": "{name} dựa trên quy tắc (từ điển địa danh và ngữ cảnh), không cần huấn luyện; "
                                    "xem điểm bằng `mediawatch eval {name} --datasets DIR`",
                              "en": "{name} is rule-based (gazetteer and context rules) and needs no training; "
                                    "score it with `mediawatch eval {name} --datasets DIR`"},
    "cli.models.below": {"vi": "DƯỚI NGƯỠNG", "en": "BELOW FLOOR"},
    "cli.models.failed": {"vi": "{n} điểm dưới ngưỡng trong floors.json",
                          "en": "{n} score(s) below the floors in floors.json"},

    # serve (app/cli/serve.py)
    "cli.serve.registered": {"vi": "Đã đăng ký {n} lịch chạy trên work pool {pool}.",
                             "en": "Registered {n} scheduled deployments on work pool {pool}."},
    "cli.serve.ready": {"vi": "Đang chạy theo lịch, API Prefect: {url}", "en": "Serving on schedule, Prefect API: {url}"},
    "cli.serve.every": {"vi": "mỗi {minutes} phút", "en": "every {minutes} min"},
    "cli.serve.cron": {"vi": "theo lịch cron '{cron}' ({tz})", "en": "cron '{cron}' ({tz})"},

    # sources check|catalogue (app/cli/sources.py)
    "cli.sources.reach_ok": {"vi": "Kết nối: được (HTTP {status}, {secs} giây)",
                             "en": "Reachable: yes (HTTP {status}, {secs} s)"},
    "cli.sources.reach_bad": {"vi": "Kết nối: KHÔNG được ({detail})", "en": "Reachable: NO ({detail})"},
    "cli.sources.robots_ok": {"vi": "robots.txt: cho phép", "en": "robots.txt: allowed"},
    "cli.sources.robots_bad": {"vi": "robots.txt: KHÔNG cho phép", "en": "robots.txt: DISALLOWED"},
    "cli.sources.valid": {"vi": "Định dạng: hợp lệ, {n} mục", "en": "Format: valid, {n} entries"},
    "cli.sources.invalid": {"vi": "Định dạng: KHÔNG hợp lệ ({detail})", "en": "Format: INVALID ({detail})"},
    "cli.sources.malformed": {"vi": "Định dạng: lỗi một phần, giữ được {n} mục ({detail})",
                              "en": "Format: partly broken, kept {n} entries ({detail})"},
    "cli.sources.not_checked": {"vi": "Không kiểm tra trực tiếp (kết nối mạng xã hội/tệp)",
                                "en": "Not probed (social/file connector)"},
    "cli.sources.disabled": {"vi": "(đang tắt)", "en": "(disabled)"},
    "cli.sources.last_run": {"vi": "Lần chạy gần nhất {when}: lấy {fetched}, mới {new}, cập nhật {updated}, "
                                   "không đổi {unchanged}",
                             "en": "Last run {when}: fetched {fetched}, new {new}, updated {updated}, "
                                   "unchanged {unchanged}"},
    "cli.sources.errors": {"vi": "lỗi: {errors}", "en": "errors: {errors}"},
    "cli.sources.no_runs": {"vi": "Chưa chạy lần nào.", "en": "Never run."},
    "cli.sources.last_success": {"vi": "Thành công gần nhất: {when}", "en": "Last success: {when}"},
    "cli.sources.last_published": {"vi": "Bài mới nhất: {when}", "en": "Latest article: {when}"},
    "cli.sources.silent": {"vi": "CẢNH BÁO: im lặng bất thường, không có bài mới {hours} giờ (thường {typical} giờ một bài)",
                           "en": "WARNING: unusually silent, nothing new for {hours} h (usually one every {typical} h)"},
    "cli.sources.summary": {"vi": "{ok}/{total} nguồn hoạt động tốt.", "en": "{ok}/{total} sources healthy."},
    "cli.sources.none": {"vi": "Chưa cấu hình nguồn nào ([[sources]]).", "en": "No sources configured ([[sources]])."},
    "cli.sources.unknown": {"vi": "mediawatch: không có nguồn: {ids}. Sửa: xem [[sources]] trong tệp cấu hình.",
                            "en": "mediawatch: unknown source id(s): {ids}. Fix: see [[sources]] in the configuration."},

    # summary, digest, forecast (app/cli/report.py)
    "cli.digest.sent": {"vi": "đã gửi", "en": "sent"},
    "cli.digest.duplicate": {"vi": "đã gửi trước đó", "en": "already sent"},
    "cli.digest.queued": {"vi": "chưa gửi được, nằm trong hộp thư đi", "en": "queued in the outbox"},
    "cli.digest.off": {"vi": "e-mail đang tắt (chưa đặt smtp.host)", "en": "e-mail is off (no smtp.host)"},
    "cli.digest.no-recipients": {"vi": "chưa có người nhận (digest.recipients)", "en": "no recipients (digest.recipients)"},
    "cli.forecast.none": {"vi": "Chưa có dữ liệu để dự báo.", "en": "No data to forecast yet."},
    "cli.forecast.all": {"vi": "tất cả", "en": "all"},
    "cli.forecast.all_topics": {"vi": "mọi chủ đề", "en": "all topics"},
    "cli.forecast.all_places": {"vi": "mọi địa bàn", "en": "all places"},
    "cli.forecast.no_reintel": {"vi": "mediawatch: không thấy ReINTEL tại {path}; chỉ kiểm tra lại chuỗi số liệu "
                                      "trong kho. Cách sửa: truyền --reintel PATH.",
                                "en": "mediawatch: ReINTEL not found at {path}; back-testing the store's series only. "
                                      "Fix: pass --reintel PATH."},
    "cli.forecast.per_day": {"vi": "tin/ngày", "en": "items/day"},
    "cli.forecast.negative_share": {"vi": "tỷ lệ tiêu cực", "en": "negative share"},
    "cli.forecast.last_7_days": {"vi": "7 ngày qua", "en": "last 7 days"},
    "cli.forecast.previous_7_days": {"vi": "7 ngày trước", "en": "7 days before"},
    "cli.forecast.store": {"vi": "kho dữ liệu", "en": "store"},
    "cli.forecast.gates": {"vi": "Ngưỡng", "en": "Gates"},
    "cli.forecast.gates_met": {"vi": "đạt", "en": "all met"},
    # the back-test table (flows/forecast/evaluate.format_backtest); model names: forecast_model_short.*
    "cli.backtest.series": {"vi": "chuỗi", "en": "series"},
    "cli.backtest.days": {"vi": "số ngày", "en": "days"},
    "cli.backtest.origins": {"vi": "số mốc", "en": "cut-offs"},
    "cli.backtest.chosen": {"vi": "mô hình chọn", "en": "chosen"},
    "cli.backtest.coverage": {"vi": "độ phủ khoảng {level}% (đã hiệu chỉnh)",
                              "en": "{level}% interval coverage (calibrated)"},
    "cli.backtest.coverage_raw": {"vi": "độ phủ trước hiệu chỉnh", "en": "coverage before calibration"},

    # claims import|check (app/cli/claims.py)
    "cli.claims.source": {"vi": "{source}: {n} nhận định đọc được", "en": "{source}: {n} claims read"},
    "cli.claims.skipped": {"vi": "  bỏ qua {problem}", "en": "  skipped {problem}"},
    "cli.claims.failed": {"vi": "{source}: không đọc được: {why}", "en": "{source}: could not be read: {why}"},
    "cli.claims.done": {"vi": "Đã nhập {total} nhận định vào kho: {new} mới, {updated} cập nhật, {same} đã có. "
                              "Tin đăng mới sẽ được đối chiếu từ lần chạy tới.",
                        "en": "Imported {total} claims into the store: {new} new, {updated} updated, {same} already "
                              "there. New posts are matched against them from the next run on."},
    "cli.claims.nothing": {"vi": "Không có nhận định nào để nhập.", "en": "No claims to import."},
    "cli.claims.check_ok": {"vi": "{path}: {n} nhận định hợp lệ, {skipped} dòng bị bỏ qua",
                            "en": "{path}: {n} valid claims, {skipped} rows skipped"},

    # users add|list|..., audit export (app/cli/desk.py)
    "cli.users.added": {"vi": "Đã tạo tài khoản {user} ({role})", "en": "Account {user} added ({role})"},
    "cli.users.changed": {"vi": "Đã cập nhật tài khoản {user}", "en": "Account {user} updated"},
    "cli.users.none": {"vi": "Chưa có tài khoản nào. Tạo: mediawatch users add TÊN --role admin",
                       "en": "No accounts yet. Add one: mediawatch users add NAME --role admin"},
    "cli.users.disabled": {"vi": "đã khoá", "en": "disabled"},
    "cli.users.enabled": {"vi": "hoạt động", "en": "active"},
    "cli.users.mismatch": {"vi": "hai lần nhập mật khẩu không khớp", "en": "the two passwords differ"},
    "cli.users.exported": {"vi": "Đã xuất {n} dòng nhật ký vào {out}", "en": "Exported {n} audit entries to {out}"},

    # dashboards export|push|serve (app/cli/dashboards.py)
    "cli.dashboards.exported": {"vi": "{n} đối tượng Kibana -> {out}", "en": "{n} saved objects -> {out}"},
    "cli.dashboards.imported": {"vi": "Kibana đã nhập {n} đối tượng", "en": "Kibana imported {n} objects"},
    "cli.dashboards.with_errors": {"vi": " (có lỗi)", "en": " with errors"},
    "cli.dashboards.serving": {"vi": "mediawatch: bảng điều khiển tại {url} (Ctrl-C để dừng)",
                               "en": "mediawatch: dashboards at {url} (Ctrl-C to stop)"},
}
