"""``rollcall audit`` under hostile hosts, over real sockets: a slow-loris account beside healthy
ones, a host asking for a long Retry-After, and a run out of time. Each must end within its
configured budget with the slow accounts unverified, the rest verified and the reports written.
Durations are asserted only as generous "did not hang" bounds."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scanner.cli.exitcodes import ExitCode
from scanner.cli.main import run
from scanner.fetch import FetchConfig, HostLimits, Timeouts
from scanner.fetch.factory import run_budget
from scanner.model import Platform
from scanner.sandbox import Sandbox, example_world_path, load_world
from tests.fetch.conftest import LocalServer, Reply, Seen, Trickle

SLOW = "copperkettle-data"
ACCOUNTS = [
    # The slow account first: on a one-connection host it is the one holding the line.
    ("gh-data", "github", SLOW),
    ("gh-org", "github", "copperkettle"),
    ("gh-design", "github", "copperkettle-design"),
    ("bs-main", "bluesky", "copperkettle.coffee"),
    ("bs-roastery", "bluesky", "copperkettleroastery.bsky.social"),
]
OWNER = "maria.okafor@copperkettle.coffee"
ROSTER = (
    "email,name,department,role,status,start_date,end_date,policy_acknowledged\n"
    f"{OWNER},Maria Okafor,Communications,employee,active,2019-08-19,,2026-01-12\n"
)
HOP_BY_HOP = {"connection", "content-length", "content-encoding", "transfer-encoding", "date"}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(load_world(example_world_path())) as sb:
        yield sb


@pytest.fixture
def clean(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.clear_faults()
    yield sandbox
    sandbox.clear_faults()


@pytest.fixture
def relay(clean: Sandbox) -> Iterator[LocalServer]:
    """GitHub's endpoint: the sandbox's answers relayed, except the slow account's (a test sets
    its route)."""
    server = LocalServer()
    client = httpx.Client(timeout=10)

    def forward(seen: Seen) -> Reply:
        headers = {k: v for k, v in seen.headers.items() if k in ("accept", "x-forwarded-host")}
        answer = client.get(f"{clean.base_url}{seen.target}", headers=headers)
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
        return Reply(answer.status_code, kept, answer.content)

    server.fallback = forward
    server.start()
    try:
        yield server
    finally:
        server.close()
        client.close()


def inventory(tmp_path: Path) -> Path:
    lines = ["organization:", "  name: Copper Kettle Coffee Roasters", "  roster: roster.csv"]
    lines.append("accounts:")
    for account_id, platform, handle in ACCOUNTS:
        lines += [
            f"  - id: {account_id}",
            f"    platform: {platform}",
            f"    handle: {handle}",
            "    status: active",
            f"    owner: {OWNER}",
        ]
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    path = tmp_path / "inventory.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def audit(
    tmp_path: Path, sandbox: Sandbox, *flags: str, github: str | None = None
) -> tuple[int, float, dict[str, Any]]:
    """Run ``rollcall audit`` with JSON and CSV reports; (exit code, seconds, JSON report)."""
    endpoints = {**sandbox.endpoints(), **({"github": github} if github else {})}
    report, table = tmp_path / "audit.json", tmp_path / "audit.csv"
    args = [
        "audit",
        str(inventory(tmp_path)),
        "--no-history",
        "--fail-on",
        "never",
        "--max-unverified",
        "1",
        "--format",
        "json",
        "--output",
        f"json={report}",
        "--output",
        f"csv={table}",
        *(f"--endpoint={p}={u}" for p, u in endpoints.items()),
        *flags,
    ]
    started = time.monotonic()
    code = run(args)
    elapsed = time.monotonic() - started
    assert table.stat().st_size > 0
    return code, elapsed, json.loads(report.read_text(encoding="utf-8"))


def observed(report: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    """Account id → (observation status, reason code)."""
    out = {}
    for account in report["accounts"]:
        obs = account["observation"]
        out[account["id"]] = (obs["status"], (obs.get("reason") or {}).get("code"))
    return out


@pytest.mark.parametrize("trickle", list(Trickle), ids=str)
def test_a_slow_loris_account_ends_timeout_and_the_others_are_verified(
    relay: LocalServer,
    clean: Sandbox,
    tmp_path: Path,
    trickle: Trickle,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # One byte (or one header line) a second: httpx's per-read timeout never fires.
    relay.route(f"/github/users/{SLOW}", Reply(trickle=trickle, every=1.0))
    budget = ["--timeout", "attempt=2", "--timeout", "account=3"]
    code, elapsed, report = audit(tmp_path, clean, *budget, github=f"{relay.url}/github")
    capsys.readouterr()
    assert code == ExitCode.CLEAN
    assert elapsed < 20, f"the audit took {elapsed:.1f} s with a 3 s account budget"
    seen = observed(report)
    assert seen.pop("gh-data") == ("error", "timeout")
    assert all(status == "present" for status, _ in seen.values()), seen


def test_a_long_retry_after_gives_its_host_up_and_other_hosts_go_on(
    clean: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean.set_host_faults(Platform.GITHUB, [{"kind": "rate_limit", "retry_after": 59}])
    code, elapsed, report = audit(tmp_path, clean, "--timeout", "max_wait=2")
    capsys.readouterr()
    assert code == ExitCode.CLEAN
    assert elapsed < 20, f"the audit took {elapsed:.1f} s; Retry-After: 59 was obeyed"
    seen = observed(report)
    for account_id, platform, _ in ACCOUNTS:
        if platform == "github":
            assert seen[account_id] == ("blocked", "rate_limited"), account_id
        else:
            assert seen[account_id][0] == "present", account_id


def test_when_the_run_budget_runs_out_the_rest_end_run_deadline(
    relay: LocalServer, clean: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One connection to GitHub, held by the slow account; the other GitHub accounts queue
    # behind it until the run is over. The budgets come from the config file.
    relay.route(f"/github/users/{SLOW}", Reply(trickle=Trickle.BODY, every=1.0))
    config = tmp_path / "rollcall.toml"
    config.write_text(
        "[timeouts]\nattempt = 30\naccount = 60\nrun = 3\n\n[limits.github]\nconcurrency = 1\n",
        encoding="utf-8",
    )
    code, elapsed, report = audit(
        tmp_path, clean, "--config", str(config), github=f"{relay.url}/github"
    )
    capsys.readouterr()
    assert code == ExitCode.CLEAN
    assert elapsed < 20, f"the audit took {elapsed:.1f} s with a 3 s run budget"
    seen = observed(report)
    for account_id, platform, _ in ACCOUNTS:
        if platform == "github":
            assert seen[account_id] == ("error", "run_deadline"), account_id
        else:
            assert seen[account_id][0] == "present", account_id


def test_the_scaled_run_budget_grows_with_the_busiest_platform() -> None:
    limits = {"github": HostLimits(2, 0.5), "bluesky": HostLimits(4, 0.0)}
    config = FetchConfig(tokens={}, timeouts=Timeouts(account=60), max_rate_limit_wait=30)
    accounts = {"github": 10, "bluesky": 12}
    # GitHub paces 10 accounts x 2 requests at 0.5 s; Bluesky 12 x 2 at 1 s / 4 connections.
    assert run_budget(accounts, config, limits) == 2 * 10.0 + 60 + 30
    assert run_budget({"github": 1}, config, limits) == 2 * 1.0 + 60 + 30
    explicit = FetchConfig(tokens={}, timeouts=Timeouts(run=5))
    assert run_budget(accounts, explicit, limits) == 5
