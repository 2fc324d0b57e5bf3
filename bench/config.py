"""What checking the configuration at start costs: `.venv/bin/python -m bench.config`.

Every command loads and checks its settings before any work (typed options, times, addresses,
duplicates; then topic queries, the province, rule topics). Prints CPU milliseconds per load (stable on a
shared machine), median of ``--repeat`` runs, for the `mediawatch init` starter file (Lào Cai: 15 sources) and for a large file
(``--sources`` press sources, ``--topics`` topics, alert rules and webhooks), kernel validation alone
(``load_settings``) and with the stages' checks (``load_checked``), plus one broken file's report.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def large_config(sources: int, topics: int) -> str:
    parts = ['language = "vi"\n[province]\nname = "Lào Cai"\nformer_names = ["Yên Bái"]\n',
             '[digest]\nrecipients = ["vanphong@laocai.gov.vn", "lanhdao@laocai.gov.vn"]\nsend_at = "07:00"\n']
    for i in range(sources):
        kind = ("rss", "sitemap", "listing")[i % 3]
        parts.append(f'[[sources]]\nid = "nguon-{i}"\nname = "Nguồn {i}"\ntype = "{kind}"\n'
                     f'url = "https://bao{i}.example.vn/{kind}.xml"\noptions = {{ min_chars = 150, verified = true }}\n')
    for i in range(topics):
        parts.append(f'[[topics]]\nname = "chu-de-{i}"\nlabel = "Chủ đề {i}"\n'
                     f'query = \'("vỡ đập" OR "xả lũ") AND (thủy điện OR "hồ chứa") NOT "diễn tập {i}"\'\n')
        parts.append(f'[[alerts.rules]]\nname = "quy-tac-{i}"\ntype = "keyword"\ntopic = "chu-de-{i}"\n'
                     'options = { window_minutes = 120 }\n')
    parts.append('[[webhooks]]\nname = "nhom-truc"\nurl = "https://example.vn/hook"\nformat = "zalo"\n'
                 'token = "t"\noptions = { group_id = "g1" }\n')
    return "\n".join(parts)


def timed(fn, repeat: int) -> float:
    fn()  # imports and caches (gazetteer province names, default topics) are a one-off per process
    runs = []
    for _ in range(repeat):
        started = time.process_time()
        fn()
        runs.append(time.process_time() - started)
    return statistics.median(runs) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--topics", type=int, default=50)
    args = parser.parse_args()

    from mediawatch.app.starter import starter_config
    from mediawatch.errors import ConfigError
    from mediawatch.flows.orchestration.settings_checks import load_checked
    from mediawatch.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        files = {"starter (Lào Cai)": Path(tmp) / "starter.toml", "large": Path(tmp) / "large.toml"}
        files["starter (Lào Cai)"].write_text(starter_config("Lào Cai"), encoding="utf-8")
        files["large"].write_text(large_config(args.sources, args.topics), encoding="utf-8")
        print(f"{'file':<20} {'lines':>6} {'load_settings ms':>17} {'load_checked ms':>16}")
        for name, path in files.items():
            lines = len(path.read_text(encoding="utf-8").splitlines())
            kernel = timed(lambda: load_settings(path), args.repeat)
            checked = timed(lambda: load_checked(path), args.repeat)
            print(f"{name:<20} {lines:>6} {kernel:>17.1f} {checked:>16.1f}")
        broken = Path(tmp) / "broken.toml"
        broken.write_text(large_config(args.sources, args.topics).replace('send_at = "07:00"', 'send_at = "7h"')
                          .replace("min_chars = 150", "min_char = 150"), encoding="utf-8")

        def report() -> None:
            try:
                load_settings(broken)
            except ConfigError as exc:
                report.lines = len(exc.data)  # type: ignore[attr-defined]

        ms = timed(report, args.repeat)
        print(f"{'broken (large)':<20} {'':>6} {ms:>17.1f}  ({report.lines} problems reported)")  # type: ignore


if __name__ == "__main__":
    main()
