"""``rollcall observe``: look at every inventoried account and print what each platform shows."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scanner.cli.common import fetch_config, progress_bar
from scanner.cli.exitcodes import ExitCode
from scanner.cli.options import (
    allow_private_network_option,
    config_option,
    endpoint_option,
    format_option,
    platform_option,
    timeout_option,
    wide_option,
)
from scanner.inventory import load_inventory
from scanner.model import JSON, Account, Observation, ObservationStatus, Platform
from scanner.reports import layout
from scanner.reports.layout import Column, output_width
from scanner.reports.sanitize import json_safe
from scanner.runs.observe import Target, observation_json, observe

__all__ = ["command", "render_table"]


@click.command("observe")
@click.argument("inventory", type=click.Path(path_type=Path, dir_okay=False))
@platform_option
@format_option(["table", "json"])
@endpoint_option
@allow_private_network_option
@timeout_option
@config_option
@wide_option
def command(
    inventory: Path,
    platforms: tuple[str, ...],
    fmt: str,
    endpoints: tuple[str, ...],
    allow_private_network: bool,
    timeouts: tuple[str, ...],
    config_path: Path | None,
    wide: bool,
) -> int:
    """Observe every account of INVENTORY on its platform and print the observations.

    Each account is present, absent, blocked (login wall, WAF page, rate limit: unverified),
    error (timeout, server error: unverified) or invalid (the handle breaks the platform's
    rules; nothing is sent), with the evidence that decided it and the profile fields read.
    """
    inv = load_inventory(inventory)
    wanted = {Platform(p) for p in platforms}
    accounts = [a for a in inv.accounts if not wanted or a.platform in wanted]
    config = fetch_config(endpoints, allow_private_network, config_path, timeouts)
    targets = [Target(a.platform, a.handle, a.url) for a in accounts]
    observations = observe(targets, config, progress=progress_bar("observing"))
    if fmt == "json":
        rows: list[JSON] = [
            {"account_id": a.id, **observation_json(o)}
            for a, o in zip(accounts, observations, strict=True)
        ]
        # Display names and bios are the platform's text: no escape reaches the terminal.
        click.echo(json.dumps(json_safe(rows), indent=2, ensure_ascii=False))
    else:
        click.echo(render_table(accounts, observations, output_width(wide)))
    return int(ExitCode.CLEAN)


# Fetched names carry escapes and invisible characters: the layout sanitizes every cell.
# Ids and handles are looked up, not read: they get room before the columns that can go. The
# name is what the platform shows, the point of `observe`; the reason can be read from --format
# json when the terminal is narrow.
COLUMNS = (
    Column("account", min_width=16),
    Column("platform", priority=3),
    Column("handle", priority=2, min_width=18),
    Column("status"),
    Column("state", priority=4),
    Column("reason", priority=3),
    Column("last activity", priority=3),
    Column("name", priority=2, min_width=16),
)


def render_table(
    accounts: list[Account], observations: list[Observation], width: int | None
) -> str:
    """One row per account, fitted to ``width`` display columns (None: unlimited)."""
    rows = []
    for account, obs in zip(accounts, observations, strict=True):
        state = obs.account_state.value if obs.status is ObservationStatus.PRESENT else ""
        last = obs.last_activity_at.date().isoformat() if obs.last_activity_at else ""
        if not last and obs.no_activity_since:
            last = f"none since {obs.no_activity_since.date().isoformat()}"
        rows.append(
            [
                account.id,
                obs.platform.value,
                obs.handle,
                obs.status.value,
                state,
                obs.reason.code if obs.reason else "",
                last,
                obs.display_name,
            ]
        )
    return layout.render_table(COLUMNS, rows, width)
