"""``rollcall check HANDLE...``: where does this handle exist? One line per platform or site as
each answer arrives (a table, or JSON lines with ``--format jsonl``)."""

from __future__ import annotations

import json
from collections import Counter
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
from scanner.cli.sites import data_dir_option
from scanner.errors import IncompleteError, UsageError
from scanner.humanize import count
from scanner.model import JSON, ObservationStatus, Platform
from scanner.platforms.sites import load_sites, sites_path
from scanner.reports.layout import output_width
from scanner.reports.sanitize import json_safe, strip_terminal, truncate
from scanner.runs.check import Answer, check_handles, written_as
from scanner.serialize import iso

__all__ = ["command"]

_STATE_HTTP = (7, 4)
"""Widths of the state (``present``, ``blocked``, …) and HTTP status columns."""
_MOST = (32, 30)
"""The widest the handle and where columns grow before truncating (unless --wide)."""


def _jsonl(answer: Answer) -> str:
    data: JSON = {
        "handle": answer.handle,
        "kind": answer.kind.value,
        "where": answer.where,
        "state": answer.status.value,
        "verified": answer.status.verified,
        "url": answer.url or None,  # none: nothing was requested (an invalid handle)
        "status": answer.http_status,
        "final_url": answer.final_url,
        "fetched_at": iso(answer.fetched_at),
        "signal": answer.signal,
        "reason": answer.reason.code if answer.reason else None,
        "reason_text": answer.reason.text if answer.reason else None,
    }
    # Signals, reasons and final URLs quote what the servers answered.
    return json.dumps(json_safe(data), ensure_ascii=False)


def _cell(text: str, width: int) -> str:
    return truncate(strip_terminal(text), width).ljust(width)


Widths = tuple[int, int, int, int]


def _widths(handles: list[str], wheres: list[str], wide: bool) -> Widths:
    """Column widths fixed before the first answer (lines stream as answers arrive), from every
    handle and place that will be asked: as wide as the widest, up to :data:`_MOST`."""
    grown = (
        max([len("handle"), *map(len, handles)]),
        max([len("where"), *map(len, wheres)]),
    )
    fitted = grown if wide else tuple(min(w, most) for w, most in zip(grown, _MOST, strict=True))
    return (fitted[0], fitted[1], *_STATE_HTTP)


def _line(
    cells: tuple[str, str, str, str], evidence: str, width: int | None, widths: Widths
) -> str:
    fixed = " ".join(_cell(c, w) for c, w in zip(cells, widths, strict=True))
    shown = strip_terminal(evidence)
    if width is not None:
        shown = truncate(shown, max(width - len(fixed) - 1, 10))
    return f"{fixed} {shown}".rstrip()


def _row(answer: Answer, width: int | None, widths: Widths) -> str:
    http = str(answer.http_status) if answer.http_status is not None else "-"
    evidence = answer.url
    if answer.reason is not None and answer.status is ObservationStatus.INVALID:
        evidence = answer.reason.text  # nothing was sent: the rule the handle breaks
    elif answer.reason is not None and not answer.status.verified:
        # Why first: on a narrow terminal the reason is what says what to do.
        evidence = f"{truncate(answer.reason.text, 160)}  ({answer.url})"
    cells = (answer.handle, answer.where, answer.status.value, http)
    return _line(cells, evidence, width, widths)


@click.command("check")
@click.argument("handles", nargs=-1, required=True)
@platform_option
@click.option(
    "--sites",
    "use_sites",
    is_flag=True,
    help="Also ask every usable imported site (`rollcall sites import`).",
)
@click.option(
    "--only-sites",
    is_flag=True,
    help="Ask only the imported sites, none of the built-in platforms (implies --sites).",
)
@data_dir_option
@endpoint_option
@allow_private_network_option
@timeout_option
@config_option
@format_option(["table", "jsonl"])
@wide_option
def command(
    handles: tuple[str, ...],
    platforms: tuple[str, ...],
    use_sites: bool,
    only_sites: bool,
    data_dir: Path | None,
    endpoints: tuple[str, ...],
    allow_private_network: bool,
    timeouts: tuple[str, ...],
    config_path: Path | None,
    fmt: str,
    wide: bool,
) -> int:
    """Where does HANDLE exist? Asks every built-in platform (or each --platform) and, with
    --sites, every usable imported site; prints each answer as it arrives.

    \b
    present   the place's exists signal matched
    absent    its missing signal matched (nothing else ever reads absent)
    blocked   a WAF, login wall or rate limit stood in the way (unverified)
    error     no usable answer: timeout, 5xx, a changed page (unverified)
    invalid   the handle breaks the place's rules; nothing was sent

    Exit 0 when every answer is present, absent or invalid; 3 when any is unverified; 2 on bad
    input. Degraded and disabled sites are skipped (`rollcall sites list`).
    """
    wanted = [h.strip() for h in handles]
    if any(not h for h in wanted):
        raise UsageError("a HANDLE is empty")
    if only_sites and platforms:
        raise UsageError("--only-sites asks no built-in platform; drop --platform")
    use_sites = use_sites or only_sites
    chosen = [] if only_sites else [Platform(p) for p in platforms] or list(Platform)
    stored = load_sites(sites_path(data_dir)) if use_sites else None
    sites = stored.usable() if stored is not None else ()
    if stored is not None and not stored.sites:
        raise UsageError("--sites: no site list imported yet; run `rollcall sites import FILE`")
    config = fetch_config(endpoints, allow_private_network, config_path, timeouts)
    width = output_width(wide)
    asked = [w for h in wanted for p in chosen for w in written_as(p, h)]
    widths = _widths([*asked, *wanted], [*(p.value for p in chosen), *(s.id for s in sites)], wide)
    if fmt == "table":
        click.echo(_line(("handle", "where", "state", "http"), "evidence", width, widths))

    def show(answer: Answer) -> None:
        click.echo(_jsonl(answer) if fmt == "jsonl" else _row(answer, width, widths))

    answers = check_handles(
        wanted, fetchers_for(config), platforms=chosen, sites=sites, on_answer=show
    )
    _summary(answers, stored.sites if stored is not None else (), len(sites))
    if not answers:  # every site skipped: nothing was checked, which is never clean
        raise IncompleteError("nothing was asked: every imported site is degraded or disabled")
    return int(ExitCode.CLEAN if all(a.answered for a in answers) else ExitCode.INCOMPLETE)


def _summary(answers: list[Answer], stored: tuple[object, ...], usable: int) -> None:
    counts = Counter(a.status.value for a in answers)
    shown = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    unverified = sum(not a.answered for a in answers)
    click.echo(f"{count(len(answers), 'answer')}: {shown or 'none'}", err=True)
    if len(stored) > usable:
        skipped = count(len(stored) - usable, "degraded or disabled site")
        click.echo(f"note: {skipped} skipped (rollcall sites list)", err=True)
    if unverified:
        said = "answer could" if unverified == 1 else "answers could"
        click.echo(f"rollcall: incomplete: {unverified} {said} not be verified", err=True)
