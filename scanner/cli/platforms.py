"""``rollcall platforms``: what each platform supports, and a self-check of every spec."""

from __future__ import annotations

import json
from collections import defaultdict
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
    platform_option,
    timeout_option,
    wide_option,
)
from scanner.cli.sites import data_dir_option, save_sites
from scanner.errors import IncompleteError, UsageError
from scanner.fetch import FetchConfig
from scanner.model import JSON, Observation, ObservationStatus, Platform
from scanner.platforms import all_specs
from scanner.platforms.sites import SiteObservation, load_sites, sites_path, with_degraded
from scanner.reports.layout import Column, output_width, render_table
from scanner.reports.sanitize import json_safe
from scanner.runs.check import SiteCheck, check_sites, degraded_marks
from scanner.runs.selfcheck import PlatformCheck, Rating, check_platforms, unreachable

__all__ = ["command"]


@click.group("platforms")
def command() -> None:
    """The platforms Rollcall can observe: support levels, extracted fields, self-check."""


_LIST_COLUMNS = (
    Column("platform"),
    Column("support"),
    Column("extracts", priority=2, min_width=20),
    Column("notes", priority=3, min_width=24),
)
_CHECK_COLUMNS = (
    Column("platform"),
    Column("rating"),
    Column("observed", priority=2, min_width=24),
    Column("problems", min_width=30),
)


@command.command("list")
@format_option(["table", "json"])
@wide_option
def list_command(fmt: str, wide: bool) -> int:
    """List every platform with its support level and the fields it can extract.

    \b
    full     a public structured endpoint answers for every state
    partial  a login wall or bot check is likely: expect blocked (unverified) results
    manual   no dependable anonymous signal: someone has to look
    """
    specs = all_specs()
    if fmt == "json":
        data: list[JSON] = [
            {
                "platform": s.platform.value,
                "name": s.name,
                "support": s.support.value,
                "extracts": list[JSON](sorted(s.extracts)),
                "profile_url": s.display_url,
                "notes": s.notes,
            }
            for s in specs.values()
        ]
        click.echo(json.dumps(data, indent=2))
        return int(ExitCode.CLEAN)
    rows = [
        [s.platform.value, s.support.value, ", ".join(sorted(s.extracts)), s.notes]
        for s in specs.values()
    ]
    click.echo(render_table(_LIST_COLUMNS, rows, output_width(wide)))
    return int(ExitCode.CLEAN)


@command.command("check")
@platform_option
@endpoint_option
@allow_private_network_option
@timeout_option
@click.option(
    "--present",
    "present",
    multiple=True,
    metavar="PLATFORM=HANDLE",
    help="Use HANDLE as a known-present account of PLATFORM instead of the spec's. Repeatable.",
)
@click.option("--seed", type=int, default=None, help="Seed for the generated absent handles.")
@click.option(
    "--only-sites",
    is_flag=True,
    help="Check only the imported sites' known accounts, none of the built-in platforms.",
)
@data_dir_option
@config_option
@format_option(["table", "json"])
@wide_option
def check_command(
    platforms: tuple[str, ...],
    endpoints: tuple[str, ...],
    allow_private_network: bool,
    timeouts: tuple[str, ...],
    present: tuple[str, ...],
    seed: int | None,
    only_sites: bool,
    data_dir: Path | None,
    config_path: Path | None,
    fmt: str,
    wide: bool,
) -> int:
    """Self-check every platform spec against known-present handles and random absent ones.

    Rates each platform ok, degraded (some answers could not be verified, or a field was not
    extracted) or broken (a wrong verdict: a known account seen absent or a random name seen
    present). Exit 1 when any platform is broken; exit 3, with the reason on stderr, when no
    probe got an answer at all (no network, every endpoint down). This sends real requests
    unless --endpoint points a platform elsewhere (e.g. at `rollcall sandbox serve`).

    Without --platform it also probes the known account and one random name (from --seed) of
    every imported site (`rollcall sites import`): a site whose known account does not read
    present, or whose random name does not read absent (a site answering present for any name is
    broken), is marked degraded in the stored list, and skipped by `check` and discovery until
    it reads right again.
    """
    known = _present(present)
    config = fetch_config(endpoints, allow_private_network, config_path, timeouts)
    if only_sites and (platforms or present):
        raise UsageError("--only-sites checks no built-in platform; drop --platform and --present")
    chosen = [Platform(p) for p in platforms] or list(Platform)
    checks = (
        []
        if only_sites
        else check_platforms(fetchers_for(config), chosen, present=known, seed=seed)
    )
    site_checks = (
        [] if platforms else _check_sites(config, data_dir, required=only_sites, seed=seed)
    )
    if fmt == "json":
        # Problems quote what the servers answered: every string goes through the sanitizer.
        report: list[JSON] = [_check_json(c) for c in checks]
        report += [_site_json(c) for c in site_checks]
        click.echo(json.dumps(json_safe(report), indent=2, ensure_ascii=False))
    else:
        click.echo(_check_table(checks, output_width(wide), site_checks))
    ratings = [c.rating for c in checks] + [c.rating for c in site_checks]
    broken = Rating.BROKEN in ratings
    # The specs' known-present handles are real-world accounts: a sandbox will not have them.
    defaulted = [
        c.platform.value
        for c in checks
        if c.rating is Rating.BROKEN
        and c.platform.value in config.endpoints
        and c.platform not in known
    ]
    if defaulted:
        click.echo(
            f"note: {', '.join(defaulted)} used the specs' known-present handles, which are "
            "real-world accounts, with an --endpoint override that may not serve them; pass "
            "--present PLATFORM=HANDLE (`rollcall sandbox serve` prints the flags for its world)",
            err=True,
        )
    reason = unreachable(checks, [o for c in site_checks for o in c.observations])
    if reason is not None:
        raise IncompleteError(reason)
    return int(ExitCode.FINDINGS if broken else ExitCode.CLEAN)


def _check_json(check: PlatformCheck) -> JSON:
    return {
        "platform": check.platform.value,
        "rating": check.rating.value,
        "results": [
            _probe_json(r.handle, r.expected, r.observation, r.rating, r.problem)
            for r in check.results
        ],
    }


def _probe_json(
    handle: str,
    expected: ObservationStatus,
    seen: Observation | SiteObservation,
    rating: Rating,
    problem: str | None,
) -> JSON:
    """One self-check probe (a platform's or a site's): what was expected, what was seen."""
    return {
        "handle": handle,
        "expected": expected.value,
        "status": seen.status.value,
        "signal": seen.signal,
        "reason": seen.reason.code if seen.reason else None,
        "rating": rating.value,
        "problem": problem,
    }


def _present(pairs: tuple[str, ...]) -> dict[Platform, list[str]]:
    """``--present PLATFORM=HANDLE`` pairs by platform."""
    known: dict[Platform, list[str]] = defaultdict(list)
    for pair in pairs:
        name, sep, handle = pair.partition("=")
        if not sep or not handle or name not in {p.value for p in Platform}:
            raise click.BadParameter(
                f"expected PLATFORM=HANDLE, got {pair!r}", param_hint="--present"
            )
        known[Platform(name)].append(handle.strip())
    return known


def _check_sites(
    config: FetchConfig, data_dir: Path | None, *, required: bool, seed: int | None
) -> list[SiteCheck]:
    """Probe the imported sites' known accounts and random names; store who is degraded now
    (a broken site too: its answers cannot be trusted)."""
    path = sites_path(data_dir)
    stored = load_sites(path)
    if not stored.sites:
        if required:
            raise UsageError("--only-sites: no site list imported yet (rollcall sites import FILE)")
        return []
    site_checks = check_sites(fetchers_for(config), stored.sites, seed=seed)
    # No site answering at all (no network) says nothing about any of them: nothing is marked.
    if unreachable([], [o for c in site_checks for o in c.observations]) is None:
        save_sites(path, with_degraded(stored, degraded_marks(site_checks)))
    return site_checks


def _site_json(check: SiteCheck) -> JSON:
    """The site's rating and both probes: the known account (expected present) and the random
    name (expected absent)."""
    return {
        "site": check.site,
        "rating": check.rating.value,
        "results": [
            _probe_json(p.observation.handle, p.expected, p.observation, p.rating, p.problem)
            for p in check.probes
        ],
    }


def _check_table(
    checks: list[PlatformCheck], width: int | None, site_checks: Sequence[SiteCheck] = ()
) -> str:
    rows = []
    for check in checks:
        seen = tuple(f"{r.handle}={r.observation.status.value}" for r in check.results)
        # One line per handle and per problem; the layout sanitizes what the servers answered.
        rows.append([check.platform.value, check.rating.value, seen, tuple(check.problems)])
    for sc in site_checks:
        seen = tuple(f"{o.handle}={o.status.value}" for o in sc.observations)
        rows.append([sc.site, sc.rating.value, seen, (sc.problem,) if sc.problem else ()])
    table = render_table(_CHECK_COLUMNS, rows, width)
    ratings = [c.rating for c in checks] + [c.rating for c in site_checks]
    counts = {r: sum(x is r for x in ratings) for r in Rating}
    summary = ", ".join(f"{n} {r.value}" for r, n in counts.items())
    return f"{table}\n\n{summary}"
