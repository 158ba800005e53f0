"""`rollcall discover`: find rogue, duplicate and unlisted pages that look like the organization."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.cli.common import fetch_config, fetchers_for, progress_bar
from scanner.cli.exitcodes import ExitCode
from scanner.cli.options import (
    allow_private_network_option,
    config_option,
    endpoint_option,
    fail_on_option,
    format_option,
    max_unverified_option,
    output_option,
    platform_option,
    policy_option,
    timeout_option,
    wide_option,
)
from scanner.cli.output import emit, output_pairs
from scanner.cli.sites import data_dir_option, discovery_sites, discovery_sites_option
from scanner.errors import IncompleteError
from scanner.inventory import load_inventory
from scanner.model import FindingStatus, Platform, Severity
from scanner.platforms.connectors import ApiAccess, ApiRun
from scanner.reports import Document, format_names
from scanner.runs.audit import load_rules
from scanner.runs.clock import SYSTEM_CLOCK
from scanner.runs.discover import discover

__all__ = ["FORMATS", "command"]


FORMATS = format_names(Document.DISCOVERY)
"""What ``discover`` writes (the discovery renderers in ``scanner.reports.discovery``)."""


@click.command("discover")
@click.argument("inventory", type=click.Path(dir_okay=False, path_type=Path))
@platform_option
@click.option(
    "--max-candidates",
    type=click.IntRange(min=0),
    default=None,
    help="Generated lookalike handles probed per platform (default: the policy's "
    "discovery.max_candidates, else 100). 0 probes only --candidates.",
)
@click.option(
    "--candidates",
    "candidates_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also classify these pages: lines of profile URLs or platform:handle, or a CSV "
    "export from a social-listening tool with a URL column.",
)
@policy_option(
    "Rule pack(s) with the discovery.* thresholds (default: the inventory's, else the "
    "built-in pack). Repeatable.",
    dir_okay=False,
)
@format_option(FORMATS)
@output_option
@endpoint_option
@allow_private_network_option
@timeout_option
@config_option
@fail_on_option
@max_unverified_option
@wide_option
@discovery_sites_option
@data_dir_option
def command(
    inventory: Path,
    platforms: tuple[str, ...],
    max_candidates: int | None,
    candidates_file: Path | None,
    policies: tuple[Path, ...],
    fmt: str,
    outputs: tuple[str, ...],
    endpoints: tuple[str, ...],
    allow_private_network: bool,
    timeouts: tuple[str, ...],
    config_path: Path | None,
    fail_on: str,
    max_unverified: float,
    wide: bool,
    use_sites: bool | None,
    data_dir: Path | None,
) -> int:
    """Find pages that look like the organization but are not in INVENTORY: lookalike handles
    (typos, homoglyphs, separators, affixes such as _official or hq) on each platform, plus
    any --candidates. Each page found is classified rogue, name_collision, fan,
    unlisted_official, duplicate or unrelated with its evidence; pages that could not be seen
    are unverified. Duplicate pages inside the inventory are reported too (INV-002). With an
    imported site list (--sites, the default when one is stored) every usable site is asked
    about the brand's own handles.

    \b
    Exit codes: 0 nothing at or above --fail-on · 1 findings at or above it · 2 bad input ·
    3 incomplete: more than --max-unverified of what was asked could not be seen
    """
    pairs = output_pairs(outputs, Document.DISCOVERY, fmt)
    sites = discovery_sites(use_sites, data_dir)
    inv = load_inventory(inventory)
    policy, _ = load_rules(inv, policies)
    config = fetch_config(endpoints, allow_private_network, config_path, timeouts)
    # Candidates go through the owner APIs where a credential is loaded (names, never secrets).
    apis = ApiRun(SYSTEM_CLOCK, ApiAccess.from_config(config))
    result = discover(
        inv,
        policy,
        fetchers_for(config),
        platforms=[Platform(p) for p in platforms] if platforms else None,
        max_candidates=max_candidates,
        candidates_file=candidates_file,
        progress=progress_bar("discovering"),
        sites=sites,
        apis=apis,
    )
    emit(Document.DISCOVERY, result, fmt, pairs, wide=wide)
    # Written first, then judged: what could not be seen is never a clean result.
    incomplete = result.incomplete_reason(max_unverified)
    if incomplete is not None:
        raise IncompleteError(incomplete)
    if fail_on == "never":
        return int(ExitCode.CLEAN)
    threshold = Severity(fail_on)
    failing = any(
        f.status is FindingStatus.FAIL and f.severity >= threshold for f in result.findings
    )
    return int(ExitCode.FINDINGS if failing else ExitCode.CLEAN)
