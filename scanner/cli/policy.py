"""``rollcall policy validate``: check rule packs (and optionally a waivers file) before anything runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from scanner.cli.exitcodes import ExitCode
from scanner.errors import UsageError
from scanner.model import Inventory
from scanner.policy import default_pack_path, load_policy, load_waivers

__all__ = ["command"]


def _load_inventory(path: Path) -> Inventory:
    # Imported late so `rollcall policy validate PACK` works without touching inventory code.
    from scanner.inventory import load_inventory

    return load_inventory(path)


@click.group("policy")
def command() -> None:
    """Validate rule packs and waivers."""


@command.command("validate")
@click.argument("packs", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--waivers",
    "waivers_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also validate this waivers file (needs --inventory for the account ids).",
)
@click.option(
    "--inventory",
    "inventory_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Inventory whose accounts the waivers name.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date to judge waiver expiry against (default: today).",
)
def validate(
    packs: tuple[Path, ...],
    waivers_path: Path | None,
    inventory_path: Path | None,
    as_of: object,
) -> int:
    """Validate PACK... (default: policies/default.yaml) together, as an audit would load them.

    Every problem is reported as file:line:column with what was expected and a "did you mean"
    (exit 2); nothing is skipped. With --waivers and --inventory the waivers file is checked too:
    known rules and accounts, an expiry on every waiver, at most waivers.max_days long.
    """
    paths = [str(p) for p in packs] or [str(default_pack_path())]
    policy = load_policy(paths)
    for path, _digest in policy.packs:
        count = sum(1 for r in policy.rules if r.location.file == path)
        click.echo(f"ok: {path}: {count} rule{'s' if count != 1 else ''}")
    params = len(policy.settings) + sum(len(r.params) for r in policy.rules)
    click.echo(
        f"{len(policy.packs)} pack{'s' if len(policy.packs) != 1 else ''} valid: "
        f"{len(policy.rules)} rules, {params} params, {len(policy.lists)} lists"
    )
    if waivers_path is not None:
        if inventory_path is None:
            raise UsageError("--waivers needs --inventory (waivers name the inventory's accounts)")
        day = as_of.date() if hasattr(as_of, "date") else date.today()
        inventory = _load_inventory(inventory_path)
        waivers = load_waivers(waivers_path, inventory=inventory, policy=policy, as_of=day)
        click.echo(f"ok: {waivers_path}: {len(waivers)} waiver{'s' if len(waivers) != 1 else ''}")
    return int(ExitCode.CLEAN)
