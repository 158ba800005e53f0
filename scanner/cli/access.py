"""``rollcall access``: who holds each inventoried account, matched to the HR roster, for the
policy owner's access review; and the accounts the credentials control that it does not list."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from scanner.cli.common import fetch_config, fetchers_for
from scanner.cli.exitcodes import ExitCode
from scanner.cli.options import (
    allow_private_network_option,
    config_option,
    endpoint_option,
    format_option,
    output_option,
    timeout_option,
    wide_option,
)
from scanner.cli.output import emit, output_pairs
from scanner.errors import UsageError, did_you_mean
from scanner.inventory import load_inventory
from scanner.model import Account, Inventory
from scanner.platforms.connectors import ApiAccess, ApiRun
from scanner.reports import Document, format_names
from scanner.runs.access import AccessSheet, access_sheet
from scanner.runs.clock import SYSTEM_CLOCK

__all__ = ["FORMATS", "command", "incomplete_reason"]

FORMATS = format_names(Document.ACCESS)
"""What ``access`` writes (the renderers in ``scanner.reports.access``)."""


def _chosen(inventory: Inventory, ids: Sequence[str]) -> list[Account] | None:
    """The accounts ``--account`` names (None: every one); an unknown id is bad input."""
    if not ids:
        return None
    known = [a.id for a in inventory.accounts]
    for wanted in ids:
        if wanted not in known:
            close = did_you_mean(wanted, known)
            hint = f" ({close})" if close else ""
            raise UsageError(f"--account {wanted!r}: no such account in the inventory{hint}")
    return [a for a in inventory.accounts if a.id in ids]


def incomplete_reason(sheet: AccessSheet) -> str | None:
    """One line naming what could not be read, or None when every list was."""
    parts = []
    unknown = [r for r in sheet.rows if r.source == "unknown"]
    if unknown:
        codes = sorted({r.reason.code for r in unknown if r.reason is not None})
        ids = ", ".join(r.account.id for r in unknown)
        parts.append(f"holders unknown for {ids} ({', '.join(codes)})")
    if sheet.partial:
        ids = ", ".join(r.account.id for r in sheet.partial)
        parts.append(f"holders read only in part for {ids}")
    for label, why in sheet.owned.problems:
        parts.append(f"what credential {label} controls could not be listed ({why.code})")
    return "; ".join(parts) or None


@click.command("access")
@click.argument("inventory", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--account",
    "account_ids",
    multiple=True,
    metavar="ID",
    help="Only this inventoried account (its id). Repeatable.",
)
@format_option(FORMATS)
@output_option
@config_option
@endpoint_option
@allow_private_network_option
@timeout_option
@wide_option
def command(
    inventory: Path,
    account_ids: tuple[str, ...],
    fmt: str,
    outputs: tuple[str, ...],
    config_path: Path | None,
    endpoints: tuple[str, ...],
    allow_private_network: bool,
    timeouts: tuple[str, ...],
    wide: bool,
) -> int:
    """Print who holds each account of INVENTORY, matched to the HR roster, for review.

    Where a loaded owner-API credential lists an account's holders (Meta, LinkedIn, GitHub),
    each holder is shown as observed: role, admin or not, 2FA where the platform says, and who
    they are in the roster (employee, intern, contractor, agency, departed, unknown, or
    ambiguous with the candidates), with what is wrong (departed admin, unknown admin, partner
    without contract, admin without 2FA). Elsewhere the inventory's owner and backup owner stand
    in, marked declared. Then the accounts the credentials control that the inventory does not
    list.

    Exit 0 every list that should be read was read, 2 bad input, 3 some holders are unknown (a
    list could not be read; stderr says which).
    """
    pairs = output_pairs(outputs, Document.ACCESS, fmt)
    inv = load_inventory(inventory)
    accounts = _chosen(inv, account_ids)
    config = fetch_config(endpoints, allow_private_network, config_path, timeouts)
    access = ApiAccess.from_config(config)  # names of credentials, never their secrets
    access.check(accounts if accounts is not None else inv.accounts)
    apis = ApiRun(SYSTEM_CLOCK, access)
    sheet = access_sheet(inv, fetchers_for(config), apis, clock=SYSTEM_CLOCK, accounts=accounts)
    emit(Document.ACCESS, sheet, fmt, pairs, wide=wide)
    reason = incomplete_reason(sheet)
    if reason is not None:
        click.echo(f"rollcall: incomplete: {reason}", err=True)
        return int(ExitCode.INCOMPLETE)
    return int(ExitCode.CLEAN)
