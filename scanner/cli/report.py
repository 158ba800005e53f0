"""``rollcall report``: reports built from a fresh audit; ``report orphans`` is the orphaned-page
report for the social media policy owner."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from scanner.cli.common import exit_code_for, fetch_config, parse_as_of, progress_bar
from scanner.cli.options import (
    OUTPUT_HELP,
    allow_private_network_option,
    as_of_option,
    config_option,
    endpoint_option,
    offline_option,
    parse_outputs,
    policy_option,
    timeout_option,
    wide_option,
)
from scanner.model import AuditResult
from scanner.reports.interface import atomic_write, check_writable
from scanner.reports.layout import output_width
from scanner.reports.orphans import OrphanFormat, OrphanReport, build, due_days, render_orphans
from scanner.runs.audit import AuditOptions, load_rules, run_audit

__all__ = ["command", "orphan_report"]


def orphan_report(result: AuditResult, policies: Sequence[Path]) -> OrphanReport:
    """The orphaned-page report of ``result``, with the due dates its packs set
    (``orphans.due_days``); the packs are the ones the audit loaded, and were validated by it."""
    policy, _ = load_rules(result.inventory, policies)
    return build(result, due_days(policy))


@click.group("report")
def command() -> None:
    """Reports for people, built from a fresh audit of an inventory."""


@command.command("orphans")
@click.argument("inventory", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    default=OrphanFormat.TABLE.value,
    show_default=True,
    type=click.Choice([f.value for f in OrphanFormat]),
    help="Report format: a table fitted to the terminal, or markdown, html or csv.",
)
@click.option(
    "--output",
    "outputs",
    multiple=True,
    metavar="[FORMAT=]PATH",
    help=f"Write the report (table, markdown, html or csv) to a file instead of stdout: {OUTPUT_HELP}",
)
@wide_option
@policy_option()
@endpoint_option
@allow_private_network_option
@timeout_option
@config_option
@offline_option("Send no requests (roster-based problems only).")
@as_of_option()
@click.option(
    "--history",
    type=click.Path(path_type=Path),
    help="History database (last known good). Default: next to the inventory.",
)
@click.option("--no-history", is_flag=True, help="Keep no history for this run.")
@click.option("--discover", is_flag=True, help="Also list unlisted-official and rogue pages.")
def orphans(
    inventory: Path,
    fmt: str,
    outputs: tuple[str, ...],
    wide: bool,
    policies: tuple[Path, ...],
    endpoints: tuple[str, ...],
    allow_private_network: bool,
    timeouts: tuple[str, ...],
    config_path: Path | None,
    offline: bool,
    as_of: str | None,
    history: Path | None,
    no_history: bool,
    discover: bool,
) -> int:
    """List INVENTORY's orphaned pages for the social media policy owner, most urgent first:
    owners gone or leaving, inactive pages and pages left silent by an intern, contractor or
    agency, pages that could not be verified, retired pages still live (and, with --discover,
    unlisted and rogue pages). Each has one recommended action and why, the one person who must
    act, a due date from its severity (the packs' orphans.due_days), the age of the problem (from
    the history) and its evidence; what could not be checked says so.

    Exit 0 when the report was produced, 2 bad input, 3 incomplete (too much unverified).
    """
    options = AuditOptions(
        inventory=inventory,
        policies=policies,
        offline=offline,
        fetch=fetch_config(endpoints, allow_private_network, config_path, timeouts),
        as_of=parse_as_of(as_of),
        history=history,
        use_history=not no_history,
        discover=discover,
    )
    pairs = parse_outputs(outputs, [f.value for f in OrphanFormat], fmt)
    for _, path in pairs:
        check_writable(path)  # before the audit spends its requests
    result = run_audit(options, progress=progress_bar("observing"))
    report = orphan_report(result, policies)
    if not pairs:
        click.echo(render_orphans(report, fmt, width=output_width(wide)), nl=False)
    for name, path in pairs:
        # A file has no terminal to fit: a table written to one keeps every column.
        atomic_write(path, render_orphans(report, name))
    return int(exit_code_for(result, "never"))
