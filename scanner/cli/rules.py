"""``rollcall rules list`` and ``rollcall rules explain ID``: what the policy checks, in words."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scanner.cli.exitcodes import ExitCode
from scanner.cli.options import format_option, wide_option
from scanner.errors import UsageError, did_you_mean
from scanner.model import AccountStatus, RuleInfo
from scanner.policy import (
    BUILTIN_RULES,
    Policy,
    Rule,
    catalogue,
    default_pack_path,
    describe,
    load_policy,
)
from scanner.policy.checks import CHECKS
from scanner.reports.layout import Column, output_width, render_table

__all__ = ["command"]


def _policy_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--policy",
        "packs",
        multiple=True,
        type=click.Path(path_type=Path, dir_okay=False),
        help="Rule pack to load (repeatable; default: policies/default.yaml).",
    )(f)


def _load(packs: tuple[Path, ...]) -> Policy:
    return load_policy([str(p) for p in packs] or [str(default_pack_path())])


def _scope_text(rule: Rule) -> str:
    order = [s for s in AccountStatus if s in rule.scope.statuses]
    text = ", ".join(s.value for s in order)
    if rule.scope.platforms:
        text += " on " + ", ".join(sorted(p.value for p in rule.scope.platforms))
    if rule.scope.tags:
        text += " tagged " + ", ".join(sorted(rule.scope.tags))
    if rule.scope.where is not None:
        text += " (where ...)"
    return text


@click.group("rules")
def command() -> None:
    """List the rules and explain what each one checks."""


_LIST_COLUMNS = (
    Column("id"),
    Column("severity", priority=2),
    Column("category", priority=3),
    Column("applies to", priority=4, min_width=12),
    Column("title", min_width=30),
)


@command.command("list")
@_policy_option
@format_option(["table", "json"])
@wide_option
def list_rules(packs: tuple[Path, ...], fmt: str, wide: bool) -> int:
    """List every rule: id, severity, category, scope and title."""
    policy = _load(packs)
    if fmt == "json":
        data = [
            {
                "id": r.id,
                "title": r.title,
                "severity": r.severity.value,
                "category": r.category,
                "statuses": sorted(s.value for s in r.scope.statuses),
                "pack": r.pack,
                "params": dict(r.params),
                "references": list(r.references),
            }
            for r in policy.rules
        ]
        data += [
            {
                "id": info.id,
                "title": info.title,
                "severity": info.severity.value,
                "category": info.category,
                "statuses": [],
                "pack": "built-in",
                "params": {},
                "references": list(info.references),
            }
            for info in _builtins(policy)
        ]
        click.echo(json.dumps(data, indent=2))
        return int(ExitCode.CLEAN)
    rows = [[r.id, r.severity.value, r.category, _scope_text(r), r.title] for r in policy.rules]
    rows += [
        [i.id, i.severity.value, i.category, _BUILT_IN_SCOPE, i.title] for i in _builtins(policy)
    ]
    click.echo(render_table(_LIST_COLUMNS, rows, output_width(wide)))
    return int(ExitCode.CLEAN)


_BUILT_IN_SCOPE = "built-in"
"""What `rules list` shows as the scope of a rule that Rollcall's own steps raise."""


def _builtins(policy: Policy) -> list[RuleInfo]:
    """The built-in rules no pack redeclares (a pack's own declaration is listed with the pack)."""
    return [
        info for info in catalogue(policy) if info.id in BUILTIN_RULES and not policy.rule(info.id)
    ]


def _explain_builtin(info: RuleInfo) -> list[str]:
    lines = [
        f"{info.id}  {info.title}",
        f"severity: {info.severity.value}  ·  category: {info.category}  ·  built-in",
    ]
    lines += ["", "Why:", f"  {info.rationale}", "", "What it checks:", f"  {info.description}"]
    lines += ["", "Remediation:", f"  {info.remediation}"]
    if info.references:
        lines += ["", "References:", *(f"  - {r}" for r in info.references)]
    return lines


def explain_lines(rule: Rule, policy: Policy) -> list[str]:
    """The text `rules explain` prints for one rule."""
    lines = [
        f"{rule.id}  {rule.title}",
        f"severity: {rule.severity.value}  ·  category: {rule.category}  ·  pack: {rule.pack} ({rule.location})",
        "",
        "Why:",
        f"  {rule.rationale}",
        "",
        f"Applies to: {_scope_text(rule).replace(' (where ...)', '')} accounts",
    ]
    if rule.scope.where is not None:
        lines += ["  only where:", *("  " + line for line in describe(rule.scope.where, 1))]
    lines += ["", "Compliant when:"]
    if rule.assert_ is not None:
        lines += describe(rule.assert_, 1)
    else:
        assert rule.check is not None
        lines.append(
            f"  - no finding from the built-in check {rule.check!r}: fails when {CHECKS[rule.check].doc}"
        )
    lines += ["", "Message:", f"  {rule.message}", "", "Remediation:", f"  {rule.remediation}"]
    if rule.params:
        lines += ["", "Params (change with overrides.params in your own pack):"]
        lines += [f"  {name} = {value!r}" for name, value in rule.params.items()]
    if rule.effective_from is not None:
        lines += [
            "",
            f"Effective from {rule.effective_from.isoformat()} (before that, failures are warnings)",
        ]
    if rule.references:
        lines += ["", "References:", *(f"  - {r}" for r in rule.references)]
    if rule.example:
        lines += ["", "Example:", f"  {rule.example}"]
    return lines


@command.command("explain")
@click.argument("rule_id")
@_policy_option
def explain(rule_id: str, packs: tuple[Path, ...]) -> int:
    """Explain RULE_ID: why it exists, what it checks, its params, references and an example."""
    policy = _load(packs)
    wanted = rule_id.strip().upper()
    rule = policy.rule(wanted)
    if rule is not None:
        click.echo("\n".join(explain_lines(rule, policy)))
        return int(ExitCode.CLEAN)
    for info in catalogue(policy):
        if info.id == wanted:
            click.echo("\n".join(_explain_builtin(info)))
            return int(ExitCode.CLEAN)
    ids = [info.id for info in catalogue(policy)]
    close = did_you_mean(wanted, ids)
    hint = f" ({close})" if close else ""
    raise UsageError(f"unknown rule {rule_id!r}{hint}; `rollcall rules list` shows them all")
