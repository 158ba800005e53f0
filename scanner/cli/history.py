"""`rollcall history`: list stored audit runs, show one, diff two (table or JSON).

An unknown run id is bad input (exit 2); an unusable database is a HistoryError (exit 3).
"""

from __future__ import annotations

import json
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from scanner.cli.exitcodes import ExitCode
from scanner.cli.options import format_option, wide_option
from scanner.errors import UsageError
from scanner.history import (
    AccessChange,
    AccessChangeKind,
    AccessComparison,
    AccessSkip,
    HistoryStore,
    RunDiff,
    RunSummary,
    StoredRun,
    history_path,
)
from scanner.model import JSON, Finding, Holder, HolderKind, RunInfo, finding_order
from scanner.reports.layout import Align, Column, output_width, render_table, wrap_text
from scanner.reports.sanitize import json_safe, strip_terminal

__all__ = ["command"]

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ["table", "json"]


def _location_options(f: F) -> F:
    f = click.option(
        "--inventory",
        "inventory",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Use the history beside this inventory (<inventory stem>.rollcall.db).",
    )(f)
    return click.option(
        "--history",
        "history",
        type=click.Path(dir_okay=False, path_type=Path),
        help="The history database file.",
    )(f)


def _history_path(history: Path | None, inventory: Path | None) -> Path:
    """The database `rollcall audit` wrote: --history, else beside --inventory, else the one
    default database in the working directory or a folder directly inside it."""
    if history is not None and inventory is not None:
        raise UsageError("give either --history PATH or --inventory INVENTORY, not both")
    return history_path(history, inventory, search=Path.cwd())


def _dump(value: JSON) -> str:
    # Stored runs keep the platforms' text verbatim; what is printed goes through the sanitizer.
    return json.dumps(json_safe(value), indent=2, ensure_ascii=False)


def _when(run: RunInfo) -> str:
    return run.started_at.strftime("%Y-%m-%d %H:%M")


def _counts(mapping: dict[str, int] | Any) -> str:
    return " ".join(f"{k}={v}" for k, v in mapping.items() if v) or "-"


_FINDING_COLUMNS = (
    Column("SEVERITY"),
    Column("STATUS"),
    Column("RULE"),
    Column("ACCOUNT", priority=3),
    Column("HANDLE", priority=2, min_width=14),
    Column("MESSAGE", min_width=30),
)
# Continuation lines of `history show`'s header line up under the values.
_SHOW_INDENT = " " * 13


def _findings_table(findings: Sequence[Finding], width: int | None) -> str:
    rows = [
        (
            f.severity.value,
            f.status.value,
            f.rule_id,
            # Stored messages and handles can quote fetched text: no escapes reach the terminal.
            strip_terminal(f.account_id or "-"),
            strip_terminal(f.handle or "-"),
            strip_terminal(f.message),
        )
        for f in findings
    ]
    return render_table(_FINDING_COLUMNS, rows, width)


@click.group("history")
def command() -> None:
    """Stored audit runs: list them, show one, diff two.

    \b
    Runs are recorded by `rollcall audit` in <inventory stem>.rollcall.db beside the inventory
    (or --history PATH). Without --history or --inventory, these commands use the one such
    database in the working directory or a folder directly inside it.
    """


@command.command("list")
@_location_options
@format_option(FORMATS)
@wide_option
def list_runs(history: Path | None, inventory: Path | None, fmt: str, wide: bool) -> int:
    """List stored runs, oldest first, with open findings by severity (open: failing, warning
    or unverified; waived findings are not open)."""
    with HistoryStore.open(_history_path(history, inventory), create=False) as store:
        runs = store.runs()
    if fmt == "json":
        click.echo(_dump([s.to_dict() for s in runs]))
        return int(ExitCode.CLEAN)
    if not runs:
        click.echo("no runs recorded yet")
        return int(ExitCode.CLEAN)
    click.echo(render_table(_LIST_COLUMNS, [_list_row(s) for s in runs], output_width(wide)))
    return int(ExitCode.CLEAN)


# The inventory goes first: a history database belongs to one inventory (its stem names it).
_LIST_COLUMNS = (
    Column("RUN", align=Align.RIGHT),
    Column("STARTED", priority=2, min_width=16),
    Column("AS OF", priority=3),
    Column("INVENTORY", priority=5, min_width=18),
    Column("KIND", min_width=12),
    Column("ACCOUNTS", align=Align.RIGHT, priority=4),
    Column("OBSERVED", priority=3, min_width=16),
    Column("OPEN", min_width=18),
)


def _kind(run: RunInfo) -> str:
    parts = []
    if run.replay_of is not None:
        parts.append(f"replay of {run.replay_of}")
    if run.offline:
        parts.append("OFFLINE")
    parts.append("complete" if run.complete else "incomplete")
    return ", ".join(parts)


def _open(s: RunSummary) -> str:
    """Open findings by severity; the live checks an offline run did not make are not open
    findings, so they are counted apart rather than as `critical=57`."""
    text = _counts(s.open_by_severity)
    if s.not_evaluated:
        text += f" (+{s.not_evaluated} not evaluated)"
    return text


def _list_row(s: RunSummary) -> tuple[object, ...]:
    return (
        s.id,
        _when(s.run),
        s.run.as_of.isoformat(),
        strip_terminal(Path(s.run.inventory_path).name),
        _kind(s.run),
        s.accounts,
        _counts(s.observations),
        _open(s),
    )


@command.command("show")
@click.argument("run_id", metavar="RUN", type=int)
@_location_options
@format_option(FORMATS)
@wide_option
def show(run_id: int, history: Path | None, inventory: Path | None, fmt: str, wide: bool) -> int:
    """Show one run: what was audited, how accounts were observed, and its findings."""
    with HistoryStore.open(_history_path(history, inventory), create=False) as store:
        summary = store.run(run_id)
        stored = store.load_run(run_id)
    if fmt == "json":
        data = stored.to_dict()
        data["summary"] = summary.to_dict()
        click.echo(_dump(data))
        return int(ExitCode.CLEAN)
    click.echo(_show_text(summary, stored, output_width(wide)))
    return int(ExitCode.CLEAN)


def _show_text(summary: RunSummary, stored: StoredRun, width: int | None) -> str:
    run = summary.run
    packs = ", ".join(f"{strip_terminal(p)} ({h[:12]})" for p, h in run.policy_packs) or "-"
    lines = [
        f"run {summary.id}: {_kind(run)}",
        f"  started    {run.started_at.isoformat()}",
        f"  finished   {run.finished_at.isoformat()}",
        f"  as of      {run.as_of.isoformat()}",
        f"  tool       rollcall {run.tool_version}",
        f"  inventory  {strip_terminal(run.inventory_path)} (sha256 {run.inventory_sha256[:12]})",
        f"  policies   {packs}",
        f"  accounts   {summary.accounts}: {_counts(summary.observations)}",
        f"  findings   {_counts(summary.findings)}",
        f"  open       {_open(summary)}",
    ]
    if run.offline:
        lines.append(
            "  offline    live checks were not evaluated; trends and baselines leave this run out"
        )
    if stored.discoveries:
        lines.append(f"  discovered {len(stored.discoveries)} page(s) outside the inventory")
    lines = [wrap_text(line, width, subsequent_indent=_SHOW_INDENT) for line in lines]
    if stored.findings:
        ordered = sorted(stored.findings, key=finding_order)
        lines += ["", _findings_table(ordered, width)]
    return "\n".join(lines)


@command.command("diff")
@click.argument("run_a", metavar="RUN_A", type=int)
@click.argument("run_b", metavar="RUN_B", type=int)
@_location_options
@format_option(FORMATS)
@wide_option
def diff(
    run_a: int, run_b: int, history: Path | None, inventory: Path | None, fmt: str, wide: bool
) -> int:
    """Compare the open findings of RUN_B with RUN_A: new, resolved, still open; and who was
    granted or lost access to each account whose access list both runs read."""
    with HistoryStore.open(_history_path(history, inventory), create=False) as store:
        result = store.diff(run_a, run_b)
    if fmt == "json":
        click.echo(_dump(result.to_dict()))
        return int(ExitCode.CLEAN)
    click.echo(_diff_text(result, output_width(wide)))
    return int(ExitCode.CLEAN)


def _diff_text(d: RunDiff, width: int | None) -> str:
    assert d.a.run_id is not None and d.b.run_id is not None
    lines = [
        f"run {d.a.run_id} ({_when(d.a)}) → run {d.b.run_id} ({_when(d.b)}): "
        f"{len(d.new)} new, {len(d.resolved)} resolved, {len(d.still_open)} still open"
    ]
    offline = [f"run {r.run_id}" for r in (d.a, d.b) if r.offline]
    if offline:
        lines.append(
            f"{' and '.join(offline)} {'was' if len(offline) == 1 else 'were'} OFFLINE: "
            f"{len(d.not_evaluated)} live {'check' if len(d.not_evaluated) == 1 else 'checks'}"
            " not evaluated, counted neither new nor resolved"
        )
    lines = [wrap_text(line, width) for line in lines]
    for title, findings in (("NEW", d.new), ("RESOLVED", d.resolved), ("STILL OPEN", d.still_open)):
        if findings:
            lines += ["", f"{title} ({len(findings)})", _findings_table(findings, width)]
    lines += _access_text(d.access, width)
    return "\n".join(lines)


def _holder(h: Holder) -> str:
    # Names and ids are the platform's text (written by whoever set up the account).
    who = strip_terminal(h.name or h.platform_id or h.email or "?")
    kind = "" if h.kind is HolderKind.PERSON else f" [{h.kind.value.replace('_', ' ')}]"
    return f"{who}{kind}"


def _role(h: Holder) -> str:
    return strip_terminal(h.role or ("admin" if h.admin else "-"))


def _change_line(c: AccessChange) -> str:
    account = strip_terminal(c.account_id)
    match c.kind:
        case AccessChangeKind.GRANTED | AccessChangeKind.REVOKED:
            return f"  {c.kind.value}: {account} {_holder(c.holder)} ({_role(c.holder)})"
        case AccessChangeKind.ROLE_CHANGED:
            assert c.before is not None
            was, now = _role(c.before), _role(c.holder)
            if was == now:  # the same words, another admin right
                was, now = (("admin" if h.admin else "not admin") for h in (c.before, c.holder))
            return f"  role changed: {account} {_holder(c.holder)} ({was} → {now})"
        case _:
            typing.assert_never(c.kind)


def _skip_line(s: AccessSkip) -> str:
    account = strip_terminal(s.account_id)
    if s.reason is None:
        return f"  access not compared: {account} not read in run {s.run_id}"
    why = strip_terminal(str(s.reason))
    return f"  access not compared: {account} unknown in run {s.run_id} ({why})"


def _access_text(access: AccessComparison, width: int | None) -> list[str]:
    """The diff's ACCESS section; nothing when neither run read an access list."""
    if not access.compared and not access.not_compared:
        return []
    counts = {k: sum(1 for c in access.changes if c.kind is k) for k in AccessChangeKind}
    said = ", ".join(f"{n} {k.value.replace('_', ' ')}" for k, n in counts.items() if n)
    title = f"ACCESS ({access.compared} account{'s' if access.compared != 1 else ''} compared"
    title += f": {said})" if said else ": no change)"
    body = [_change_line(c) for c in access.changes] + [_skip_line(s) for s in access.not_compared]
    return ["", title, *(wrap_text(line, width, subsequent_indent="    ") for line in body)]
