"""The words `mediawatch run` and `mediawatch status` use about ingest runs (Vietnamese first, English
on request). The flows produce figures; only this module turns them into sentences."""

from __future__ import annotations

from typing import Any

from mediawatch.store.base import RunRecord

from .common import EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE


def counts(values: dict[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(values.items()))


def source_line(record: RunRecord) -> str:
    """One line per source after `run` (figures, so the same in both languages)."""
    errors = counts(record.errors) or "-"
    if record.error_kinds:
        errors += f" [{counts(record.error_kinds)}]"
    line = (f"{record.source_id}: fetched={record.fetched} new={record.new} updated={record.updated} "
            f"unchanged={record.unchanged} errors={errors}")
    return line + (" (dừng giữa chừng / stopped part-way)" if record.aborted else "")


def run_lines(summary: Any, lang: str = "vi") -> list[str]:
    """The closing lines of `run`: totals, and the store outage if there was one."""
    t = summary.totals
    failed = len(summary.failed_sources)
    lines = [f"run {summary.run_id}: {t.inserted} new, {t.updated} updated, {t.unchanged} unchanged, "
             f"{t.spooled} spooled, {failed} failed source(s)"]
    if summary.store_unreachable:
        waiting = summary.spool_pending
        if lang == "vi":
            lines.append(f"Kho dữ liệu không phản hồi ({summary.store_unreachable}). "
                         + (f"{waiting} tài liệu đang chờ trong hàng đợi trên đĩa, lần chạy sau sẽ ghi vào kho; "
                            if summary.waiting else "Đã ghi đủ khi kho hoạt động trở lại; ")
                         + "con trỏ của các nguồn giữ nguyên nên không mất dữ liệu.")
        else:
            lines.append(f"The store is unreachable ({summary.store_unreachable}). "
                         + (f"{waiting} document(s) wait in the disk spool; the next run writes them; "
                            if summary.waiting else "Everything was written once it came back; ")
                         + "source cursors did not move, so nothing is lost.")
    return lines


def run_exit_code(summary: Any) -> int:
    """3 when work still waits on disk for an unreachable store; 1 when a source failed, or the store
    failed part of the run; else 0."""
    if summary.waiting:
        return EXIT_UNAVAILABLE
    if summary.failed_sources or summary.store_unreachable:
        return EXIT_FAILED
    return EXIT_OK


def describe_summary(state: dict[str, Any], lang: str = "vi") -> str:
    """One or two lines about a stored run summary, for `mediawatch status`."""
    alerts = state.get("alerts") or {}
    deliveries = state.get("deliveries") or {}
    failed = state.get("failed_sources") or []
    if lang == "vi":
        line = (f"  lần chạy {state.get('run_id')} ({state.get('engine')}): {state.get('sources', 0)} nguồn, "
                f"{state.get('new', 0)} mới, {state.get('updated', 0)} cập nhật, "
                f"{state.get('filtered_out', 0)} ngoài tỉnh bị loại, {len(failed)} nguồn lỗi; "
                f"cảnh báo: {alerts.get('new', 0)} mới, {alerts.get('update', 0)} cập nhật; "
                f"webhook: {deliveries.get('delivered', 0)} đã gửi, {deliveries.get('pending', 0)} chờ, "
                f"{deliveries.get('failed', 0)} bị từ chối")
    else:
        line = (f"  run {state.get('run_id')} ({state.get('engine')}): {state.get('sources', 0)} sources, "
                f"{state.get('new', 0)} new, {state.get('updated', 0)} updated, "
                f"{state.get('filtered_out', 0)} outside the province dropped, {len(failed)} failed; "
                f"alerts: {alerts.get('new', 0)} new, {alerts.get('update', 0)} updated; "
                f"webhooks: {deliveries.get('delivered', 0)} delivered, {deliveries.get('pending', 0)} pending, "
                f"{deliveries.get('failed', 0)} refused")
    if state.get("store_unreachable"):
        line += ("\n  kho dữ liệu không phản hồi trong lần chạy này: " if lang == "vi"
                 else "\n  the store was unreachable during this run: ") + str(state["store_unreachable"])
    rule_errors = state.get("alert_errors") or {}
    if rule_errors:
        line += "\n  " + "; ".join(f"{name}: {problem}" for name, problem in rule_errors.items())
    return line
