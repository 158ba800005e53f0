"""Every form a platform really has is accepted end to end: a Bluesky account named by its
``did:plc:`` identifier and Reddit's archived ``r/reddit.com`` validate and observe (CLI in
process, against the sandbox), while a slip in the form is still refused with its hint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.cli.exitcodes import ExitCode
from scanner.cli.main import run
from scanner.sandbox import Sandbox, load_world

DID = "did:plc:z72i7hdynmk6r22z27h6tvur"

WORLD = f"""\
name: real-forms
as_of: 2026-11-15
accounts:
  - platform: bluesky
    handle: copperkettle.bsky.social
    did: {DID}
    display_name: Copper Kettle Coffee Roasters
  - platform: reddit
    handle: r/reddit.com
    display_name: reddit.com
"""

ROSTER = """\
email,name,department,role,status,start_date,end_date,policy_acknowledged
ana.lopez@example.org,Ana Lopez,Marketing,employee,active,2020-01-06,,2026-02-01
"""


def _inventory(folder: Path, accounts: list[tuple[str, str, str]]) -> Path:
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    lines = [
        "organization:",
        "  name: Example Org",
        "  domains: [example.org]",
        "  roster: roster.csv",
        "  departments: [Marketing]",
        "accounts:",
    ]
    for account_id, platform, handle in accounts:
        lines += [
            f"  - id: {account_id}",
            f"    platform: {platform}",
            f'    handle: "{handle}"',
            "    status: active",
            "    owner: ana.lopez@example.org",
        ]
    path = folder / "inventory.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    world = tmp_path_factory.mktemp("world") / "world.yaml"
    world.write_text(WORLD, encoding="utf-8")
    with Sandbox(load_world(world)) as sb:
        yield sb


def test_a_did_and_a_legacy_subreddit_validate_and_observe(
    tmp_path: Path, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = _inventory(
        tmp_path, [("bs-did", "bluesky", DID), ("rd-legacy", "reddit", "r/reddit.com")]
    )
    assert run(["validate", str(inventory)]) == ExitCode.CLEAN, capsys.readouterr().err
    capsys.readouterr()
    endpoints = [f"--endpoint={p}={url}" for p, url in sandbox.endpoints().items()]
    code = run(["observe", str(inventory), "--format", "json", *endpoints])
    out, err = capsys.readouterr()
    assert code == ExitCode.CLEAN, err
    observed = {o["handle"]: o for o in json.loads(out)}
    assert observed[DID]["status"] == "present"
    assert observed[DID]["display_name"] == "Copper Kettle Coffee Roasters"
    assert observed["r/reddit.com"]["status"] == "present"


@pytest.mark.parametrize(
    ("platform", "handle", "hint"),
    [
        ("x", "@copperkettle", "drop the leading '@'"),
        ("youtube", "copperkettle", "YouTube handles start with '@': write @copperkettle"),
        ("linkedin", "copper-kettle", "write company/copper-kettle or showcase/copper-kettle"),
        ("github", "https://github.com/copperkettle", "put the profile URL in 'url'"),
        # A bare name: user or community? Both offered, neither guessed.
        ("reddit", "copperkettle", "write r/copperkettle or u/copperkettle"),
        ("bluesky", "did:plc:", None),
    ],
)
def test_a_slip_in_the_form_is_refused_with_its_hint(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    platform: str,
    handle: str,
    hint: str | None,
) -> None:
    inventory = _inventory(tmp_path, [("acct", platform, handle)])
    assert run(["validate", str(inventory)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert f"for {platform}, got {handle!r}" in err
    if hint is not None:
        assert hint in err
