"""``rollcall report``: reports built from a fresh audit; ``report orphans`` is the orphaned-page
report for the social media policy owner."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from scanner.cli.common import (
    execute_audit,
    exit_code_for,
    fetch_config,
    parse_as_of,
    progress_bar,
)
from scanner.cli.exitcodes import ExitCode
from scanner.cli.options import (
    allow_private_network_option,
    as_of_option,
    config_option,
    endpoint_option,
    format_option,
    max_unverified_option,
    offline_option,
    output_option,
    policy_option,
    timeout_option,
    wide_option,
)
from scanner.cli.output import emit, output_pairs
from scanner.model import AuditResult
from scanner.reports import Document, format_names
from scanner.reports.orphans import OrphanReport, build, due_days
from scanner.runs.audit import AuditOptions, NotRecorded, incomplete_reason, load_rules

__all__ = ["ORPHAN_FORMATS", "command", "orphan_report"]

ORPHAN_FORMATS = format_names(Document.ORPHANS)
"""What ``report orphans`` writes (the renderers in ``scanner.reports.orphans``)."""


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
@format_option(ORPHAN_FORMATS)
@output_option
@wide_option
@policy_option()
@endpoint_option
@allow_private_network_option
@timeout_option
@config_option
@offline_option(
    "Send no requests (roster-based problems only); the run is incomplete (exit 3) unless"
    " --max-unverified allows it."
)
@max_unverified_option
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
    max_unverified: float,
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
        as_of=parse_as_of(as_of),
        history=history,
        use_history=not no_history,
        discover=discover,
        max_unverified=max_unverified,
    )
    config = fetch_config(endpoints, allow_private_network, config_path, timeouts)
    pairs = output_pairs(outputs, Document.ORPHANS, fmt)  # before the audit spends requests
    try:
        result, unrecorded = execute_audit(options, config, progress_bar("observing")), None
    except NotRecorded as exc:
        result, unrecorded = exc.result, exc
    emit(Document.ORPHANS, orphan_report(result, policies), fmt, pairs, wide=wide)
    if unrecorded is not None:
        raise unrecorded  # after the report: a full disk must not cost the crawl (exit 4)
    code = exit_code_for(result, "never")
    if code is ExitCode.INCOMPLETE:
        click.echo(incomplete_reason(result, max_unverified), err=True)
    return int(code)
