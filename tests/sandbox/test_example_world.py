"""`rollcall sandbox example-world`: the commented world loads as written and explains every key
the loader accepts and every fault the sandbox can inject."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.cli.exitcodes import ExitCode
from scanner.cli.main import run
from scanner.model import AccountState, Platform
from scanner.sandbox import FaultKind, load_world, parse_world
from scanner.sandbox.example_world import EXAMPLE_ACCOUNTS, EXAMPLE_HOSTS, example_world_text
from scanner.sandbox.faults import FAULT_PARAMS
from scanner.sandbox.world import ACCOUNT_KEYS, HOST_KEYS, POST_KEYS, TOP_KEYS
from scanner.yamlsource import load_yaml_text


def test_the_example_world_loads_with_every_account() -> None:
    world = parse_world(load_yaml_text(example_world_text(), "example.yaml"), "example.yaml")
    assert len(world.accounts) == len(EXAMPLE_ACCOUNTS)
    github = world.find(Platform.GITHUB, "example-bakery")
    assert github is not None and github.kind == "organization" and len(github.posts) == 2
    suspended = world.find(Platform.X, "examplebakerydeals")
    assert suspended is not None and suspended.state is AccountState.SUSPENDED
    walled = world.find(Platform.INSTAGRAM, "examplebakery")
    assert walled is not None and [f.kind for f in walled.faults] == [FaultKind.LOGIN_WALL]
    assert [f.kind for f in world.host_faults[Platform.MEDIUM]] == [FaultKind.LATENCY]


def test_the_example_uses_every_key_the_loader_accepts() -> None:
    accounts = [a for _, a in EXAMPLE_ACCOUNTS]
    assert set(ACCOUNT_KEYS) == {k for a in accounts for k in a}
    assert set(POST_KEYS) == {k for a in accounts for p in a.get("posts", []) for k in p}
    assert set(HOST_KEYS) == {k for h in EXAMPLE_HOSTS.values() for k in h}
    text = example_world_text()
    assert all(f"\n{key}:" in text for key in TOP_KEYS)
    faults = [f for a in accounts for f in a.get("faults", [])]
    assert any(isinstance(f, str) for f in faults) and any(isinstance(f, dict) for f in faults)


def test_every_key_and_every_fault_is_explained_in_the_comments() -> None:
    comments = [line for line in example_world_text().splitlines() if line.startswith("#")]
    rows = {line.split()[1] for line in comments if line.startswith("#   ")}
    for keys in (TOP_KEYS, HOST_KEYS, ACCOUNT_KEYS, POST_KEYS):
        assert set(keys) <= rows
    for kind in FaultKind:
        row = next(line for line in comments if line.startswith(f"#   {kind.value} "))
        entry = [row]
        for line in comments[comments.index(row) + 1 :]:
            if not line.startswith("#" + " " * 10):  # a wrapped row's continuation
                break
            entry.append(line)
        assert all(f"{name}=" in " ".join(entry) for name in FAULT_PARAMS[kind]), entry
    assert max(len(line) for line in comments) <= 100


def test_cli_writes_a_world_that_loads_and_never_overwrites_silently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "world.yaml"
    assert run(["sandbox", "example-world", str(path)]) == ExitCode.CLEAN
    assert "rollcall sandbox serve" in capsys.readouterr().err
    assert load_world(path).name == "example-bakery"

    path.write_text("name: mine\n", encoding="utf-8")
    assert run(["sandbox", "example-world", str(path)]) == ExitCode.BAD_INPUT
    assert "--force" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "name: mine\n"
    assert run(["sandbox", "example-world", str(path), "--force"]) == ExitCode.CLEAN
    assert path.read_text(encoding="utf-8") == example_world_text()

    capsys.readouterr()
    assert run(["sandbox", "example-world"]) == ExitCode.CLEAN
    assert capsys.readouterr().out == example_world_text()
