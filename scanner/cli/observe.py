"""``rollcall observe``: look at every inventoried account and print what each platform shows."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.cli.common import fetch_config, fetchers_for, progress_bar
from scanner.cli.exitcodes import ExitCode
from scanner.cli.options import (
    allow_private_network_option,
    config_option,
    endpoint_option,
    format_option,
    output_option,
    platform_option,
    timeout_option,
    wide_option,
)
from scanner.cli.output import emit, output_pairs
from scanner.inventory import load_inventory
from scanner.model import Platform
from scanner.platforms.connectors import ApiAccess, ApiRun
from scanner.reports import Document, format_names
from scanner.reports.observations import Observed
from scanner.runs.clock import SYSTEM_CLOCK
from scanner.runs.observe import Target, observe

__all__ = ["FORMATS", "command"]

FORMATS = format_names(Document.OBSERVATIONS)
"""What ``observe`` writes (the renderers in ``scanner.reports.observations``)."""


@click.command("observe")
@click.argument("inventory", type=click.Path(path_type=Path, dir_okay=False))
@platform_option
@format_option(FORMATS)
@output_option
@endpoint_option
@allow_private_network_option
@timeout_option
@config_option
@wide_option
def command(
    inventory: Path,
    platforms: tuple[str, ...],
    fmt: str,
    outputs: tuple[str, ...],
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
    pairs = output_pairs(outputs, Document.OBSERVATIONS, fmt)
    inv = load_inventory(inventory)
    wanted = {Platform(p) for p in platforms}
    accounts = [a for a in inv.accounts if not wanted or a.platform in wanted]
    config = fetch_config(endpoints, allow_private_network, config_path, timeouts)
    access = ApiAccess.from_config(config)
    access.check(accounts)
    targets = [Target(a.platform, a.handle, a.url, credential=a.credential) for a in accounts]
    apis = ApiRun(SYSTEM_CLOCK, access)
    observations = observe(
        targets, fetchers_for(config), progress=progress_bar("observing"), apis=apis
    )
    emit(Document.OBSERVATIONS, Observed.of(accounts, observations), fmt, pairs, wide=wide)
    return int(ExitCode.CLEAN)
