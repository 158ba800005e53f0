"""``rollcall audit``: the periodic audit of every inventoried account."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.cli.common import fetch_config, parse_as_of, run_and_render
from scanner.cli.exitcodes import ExitCode
from scanner.cli.options import (
    allow_private_network_option,
    as_of_option,
    config_option,
    endpoint_option,
    fail_on_option,
    format_option,
    max_unverified_option,
    offline_option,
    output_option,
    policy_option,
    timeout_option,
    wide_option,
)
from scanner.cli.report import ORPHAN_FORMATS, orphan_report
from scanner.cli.sites import data_dir_option, discovery_sites, discovery_sites_option
from scanner.errors import UsageError
from scanner.platforms.sites import Site
from scanner.reports import REPORT_FORMATS, Document, render
from scanner.reports.layout import output_width
from scanner.runs.audit import AuditOptions, incomplete_reason


@click.command("audit")
@click.argument("inventory", type=click.Path(path_type=Path))
@policy_option()
@offline_option(
    "Send no requests; rules on live facts are not evaluated ('error'), so the run is"
    " incomplete (exit 3) unless --max-unverified allows it."
)
@format_option(REPORT_FORMATS)
@output_option
@fail_on_option
@max_unverified_option
@endpoint_option
@allow_private_network_option
@timeout_option
@config_option
@as_of_option(
    "Evaluate as of this date (YYYY-MM-DD). Default: today; with --replay, the replayed run's date."
)
@click.option(
    "--history",
    "history",
    type=click.Path(path_type=Path),
    help="History database. Default: next to the inventory.",
)
@click.option("--no-history", is_flag=True, help="Keep no history for this run.")
@click.option(
    "--replay",
    type=int,
    metavar="RUN",
    help="Re-evaluate stored run RUN's observations under the current rules; no requests.",
)
@click.option("--discover", is_flag=True, help="Also look for rogue, duplicate and unlisted pages.")
@click.option(
    "--max-candidates",
    type=click.IntRange(1, 1000),
    help="With --discover: lookalike handles probed per platform"
    " (default: the pack's discovery.max_candidates).",
)
@click.option(
    "--candidates",
    "candidates_file",
    type=click.Path(path_type=Path),
    help="With --discover: extra pages to classify (URLs, platform:handle, or CSV).",
)
@click.option(
    "--report",
    "report",
    type=click.Choice(["orphans"]),
    help="Print this report instead of the findings, as --format says (table, markdown, html"
    " or csv).",
)
@click.option(
    "--include-passed",
    is_flag=True,
    help="JSON report: also list every (rule, account) pair that passed; by default each"
    " account names the rules it passed.",
)
@discovery_sites_option
@data_dir_option
@wide_option
def command(
    inventory: Path,
    policies: tuple[Path, ...],
    offline: bool,
    fmt: str,
    outputs: tuple[str, ...],
    fail_on: str,
    max_unverified: float,
    endpoints: tuple[str, ...],
    allow_private_network: bool,
    timeouts: tuple[str, ...],
    config_path: Path | None,
    as_of: str | None,
    history: Path | None,
    no_history: bool,
    replay: int | None,
    discover: bool,
    max_candidates: int | None,
    candidates_file: Path | None,
    report: str | None,
    include_passed: bool,
    use_sites: bool | None,
    data_dir: Path | None,
    wide: bool,
) -> int:
    """Audit every account in INVENTORY against the roster, the live platforms and the rules.

    Exit 0 clean, 1 a finding fails at or above --fail-on, 2 bad input, 3 incomplete.
    """
    options = AuditOptions(
        inventory=inventory,
        policies=policies,
        offline=offline or replay is not None,
        as_of=parse_as_of(as_of),
        history=history,
        use_history=not no_history,
        discover=discover,
        max_candidates=max_candidates,
        candidates_file=candidates_file,
        sites=_sites(discover, use_sites, data_dir),
        replay=replay,
        max_unverified=max_unverified,
    )
    config = fetch_config(endpoints, allow_private_network, config_path, timeouts)
    if report == "orphans":
        if fmt not in ORPHAN_FORMATS:  # before the audit spends its requests
            raise click.BadParameter(
                f"--report orphans prints {', '.join(ORPHAN_FORMATS)}, not {fmt}",
                param_hint="--format",
            )
        result, code = run_and_render(options, config, "json", outputs, fail_on, echo=False)
        orphans = orphan_report(result, policies)
        click.echo(render(Document.ORPHANS, orphans, fmt, width=output_width(wide)), nl=False)
    else:
        result, code = run_and_render(
            options, config, fmt, outputs, fail_on, wide=wide, include_passed=include_passed
        )
    if code is ExitCode.INCOMPLETE:
        click.echo(incomplete_reason(result, max_unverified), err=True)
    return int(code)


def _sites(discover: bool, use_sites: bool | None, data_dir: Path | None) -> tuple[Site, ...]:
    """The imported sites --discover asks (as ``rollcall discover`` does)."""
    if not discover:
        if use_sites:
            raise UsageError("--sites is part of discovery; add --discover")
        return ()
    return discovery_sites(use_sites, data_dir)
