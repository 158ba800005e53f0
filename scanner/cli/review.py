"""``rollcall review``: the gate for new accounts and inventory changes in code review."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import assert_never

import click

from scanner.cli.common import fetch_config, fetchers_for, parse_as_of
from scanner.cli.exitcodes import ExitCode
from scanner.cli.options import (
    allow_private_network_option,
    as_of_option,
    config_option,
    endpoint_option,
    format_option,
    offline_option,
    output_option,
    policy_option,
    timeout_option,
    wide_option,
)
from scanner.cli.output import emit, output_pairs
from scanner.errors import SourceError, UsageError
from scanner.inventory import load_inventory
from scanner.model import Inventory, Severity
from scanner.reports import Document, format_names
from scanner.reports.sanitize import strip_terminal as for_terminal
from scanner.runs.audit import load_rules
from scanner.runs.review import (
    Decision,
    ReviewOptions,
    load_request,
    review_diff,
    review_request,
)

FORMATS = format_names(Document.REVIEW)
"""What ``review`` writes (the renderers in ``scanner.reports.review``)."""


@click.command("review")
@click.argument("request", required=False, type=click.Path(path_type=Path))
@click.option(
    "--inventory",
    "inventory",
    type=click.Path(path_type=Path),
    help="The inventory the requested account would join.",
)
@click.option(
    "--base",
    "base",
    type=click.Path(path_type=Path),
    help="Diff mode: the inventory before the change.",
)
@click.option(
    "--head",
    "head",
    type=click.Path(path_type=Path),
    help="Diff mode: the inventory after the change.",
)
@click.option(
    "--base-ref",
    "base_ref",
    metavar="GIT_REF",
    help="Diff mode: read the base inventory from git at GIT_REF (the --head path).",
)
@policy_option("Rule pack (repeatable). Default: the inventory's packs, else the default pack.")
@offline_option("Do not check the handle on the live platform.")
@format_option(FORMATS)
@output_option
@click.option(
    "--block-at",
    default="medium",
    show_default=True,
    type=click.Choice([s.value for s in Severity]),
    help="Rule failures at or above this severity reject; below, they are conditions.",
)
@as_of_option()
@endpoint_option
@allow_private_network_option
@timeout_option
@config_option
@wide_option
def command(
    request: Path | None,
    inventory: Path | None,
    base: Path | None,
    head: Path | None,
    base_ref: str | None,
    policies: tuple[Path, ...],
    offline: bool,
    fmt: str,
    outputs: tuple[str, ...],
    block_at: str,
    as_of: str | None,
    endpoints: tuple[str, ...],
    allow_private_network: bool,
    timeouts: tuple[str, ...],
    config_path: Path | None,
    wide: bool,
) -> int:
    """Review REQUEST (a proposed account) against --inventory, or an inventory change given as
    --base/--head (or --head with --base-ref).

    Exit 0 approve (with or without conditions), 1 reject, 2 bad input, 3 needs_review: a live
    check could not be verified (login wall, WAF, rate limit); why is printed on stderr.
    """
    fetchers = fetchers_for(fetch_config(endpoints, allow_private_network, config_path, timeouts))
    options = ReviewOptions(
        offline=offline,
        as_of=parse_as_of(as_of),
        block_at=Severity(block_at),
    )
    pairs = output_pairs(outputs, Document.REVIEW, fmt)
    if request is not None:
        if inventory is None:
            raise UsageError("a REQUEST needs --inventory INVENTORY")
        if base or head or base_ref:
            raise UsageError("give either REQUEST with --inventory, or --base/--head; not both")
        target = load_inventory(inventory)
        policy, _ = load_rules(target, policies)
        result = review_request(load_request(request), target, policy, options, fetchers=fetchers)
    else:
        if head is None or (base is None) == (base_ref is None):
            raise UsageError(
                "diff mode needs --head and exactly one of --base or --base-ref"
                " (or give a REQUEST file with --inventory)"
            )
        head_inventory = load_inventory(head)
        base_inventory = (
            load_inventory(base) if base is not None else _inventory_at_ref(head, base_ref or "")
        )
        policy, _ = load_rules(head_inventory, policies)
        result = review_diff(base_inventory, head_inventory, policy, options, fetchers=fetchers)
    emit(Document.REVIEW, result, fmt, pairs, wide=wide)
    # One line per check that could not be made, so CI logs and annotations say why (exit 3).
    for item, reason in result.unverified():
        click.echo(
            f"rollcall: needs review: {reason.rule_id} {item.account.platform.value}"
            f" {for_terminal(item.account.handle)}: {for_terminal(reason.message)}",
            err=True,
        )
    return int(exit_code_for(result.decision))


def exit_code_for(decision: Decision) -> ExitCode:
    """The exit code of a review decision; it never depends on flags."""
    match decision:
        case Decision.APPROVE | Decision.APPROVE_WITH_CONDITIONS:
            return ExitCode.CLEAN
        case Decision.NEEDS_REVIEW:
            return ExitCode.INCOMPLETE
        case Decision.REJECT:
            return ExitCode.FINDINGS
        case _:
            assert_never(decision)


def _inventory_at_ref(head: Path, ref: str) -> Inventory:
    """Load the --head file as it was at git REF (written beside it, so relative paths hold)."""
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=head.resolve().parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        rel = head.resolve().relative_to(top).as_posix()
        content = subprocess.run(
            ["git", "show", f"{ref}:{rel}"],
            cwd=top,
            capture_output=True,
            check=True,
        ).stdout
    except (subprocess.CalledProcessError, FileNotFoundError, ValueError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        text = detail.decode(errors="replace").strip() if isinstance(detail, bytes) else str(detail)
        raise SourceError(str(head), f"cannot read it at git ref {ref!r}: {text or exc}") from None
    with tempfile.NamedTemporaryFile(
        "wb", suffix=head.suffix, prefix=".rollcall-base-", dir=head.resolve().parent, delete=False
    ) as tmp:
        tmp.write(content)
    try:
        return load_inventory(Path(tmp.name))
    finally:
        Path(tmp.name).unlink(missing_ok=True)
