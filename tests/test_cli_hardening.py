"""Exit codes and messages: failed webhook sends, unwritable --out files, search syntax and filters."""

from __future__ import annotations

import functools
import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mediawatch.app.cli import app
from mediawatch.document import Document, Sentiment, Source, utcnow
from mediawatch.flows.delivery import webhooks
from mediawatch.store.sqlite import SQLiteStore
from tests.test_webhooks import Receiver

CONFIG = '''data_dir = "data"
[store]
url = "sqlite:///mw.db"
[classifiers]
filter_to_province = false
[[topics]]
name = "vo-dap"
label = "Vỡ đập, xả lũ"
query = "vỡ đập"
urgent = true
[[alerts.rules]]
name = "khan"
type = "keyword"
'''


def docs(now):
    return [
        Document(id="d1", url="https://tin.vn/1", source=Source("bao"), title="Tin đồn vỡ đập ở Yên Bái",
                 text="Người dân lo vỡ đập.", topics=["vo-dap"], places=["Lào Cai", "Yên Bái"],
                 sentiment=Sentiment("negative", -0.7), published_at=now - timedelta(minutes=5)),
        Document(id="d2", url="https://tin.vn/2", source=Source("bao"), title="Lễ hội ở Sa Pa",
                 text="Du khách đông vui, lũ không về.", places=["Lào Cai", "Sa Pa"],
                 sentiment=Sentiment("positive", 0.6), published_at=now - timedelta(hours=3)),
    ]


def project(tmp_path: Path, extra: str = "") -> list[str]:
    (tmp_path / "mediawatch.toml").write_text(CONFIG + extra, encoding="utf-8")
    with SQLiteStore(tmp_path / "mw.db") as store:
        store.upsert(docs(utcnow()))
    return ["-c", str(tmp_path / "mediawatch.toml")]


def invoke(args: list[str]):
    return CliRunner().invoke(app, args)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.mark.parametrize("script, expected", [(["refuse"], "bị từ chối (4xx)"),
                                              (["fail"] * 3, "chưa gửi được sau các lần thử")])
def test_run_exits_1_when_webhook_sends_fail(tmp_path, receiver, monkeypatch, script, expected):
    monkeypatch.setattr(webhooks, "deliver", functools.partial(webhooks.deliver, backoff_s=0.02))
    receiver.script = list(script)
    base = project(tmp_path, f'[[webhooks]]\nname = "ops"\nurl = "{receiver.url}"\n')
    result = invoke(base + ["run", "--no-classify"])
    assert result.exit_code == 1, result.output
    assert expected in result.output and "Cách sửa:" in result.output
    assert len(receiver.received) == len(script)


def test_run_exits_0_when_the_webhook_takes_the_alert(tmp_path, receiver):
    base = project(tmp_path, f'[[webhooks]]\nname = "ops"\nurl = "{receiver.url}"\n')
    result = invoke(base + ["run", "--no-classify"])
    assert result.exit_code == 0, result.output
    assert len(receiver.delivered) == 1


def _read_only_target(tmp_path: Path) -> Path:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").write_text("x")
    except OSError:
        return folder / "out.file"
    (folder / "probe").unlink()  # root writes anywhere: use a read-only file system instead
    return Path("/sys/mediawatch-test/out.file")


OUT_COMMANDS = {
    "export": lambda out: ["export", "--out", str(out)],
    "summary": lambda out: ["summary", "--out", str(out)],
    "digest": lambda out: ["digest", "--out", str(out)],
    "dashboards": lambda out: ["dashboards", "export", "--out", str(out)],
}


@pytest.mark.parametrize("command, case", [(c, k) for c in sorted(OUT_COMMANDS)
                                           for k in ("read-only", "directory", "dev-full")
                                           if (c, k) != ("digest", "dev-full")])  # same path as summary's, 10 s
def test_unwritable_out_is_one_line_and_exit_2(tmp_path, command, case):
    base = project(tmp_path)
    target = {"read-only": lambda: _read_only_target(tmp_path), "directory": lambda: tmp_path,
              "dev-full": lambda: Path("/dev/full")}[case]()
    result = invoke(base + OUT_COMMANDS[command](target))
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.startswith("mediawatch:")]
    assert len(lines) == 1 and str(target) in lines[0] and "Fix:" in lines[0]
    assert "Traceback" not in result.output


def test_classify_and_train_refuse_unwritable_out_before_loading_models(tmp_path):
    base = project(tmp_path)
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "Tin đồn vỡ đập"}\n', encoding="utf-8")
    for target in (tmp_path, _read_only_target(tmp_path)):
        result = invoke(base + ["classify", "--in", str(source), "--out", str(target)])
        assert result.exit_code == 2 and f"cannot write {target}" in result.output, result.output
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    result = invoke(base + ["train", "sentiment", "--out", str(not_a_folder)])
    assert result.exit_code == 2 and "not a directory" in result.output, result.output


@pytest.mark.parametrize("query, where", [('"vỡ đập', "character 1"), ("vỡ NEAR/3 đập", "character 4"),
                                          ("NEAR/", "character 1"), ("tác_giả:abc", "character 1"),
                                          ("vỡ OR", "character 4")])
def test_search_reports_bad_syntax_with_exit_2(tmp_path, query, where):
    result = invoke(project(tmp_path) + ["search", query])
    assert result.exit_code == 2, result.output
    assert "invalid query" in result.output and where in result.output and "^" in result.output


def _found(result) -> list[str]:
    assert result.exit_code == 0, result.output
    return [json.loads(line)["id"] for line in result.output.splitlines() if line.startswith("{")]


def test_search_title_minus_first_place_topic_and_sentiment(tmp_path):
    base = project(tmp_path)
    assert _found(invoke(base + ["search", "title:đập", "--json"])) == ["d1"]
    assert _found(invoke(base + ["search", "title:lu", "--json"])) == []  # "lũ" is only in d2's text
    assert _found(invoke(base + ["search", "-đập", "--json"])) == ["d2"]  # -word first is text, not an option
    assert _found(invoke(base + ["search", "-vỡ", "lũ", "-n", "5", "--json"])) == ["d2"]
    assert _found(invoke(base + ["search", "--place", "Yen Bai", "--json"])) == ["d1"]
    assert _found(invoke(base + ["search", "--place", "yên bái", "--json"])) == ["d1"]
    assert _found(invoke(base + ["search", "--place", "sa pa", "--json"])) == ["d2"]
    assert _found(invoke(base + ["search", "--topic", "Vỡ đập, xả lũ", "--json"])) == ["d1"]  # the label
    assert _found(invoke(base + ["search", "--topic", "vo dap", "--json"])) == ["d1"]
    assert _found(invoke(base + ["search", "--sentiment", "tích cực", "--json"])) == ["d2"]
    wrong = invoke(base + ["search", "--sentiment", "angry"])
    assert wrong.exit_code == 2 and "negative, neutral, positive" in wrong.output
    unknown = invoke(base + ["search", "--topic", "khong-co"])
    assert unknown.exit_code == 2 and "vo-dap (Vỡ đập, xả lũ)" in unknown.output


def test_receiver_example_in_docs_verifies_a_real_delivery():
    import re
    import time

    from mediawatch.flows.delivery.webhook_formats import sign

    text = (Path(__file__).resolve().parents[1] / "docs" / "alerts.md").read_text(encoding="utf-8")
    assert '"<timestamp>.<delivery id>." + raw body' in text
    snippet = re.search(r"A receiver in Python:\n\n```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(snippet, namespace)  # the documented receiver, as a reader would copy it
    body, ts = b'{"title":"x"}', str(int(time.time()))
    headers = {"X-Mediawatch-Timestamp": ts, "X-Mediawatch-Delivery": "a1-000-ops",
               "X-Mediawatch-Signature": sign("s3cret", int(ts), body, "a1-000-ops")}
    assert namespace["verify"](b"s3cret", headers, body)
    assert not namespace["verify"](b"s3cret", {**headers, "X-Mediawatch-Delivery": "a1-001-ops"}, body)
    assert not namespace["verify"](b"s3cret", {k: v for k, v in headers.items() if "Signature" not in k}, body)
