"""Helpers shared by the audit-running commands: fetch config from flags, the collaborators a
run receives (fetchers, history store), progress, exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import click

from scanner.cli.exitcodes import ExitCode
from scanner.cli.options import parse_endpoints, parse_outputs
from scanner.cli.output import echo_rendered
from scanner.config import build_fetch_config, parse_timeout_flags
from scanner.fetch import FetchConfig, HttpFetcherFactory
from scanner.history import HistoryStore, history_path
from scanner.model import AuditResult, FindingStatus, Severity
from scanner.platforms import host_limits
from scanner.platforms.connectors import ApiAccess
from scanner.reports import (
    REPORT_FORMATS,
    Formatter,
    ReportFormat,
    check_writable,
    formatter_for,
    write_outputs,
)
from scanner.reports.json_report import JsonFormatter
from scanner.reports.layout import output_width
from scanner.runs.audit import AuditOptions, NotRecorded, prepare_audit, run_audit
from scanner.runs.observe import Progress

__all__ = [
    "execute_audit",
    "audit_keeping_reports",
    "exit_code_for",
    "fetch_config",
    "fetchers_for",
    "open_history",
    "progress_bar",
    "run_and_render",
]


def fetch_config(
    endpoints: tuple[str, ...],
    allow_private_network: bool,
    config_path: Path | None = None,
    timeouts: tuple[str, ...] = (),
) -> FetchConfig:
    """FetchConfig from the optional config file, then the command line (flags win)."""
    return build_fetch_config(
        config_path,
        endpoints=parse_endpoints(endpoints),
        allow_private_network=allow_private_network,
        timeouts=parse_timeout_flags(timeouts),
    )


def fetchers_for(config: FetchConfig) -> HttpFetcherFactory:
    """The real fetchers a run receives: HttpFetcher over ``config`` with the specs' politeness
    (a configured run budget starts now and covers every phase)."""
    return HttpFetcherFactory(config, host_limits())


@contextmanager
def open_history(options: AuditOptions) -> Iterator[HistoryStore | None]:
    """The history store an audit records to (None with --no-history), closed afterwards. A
    replay only reads: a missing file is bad input (exit 2), never a new empty database."""
    if not options.use_history:
        yield None
        return
    path = history_path(options.history, options.inventory)
    with HistoryStore.open(path, create=options.replay is None) as store:
        yield store


def execute_audit(
    options: AuditOptions, config: FetchConfig, progress: Progress | None = None
) -> AuditResult:
    """What every auditing command runs: inputs checked first, then the history store opened
    and the audit run over the real fetchers."""
    fetchers = fetchers_for(config)
    access = ApiAccess.from_config(config)  # names of credentials, never their secrets
    prepared = prepare_audit(options)
    access.check(prepared.inventory.accounts)  # an unknown credential name is bad input
    with open_history(options) as store:
        return run_audit(prepared, fetchers=fetchers, store=store, progress=progress, access=access)


def progress_bar(label: str) -> Callable[[int, int], None] | None:
    """A one-line progress counter on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def exit_code_for(result: AuditResult, fail_on: str) -> ExitCode:
    """3 when incomplete (the verdict cannot be trusted), else 1 when a finding fails at or
    above ``fail_on``, else 0. The meaning never changes with other flags."""
    if not result.run.complete:
        return ExitCode.INCOMPLETE
    if fail_on == "never":
        return ExitCode.CLEAN
    threshold = Severity(fail_on)
    failing = (
        f for f in result.findings if f.status is FindingStatus.FAIL and f.severity >= threshold
    )
    return ExitCode.FINDINGS if any(failing) else ExitCode.CLEAN


def run_and_render(
    options: AuditOptions,
    config: FetchConfig,
    fmt: str,
    outputs: tuple[str, ...],
    fail_on: str,
    *,
    echo: bool = True,
    wide: bool = False,
    include_passed: bool = False,
) -> tuple[AuditResult, ExitCode]:
    """Run the audit, print ``fmt``, write every requested file and return the exit code.

    Formats and output paths are checked before the first request. Afterwards stdout is printed
    even when a file cannot be written (OutputError is raised last), and the run is already in
    the history, so nothing computed is lost. ``include_passed`` adds the long ``passed`` array
    to the JSON report (--include-passed)."""
    pairs = parse_outputs(outputs, REPORT_FORMATS, fmt)
    for _, path in pairs:
        check_writable(path)  # a missing folder is bad input: fail before crawling
    formatter_for(fmt)
    result, unrecorded = audit_keeping_reports(options, config, progress_bar("observing"))
    chosen: dict[ReportFormat, Formatter] = {}
    if include_passed:
        chosen[ReportFormat.JSON] = JsonFormatter(include_passed=True)
    if echo:
        shown = chosen.get(ReportFormat(fmt), formatter_for(fmt))
        echo_rendered(shown, result, width=output_width(wide), color=None)
    write_outputs(result, pairs, wide=wide, renderers=chosen)
    if unrecorded is not None:
        raise unrecorded  # after the reports: a full disk must not cost the crawl (exit 4)
    return result, exit_code_for(result, fail_on)


def audit_keeping_reports(
    options: AuditOptions, config: FetchConfig, progress: Progress | None = None
) -> tuple[AuditResult, NotRecorded | None]:
    """:func:`execute_audit`, except that a result the history could not record comes back
    with its storage error, for the caller to raise once the reports are written."""
    try:
        return execute_audit(options, config, progress), None
    except NotRecorded as exc:
        return exc.result, exc


def parse_as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected an ISO date (YYYY-MM-DD), got {value!r}") from None
