"""Nested, ReDoS and oddly-typed input files, each run as the real CLI in a subprocess: exit 2
with file:line and what was expected, within 5 s (the subprocess timeout is the "no hang"
proof), and never a traceback. The files are in ``tests/hostile_inputs/``; each says in its
first line what is wrong with it."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner import userregex
from scanner.cli.main import run
from tests.subprocess_cli import NO_HANG_SECONDS, run_cli

HERE = Path(__file__).parent / "hostile_inputs"
DEFAULT_PACK = str(Path(__file__).resolve().parent.parent / "policies" / "default.yaml")

_INVENTORY = ["--inventory", "_inventory.yaml"]
_OFFLINE_AUDIT = ["--offline", "--no-history"]
_NESTED = "nest deeper than 50 levels"
_REDOS = "backtracks catastrophically"

# case → (command line run in tests/hostile_inputs, [(file:line the message must name, fragment)])
CASES: dict[str, tuple[list[str], list[tuple[str, str]]]] = {
    # 400-deep nesting (800 bytes) in every kind of input file
    "nested-inventory": (
        ["validate", "nested-inventory.yaml"],
        [("nested-inventory.yaml:2", _NESTED)],
    ),
    "nested-roster": (["validate", "nested-roster.yaml"], [("_nested.roster.yaml:2", _NESTED)]),
    "nested-companion": (
        ["validate", "nested-companion.csv"],
        [("nested-companion.org.yaml:2", _NESTED)],
    ),
    "nested-pack": (["policy", "validate", "nested-pack.yaml"], [("nested-pack.yaml:3", _NESTED)]),
    "nested-waivers": (
        ["policy", "validate", "--waivers", "nested-waivers.yaml", *_INVENTORY],
        [("nested-waivers.yaml:2", _NESTED)],
    ),
    "nested-world": (["sandbox", "serve", "nested-world.yaml"], [("nested-world.yaml:3", _NESTED)]),
    "nested-request": (
        ["review", "nested-request.yaml", *_INVENTORY, "--offline"],
        [("nested-request.yaml:3", _NESTED)],
    ),
    "nested-config": (
        ["audit", "_inventory.yaml", "--config", "nested-config.toml", *_OFFLINE_AUDIT],
        [("nested-config.toml:2", _NESTED)],
    ),
    "nested-mapping": (["validate", "nested-mapping.yaml"], [("nested-mapping.yaml:52", _NESTED)]),
    "self-alias": (["validate", "self-alias.yaml"], [("self-alias.yaml:2", _NESTED)]),
    # patterns that backtrack catastrophically, wherever a user pattern is written
    "redos-handle-pattern": (
        ["validate", "redos-handle-pattern.yaml"],
        [
            (
                "redos-handle-pattern.yaml:6",
                f"handle_pattern: regular expression '^(a|aa)+$' {_REDOS}",
            )
        ],
    ),
    "redos-display-pattern": (
        ["validate", "redos-display-pattern.yaml"],
        [("redos-display-pattern.yaml:6", "display_name_pattern: regular expression")],
    ),
    "redos-audit": (
        ["audit", "redos-handle-pattern.yaml", *_OFFLINE_AUDIT],
        [("redos-handle-pattern.yaml:6", _REDOS)],
    ),
    "redos-review": (
        ["review", "_request.yaml", "--inventory", "redos-handle-pattern.yaml", "--offline"],
        [("redos-handle-pattern.yaml:6", _REDOS)],
    ),
    "redos-rule": (
        ["policy", "validate", "redos-rule.yaml"],
        [("redos-rule.yaml:9", f"display_name matches: regular expression '^(a|aa)+$' {_REDOS}")],
    ),
    "redos-rule-param": (
        ["policy", "validate", "redos-rule-param.yaml"],
        [("redos-rule-param.yaml:12", _REDOS)],
    ),
    "redos-override": (
        ["policy", "validate", "_pattern-pack.yaml", "redos-override.yaml"],
        [("redos-override.yaml:5", "param 'pattern' does not fit rule NAM-001 (display_name")],
    ),
    # oddly-typed values: a list for a mapping, a number for a date, a mapping for text, ...
    "odd-organization-list": (
        ["validate", "odd-organization-list.yaml"],
        [("odd-organization-list.yaml:2", "organization: expected a mapping, got a list")],
    ),
    "odd-accounts-mapping": (
        ["validate", "odd-accounts-mapping.yaml"],
        [("odd-accounts-mapping.yaml:5", "accounts: expected a list of accounts")],
    ),
    "odd-handle-mapping": (
        ["validate", "odd-handle-mapping.yaml"],
        [("odd-handle-mapping.yaml:8", "handle: expected the account's handle, got a mapping")],
    ),
    "odd-created-number": (
        ["validate", "odd-created-number.yaml"],
        [
            (
                "odd-created-number.yaml:11",
                "created: expected an ISO date (YYYY-MM-DD), got 20240101",
            )
        ],
    ),
    "odd-attested-9999": (
        ["validate", "odd-attested-9999.yaml"],
        [("odd-attested-9999.yaml:11", "expected a date from 1900-01-01 to 2100-12-31")],
    ),
    "odd-huge-int": (
        ["validate", "odd-huge-int.yaml"],
        [("odd-huge-int.yaml:8", "number of 5,000 digits (999999999999…) is too large")],
    ),
    "odd-security-list": (
        ["validate", "odd-security-list.yaml"],
        [("odd-security-list.yaml:11", "security: expected a mapping, got a list")],
    ),
    "odd-naming-number": (
        ["validate", "odd-naming-number.yaml"],
        [("odd-naming-number.yaml:6", "expected a regular expression, got 12.5")],
    ),
    "odd-roster": (
        ["validate", "odd-roster.yaml"],
        [
            ("_odd.roster.yaml:4", "name: expected the person's name, got a mapping"),
            ("_odd.roster.yaml:7", "start_date: expected an ISO date"),
        ],
    ),
    "odd-pack-scope-list": (
        ["policy", "validate", "odd-pack-scope-list.yaml"],
        [
            ("odd-pack-scope-list.yaml:6", "unknown severity"),
            ("odd-pack-scope-list.yaml:9", "scope: expected a mapping"),
        ],
    ),
    "odd-pack-days": (
        ["policy", "validate", "odd-pack-days.yaml"],
        [
            ("odd-pack-days.yaml:9", "expected a whole number of days (0 or more), got a mapping"),
            ("odd-pack-days.yaml:17", "expected a number of at most 1,000,000,000"),
        ],
    ),
    "odd-pack-effective": (
        ["policy", "validate", "odd-pack-effective.yaml"],
        [
            (
                "odd-pack-effective.yaml:9",
                "effective_from: expected a date (YYYY-MM-DD), got the number",
            )
        ],
    ),
    "odd-override-huge": (
        ["policy", "validate", DEFAULT_PACK, "odd-override-huge.yaml"],
        [
            ("odd-override-huge.yaml:5", "param 'attest_days': expected a number of at most"),
            ("odd-override-huge.yaml:6", "param 'waivers.max_days': expected a number of at most"),
        ],
    ),
    "odd-waivers": (
        ["policy", "validate", "--waivers", "odd-waivers.yaml", *_INVENTORY],
        [
            ("odd-waivers.yaml:4", "rule: expected non-empty text"),
            ("odd-waivers.yaml:9", "created: expected a date"),
        ],
    ),
    "odd-waivers-mapping": (
        ["policy", "validate", "--waivers", "odd-waivers-mapping.yaml", *_INVENTORY],
        [("odd-waivers-mapping.yaml:2", "waivers: expected a list of waivers")],
    ),
    "odd-request": (
        ["review", "odd-request.yaml", *_INVENTORY, "--offline"],
        [
            ("odd-request.yaml:2", "platform: expected text, got a list"),
            ("odd-request.yaml:3", "handle: expected text, got a mapping"),
        ],
    ),
    "odd-request-list": (
        ["review", "odd-request-list.yaml", *_INVENTORY, "--offline"],
        [("odd-request-list.yaml:2", "expected a mapping of request fields")],
    ),
    "odd-world": (
        ["sandbox", "serve", "odd-world.yaml"],
        [("odd-world.yaml:2", "as_of: expected a date")],
    ),
    "odd-config": (
        ["audit", "_inventory.yaml", "--config", "odd-config.toml", *_OFFLINE_AUDIT],
        [("odd-config.toml:3", "proxy: expected a proxy URL")],
    ),
}


def _cli(args: list[str], cwd: Path = HERE) -> subprocess.CompletedProcess[str]:
    return run_cli(args, cwd)


def test_every_fixture_file_is_a_case_or_a_companion() -> None:
    used = {arg for args, _ in CASES.values() for arg in args}
    used |= {where.split(":")[0] for _, expects in CASES.values() for where, _ in expects}
    for path in HERE.iterdir():
        if path.name.startswith("_") or path.name.endswith(".org.yaml"):
            continue
        assert path.name in used, f"{path.name} is not run by any case"


def test_nested_fixtures_are_small() -> None:
    # The issue's point: 800 bytes are enough to break a loader that recurses per level.
    assert (HERE / "nested-inventory.yaml").stat().st_size < 1000


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_input_exits_2_with_location(case: str) -> None:
    args, expects = CASES[case]
    proc = _cli(args)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Traceback" not in output
    for where, fragment in expects:
        rows = [row for row in output.splitlines() if f"{where}:" in row or f"{where} " in row]
        assert rows, f"nothing at {where} in:\n{output}"
        assert any(fragment in row for row in rows), f"{fragment!r} not at {where} in:\n{output}"


def test_issue_pattern_no_longer_hangs_the_audit(tmp_path: Path) -> None:
    # `^(a+)+$` is the issue's own example. With `re`, a 40-letter name that ends in something
    # else takes ~2^40 steps; the `regex` engine decides it at once, so the pattern is a valid
    # convention and the audit simply finishes (it was still running at 60 s) with a verdict.
    text = (HERE / "redos-handle-pattern.yaml").read_text(encoding="utf-8")
    # A LinkedIn slug may be that long (up to 100); its name part is the whole slug.
    text = text.replace("'^(a|aa)+$'", "'^(a+)+$'").replace("platform: x", "platform: linkedin")
    inventory = tmp_path / "inventory.yaml"
    slug = f"handle: 'company/{'a' * 40}_x'"
    inventory.write_text(text.replace("handle: exampleorg", slug), "utf-8")
    (tmp_path / "_roster.csv").write_bytes((HERE / "_roster.csv").read_bytes())
    # --max-unverified 1: offline, the live checks are not made; the verdict wanted is IDN-004.
    proc = _cli(
        ["audit", "inventory.yaml", *_OFFLINE_AUDIT, "--max-unverified", "1", "--format", "json"],
        cwd=tmp_path,
    )
    assert proc.returncode in (0, 1), proc.stderr
    statuses = {f["rule_id"]: f["status"] for f in json.loads(proc.stdout)["findings"]}
    assert statuses["IDN-004"] == "fail"


@pytest.fixture
def probe_misses(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Stand for a catastrophic pattern that the validation probe did not catch: only the time
    limit at evaluation is left between it and a hang."""
    userregex.user_pattern_problem.cache_clear()
    monkeypatch.setattr(userregex, "_probes", lambda text: [])
    yield
    userregex.user_pattern_problem.cache_clear()


def test_regex_timeout_ends_the_rule_error_never_a_hang(
    tmp_path: Path, probe_misses: None, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        (HERE / "redos-rule.yaml").read_text(encoding="utf-8").replace("NAM-001", "NAM-009"),
        encoding="utf-8",
    )
    accounts = "".join(
        f"  - id: x-{n}\n    platform: x\n    handle: exampleorg{n}\n    status: active\n"
        f"    owner: ana@example.org\n    display_name: '{'a' * 40}!'\n"
        for n in range(6)
    )
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        f"organization:\n  name: Example Org\n  roster: _roster.csv\naccounts:\n{accounts}",
        encoding="utf-8",
    )
    (tmp_path / "_roster.csv").write_bytes((HERE / "_roster.csv").read_bytes())
    started = time.monotonic()
    code = run(
        ["audit", str(inventory), "--policy", str(pack), *_OFFLINE_AUDIT, "--format", "json"]
    )
    elapsed = time.monotonic() - started
    report = json.loads(capsys.readouterr().out)
    # Every account has a check that could not be decided: incomplete, as it would be online.
    assert code == 3
    findings = [f for f in report["findings"] if f["rule_id"] == "NAM-009"]
    assert len(findings) == 6
    for finding in findings:
        assert finding["status"] == "error"
        assert finding["evidence"]["reason"] == "regex_timeout"
        assert "took longer than" in finding["message"]
    # Three searches time out, then the pattern is known to: six accounts do not cost six.
    assert elapsed < NO_HANG_SECONDS
