"""``rollcall demo``: audit the shipped example organization against the local platform sandbox."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import click

from scanner.cli.common import execute_audit
from scanner.cli.options import wide_option
from scanner.cli.report import orphan_report
from scanner.config import load_config
from scanner.errors import OutputError
from scanner.examples import example_config_path, example_inventory_path
from scanner.fetch import FetchConfig, HostLimits
from scanner.model import AuditResult, FindingStatus, Platform, Severity
from scanner.platforms.api import Api
from scanner.reports import Document, write_documents, write_outputs
from scanner.reports.interface import ReportFormat, check_writable, file_suffix
from scanner.reports.layout import Align, Column, output_width, render_table, wrap_text
from scanner.runs.audit import AuditOptions
from scanner.sandbox import (
    DEMO_CREDENTIALS,
    CredentialState,
    Sandbox,
    World,
    example_world_path,
    load_world,
)

DEMO_FORMATS = ("html", "json", "markdown", "csv", "sarif", "junit")
DEMO_ORPHANS = ("markdown", "html", "csv")


@click.command("demo")
@click.option(
    "--output-dir",
    default="rollcall-demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the reports and the history database.",
)
@click.option(
    "--without-token",
    "without",
    multiple=True,
    type=click.Choice(sorted(DEMO_CREDENTIALS)),
    help="Leave out this sandbox credential (repeatable): its accounts are observed publicly.",
)
@click.option(
    "--expired-token",
    "expired",
    multiple=True,
    type=click.Choice(sorted(DEMO_CREDENTIALS)),
    help="Hand the sandbox's expired (or revoked) token for this credential (repeatable).",
)
@wide_option
def command(
    output_dir: Path, without: tuple[str, ...], expired: tuple[str, ...], wide: bool
) -> int:
    """Audit the example organization (Copper Kettle Coffee Roasters) against a local sandbox
    that plays all 13 platforms and their owner APIs, with discovery and the sandbox's API
    credentials, and write every report into a folder.

    Nothing leaves this machine: the sandbox listens on 127.0.0.1 only, and its tokens go to
    the run's config, never into the environment. Exits 0 when the demo ran, whatever it found.
    """
    # The demo makes its own folder (not its parents: a typo there should not go unnoticed).
    try:
        output_dir.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputError([(str(output_dir), exc.strerror or str(exc))]) from None
    check_writable(output_dir / "audit.json")  # a bad folder is bad input, before any work
    world = load_world(example_world_path())
    with Sandbox(world) as sandbox:
        options = AuditOptions(
            inventory=example_inventory_path(),
            as_of=world.as_of,
            history=output_dir / "history.sqlite",
            discover=True,
        )
        config = demo_config(sandbox.endpoints(), _demo_tokens(world, without, expired))
        result = execute_audit(options, config)
    write_outputs(
        result,
        [(fmt, output_dir / f"audit{file_suffix(ReportFormat(fmt))}") for fmt in DEMO_FORMATS],
    )
    write_documents(
        Document.ORPHANS,
        orphan_report(result, options.policies),
        [(fmt, output_dir / f"orphans{file_suffix(ReportFormat(fmt))}") for fmt in DEMO_ORPHANS],
    )
    click.echo(_summary(result, output_dir, output_width(wide)))
    return 0


def demo_config(endpoints: Mapping[str, str], tokens: Mapping[str, str]) -> FetchConfig:
    """The example's config file (its named credentials) pointed at the sandbox, with the
    sandbox's tokens as data: nothing is read from, or written to, the environment."""
    # Politeness protects real platforms; the sandbox is a process on this machine, so the
    # demo lifts the per-host pacing (the limits logic itself still runs).
    lifted = HostLimits(8, 0.0)
    limits = dict.fromkeys((*(p.value for p in Platform), *(a.value for a in Api)), lifted)
    return replace(
        load_config(example_config_path()), endpoints=endpoints, host_limits=limits, tokens=tokens
    )


def _demo_tokens(
    world: World, without: tuple[str, ...], expired: tuple[str, ...]
) -> dict[str, str]:
    """The sandbox credentials, less ``without``, with the world's spoiled token (same API and
    account, expired or revoked) in place of each of ``expired``."""
    tokens = {env: token for env, token in DEMO_CREDENTIALS.items() if env not in without}
    for env in expired:
        valid = world.credential(DEMO_CREDENTIALS[env])
        spoiled = next(
            (
                c
                for c in world.credentials
                if valid is not None
                and (c.api, c.account) == (valid.api, valid.account)
                and c.state is not CredentialState.VALID
            ),
            None,
        )
        if spoiled is None:
            raise click.UsageError(
                f"--expired-token {env}: the sandbox has no spoiled token for it"
            )
        tokens[env] = spoiled.token
    return tokens


_COUNT_COLUMNS = (Column("failing findings"), Column("count", align=Align.RIGHT))


def _summary(result: AuditResult, output_dir: Path, width: int | None) -> str:
    org = result.inventory.organization.name
    by_severity = dict.fromkeys(sorted(Severity, reverse=True), 0)
    for f in result.findings:
        if f.status is FindingStatus.FAIL:
            by_severity[f.severity] += 1
    rows = [[s.value, n] for s, n in by_severity.items()]
    states: dict[str, int] = {}
    for a in result.accounts:
        key = a.observation.status.value if a.observation else "planned (not observed)"
        states[key] = states.get(key, 0) + 1
    audited = (
        f"Audited {len(result.accounts)} accounts of {org} as of {result.run.as_of}"
        " against the local sandbox."
    )
    after = [
        "Accounts by observation: " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())),
        f"Discoveries: {len(result.discoveries)} pages outside the inventory classified.",
        "",
        f"Reports written to {output_dir}/: audit.html, audit.json, audit.md, audit.csv,"
        " audit.sarif, audit.junit.xml, orphans.md, orphans.html, orphans.csv",
        f"Open {output_dir}/audit.html in a browser, or read {output_dir}/orphans.md.",
    ]
    lines = [
        wrap_text(audited, width),
        "",
        render_table(_COUNT_COLUMNS, rows, width),
        "",
        *(wrap_text(line, width) for line in after),
    ]
    return "\n".join(lines) + "\n"
