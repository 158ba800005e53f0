"""``rollcall sites``: import a WhatsMyName or Sherlock site list the user supplies, and list
what is stored (usable, disabled, degraded)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from scanner.cli.exitcodes import ExitCode
from scanner.cli.options import format_option, wide_option
from scanner.errors import UsageError
from scanner.humanize import count
from scanner.model import JSON
from scanner.platforms.sites import (
    Site,
    SiteList,
    dump_sites,
    load_sites,
    merge_import,
    read_site_file,
    sites_path,
)
from scanner.reports import atomic_write
from scanner.reports.layout import Column, output_width, render_table, wrap_text
from scanner.serialize import iso

__all__ = ["command", "data_dir_option", "discovery_sites", "discovery_sites_option", "save_sites"]

F = TypeVar("F", bound=Callable[..., Any])

FORMAT_NAMES = {"whatsmyname": "WhatsMyName", "sherlock": "Sherlock"}


def data_dir_option(f: F) -> F:
    """``--data-dir DIR``: where imported sites are kept (``sites.json``)."""
    return click.option(
        "--data-dir",
        "data_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Where imported site lists are kept (default: $ROLLCALL_DATA_DIR, else "
        "$XDG_DATA_HOME/rollcall, else ~/.local/share/rollcall).",
    )(f)


def discovery_sites_option(f: F) -> F:
    """``--sites/--no-sites``: whether discovery also asks the imported sites."""
    return click.option(
        "--sites/--no-sites",
        "use_sites",
        default=None,
        help="Discovery also asks every usable imported site (`rollcall sites import`) about "
        "the brand's handles. Default: on when a site list is stored.",
    )(f)


def discovery_sites(use_sites: bool | None, data_dir: Path | None) -> tuple[Site, ...]:
    """The usable stored sites discovery asks: none with --no-sites; with --sites a list must
    be stored; by default whatever is stored."""
    if use_sites is False:
        return ()
    stored = load_sites(sites_path(data_dir))
    if use_sites and not stored.sites:
        raise UsageError("--sites: no site list imported yet; run `rollcall sites import FILE`")
    return stored.usable()


def save_sites(path: Path, sites: SiteList) -> None:
    """Write the stored list atomically (a crash leaves the old one whole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, dump_sites(sites))


@click.group("sites")
def command() -> None:
    """Site lists from WhatsMyName or Sherlock, for `rollcall check --sites` and discovery."""


@command.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@data_dir_option
def import_command(file: Path, data_dir: Path | None) -> int:
    """Import FILE: a WhatsMyName wmn-data.json or a Sherlock data.json (detected).

    Every site definition is validated first; any problem (named by site and key) exits 2 and
    stores nothing. Importing a list replaces the earlier list of the same format and keeps the
    other format's. Rollcall ships neither list: their licences differ (WhatsMyName CC BY-SA
    4.0, Sherlock MIT); download the one you use yourself.
    """
    read = read_site_file(file)
    path = sites_path(data_dir)
    stored = load_sites(path)
    at = iso(datetime.now(UTC).replace(microsecond=0)) or ""
    merged = merge_import(stored, read.format, read.sites, (file.name, read.sha256, at))
    save_sites(path, merged)
    disabled = sum(s.disabled is not None for s in read.sites)
    note = f" ({disabled} disabled)" if disabled else ""
    imported = count(len(read.sites), f"{FORMAT_NAMES[read.format.value]} site")
    usable = count(len(merged.usable()), "usable site")
    click.echo(f"imported {imported} from {file.name}{note}; {usable} stored in {path}")
    return int(ExitCode.CLEAN)


_LIST_COLUMNS = (
    Column("site"),
    Column("state"),
    Column("categories", priority=3, min_width=12),
    Column("why", priority=2, min_width=24),
)


def _state(disabled: str | None, degraded: str | None) -> tuple[str, str]:
    if disabled is not None:
        return "disabled", disabled
    if degraded is not None:
        return "degraded", degraded
    return "usable", ""


@command.command("list")
@data_dir_option
@format_option(["table", "json"])
@wide_option
def list_command(data_dir: Path | None, fmt: str, wide: bool) -> int:
    """List the stored sites: usable, disabled (by the list) or degraded (by `platforms
    check`: its known account did not read present; skipped until it does)."""
    stored = load_sites(sites_path(data_dir))
    if fmt == "json":
        data: list[JSON] = []
        for s in stored.sites:
            state, why = _state(s.disabled, s.degraded)
            data.append(
                {
                    "site": s.id,
                    "state": state,
                    "why": why or None,
                    "url": s.url,
                    "categories": list[JSON](s.categories),
                }
            )
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return int(ExitCode.CLEAN)
    rows = [[s.id, *_row(s.disabled, s.degraded, s.categories)] for s in stored.sites]
    width = output_width(wide)
    click.echo(render_table(_LIST_COLUMNS, rows, width))
    sources = ", ".join(
        f"{FORMAT_NAMES[f.value]} {file} ({at})" for f, file, _, at in stored.sources
    )
    footer = f"{len(stored.usable())} of {count(len(stored.sites), 'site')} usable" + (
        f"; from {sources}" if sources else "; nothing imported yet (rollcall sites import FILE)"
    )
    click.echo("\n" + wrap_text(footer, width))
    return int(ExitCode.CLEAN)


def _row(disabled: str | None, degraded: str | None, categories: tuple[str, ...]) -> list[str]:
    state, why = _state(disabled, degraded)
    return [state, ", ".join(categories), why]
