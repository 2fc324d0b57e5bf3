"""Hostile input and secrets: memory and CPU before/after the caps, and the secrets scan.

    .venv/bin/python -m bench.hardening [--bomb-mib 256] [--html-mb 2.2] [--no-scan]

1. A gzip sitemap bomb (about 1,000:1: ``--bomb-mib`` MiB of XML in ~1/1000 of that) read the old
   way (``gzip.decompress`` then lxml, as before the fix) and the new way (streamed, capped at
   ``crawl.max_bytes``): peak RSS, CPU and the length of the longest message each produces.
2. Pathological HTML of ``--html-mb`` MB (deeply nested blocks; flat repeated paragraphs) through
   ``extract_article`` with the caps off (as before) and on: peak RSS and CPU.
3. The secrets scan of tests/support/secrets_scan.py: outputs read, characters, values planted,
   values found (must be 0), exit codes.

Each measurement runs in a fresh child process (``ru_maxrss`` is per process), one after the other.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

CHILD = textwrap.dedent('''
    import json, resource, sys, time, zlib
    mode, arg = sys.argv[1], float(sys.argv[2])
    def bomb(mib):
        c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        parts = [c.compress(b'<?xml version="1.0"?><urlset><url><loc>http://x.vn/')]
        chunk = b"a" * (1 << 20)
        for _ in range(int(mib)):
            parts.append(c.compress(chunk))
        parts.append(c.compress(b"</loc></url></urlset>"))
        parts.append(c.flush())
        return b"".join(parts)
    def html(mb, deep):
        if deep:
            block = "<div>" * 250 + "Chữ trong khối. " * 3 + "</div>" * 250
        else:
            block = "<p>Đoạn văn ngắn trong trang.</p>"
        return ("<html><body><h1>T</h1>" + block * int(mb * 1e6 // len(block)) + "</body></html>").encode()
    if mode.startswith("bomb"):
        body = bomb(arg)
    else:
        body = html(arg, mode.endswith("deep"))
    import gzip
    from lxml import etree
    from mediawatch.crawlers import extract
    from mediawatch.crawlers.sitemaps import SitemapError, parse_sitemap  # imports outside the timing
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu = time.process_time()
    message = ""
    if mode == "bomb-old":
        data = gzip.decompress(body)
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True,
                                                             recover=True, huge_tree=False))
        message = "article " + max((n.text or "" for n in root.iter()), key=len) + ": HTTP 404"
        del data, root
    elif mode == "bomb-new":
        try:
            parse_sitemap(body, 5_000_000)
        except SitemapError as exc:
            message = exc.message
    else:
        if mode.startswith("html-old"):
            extract.MAX_ELEMENTS, extract.MAX_DEPTH = 10**9, 10**9
            extract._DEEPER = extract.etree.XPath("boolean(" + "/*" * 300 + ")")
        try:
            extract.extract_article(body, "https://tin.vn/a.html")
        except extract.ExtractionError as exc:
            message = str(exc)
    print(json.dumps({"input_bytes": len(body), "cpu_s": round(time.process_time() - cpu, 2),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      "rss_at_start_mb": round(start_rss / 1024), "message_chars": len(message),
                      "message": message[:120]}))
''')


def child(mode: str, arg: float) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(arg)], capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bomb-mib", type=float, default=256, help="decompressed size of the gzip bomb (MiB)")
    parser.add_argument("--html-mb", type=float, default=2.2, help="size of the pathological HTML pages (MB)")
    parser.add_argument("--no-scan", action="store_true", help="skip the secrets scan (about a minute)")
    args = parser.parse_args()

    print(f"1. gzip sitemap bomb: {args.bomb_mib:g} MiB of XML")
    for mode in ("bomb-old", "bomb-new"):
        print(f"   {mode:<10} {json.dumps(child(mode, args.bomb_mib), ensure_ascii=False)}")
    print(f"2. pathological HTML, {args.html_mb:g} MB")
    for mode in ("html-old-deep", "html-new-deep", "html-old-flat", "html-new-flat"):
        print(f"   {mode:<14} {json.dumps(child(mode, args.html_mb), ensure_ascii=False)}")
    if args.no_scan:
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.support.secrets_scan import run_scenario

    with tempfile.TemporaryDirectory(prefix="mw-bench-hardening-") as tmp:
        result = run_scenario(Path(tmp) / "work")
    print("3. secrets scan")
    print(f"   outputs read: {len(result.outputs)} ({sum(result.outputs.values()):,} characters)")
    print(f"   values planted: {result.planted}; found: {len(result.found)}")
    for kind, name, output in result.found:
        print(f"     FOUND {kind} {name} in {output}")
    print(f"   exit codes: {json.dumps(result.exit_codes)}")
    print(f"   GROUP BY author_key through Datasette: {result.author_groups} group (NULL)")
    for failure in result.failures:
        print(f"   reported: {failure[:200]}")


if __name__ == "__main__":
    main()
