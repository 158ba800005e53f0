"""`rollcall discover`: find rogue, duplicate and unlisted pages that look like the organization."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import click

from scanner.cli.common import fetch_config, progress_bar
from scanner.cli.exitcodes import ExitCode
from scanner.cli.options import (
    allow_private_network_option,
    config_option,
    endpoint_option,
    fail_on_option,
    format_option,
    output_option,
    parse_outputs,
    platform_option,
    policy_option,
    timeout_option,
    wide_option,
)
from scanner.inventory import load_inventory
from scanner.model import (
    JSON,
    Classification,
    Discovery,
    Finding,
    FindingStatus,
    Platform,
    Severity,
)
from scanner.reports import layout
from scanner.reports.interface import atomic_write, check_writable
from scanner.reports.layout import DEFAULT_WIDTH, Align, Column, output_width, wrap_text
from scanner.reports.sanitize import csv_cell, json_safe, strip_terminal
from scanner.runs.audit import load_rules
from scanner.runs.discover import DiscoveryResult, discover
from scanner.serialize import discovery_json

__all__ = ["FORMATS", "command", "render"]


def _discovery_json(d: Discovery) -> dict[str, JSON]:
    """The audit report's discovery object, plus the flat observation keys this command has
    always printed (kept so existing consumers of ``discover --format json`` do not break)."""
    obs = d.observation
    return {
        **discovery_json(d),
        "status": obs.status.value,
        "display_name": obs.display_name,
        "followers": obs.followers,
        "created_at": obs.created_at.isoformat() if obs.created_at else None,
    }


def _finding_json(f: Finding) -> dict[str, JSON]:
    return {
        "rule_id": f.rule_id,
        "title": f.title,
        "severity": f.severity.value,
        "status": f.status.value,
        "account_id": f.account_id,
        "platform": f.platform.value if f.platform else None,
        "handle": f.handle,
        "message": f.message,
        "remediation": f.remediation,
        "location": str(f.location),
        "fingerprint": f.fingerprint,
        "evidence": dict(f.evidence),
    }


def render_json(result: DiscoveryResult) -> str:
    document: dict[str, JSON] = {
        "discoveries": [_discovery_json(d) for d in result.discoveries],
        "findings": [_finding_json(f) for f in result.findings],
        "summary": {
            "probed": result.probed,
            "discoveries": len(result.discoveries),
            "unverified": result.unverified,
            "findings": len(result.findings),
        },
    }
    # Names, bios and evidence quoting them are the pages' own text: sanitize every string.
    return json.dumps(json_safe(document), indent=2, ensure_ascii=False) + "\n"


_PAGE_COLUMNS = (
    Column("classification"),
    Column("score", align=Align.RIGHT, priority=4),
    Column("page", min_width=20),
    Column("matches", priority=2, min_width=12),
    Column("why", priority=3, min_width=24),
)
_FINDING_COLUMNS = (
    Column("rule"),
    Column("severity", priority=2),
    Column("subject", min_width=16),
    Column("finding", min_width=24),
)


def render_table(result: DiscoveryResult, width: int | None = DEFAULT_WIDTH) -> str:
    """The pages found and the findings, fitted to ``width`` display columns (None: unlimited).
    Files get the default width, stdout the terminal's."""
    # Unverified pages are counted per platform, not listed: a login-walled platform turns
    # every probe into one (the JSON and CSV outputs list them all).
    seen = [d for d in result.discoveries if d.classification is not Classification.UNVERIFIED]
    rows = [
        [
            d.classification.value,
            d.score,
            strip_terminal(f"{d.platform.value}:{d.handle}"),
            strip_terminal(d.matched_account_id or d.matched_alias or ""),
            # Evidence quotes the page's name, bio and links.
            strip_terminal(d.evidence[0] if d.evidence else ""),
        ]
        for d in sorted(seen, key=lambda d: (d.classification.value, -d.score))
    ]
    unverified = Counter(
        d.platform.value
        for d in result.discoveries
        if d.classification is Classification.UNVERIFIED
    )
    out = [
        wrap_text(
            f"Probed {result.probed} candidate pages; {len(result.discoveries)} found "
            f"({result.unverified} could not be verified).",
            width,
        )
    ]
    if rows:
        out.append(layout.render_table(_PAGE_COLUMNS, rows, width))
    if unverified:
        counts = ", ".join(f"{p}: {n}" for p, n in sorted(unverified.items()))
        out.append(wrap_text(f"Unverified (blocked or error, not classified): {counts}", width))
    if result.findings:
        out.append("")
        out.append(
            layout.render_table(
                _FINDING_COLUMNS,
                [
                    [
                        f.rule_id,
                        f.severity.value,
                        strip_terminal(f.account_id or f"{f.platform}:{f.handle}"),
                        strip_terminal(f.title),
                    ]
                    for f in result.findings
                ],
                width,
            )
        )
    return "\n".join(out) + "\n"


def render_csv(result: DiscoveryResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "platform",
            "handle",
            "url",
            "classification",
            "score",
            "matched_alias",
            "matched_account_id",
            "evidence",
        ]
    )
    for d in result.discoveries:
        row = (
            d.platform.value,
            d.handle,
            d.url,
            d.classification.value,
            str(d.score),
            d.matched_alias or "",
            d.matched_account_id or "",
            " | ".join(d.evidence),
        )
        # Opened in spreadsheets like the audit's CSV: same cleaning, same formula guard (the
        # handle, second, keeps its platform's own @name form).
        writer.writerow([csv_cell(c, handle=i == 1) for i, c in enumerate(row)])
    return buffer.getvalue()


FORMATS: dict[str, Callable[[DiscoveryResult], str]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
}


def render(result: DiscoveryResult, fmt: str, width: int | None = DEFAULT_WIDTH) -> str:
    """``result`` as ``fmt``; ``width`` lays out the table (None: unlimited)."""
    if fmt == "table":
        return render_table(result, width)
    try:
        return FORMATS[fmt](result)
    except KeyError:
        raise click.BadParameter(
            f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}", param_hint="--output"
        ) from None


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
@format_option(list(FORMATS))
@output_option
@endpoint_option
@allow_private_network_option
@timeout_option
@config_option
@fail_on_option
@wide_option
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
    wide: bool,
) -> int:
    """Find pages that look like the organization but are not in INVENTORY: lookalike handles
    (typos, homoglyphs, separators, affixes such as _official or hq) on each platform, plus
    any --candidates. Each page found is classified rogue, unlisted_official, duplicate or
    unrelated with its evidence; pages that could not be seen are unverified. Duplicate pages
    inside the inventory are reported too (INV-002).

    \b
    Exit codes: 0 nothing at or above --fail-on · 1 findings at or above it · 2 bad input
    """
    pairs = parse_outputs(outputs, list(FORMATS), fmt)
    for _, path in pairs:
        check_writable(path)
    inv = load_inventory(inventory)
    policy, _ = load_rules(inv, policies)
    result = discover(
        inv,
        policy,
        fetch_config(endpoints, allow_private_network, config_path, timeouts),
        platforms=[Platform(p) for p in platforms] if platforms else None,
        max_candidates=max_candidates,
        candidates_file=candidates_file,
        progress=progress_bar("discovering"),
    )
    for name, path in pairs:
        atomic_write(path, render(result, name, None if wide else DEFAULT_WIDTH))
    click.echo(render(result, fmt, output_width(wide)), nl=False)
    if fail_on == "never":
        return int(ExitCode.CLEAN)
    threshold = Severity(fail_on)
    failing = any(
        f.status is FindingStatus.FAIL and f.severity >= threshold for f in result.findings
    )
    return int(ExitCode.FINDINGS if failing else ExitCode.CLEAN)
