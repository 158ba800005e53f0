"""``rollcall validate``: check an inventory and its roster, print what they contain."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import click

from scanner.cli.exitcodes import ExitCode
from scanner.cli.options import format_option, wide_option
from scanner.errors import SourceError, ValidationError, merge
from scanner.inventory import InventorySummary, load_inventory, summarize
from scanner.reports.layout import Align, Column, output_width, render_table, wrap_text

__all__ = ["command"]


@click.command("validate")
@click.argument(
    "inventories", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False)
)
@format_option(["table", "json"])
@wide_option
def command(inventories: tuple[Path, ...], fmt: str, wide: bool) -> int:
    """Validate INVENTORY (YAML, or CSV with its <name>.org.yaml) and the roster it names.

    Several inventories may be given (as a pre-commit hook does); all are checked. Prints
    accounts by platform, status and department and the roster size; every problem is reported
    as file:line:column with what was expected (exit 2).
    """
    failures: list[ValidationError] = []
    summaries = []
    for inventory in inventories:
        try:
            summaries.append(summarize(load_inventory(inventory)))
        except ValidationError as exc:
            failures.append(exc)
        except SourceError as exc:
            failures.append(
                ValidationError.single(exc.file, None, str(exc).removeprefix(f"{exc.file}: "))
            )
    if failures:
        raise merge(failures)
    if fmt == "json":
        docs = [s.to_json() for s in summaries]
        click.echo(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2))
    else:
        width = output_width(wide)
        click.echo("\n\n".join(summary_text(s, width) for s in summaries))
    return int(ExitCode.CLEAN)


def _counts(title: str, counts: Mapping[str, int], width: int | None) -> str:
    columns = (Column(title), Column("accounts", align=Align.RIGHT))
    return render_table(columns, list(counts.items()), width)


def summary_text(summary: InventorySummary, width: int | None) -> str:
    """What the inventory holds, fitted to ``width`` display columns (None: unlimited)."""
    roles = ", ".join(f"{n} {role}" for role, n in summary.roster_by_role.items())
    states = ", ".join(f"{n} {status}" for status, n in summary.roster_by_status.items())
    parts = [
        wrap_text(
            f"{summary.path}: valid — {summary.organization}, {summary.accounts} accounts, "
            f"roster of {summary.roster_people} people ({roles}; {states})",
            width,
        ),
        _counts("platform", summary.by_platform, width),
        _counts("status", summary.by_status, width),
        _counts("department", summary.by_department, width),
    ]
    return "\n\n".join(parts)
