"""Options shared by several commands, so each flag means the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from scanner.model import Platform, Severity

__all__ = [
    "allow_private_network_option",
    "as_of_option",
    "endpoint_option",
    "fail_on_option",
    "format_option",
    "offline_option",
    "output_option",
    "parse_endpoints",
    "parse_outputs",
    "platform_option",
    "policy_option",
]

F = TypeVar("F", bound=Callable[..., Any])

PLATFORM_NAMES = [p.value for p in Platform]


def endpoint_option(f: F) -> F:
    return click.option(
        "--endpoint",
        "endpoints",
        multiple=True,
        metavar="PLATFORM=BASE_URL",
        help="Send PLATFORM's requests to BASE_URL (keeps the real path and query). Repeatable.",
    )(f)


def allow_private_network_option(f: F) -> F:
    return click.option(
        "--allow-private-network",
        is_flag=True,
        help="Allow requests and redirects to loopback, private and link-local addresses.",
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


def output_option(f: F) -> F:
    return click.option(
        "--output",
        "outputs",
        multiple=True,
        metavar="FORMAT=PATH",
        help="Also write FORMAT to PATH (atomically). Repeatable.",
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
    pairs = _pairs(values, "--endpoint", "PLATFORM=BASE_URL")
    for key, _ in pairs:
        if key not in PLATFORM_NAMES:
            raise click.BadParameter(
                f"unknown platform {key!r}; expected one of {', '.join(PLATFORM_NAMES)}",
                param_hint="--endpoint",
            )
    return dict(pairs)


def parse_outputs(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return _pairs(values, "--output", "FORMAT=PATH")
