"""Fault injection: a real ingest in its own process, killed with SIGKILL at a named commit point.

``python -m tests.support.faults CONFIG [--stories]`` runs the code `mediawatch run` runs
(``run_ingest`` over an SQLite store) and prints a JSON line; with ``MEDIAWATCH_CRASH_AT`` set it
kills itself at that point (``mediawatch.faults``). The helpers build a scenario (an import file
with repeated ids and a bad row, a local news feed with a near-duplicate), rerun it to completion
and read back what the store holds, for tests/test_faults.py and ``python -m bench.faults``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from mediawatch.classifiers.stories import StoryTracker, story_id_for
from mediawatch.document import Document, doc_id_for_post, doc_id_for_url

ROOT = Path(__file__).resolve().parents[2]
# (commit point, which time it is reached): the feed runs first (one batch), then the import file
# (batches of 500, 500 and 200 rows; its cursor moves every 500 rows, once they are stored).
KILLS = [
    "ingest.collected:1",     # feed batch collected, nothing written
    "ingest.fingerprints:1",  # feed fingerprints written, its articles not
    "ingest.upserted:1",      # feed articles committed, its ETag not saved
    "ingest.cursors:1",       # feed ETag saved
    "ingest.recorded:1",      # feed's run record written
    "import.row:700",         # mid-file, the first import batch committed
    "store.transaction:3",    # inside the SQLite transaction of the second import batch
    "ingest.upserted:3",      # second import batch committed, its cursor not saved
    "ingest.cursors:3",       # second import batch's cursor saved
    "ingest.upserted:4",      # last import batch committed, the final cursor not saved
    "ingest.recorded:2",      # the import's run record written
    "ingest.alerts:1",        # alert rules evaluated
    "ingest.summary:1",       # the run summary written
]
KEY = "fault-injection-key-0123456789abcdef"
TOPICS = [
    "lũ quét xã Mường Hum huyện Bát Xát mất tích cứu hộ",
    "giá điện tăng hóa đơn tháng người dân phản ánh",
    "lễ hội Gầu Tào đồng bào Mông Bắc Hà khai mạc",
    "khách du lịch Sa Pa cuối tuần khách sạn kín phòng",
    "sạt lở quốc lộ 4D đèo Ô Quy Hồ giao thông chia cắt",
    "tuyển sinh lớp 10 trường chuyên điểm chuẩn công bố",
    "dịch tả lợn châu Phi tiêu hủy đàn lợn trang trại",
    "cầu Cốc Lếu sửa chữa phân luồng xe tải nặng",
    "mùa lúa chín ruộng bậc thang Mù Cang Chải thu hoạch",
    "cháy rừng phòng hộ lực lượng kiểm lâm khống chế",
]
PARAGRAPH = ("Chiều 20/9, mưa lớn kéo dài khiến nhiều tuyến đường ở xã Mường Hum, tỉnh Lào Cai bị sạt lở. "
             "Lực lượng chức năng đã có mặt để phân luồng giao thông và hỗ trợ người dân di dời tài sản. "
             "Theo Ban Chỉ huy phòng chống thiên tai tỉnh, chưa có thiệt hại về người. ")
ARTICLES = {
    1: ("Sạt lở đất ở Bát Xát sau mưa lớn", PARAGRAPH),
    2: ("Thủy điện xả lũ, người dân vùng hạ du được cảnh báo",
        "Công ty thủy điện thông báo xả lũ từ 14 giờ, chính quyền các xã hạ du đã thông báo tới từng hộ dân "
        "và bố trí lực lượng canh gác tại các ngầm tràn, bến đò trong suốt thời gian xả. " * 3),
    3: ("Lào Cai khai trương chợ phiên cuối tuần",
        "Chợ phiên cuối tuần ở trung tâm thành phố mở cửa với hàng trăm gian hàng nông sản, thổ cẩm và ẩm thực "
        "của đồng bào các dân tộc, thu hút đông đảo người dân và du khách. " * 3),
    4: ("Mưa lớn gây sạt lở ở Bát Xát, giao thông ách tắc", PARAGRAPH + "Nhiều xe phải quay đầu."),  # a copy of 1
}


# --- the story stage alone ---------------------------------------------------------------------------
class StoryStage:
    """The classifiers' story step over the real StoryTracker, rebuilt from the store at start as the
    ingest does (the full pipeline loads models for seconds, which the kills do not need)."""

    def __init__(self, store):
        from mediawatch.document import utcnow
        from mediawatch.flows.orchestration.ingest import warm_stories

        self.stories = StoryTracker()
        now = utcnow()
        warm_stories(self, store, now - self.stories.window, now)

    def enrich(self, documents: list[Document]) -> list[Document]:
        for doc, story_id in zip(documents, self.stories.assign_batch(documents)):
            doc.story_id = story_id
        return documents

    def keep(self, doc: Document, *, local_source: bool = False) -> bool:
        return True


# --- the scenario ---------------------------------------------------------------------------------------
@dataclass
class Scenario:
    folder: Path
    config: Path
    expected: dict[str, int] = field(default_factory=dict)  # document id -> line of its last row (0: feed)

    @property
    def db(self) -> Path:
        return self.folder / "mw.db"


def export_rows(n: int, now: datetime) -> list[Any]:
    """n rows: ten story topics, an id repeated every 97 rows (a changed post), one unreadable date,
    and a last row that repeats the first id (the case the old cursor check could not see).

    The rows are a backfill: five minutes apart from 40 days ago, so an import of more than 864
    rows spans more than the stories' 3-day window (stories expire mid-file, and a rerun must
    rebuild the ones alive at the kill from weeks-old stored documents)."""
    out: list[Any] = []
    start = now - timedelta(days=40)
    for i in range(n):
        post = f"p{i - 50}" if i % 97 == 96 else f"p{i}"
        topic = TOPICS[(i if i % 97 != 96 else i - 50) % len(TOPICS)]
        out.append({"id": post, "text": f"{topic} (bài {i})",
                    "published_at": (start + timedelta(minutes=5 * i)).isoformat()})
    out[n // 2] = dict(out[n // 2], published_at=1e20)
    out.append(dict(out[0], text=out[0]["text"] + " (sửa)"))
    return out


def write_scenario(folder: Path, *, rows: int = 1200, site_url: str | None = None,
                   store_url: str | None = None, now: datetime | None = None) -> Scenario:
    folder.mkdir(parents=True, exist_ok=True)
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    items = export_rows(rows, now)
    with open(folder / "export.jsonl", "w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    scenario = Scenario(folder, folder / "mediawatch.toml")
    for line, item in enumerate(items, start=1):
        if isinstance(item.get("published_at"), str):
            scenario.expected[doc_id_for_post("facebook", item["id"])] = line
    sources = ""
    if site_url:
        sources += f'[[sources]]\nid = "bao"\ntype = "rss"\nurl = "{site_url}/rss.xml"\n'
        for n in ARTICLES:
            scenario.expected[doc_id_for_url(f"{site_url}/tin/{n}.html")] = 0
    sources += ('[[sources]]\nid = "export"\nkind = "social"\ntype = "file"\noptions = { path = "export.jsonl", '
                'platform = "facebook", mapping = { id = "id", text = "text", published_at = "published_at" } }\n')
    scenario.config.write_text(
        f'data_dir = "data"\n[store]\nurl = "{store_url or "sqlite:///mw.db"}"\n[privacy]\n'
        f'pseudonymisation_key = "{KEY}"\n[crawl]\nallow_private_hosts = ["127.0.0.1"]\nper_host_delay_s = 0\n'
        f'[classifiers]\nfilter_to_province = false\n{sources}', encoding="utf-8")
    return scenario


def site_routes(base: str) -> dict[str, tuple[int, dict[str, str], bytes]]:
    now = datetime.now(timezone.utc)
    items = "".join(f"<item><title>{title}</title><link>{base}/tin/{n}.html</link>"
                    f"<pubDate>{format_datetime(now - timedelta(hours=n))}</pubDate></item>"
                    for n, (title, _) in ARTICLES.items())
    feed = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Báo thử</title>'
            f"<link>{base}/</link><description>x</description>{items}</channel></rss>").encode()
    routes = {"/rss.xml": (200, {"Content-Type": "application/rss+xml", "ETag": '"feed-1"'}, feed),
              "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")}
    for n, (title, text) in ARTICLES.items():
        body = (f"<html lang='vi'><head><title>{title}</title></head><body><article><h1>{title}</h1>"
                f"<p>{text}</p><p>{text}</p></article></body></html>").encode()
        routes[f"/tin/{n}.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, body)
    return routes


# --- running ----------------------------------------------------------------------------------------------
def run_process(config: Path, *, crash_at: str | None = None, stories: bool = True, cli: bool = False,
                classify: bool = False, timeout: float = 300) -> subprocess.CompletedProcess:
    """The ingest in a process of its own, killed at ``crash_at`` (a commit point, ``name:count``)."""
    env = {k: v for k, v in os.environ.items() if k != "MEDIAWATCH_CRASH_AT"}
    env["PYTHONPATH"] = str(ROOT)
    if crash_at:
        env["MEDIAWATCH_CRASH_AT"] = crash_at
    if cli:
        command = [str(Path(sys.executable).with_name("mediawatch")), "-q", "-c", str(config), "run", "--no-classify"]
    else:
        command = [sys.executable, "-m", "tests.support.faults", str(config)] + (["--stories"] if stories else [])
        command += ["--classify"] if classify else []
    return subprocess.run(command, cwd=config.parent, env=env, capture_output=True, text=True, timeout=timeout)


def run_inline(config: Path, *, stories: bool = True, classify: bool = False):
    """The same ingest in this process (the rerun after a kill). ``classify``: the whole pipeline."""
    from mediawatch.flows.orchestration import ingest
    from mediawatch.settings import load_settings
    from mediawatch.store import open_store

    settings = load_settings(config)
    with open_store(settings) as store:
        if classify:
            ingest._ENRICHERS.clear()  # a fresh process would build (and warm) its own
            stage = ingest.default_enricher(settings, store)
        else:
            stage = StoryStage(store) if stories else None
        return ingest.run_ingest(settings, store, enrich=stage)


@dataclass
class StoreView:
    """What the store holds, and the consistency checks the suite asserts."""

    ids: list[str]
    stories: dict[str, str | None]
    texts: dict[str, str]
    cursor_line: int | None
    fingerprints: set[str]
    originals_with_fingerprint: set[str]
    integrity: str

    def lost(self, expected: dict[str, int]) -> set[str]:
        return set(expected) - set(self.ids)

    def duplicates(self) -> int:
        return len(self.ids) - len(set(self.ids))

    def behind_cursor(self, expected: dict[str, int]) -> set[str]:
        """Rows the saved import cursor says are done that the store does not hold (must be none)."""
        if self.cursor_line is None:
            return set()
        return {doc for doc, line in expected.items() if 0 < line <= self.cursor_line} - set(self.ids)

    def orphan_stories(self) -> set[str]:
        """Story ids whose first document is not stored (a state the tracker cannot rebuild from)."""
        founders = {story_id_for(doc_id) for doc_id in self.stories}
        return {sid for sid in self.stories.values() if sid and sid not in founders}

    def fingerprints_missing(self) -> set[str]:
        """Stored originals whose near-duplicate fingerprint row is missing (written first, so: none)."""
        return self.originals_with_fingerprint - self.fingerprints


def read_store(db: Path) -> StoreView:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = conn.execute("SELECT id, story_id, text, fingerprint, duplicate_of FROM documents").fetchall()
        cursor = conn.execute("SELECT value FROM state WHERE namespace = 'source:export' AND key = 'file'").fetchone()
        fingerprints = {r[0] for r in conn.execute("SELECT doc_id FROM fingerprints")}
    finally:
        conn.close()
    line = json.loads(cursor[0])["value"].get("line") if cursor else None
    return StoreView(ids=[r[0] for r in rows], stories={r[0]: r[1] for r in rows}, texts={r[0]: r[2] for r in rows},
                     cursor_line=line, fingerprints=fingerprints,
                     originals_with_fingerprint={r[0] for r in rows if r[3] and not r[4]}, integrity=integrity)


def main(argv: list[str]) -> int:
    summary = run_inline(Path(argv[0]), stories="--stories" in argv, classify="--classify" in argv)
    print(json.dumps({"run_id": summary.run_id, "new": summary.totals.inserted,
                      "failed": summary.failed_sources}))
    return 1 if summary.failed_sources else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
