"""``rollcall access`` over real sockets against the example world: every audited account with
its holders and roster match, declared where no list can be read, unknown (exit 3, named on
stderr) where a list should have been read and was not; JSON keys and the CSV header."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scanner.cli.main import run
from scanner.inventory import load_inventory
from scanner.model import Platform
from scanner.platforms import all_specs, token_env_names
from scanner.platforms.api.interface import Api
from scanner.reports.access import CSV_COLUMNS
from scanner.sandbox import DEMO_CREDENTIALS, Sandbox, example_world_path, load_world

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = str(ROOT / "inventories" / "copper-kettle.yaml")
META = "ROLLCALL_META_TOKEN"
HOLDER_KEYS = {
    "kind",
    "platform_id",
    "name",
    "email",
    "role",
    "admin",
    "two_factor",
    "via",
    "affiliation",
    "person_email",
    "person_name",
    "candidates",
    "matched_by",
    "issues",
}
ROW_KEYS = {"account", "platform", "handle", "source", "reason", "evidence", "holders"}


@pytest.fixture(scope="module")
def world() -> Iterator[Sandbox]:
    with Sandbox(load_world(example_world_path())) as sandbox:
        yield sandbox


def _config(world: Sandbox, folder: Path, mp: pytest.MonkeyPatch) -> Path:
    """The sandbox's endpoints with the politeness pacing lifted (as the demo does); no token
    from the environment of whoever runs the tests."""
    for name in token_env_names():
        mp.delenv(name, raising=False)
    lines = ["[endpoints]", *(f'{p} = "{u}"' for p, u in world.endpoints().items())]
    for name in (*(p.value for p in Platform), *(a.value for a in Api)):
        lines += [f"[limits.{name}]", "concurrency = 8", "min_interval = 0.0"]
    path = folder / "rollcall.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def config(world: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    world.clear_faults()
    yield _config(world, tmp_path, monkeypatch)
    world.set_credential_state(DEMO_CREDENTIALS[META], None)


def access(
    config: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tokens: Mapping[str, str],
    *args: str,
) -> tuple[int, str, str]:
    for env, token in tokens.items():
        monkeypatch.setenv(env, token)
    capsys.readouterr()
    code = run(["access", INVENTORY, "--config", str(config), *args])
    out, err = capsys.readouterr()
    return code, out, err


@dataclass(frozen=True)
class FullRun:
    """One run with every sandbox token: stdout as JSON, the table (``--wide``) and CSV files."""

    code: int
    doc: dict[str, Any]
    err: str
    table: str
    csv: str


@pytest.fixture(scope="module")
def full(world: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> FullRun:
    folder = tmp_path_factory.mktemp("access")
    with pytest.MonkeyPatch.context() as mp:
        path = _config(world, folder, mp)
        for env, token in DEMO_CREDENTIALS.items():
            mp.setenv(env, token)
        table, sheet = folder / "access.txt", folder / "access.csv"
        args = ["--format", "json", "--wide", "--output", str(table), "--output", str(sheet)]
        with redirect_stdout(io.StringIO()) as out, redirect_stderr(io.StringIO()) as err:
            code = run(["access", INVENTORY, "--config", str(path), *args])
    return FullRun(
        code,
        json.loads(out.getvalue()),
        err.getvalue(),
        table.read_text(encoding="utf-8"),
        sheet.read_text(encoding="utf-8"),
    )


def lists_holders(platform: Platform) -> bool:
    api = all_specs()[platform].api
    return api is not None and "access" in api.extracts


def audited_ids() -> list[str]:
    return [a.id for a in load_inventory(INVENTORY).accounts if a.audited]


def test_every_account_is_printed_with_its_holders_and_roster_match(full: FullRun) -> None:
    doc = full.doc
    assert set(doc) == {
        "inventory",
        "organization",
        "accounts",
        "unlisted",
        "listing_problems",
        "complete",
    }
    assert [r["account"] for r in doc["accounts"]] == audited_ids()
    for row in doc["accounts"]:
        assert set(row) == ROW_KEYS
        assert row["source"] in {"observed", "declared", "unknown"}
        if not lists_holders(Platform(row["platform"])):
            assert row["source"] == "declared", row
        if row["source"] == "unknown":
            assert row["reason"]["text"] and not row["holders"]
        for holder in row["holders"]:
            assert set(holder) == HOLDER_KEYS
            assert holder["affiliation"]
    unknown = [r["account"] for r in doc["accounts"] if r["source"] == "unknown"]
    # Exit 0 exactly when every list that should be read was; otherwise 3, naming them.
    assert full.code == (0 if doc["complete"] else 3), full.err
    assert doc["complete"] == (not unknown and not doc["listing_problems"])
    for account_id in unknown:
        assert account_id in full.err
    everything = json.dumps(doc) + full.err + full.table + full.csv
    assert "sandbox-meta-token" not in everything  # the secret never reaches an output


def test_the_table_shows_each_holder_with_its_match(full: FullRun) -> None:
    lines = full.table.splitlines()
    for row in full.doc["accounts"]:
        mine = [ln for ln in lines if ln.startswith(row["account"] + " ")]
        assert len(mine) == max(len(row["holders"]), 1), row["account"]
        for holder, line in zip(row["holders"], mine, strict=False):
            assert (holder["person_name"] or holder["name"] or holder["platform_id"]) in line
            assert holder["affiliation"] in line
    assert "Controlled but not in the inventory" in full.table


def test_csv_has_one_row_per_holder_and_the_documented_header(full: FullRun) -> None:
    rows = list(csv.reader(io.StringIO(full.csv, newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0][:5] == ["account", "platform", "handle", "source", "reason"]
    expected = sum(max(len(r["holders"]), 1) for r in full.doc["accounts"])
    assert len(rows) - 1 == expected


def test_without_the_meta_token_facebook_is_declared_by_the_inventory(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tokens = {k: v for k, v in DEMO_CREDENTIALS.items() if k != META}
    code, out, err = access(config, monkeypatch, capsys, tokens, "--format", "json")
    inventory = {a.id: a for a in load_inventory(INVENTORY).accounts}
    facebook = [r for r in json.loads(out)["accounts"] if r["platform"] == "facebook"]
    assert facebook
    for row in facebook:
        account = inventory[row["account"]]
        assert row["source"] == "declared"
        emails = [h["email"] for h in row["holders"]]
        assert emails == [e for e in (account.owner, account.backup_owner) if e]
        assert all(h["via"] == "inventory" and h["admin"] is None for h in row["holders"])
        assert row["account"] not in err


def test_with_no_credential_every_account_is_declared_and_the_run_is_complete(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = access(config, monkeypatch, capsys, {})
    assert code == 0, err
    assert "0 read from the platform" in out
    assert "no loaded credential listed the accounts it controls" in out


def test_a_dead_meta_token_leaves_facebook_holders_unknown_and_exits_3(
    world: Sandbox,
    config: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world.set_credential_state(DEMO_CREDENTIALS[META], "revoked")
    code, out, err = access(config, monkeypatch, capsys, DEMO_CREDENTIALS, "--format", "json")
    assert code == 3, err
    doc: dict[str, Any] = json.loads(out)
    assert doc["complete"] is False
    facebook = [r for r in doc["accounts"] if r["platform"] == "facebook"]
    assert facebook and all(r["source"] == "unknown" for r in facebook)
    assert all(r["reason"]["code"] == "credential_invalid" and not r["holders"] for r in facebook)
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("rollcall: incomplete: holders unknown for fb-main")


def test_account_filter_and_output_files(
    config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "access.csv"
    code, out, err = access(
        config, monkeypatch, capsys, {}, "--account", "x-main", "--output", str(target)
    )
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert {r[0] for r in rows[1:]} == {"x-main"}
    assert "x-main" in out and "fb-main" not in out


def test_an_unknown_account_is_bad_input_without_a_traceback(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = access(config, monkeypatch, capsys, {}, "--account", "fb-mian")
    assert code == 2
    assert "fb-mian" in err and "fb-main" in err
    assert "Traceback" not in err + out
