"""`mediawatch users ...` and `mediawatch audit ...` on a real SQLite store."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from mediawatch.app.cli import app
from mediawatch.settings import load_settings
from mediawatch.store import open_store
from mediawatch.store.desk_base import SessionRecord

T0 = datetime(2025, 9, 1, tzinfo=timezone.utc)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MEDIAWATCH_CONFIG", raising=False)
    monkeypatch.setenv("USER", "ops")
    (tmp_path / "mediawatch.toml").write_text('[store]\nurl = "sqlite:///mw.db"\n', encoding="utf-8")
    return tmp_path


def invoke(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, list(args), input=stdin)


def test_users_add_list_role_disable_password(workdir) -> None:
    assert invoke("users", "list").output.startswith("Chưa có tài khoản")
    added = invoke("users", "add", "nguyen.an", "--role", "admin", "--password-stdin", stdin="mật khẩu đủ dài\n")
    assert added.exit_code == 0 and "Đã tạo tài khoản nguyen.an (admin)" in added.output
    for args, stdin, fragment in ((("users", "add", "nguyen.an", "--password-stdin"), "mật khẩu khác dài\n", "exists"),
                                  (("users", "add", "Bad Name", "--password-stdin"), "mật khẩu đủ dài\n", "lowercase"),
                                  (("users", "add", "binh", "--password-stdin"), "ngan\n", "10 characters"),
                                  (("users", "add", "binh", "--role", "boss", "--password-stdin"), "mật khẩu đủ dài\n",
                                   "viewer, reviewer or admin"),
                                  (("users", "disable", "khong-co"), None, "no such account")):
        result = invoke(*args, stdin=stdin)
        assert result.exit_code == 2 and fragment in result.output, args
    settings = load_settings()
    with open_store(settings) as store:
        store.save_session(SessionRecord("h1", "nguyen.an", T0, T0 + timedelta(days=3650), T0, "c"))
    assert invoke("users", "role", "nguyen.an", "reviewer").exit_code == 0
    assert invoke("users", "disable", "nguyen.an").exit_code == 0
    with open_store(settings) as store:
        account = store.account("nguyen.an")
        assert (account.role, account.disabled) == ("reviewer", True)
        assert store.session("h1") is None  # disabling ends the sessions
        old_hash = account.password_hash
    assert invoke("users", "enable", "nguyen.an").exit_code == 0
    assert invoke("users", "password", "nguyen.an", "--password-stdin", stdin="mật khẩu mới đủ dài\n").exit_code == 0
    rows = [json.loads(line) for line in invoke("users", "list", "--json").output.splitlines()]
    assert [(r["username"], r["role"], r["disabled"]) for r in rows] == [("nguyen.an", "reviewer", False)]
    assert "hash" not in json.dumps(rows)
    with open_store(settings) as store:
        assert store.account("nguyen.an").password_hash != old_hash
        actions = [(e.actor, e.action) for e in store.audit_log().entries]
    assert actions[0] == ("cli:ops", "account.update") and actions[-1] == ("cli:ops", "account.add")


def test_audit_list_and_export(workdir) -> None:
    invoke("users", "add", "an", "--password-stdin", stdin="mật khẩu đủ dài\n")
    invoke("users", "role", "an", "viewer")
    listed = invoke("audit", "list")
    assert listed.exit_code == 0 and "account.update" in listed.output and "cli:ops" in listed.output
    assert invoke("audit", "export", "--format", "xml").exit_code == 2
    out = workdir / "out" / "audit.csv"
    done = invoke("audit", "export", "--out", str(out), "--action", "account.update")
    assert done.exit_code == 0 and "1" in done.output
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["action"], json.loads(r["after"])) for r in rows] == [("account.update", {"role": "viewer"})]
    lines = invoke("audit", "export", "--format", "jsonl").output.splitlines()
    assert [json.loads(line)["action"] for line in lines] == ["account.update", "account.add"]


def test_dashboards_serve_refuses_what_it_cannot_serve(workdir) -> None:
    (workdir / "mediawatch.toml").write_text('[store]\nurl = "http://127.0.0.1:1"\n', encoding="utf-8")
    result = invoke("dashboards", "serve", "--no-desk")
    assert result.exit_code == 2 and "Kibana" in result.output
    result = invoke("dashboards", "serve", "--desk-port", "1")  # Elasticsearch unreachable: the desk cannot start
    assert result.exit_code == 3 and "review desk" in result.output
    (workdir / "mediawatch.toml").write_text('[store]\nurl = "sqlite:///mw.db"\n', encoding="utf-8")
    assert invoke("dashboards", "serve").exit_code == 2  # no store file yet
