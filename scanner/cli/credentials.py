"""``rollcall credentials check``: probe each configured owner-API credential (and GitHub's
token) and say which accounts use it and which have none, without printing any secret."""

from __future__ import annotations

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
from scanner.inventory import load_inventory
from scanner.platforms.connectors import ApiAccess
from scanner.reports import Document, format_names
from scanner.runs.credentials import CredentialReport, check_credentials, github_token_source

__all__ = ["FORMATS", "command", "exit_code_for"]

FORMATS = format_names(Document.CREDENTIALS)
"""What ``credentials check`` writes (the renderers in ``scanner.reports.credentials``)."""


def exit_code_for(report: CredentialReport) -> ExitCode:
    """3 when a credential could not be checked (as for an audit, "incomplete" comes first:
    the answer is not whole), else 1 when one is dead, lacks a permission, is missing or
    expires soon, else 0."""
    if report.unverified:
        return ExitCode.INCOMPLETE
    if report.problems:
        return ExitCode.FINDINGS
    return ExitCode.CLEAN


@click.group("credentials")
def command() -> None:
    """The owner-API credentials Rollcall observes accounts with (never their secrets)."""


@command.command("check")
@click.argument("inventory", required=False, type=click.Path(path_type=Path, dir_okay=False))
@config_option
@endpoint_option
@allow_private_network_option
@timeout_option
@format_option(FORMATS)
@output_option
@wide_option
def check(
    inventory: Path | None,
    config_path: Path | None,
    endpoints: tuple[str, ...],
    allow_private_network: bool,
    timeouts: tuple[str, ...],
    fmt: str,
    outputs: tuple[str, ...],
    wide: bool,
) -> int:
    """Probe each credential with one cheap call of its API: the specs' variables that are set
    (ROLLCALL_META_TOKEN, ROLLCALL_X_TOKEN, …, GITHUB_TOKEN) and the config file's named
    [credentials.NAME]. Each is healthy, invalid (the API's code says why), lacking a
    permission, missing (its variable is not set) or unverified (network, quota, throttling),
    with its expiry and scopes when the API says. Given INVENTORY, also which accounts use each
    credential and which have none.

    Exit 0 all healthy, 1 a credential is dead, lacking, missing or expires within 14 days,
    2 bad input, 3 some could not be checked (before 1: the answer is not whole).
    """
    pairs = output_pairs(outputs, Document.CREDENTIALS, fmt)
    accounts = load_inventory(inventory).accounts if inventory is not None else None
    config = fetch_config(endpoints, allow_private_network, config_path, timeouts)
    access = ApiAccess.from_config(config)  # names and variables, never the secrets
    if accounts is not None:
        access.check(accounts)  # an unknown credential name is bad input
    report = check_credentials(
        access,
        fetchers_for(config),
        accounts,
        github_token=github_token_source().env in config.tokens,
    )
    emit(Document.CREDENTIALS, report, fmt, pairs, wide=wide)
    return int(exit_code_for(report))
