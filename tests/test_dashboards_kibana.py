"""Kibana saved objects: generated from the panel spec, validated offline, pushed to a real HTTP server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mediawatch.dashboards.kibana import render_ndjson, saved_objects, to_ndjson
from mediawatch.dashboards.kibana_push import import_url, push_ndjson
from mediawatch.dashboards.kibana_validate import validate_ndjson
from mediawatch.dashboards.panels import PANELS
from mediawatch.app.cli import app
from mediawatch.errors import BadInputError, PermanentError


def test_generated_objects_are_valid_and_cover_every_panel() -> None:
    objects = saved_objects(index_prefix="mw", province="Lào Cai")
    assert validate_ndjson(to_ndjson(objects)) == []
    by_type: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        by_type.setdefault(obj["type"], []).append(obj)
    assert len(by_type["index-pattern"]) == 3
    assert {o["attributes"]["title"] for o in by_type["index-pattern"]} == {"mw-docs", "mw-alerts", "mw-forecast"}
    [dashboard] = by_type["dashboard"]
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    assert len(panels) == len(PANELS)
    assert dashboard["attributes"]["title"] == "Theo dõi thông tin - tỉnh Lào Cai"
    controls = json.loads(dashboard["attributes"]["controlGroupInput"]["panelsJSON"])
    assert {c["explicitInput"]["fieldName"] for c in controls.values()} == {"topics", "places", "source.kind"}
    queue = next(o for o in objects if o["id"] == "mw-misinfo_queue")
    assert queue["type"] == "search"
    assert {"misinfo.claim", "misinfo.evidence_url", "misinfo.review_status"} <= set(queue["attributes"]["columns"])
    change = next(o for o in objects if o["id"] == "mw-topics_change")
    columns = change["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]["layer1"]["columns"]
    assert columns["prev"]["timeShift"] == "previous"
    for obj in objects:
        assert obj["coreMigrationVersion"] == "8.8.0" and obj["typeMigrationVersion"]


def test_labels_follow_the_language() -> None:
    vi = render_ndjson(lang="vi")
    en = render_ndjson(lang="en")
    assert "Số tin theo ngày và sắc thái" in vi and "Volume per day by sentiment" in en
    assert "Số tin theo ngày" not in en


def _broken(mutate) -> str:
    objects = saved_objects()
    mutate({o["id"]: o for o in objects})
    return to_ndjson(objects)


@pytest.mark.parametrize("mutate,expected", [
    (lambda o: o["mediawatch-overview"]["attributes"].update(
        panelsJSON=json.loads(o["mediawatch-overview"]["attributes"]["panelsJSON"])),
     "panelsJSON must be a JSON string"),
    (lambda o: o["mediawatch-overview"]["attributes"].update(optionsJSON="{not json"), "optionsJSON is not valid JSON"),
    (lambda o: o["mediawatch-overview"]["references"].pop(0), "reference p1:panel_p1 is missing"),
    (lambda o: o["mediawatch-top_sources"]["references"][0].update(id="nowhere"),
     "points at index-pattern/nowhere, which is not in the file"),
    (lambda o: o["mediawatch-top_sources"]["attributes"]["state"]["visualization"]["layers"][0].update(
        xAccessor="ghost"), "visualization uses column 'ghost'"),
    (lambda o: o["mediawatch-misinfo_queue"]["attributes"]["kibanaSavedObjectMeta"].update(
        searchSourceJSON={"query": {}}), "searchSourceJSON must be a JSON string"),
    (lambda o: o["mediawatch-places"].pop("typeMigrationVersion"), "typeMigrationVersion missing"),
    (lambda o: o["mediawatch-alerts"]["attributes"].pop("columns"), "missing required attribute 'columns'"),
])
def test_validator_catches_broken_files(mutate, expected: str) -> None:
    problems = validate_ndjson(_broken(mutate))
    assert any(expected in p for p in problems), problems


def test_validator_catches_file_level_mistakes() -> None:
    good = render_ndjson()
    lines = good.splitlines()
    assert any("duplicate object" in p for p in validate_ndjson(good + lines[0] + "\n"))
    assert any("not one JSON object per line" in p for p in validate_ndjson(json.dumps(saved_objects(), indent=1)))
    assert any("empty line" in p for p in validate_ndjson(lines[0] + "\n\n" + "\n".join(lines[1:])))
    overlapping = _broken(lambda o: o["mediawatch-overview"]["attributes"].update(panelsJSON=json.dumps(
        [dict(p, gridData=dict(p["gridData"], x=0, y=0))
         for p in json.loads(o["mediawatch-overview"]["attributes"]["panelsJSON"])])))
    assert any("overlaps another panel" in p for p in validate_ndjson(overlapping))
    assert validate_ndjson("") == ["no saved objects in the file"]


# --- push to a local server that checks the request --------------------------------------------------
class KibanaStub:
    """A real HTTP server answering the saved-objects import API like Kibana 8 does."""

    def __init__(self, status: int = 200):
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                stub.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if status != 200:
                    answer = {"statusCode": status, "error": "Forbidden", "message": "no privileges"}
                else:
                    ndjson = _multipart_file(self.headers["Content-Type"], body)
                    objects = [json.loads(line) for line in ndjson.splitlines()]
                    answer = {"success": True, "successCount": len(objects),
                              "successResults": [{"type": o["type"], "id": o["id"]} for o in objects]}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _multipart_file(content_type: str, body: bytes) -> str:
    """The 'file' part of a multipart/form-data body (parsed by hand: the stub must not trust requests)."""
    boundary = content_type.split("boundary=")[1].encode()
    for part in body.split(b"--" + boundary):
        head, _, content = part.partition(b"\r\n\r\n")
        if b'name="file"' in head:
            assert b'filename="mediawatch.ndjson"' in head
            return content.rstrip(b"\r\n").decode("utf-8")
    raise AssertionError("no file part in the multipart body")


@pytest.fixture
def kibana():
    stub = KibanaStub()
    yield stub
    stub.close()


def test_import_url_uses_the_space_prefix() -> None:
    assert import_url("https://k:5601/", None) == "https://k:5601/api/saved_objects/_import"
    assert import_url("https://k:5601", "lao-cai") == "https://k:5601/s/lao-cai/api/saved_objects/_import"
    assert import_url("https://k:5601", "default") == "https://k:5601/api/saved_objects/_import"


def test_push_sends_a_multipart_import_with_xsrf_and_overwrite(kibana: KibanaStub) -> None:
    ndjson = render_ndjson()
    result = push_ndjson(ndjson, kibana.url, space="lao-cai", api_key="a2V5")
    assert result.success and result.success_count == len(ndjson.splitlines())
    [request] = kibana.requests
    assert request["path"] == "/s/lao-cai/api/saved_objects/_import?overwrite=true"
    assert request["headers"]["kbn-xsrf"]
    assert request["headers"]["Authorization"] == "ApiKey a2V5"
    assert request["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    assert _multipart_file(request["headers"]["Content-Type"], request["body"]) == ndjson.rstrip("\n")


def test_push_refuses_an_invalid_file_before_sending(kibana: KibanaStub) -> None:
    with pytest.raises(BadInputError, match="not valid"):
        push_ndjson('{"type":"dashboard","id":"x","attributes":{}}\n', kibana.url)
    assert kibana.requests == []


def test_push_reports_a_refusal_with_the_fix() -> None:
    stub = KibanaStub(status=403)
    try:
        with pytest.raises(PermanentError) as info:
            push_ndjson(render_ndjson(), stub.url)
        assert "--api-key" in str(info.value)
    finally:
        stub.close()


def test_cli_export_validate_and_push(kibana: KibanaStub, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    out = tmp_path / "kibana" / "mediawatch.ndjson"
    result = runner.invoke(app, ["dashboards", "export", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert validate_ndjson(out.read_text(encoding="utf-8")) == []
    assert "Volume per day by sentiment" in out.read_text(encoding="utf-8")
    assert runner.invoke(app, ["dashboards", "validate", str(out)]).exit_code == 0
    broken = tmp_path / "broken.ndjson"
    broken.write_text(out.read_text(encoding="utf-8").replace('"panelsJSON":"[', '"panelsJSON":"{['), encoding="utf-8")
    result = runner.invoke(app, ["dashboards", "validate", str(broken)])
    assert result.exit_code == 1 and "panelsJSON" in result.output
    result = runner.invoke(app, ["dashboards", "push", "--kibana", kibana.url, "--space", "s1"])
    assert result.exit_code == 0, result.output
    assert kibana.requests[0]["path"].startswith("/s/s1/api/saved_objects/_import")
