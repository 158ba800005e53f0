"""Every command that prints a table fits the terminal: at COLUMNS=80 and 120 no line of stdout is
wider, and ``--wide`` shows every column of every table, unwrapped. Run through the real entry
point on the example organization against the sandbox (politeness lifted, as the demo does)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from scanner.cli import demo, history, platforms, rules
from scanner.cli.main import cli
from scanner.model import Platform
from scanner.reports import access, discovery, observations, orphans, review, table
from scanner.reports.layout import Column, display_width
from scanner.sandbox import Sandbox, example_world_path, load_world

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-15"
WIDTHS = (80, 120)


@dataclass(frozen=True)
class World:
    """The example organization served by the sandbox, with a history of two runs."""

    sandbox: Sandbox
    folder: Path
    config: Path
    history: Path

    @property
    def inventory(self) -> str:
        return str(self.folder / "copper-kettle.yaml")

    def endpoints(self) -> list[str]:
        endpoints = self.sandbox.endpoints().items()
        return [*(f"--endpoint={p}={u}" for p, u in endpoints), "--allow-private-network"]


def _invoke(args: Sequence[str], columns: int) -> tuple[int, str]:
    """Exit code and stdout; a crash fails here (CliRunner would report it as exit 1)."""
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": str(columns)})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("org")
    for f in (ROOT / "inventories").glob("copper-kettle*"):
        shutil.copy(f, folder / f.name)
    with Sandbox(load_world(example_world_path())) as sb:
        lines = ["[endpoints]", *(f'{p} = "{u}"' for p, u in sb.endpoints().items())]
        for p in Platform:
            lines += [f"[limits.{p.value}]", "concurrency = 8", "min_interval = 0.0"]
        config = folder / "rollcall.toml"
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        w = World(sb, folder, config, folder / "history.db")
        audit = ["audit", w.inventory, "--config", str(config), "--as-of", AS_OF]
        for extra in (["--discover", "--max-candidates", "3"], []):
            code, out = _invoke([*audit, "--history", str(w.history), *extra], 200)
            assert code in (0, 1), out
        yield w


def _review_request(world: World) -> str:
    """A proposal with reasons to print: a departed sponsor and vanity-only metrics."""
    path = world.folder / "request.yaml"
    request = {
        "platform": "bluesky",
        "handle": "copperkettle-roastery-tours-and-cupping-classes.bsky.social",
        "display_name": "Copper Kettle Roastery Tours",
        "department": "Education",
        "owner": "liam.chen@copperkettle.coffee",
        "backup_owner": "sofia.rossi@copperkettle.coffee",
        "executive_sponsor": "robert.hale@copperkettle.coffee",
        "objective": "Sell seats on roastery tours and cupping classes",
        "metrics": ["followers", "likes", "impressions"],
        "approval_ticket": "SOC-1042",
    }
    path.write_text(yaml.safe_dump(request, sort_keys=False), encoding="utf-8")
    return str(path)


def _candidates(world: World) -> str:
    """The world's planted lookalike pages, so discovery finds them without probing hundreds."""
    path = world.folder / "candidates.txt"
    pages = ["x:copperkettle_hq", "instagram:thecopperkettle", "tiktok:copperkettleshop"]
    path.write_text("\n".join(pages) + "\n", encoding="utf-8")
    return str(path)


def _history_copy(world: World, tmp_path: Path) -> str:
    """A copy of the two-run history, so an audit shows its baseline without adding a run."""
    copy = tmp_path / "history.db"
    shutil.copy(world.history, copy)
    return str(copy)


# command name → (its arguments, the tables it prints whatever the data)
def _commands(world: World, tmp_path: Path) -> dict[str, tuple[list[str], list[Sequence[Column]]]]:
    inv, db, config = world.inventory, str(world.history), str(world.config)
    live = world.endpoints()
    validate_columns = [Column(t) for t in ("platform", "status", "department")]
    return {
        "audit": (
            ["audit", inv, "--config", config, "--as-of", AS_OF]
            + ["--history", _history_copy(world, tmp_path)],
            [table._FINDING_COLUMNS, table._BASELINE_COLUMNS],
        ),
        "observe": (["observe", inv, "--config", config], [observations.COLUMNS]),
        "discover": (
            ["discover", inv, "--max-candidates", "0", "--candidates", _candidates(world), *live],
            [discovery._PAGE_COLUMNS, discovery._FINDING_COLUMNS],
        ),
        "review": (
            ["review", _review_request(world), "--inventory", inv, "--as-of", AS_OF, *live],
            [review._REASON_COLUMNS],
        ),
        "history list": (["history", "list", "--history", db], [history._LIST_COLUMNS]),
        "history show": (["history", "show", "1", "--history", db], [history._FINDING_COLUMNS]),
        "history diff": (
            ["history", "diff", "1", "2", "--history", db],
            [history._FINDING_COLUMNS],
        ),
        "platforms list": (["platforms", "list"], [platforms._LIST_COLUMNS]),
        "platforms check": (
            ["platforms", "check", "--config", config, "--platform", "mastodon"]
            + ["--platform", "bluesky", "--present", "mastodon=copperkettle@mastodon.social"]
            + ["--present", "bluesky=copperkettle.bsky.social"],
            [platforms._CHECK_COLUMNS],
        ),
        "rules list": (["rules", "list"], [rules._LIST_COLUMNS]),
        # Each count table's first header is its title; the second is always "accounts".
        "validate": (["validate", inv], [(c, Column("accounts")) for c in validate_columns]),
        "report orphans": (
            # Offline: `report orphans` takes no --config, and the sandbox's politeness pacing
            # would cost seconds; the roster's problems alone fill the table.
            ["report", "orphans", inv, "--as-of", AS_OF, "--no-history", "--offline"],
            [orphans.TABLE_COLUMNS],
        ),
        "demo": (["demo", "--output-dir", str(tmp_path / "demo")], [demo._COUNT_COLUMNS]),
        "access": (["access", inv, "--config", config], [access.TABLE_COLUMNS]),
    }


COMMANDS = [
    "audit",
    "observe",
    "discover",
    "review",
    "history list",
    "history show",
    "history diff",
    "platforms list",
    "platforms check",
    "rules list",
    "validate",
    "report orphans",
    "demo",
    "access",
]


def _header_line(columns: Sequence[Column], text: str) -> bool:
    """Whether ``text`` has the header row of a table of ``columns``, every header in full."""
    wanted = [c.header for c in columns]
    return any(re.split(r" {2,}", line.strip()) == wanted for line in text.splitlines())


def test_every_command_is_listed(world: World, tmp_path: Path) -> None:
    assert sorted(_commands(world, tmp_path)) == sorted(COMMANDS)


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("name", COMMANDS)
def test_no_line_is_wider_than_the_terminal(
    world: World, tmp_path: Path, name: str, columns: int
) -> None:
    args, _ = _commands(world, tmp_path)[name]
    code, out = _invoke(args, columns)
    assert code in (0, 1, 3), out  # clean, findings, or incomplete (offline): never bad input
    assert out.strip(), f"{name} printed nothing"
    too_wide = [line for line in out.splitlines() if display_width(line) > columns]
    assert not too_wide, f"{name} at {columns} columns: {too_wide[:3]}"


@pytest.mark.parametrize("name", COMMANDS)
def test_wide_shows_every_column_unwrapped(world: World, tmp_path: Path, name: str) -> None:
    args, tables = _commands(world, tmp_path)[name]
    code, out = _invoke([*args, "--wide"], 80)
    assert code in (0, 1, 3), out  # clean, findings, or incomplete (offline): never bad input
    assert "not shown at" not in out
    for columns in tables:
        assert _header_line(columns, out), f"{name} --wide: no full header {columns}"


def test_a_narrow_terminal_drops_columns_and_says_so(world: World, tmp_path: Path) -> None:
    args, _ = _commands(world, tmp_path)["audit"]
    _, narrow = _invoke(args, 80)
    assert not _header_line(table._FINDING_COLUMNS, narrow)
    assert "(not shown at 80 columns: account; --wide shows all)" in narrow
