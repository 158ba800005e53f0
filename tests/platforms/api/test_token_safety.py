"""A token over real local sockets (issue 12): sent as a header to the endpoint override of its
own API only, never on a redirect to another host, and never found in any output, log line or
history row of a whole audit, even when the API quotes it back."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.cli.main import run
from tests.fetch.conftest import LocalServer, Reply

SECRET = "EAAGkettleSECRETtoken0123456789"
FIXTURES = Path(__file__).parent / "fixtures"
JSON = {"content-type": "application/json"}

INVENTORY = """\
organization:
  name: Copper Kettle
  aliases: [Copper Kettle]
  roster: roster.csv
accounts:
  - id: fb-main
    platform: facebook
    handle: copperkettleroasters
    status: active
  - id: fb-moved
    platform: facebook
    handle: copperkettlemoved
    status: active
"""
ROSTER = "email,name,department,role,status,start_date,end_date,policy_acknowledged\n"


@pytest.fixture
def graph() -> Iterator[LocalServer]:
    server = LocalServer()
    server.start()
    try:
        yield server
    finally:
        server.close()


def _serve_meta(server: LocalServer) -> None:
    quoted = f"https://graph.facebook.com/v25.0/x?access_token={SECRET}&after=QVFI"
    posts = json.loads((FIXTURES / "meta/fb_published_posts_p1.json").read_text())
    posts["paging"] = {"next": quoted}  # Graph's paging links embed the token (research §1.6)
    elsewhere = {"error": {"message": f"moved, see {quoted}", "code": 1}}
    root = "/meta-graph/v25.0"
    server.route(
        f"{root}/debug_token",
        Reply(200, JSON, (FIXTURES / "meta/debug_token_system_user.json").read_bytes()),
    )
    # The ?ids= batch leaves the moved page out: it is then asked alone (and redirects).
    page = json.loads((FIXTURES / "meta/fb_page.json").read_text())
    server.route(f"{root}/", Reply(200, JSON, json.dumps({"copperkettleroasters": page}).encode()))
    server.route(
        f"{root}/copperkettleroasters",
        Reply(200, JSON, (FIXTURES / "meta/fb_page.json").read_bytes()),
    )
    server.route(
        f"{root}/104729381562240/published_posts", Reply(200, JSON, json.dumps(posts).encode())
    )
    # Another host name for the same socket: "localhost" is not the override's 127.0.0.1.
    moved = f"http://localhost:{server.port}/elsewhere"
    server.route(f"{root}/copperkettlemoved", Reply(302, {"Location": moved}))
    server.route("/elsewhere", Reply(400, JSON, json.dumps(elsewhere).encode()))


def test_the_token_reaches_its_api_override_only_and_no_output_of_the_run(
    graph: LocalServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    _serve_meta(graph)
    (tmp_path / "inventory.yaml").write_text(INVENTORY, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    config = tmp_path / "rollcall.toml"
    config.write_text(
        f'allow_private_network = true\n[endpoints]\nmeta-graph = "{graph.url}/meta-graph"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("ROLLCALL_META_TOKEN", SECRET)
    db = tmp_path / "history.db"
    argv = ["audit", str(tmp_path / "inventory.yaml"), "--config", str(config)]
    argv += ["--history", str(db), "--format", "json", "--output", f"sarif={tmp_path / 'r.sarif'}"]
    argv += ["--max-unverified", "1"]
    code = run(argv)
    out, err = capsys.readouterr()

    sent = [(r.path, r.headers.get("authorization")) for r in graph.requests]
    assert ("/meta-graph/v25.0/copperkettlemoved", f"Bearer {SECRET}") in sent
    assert ("/elsewhere", None) in sent, "the redirect to another host went without the token"
    assert all(SECRET not in r.target for r in graph.requests), "never in a URL"
    result = json.loads(out)
    accounts = {a["id"]: a["observation"] for a in result["accounts"]}
    assert accounts["fb-main"]["status"] == "present"
    assert accounts["fb-main"]["last_activity_at"] is not None
    assert accounts["fb-moved"]["status"] != "absent"
    for text in (out, err, caplog.text):
        assert SECRET not in text
    assert db.exists() and (tmp_path / "r.sarif").exists()
    for path in tmp_path.iterdir():  # the history database and every report written
        assert SECRET.encode() not in path.read_bytes(), path.name
    assert code in (0, 1, 3)
