"""Options shared by several commands, so each flag means the same everywhere."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from scanner.fetch import FetchConfig, Timeouts
from scanner.model import Platform, Severity
from scanner.platforms.api import Api
from scanner.reports.interface import format_for_path

__all__ = [
    "allow_private_network_option",
    "as_of_option",
    "config_option",
    "endpoint_option",
    "fail_on_option",
    "format_option",
    "offline_option",
    "OUTPUT_HELP",
    "output_option",
    "parse_endpoints",
    "parse_outputs",
    "platform_option",
    "policy_option",
    "timeout_option",
    "wide_option",
]

F = TypeVar("F", bound=Callable[..., Any])

PLATFORM_NAMES = [p.value for p in Platform]
ENDPOINT_NAMES = [*PLATFORM_NAMES, *(a.value for a in Api)]
"""What ``--endpoint NAME=URL`` may name: a platform or an owner API (``meta-graph``...)."""


def config_option(f: F) -> F:
    """``--config rollcall.toml``: the fetch settings file, on every command that fetches."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Fetch settings file (TOML: endpoints, proxy, timeouts, limits).",
    )(f)


def endpoint_option(f: F) -> F:
    return click.option(
        "--endpoint",
        "endpoints",
        multiple=True,
        metavar="NAME=BASE_URL",
        help="Send the requests of platform or API NAME (github, meta-graph, x-api...) to "
        "BASE_URL (keeps the real path and query). Repeatable.",
    )(f)


def allow_private_network_option(f: F) -> F:
    return click.option(
        "--allow-private-network",
        is_flag=True,
        help="Allow requests and redirects to loopback, private and link-local addresses.",
    )(f)


def timeout_option(f: F) -> F:
    """``--timeout`` (repeatable) into ``timeouts``; ``cli.common.fetch_config`` parses it."""
    return click.option(
        "--timeout",
        "timeouts",
        multiple=True,
        metavar="[NAME=]SECONDS",
        help=f"Deadlines: attempt (one request, connect to last byte; default {Timeouts.attempt:g};"
        f" a bare number sets it), account (all of one account's requests; {Timeouts.account:g}),"
        " run (the whole run; default scaled to the accounts), max_wait (the most one host may"
        " hold us with rate limits before its accounts end rate_limited;"
        f" {FetchConfig.max_rate_limit_wait:g}), connect, read, write, pool. Repeatable; wins"
        " over the config file's [timeouts].",
    )(f)


def platform_option(f: F) -> F:
    return click.option(
        "--platform",
        "platforms",
        multiple=True,
        type=click.Choice(PLATFORM_NAMES),
        help="Only this platform. Repeatable.",
    )(f)


def fail_on_option(f: F) -> F:
    return click.option(
        "--fail-on",
        default="high",
        show_default=True,
        type=click.Choice([s.value for s in Severity] + ["never"]),
        help="Exit 1 when a finding fails at or above this severity.",
    )(f)


def format_option(choices: list[str], default: str = "table") -> Callable[[F], F]:
    def decorator(f: F) -> F:
        return click.option(
            "--format",
            "fmt",
            default=default,
            show_default=True,
            type=click.Choice(choices),
            help="Format printed on stdout.",
        )(f)

    return decorator


def max_unverified_option(f: F) -> F:
    """``--max-unverified``: the share of unverified accounts above which a run is incomplete."""
    return click.option(
        "--max-unverified",
        default=0.25,
        show_default=True,
        type=click.FloatRange(0, 1),
        help="Above this share of unverified accounts the run is incomplete (exit 3).",
    )(f)


def wide_option(f: F) -> F:
    """``--wide`` into ``wide``: tables show every column, nothing wrapped; else they fit the
    terminal (``scanner.reports.layout.output_width``)."""
    return click.option(
        "--wide",
        is_flag=True,
        help="Show every table column unwrapped, however wide (default: fit COLUMNS or the"
        " terminal, else 100 columns).",
    )(f)


OUTPUT_HELP = (
    "FORMAT=PATH, or a PATH whose ending names the format (.json, .csv, .md, .html, .sarif, "
    ".junit.xml, .txt; else --format's). The folder must exist. Written atomically. Repeatable."
)


def output_option(f: F) -> F:
    return click.option(
        "--output",
        "outputs",
        multiple=True,
        metavar="[FORMAT=]PATH",
        help=f"Also write a report: {OUTPUT_HELP}",
    )(f)


def policy_option(
    help: str = "Rule pack (repeatable). Default: the inventory's packs, else policies/default.yaml.",
    *,
    dir_okay: bool = True,
) -> Callable[[F], F]:
    """``--policy`` (repeatable) into ``policies``; the help says where the default comes from."""

    def decorator(f: F) -> F:
        return click.option(
            "--policy",
            "policies",
            multiple=True,
            type=click.Path(dir_okay=dir_okay, path_type=Path),
            help=help,
        )(f)

    return decorator


def offline_option(help: str) -> Callable[[F], F]:
    """``--offline``; the help says what the command does without requests."""

    def decorator(f: F) -> F:
        return click.option("--offline", is_flag=True, help=help)(f)

    return decorator


def as_of_option(
    help: str = "Evaluate as of this date (YYYY-MM-DD). Default: today.",
) -> Callable[[F], F]:
    """``--as-of`` as text; the command parses it with ``cli.common.parse_as_of``."""

    def decorator(f: F) -> F:
        return click.option("--as-of", help=help)(f)

    return decorator


def _pairs(values: tuple[str, ...], flag: str, what: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key or not rest:
            raise click.BadParameter(f"expected {what}, got {value!r}", param_hint=flag)
        pairs.append((key.strip(), rest.strip()))
    return pairs


def parse_endpoints(values: tuple[str, ...]) -> dict[str, str]:
    pairs = _pairs(values, "--endpoint", "NAME=BASE_URL")
    for key, _ in pairs:
        if key not in ENDPOINT_NAMES:
            raise click.BadParameter(
                f"unknown platform or API {key!r}; expected one of {', '.join(ENDPOINT_NAMES)}",
                param_hint="--endpoint",
            )
    return dict(pairs)


_FORMAT_PREFIX = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)=(.*)$", re.DOTALL)


def parse_outputs(
    values: tuple[str, ...], formats: Sequence[str], default: str
) -> list[tuple[str, str]]:
    """Each ``--output`` as (format, path), the same way for every command.

    ``FORMAT=PATH`` names the format, which must be one of ``formats`` (``csv=out/x.csv`` is
    never a file called ``x.csv`` in a folder ``csv=out``). A plain ``PATH`` takes the format its
    ending names, which must be one of ``formats`` too, else ``default`` (the ``--format``)."""
    known = ", ".join(formats)
    pairs = []
    for value in values:
        match = _FORMAT_PREFIX.match(value)
        if match is not None:
            name, path = match.group(1), match.group(2).strip()
            if name not in formats:
                raise click.BadParameter(
                    f"unknown format {name!r} in {value!r}; expected FORMAT=PATH with FORMAT "
                    f"one of {known}, or a plain PATH",
                    param_hint="--output",
                )
            if not path:
                raise click.BadParameter(
                    f"no PATH after {name}= in {value!r}", param_hint="--output"
                )
            pairs.append((name, path))
            continue
        if not value.strip():
            raise click.BadParameter("expected [FORMAT=]PATH, got nothing", param_hint="--output")
        inferred = format_for_path(value)
        if inferred is not None and inferred.value not in formats:
            # Writing, say, a table into `report.sarif` would pass for a report it is not.
            raise click.BadParameter(
                f"{value!r} names the {inferred.value} format, which this command does not "
                f"write; expected FORMAT=PATH with FORMAT one of {known}",
                param_hint="--output",
            )
        pairs.append((inferred.value if inferred is not None else default, value))
    return pairs
