"""``rollcall platforms list|check`` and ``rollcall observe``, run against the sandbox."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scanner.cli.exitcodes import ExitCode
from scanner.cli.main import run
from scanner.cli.observe import command as observe_command
from scanner.cli.platforms import command as platforms_command
from scanner.model import ObservationStatus, Platform
from scanner.sandbox import Sandbox, example_world_path, load_world

ROOT = Path(__file__).resolve().parents[2]
WORLD = Path(__file__).parent / "fixtures" / "world.yaml"


def invoke(command: object, args: list[str]) -> Result:
    result = CliRunner().invoke(command, args, standalone_mode=False, catch_exceptions=False)  # type: ignore[arg-type]
    return result


def endpoint_flags(sb: Sandbox) -> list[str]:
    return [flag for p, url in sb.endpoints().items() for flag in ("--endpoint", f"{p}={url}")]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(load_world(WORLD)) as sb:
        yield sb


def test_platforms_list_table_and_json() -> None:
    table = invoke(platforms_command, ["list"])
    assert table.return_value == 0
    for platform in Platform:
        assert platform.value in table.output
    data = json.loads(invoke(platforms_command, ["list", "--format", "json"]).output)
    assert {d["platform"] for d in data} == {p.value for p in Platform}
    supports = {d["platform"]: d["support"] for d in data}
    assert supports["github"] == "full" and supports["instagram"] == "partial"
    assert "last_activity_at" in next(d for d in data if d["platform"] == "bluesky")["extracts"]


def test_platforms_check_ok_against_known_accounts(sandbox: Sandbox) -> None:
    args = ["check", *endpoint_flags(sandbox), "--seed", "7", "--format", "json"]
    present = {
        "github": ["kettle", "bystander"],
        "mastodon": ["kettle@mastodon.social", "bystander@fosstodon.org"],
        "bluesky": ["kettle.bsky.social", "bystander.bsky.social"],
        "reddit": ["u/kettle", "u/bystander"],
        "tiktok": ["kettle", "bystander"],
        "tumblr": ["kettle-zine", "bystander"],
    }
    for platform, handles in present.items():
        args += ["--platform", platform]
        args += [f for h in handles for f in ("--present", f"{platform}={h}")]
    result = invoke(platforms_command, args)
    data = json.loads(result.output)
    assert {d["platform"]: d["rating"] for d in data} == dict.fromkeys(present, "ok")
    for check in data:
        expected = [r["expected"] for r in check["results"]]
        assert expected.count("absent") == 2 and expected.count("present") == 2
    assert result.return_value == 0


def test_platforms_check_broken_and_degraded(sandbox: Sandbox) -> None:
    sandbox.set_faults("x", "kettle", ["login_wall"])
    try:
        result = invoke(
            platforms_command,
            [
                "check",
                *endpoint_flags(sandbox),
                "--platform",
                "github",
                "--present",
                "github=kettle",
                "--present",
                "github=nosuchkettle",
                "--platform",
                "x",
                "--present",
                "x=kettle",
                "--present",
                "x=bystander",
            ],
        )
    finally:
        sandbox.clear_faults()
    assert result.return_value == 1
    lines = {line.split()[0]: line for line in result.output.splitlines() if line[:1].isalpha()}
    assert "broken" in lines["github"] and "wrong verdict" in result.output
    assert "degraded" in lines["x"]


def test_observe_command_on_the_example_inventory() -> None:
    inventory = ROOT / "inventories" / "copper-kettle.yaml"
    if not inventory.exists():
        pytest.skip("example inventory not written yet")
    with Sandbox(load_world(example_world_path())) as sb:
        result = invoke(
            observe_command,
            [str(inventory), "--format", "json", "--platform", "github", *endpoint_flags(sb)],
        )
        table = invoke(
            observe_command, [str(inventory), "--platform", "bluesky", *endpoint_flags(sb)]
        )
    rows = json.loads(result.output)
    assert rows and all(r["platform"] == "github" for r in rows)
    assert {r["status"] for r in rows} <= {s.value for s in ObservationStatus}
    assert all(r["account_id"] for r in rows)
    assert "bluesky" in table.output and "present" in table.output
    assert result.return_value == 0


def test_platforms_check_against_the_example_world_with_its_healthy_handles() -> None:
    world = load_world(example_world_path())
    present = world.healthy_handles()
    assert set(present) == set(Platform)
    with Sandbox(world) as sb:
        args = ["check", *endpoint_flags(sb), "--seed", "3", "--format", "json"]
        args += [f for p, h in present.items() for f in ("--present", f"{p.value}={h}")]
        ok = invoke(platforms_command, args)
        # Without --present the specs' real-world handles are absent from the world: the CLI
        # says why instead of leaving a wall of "broken" unexplained.
        bare = invoke(platforms_command, ["check", *endpoint_flags(sb), "--platform", "github"])
    assert {d["rating"] for d in json.loads(ok.output)} == {"ok"}
    assert ok.return_value == 0
    assert bare.return_value == 1
    assert "--present PLATFORM=HANDLE" in bare.stderr and "github" in bare.stderr


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that was bound and closed again: connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def no_retries(tmp_path: Path) -> Path:
    """Fetch settings without retries, so a refused connection fails at once."""
    config = tmp_path / "rollcall.toml"
    config.write_text("max_retries = 0\n", encoding="utf-8")
    return config


def test_platforms_check_that_reaches_nothing_is_incomplete_with_the_reason_on_stderr(
    closed_port: int, no_retries: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    down = f"http://127.0.0.1:{closed_port}"
    code = run(
        [
            "platforms",
            "check",
            "--config",
            str(no_retries),
            *("--platform", "github", "--platform", "bluesky"),
            *("--endpoint", f"github={down}/github", "--endpoint", f"bluesky={down}/bluesky"),
        ]
    )
    out, err = capsys.readouterr()
    assert code == ExitCode.INCOMPLETE
    assert "0 ok, 2 degraded, 0 broken" in out  # the table is still shown
    assert "could not reach anything" in err and "connect_error" in err


def test_platforms_check_with_one_platform_down_is_degraded_not_incomplete(
    sandbox: Sandbox, closed_port: int, no_retries: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(
        [
            "platforms",
            "check",
            "--config",
            str(no_retries),
            *("--platform", "github", "--platform", "bluesky"),
            *("--present", "github=kettle", "--present", "bluesky=kettle.bsky.social"),
            "--endpoint",
            f"github={sandbox.endpoints()['github']}",
            "--endpoint",
            f"bluesky=http://127.0.0.1:{closed_port}/bluesky",
        ]
    )
    out, err = capsys.readouterr()
    assert code == ExitCode.CLEAN
    assert "1 ok, 1 degraded, 0 broken" in out
    assert "could not reach" not in err
