"""Server behaviour: conditional requests, counters, concurrency, lifecycle and the CLI."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from scanner.errors import UsageError
from scanner.sandbox import Sandbox, World

from .conftest import TINY

GITHUB_ORG = "/users/kettleorg"


def test_etag_gives_304(sandbox: Sandbox, client: httpx.Client) -> None:
    first = client.get(sandbox.url("github", GITHUB_ORG))
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    assert first.headers["last-modified"] == "Sun, 01 Nov 2026 09:00:00 GMT"
    again = client.get(sandbox.url("github", GITHUB_ORG), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    changed = client.get(sandbox.url("github", GITHUB_ORG), headers={"If-None-Match": 'W/"old"'})
    assert changed.status_code == 200


def test_github_304_does_not_count(world: World) -> None:
    with Sandbox(world, clock=lambda: 1_800_000_000.5) as sb, httpx.Client() as c:
        first = c.get(sb.url("github", GITHUB_ORG))
        again = c.get(
            sb.url("github", GITHUB_ORG), headers={"If-None-Match": first.headers["etag"]}
        )
        assert again.status_code == 304
        assert first.headers["x-ratelimit-used"] == again.headers["x-ratelimit-used"] == "1"


def test_if_modified_since(sandbox: Sandbox, client: httpx.Client) -> None:
    url = sandbox.url("medium", "/feed/@kettle")
    later = client.get(url, headers={"If-Modified-Since": "Sun, 15 Nov 2026 00:00:00 GMT"})
    assert later.status_code == 304
    earlier = client.get(url, headers={"If-Modified-Since": "Mon, 01 Jun 2026 00:00:00 GMT"})
    assert earlier.status_code == 200 and earlier.headers["last-modified"]


def test_not_found_answers_are_never_304(sandbox: Sandbox, client: httpx.Client) -> None:
    r = client.get(sandbox.url("github", "/users/nobody"), headers={"If-None-Match": "*"})
    assert r.status_code == 404


def test_counters(sandbox: Sandbox, client: httpx.Client) -> None:
    r = client.get(sandbox.url("github", GITHUB_ORG))
    client.get(sandbox.url("reddit", "/user/nobody/about.json?raw_json=1"))
    assert sandbox.requests == 2
    assert sandbox.request_log == [
        ("GET", "/github/users/kettleorg", 200),
        ("GET", "/reddit/user/nobody/about.json?raw_json=1", 404),
    ]
    client.head(sandbox.url("github", GITHUB_ORG))  # bytes are counted once written
    assert sandbox.bytes_sent > len(r.content)
    sandbox.reset_counters()
    assert (sandbox.requests, sandbox.bytes_sent, sandbox.request_log) == (0, 0, [])


def test_many_slow_requests_at_once(sandbox: Sandbox) -> None:
    sandbox.set_host_faults("github", [{"kind": "latency", "ms": 200}])

    async def run() -> list[int]:
        limits = httpx.Limits(max_connections=60)
        async with httpx.AsyncClient(limits=limits, timeout=30) as c:
            answers = await asyncio.gather(
                *(c.get(sandbox.url("github", GITHUB_ORG)) for _ in range(60))
            )
        return [r.status_code for r in answers]

    assert asyncio.run(run()) == [200] * 60
    assert sandbox.requests == 60


def test_busy_port_is_a_usage_error(running: Sandbox, world: World) -> None:
    with pytest.raises(UsageError, match="cannot listen"):
        Sandbox(world, port=running.port).start()


def test_stop_is_idempotent(world: World) -> None:
    sb = Sandbox(world).start()
    port = sb.port
    sb.stop()
    sb.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/github{GITHUB_ORG}", timeout=2)


def test_cli_serve_prints_endpoints_and_stops_on_ctrl_c() -> None:
    code = (
        "import sys\n"
        "from scanner.cli.sandbox import command\n"
        "sys.exit(command.main(['serve', sys.argv[1]], prog_name='rollcall sandbox',"
        " standalone_mode=False))\n"
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(TINY)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).parents[2],
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("Sandbox for world 'tiny'")
        base = first.rsplit(" at ", 1)[1].strip()
        proc.stdout.readline()
        flags = proc.stdout.readline()
        assert f"--endpoint github={base}/github" in flags
        assert httpx.get(f"{base}/github{GITHUB_ORG}").status_code == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "stopped after 1 requests" in err
