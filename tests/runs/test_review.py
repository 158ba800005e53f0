"""The review gate: request scenarios and inventory diffs end to end against the sandbox, and
the run's live-state decisions over the fake fetcher."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.cli.exitcodes import ExitCode
from scanner.cli.main import run
from scanner.cli.review import exit_code_for
from scanner.fetch.fake import Answer, FakeFetcher, FakeFetcherFactory, Reply
from scanner.inventory import load_inventory
from scanner.model import FindingStatus
from scanner.policy import catalogue, default_pack_path, load_policy
from scanner.runs.audit import load_rules
from scanner.runs.review import (
    Decision,
    Effect,
    Liveness,
    ReviewOptions,
    ReviewResult,
    load_request,
    review_request,
)
from scanner.sandbox import Sandbox, example_world_path, load_world
from tests.fetch.conftest import FakeClock
from tests.platforms.conftest import reply

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-15"

GOOD: dict[str, Any] = {
    "platform": "bluesky",
    "handle": "copperkettle-roastery.bsky.social",
    "display_name": "Copper Kettle Roastery Tours",
    "department": "Education",
    "owner": "liam.chen@copperkettle.coffee",
    "backup_owner": "sofia.rossi@copperkettle.coffee",
    "executive_sponsor": "marcus.oyelaran@copperkettle.coffee",
    "objective": "Sell seats on roastery tours and cupping classes",
    "metrics": ["tour bookings", "class sign-ups", "repeat attendance"],
    "approval_ticket": "SOC-1042",
    "justification": "Tours sell out through word of mouth; a channel of their own.",
    "security": {
        "mfa": True,
        "credentials": "vault",
        "recovery_email": "social-admin@copperkettle.coffee",
    },
}


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example organization, so scenarios can edit it."""
    folder = tmp_path_factory.mktemp("org")
    for f in (ROOT / "inventories").glob("copper-kettle*"):
        shutil.copy(f, folder / f.name)
    return folder


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(load_world(example_world_path())) as sb:
        yield sb


def _endpoints(sb: Sandbox) -> list[str]:
    return [f"--endpoint={p}={url}" for p, url in sb.endpoints().items()]


def _review(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = run(["review", "--format", "json", "--as-of", AS_OF, *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip().startswith("{") else {}), err


def _request(folder: Path, name: str, **changes: Any) -> Path:
    data = {**GOOD, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


SCENARIOS: list[tuple[str, dict[str, Any], str, set[str]]] = [
    ("good request", {}, "approve", set()),
    ("missing owner", {"owner": None}, "reject", {"OWN-001"}),
    (
        "intern owner",
        {"owner": "kai.nakamura@copperkettle.coffee", "backup_owner": None},
        "reject",
        {"OWN-003", "OWN-004"},
    ),
    (
        "departed sponsor",
        {"executive_sponsor": "robert.hale@copperkettle.coffee"},
        "reject",
        {"OWN-005"},
    ),
    (
        "vanity-only metrics",
        {"metrics": ["followers", "likes", "impressions"]},
        "approve_with_conditions",
        {"PUR-003"},
    ),
    (
        "duplicate of an existing account",
        {
            "platform": "facebook",
            "handle": "copperkettle.seattle.cafe",
            "display_name": "Copper Kettle Seattle",
            "department": "Retail",
        },
        "reject",
        {"INV-002"},
    ),
    (
        "handle taken by a rogue lookalike",
        {"platform": "x", "handle": "copperkettle_hq", "display_name": "Copper Kettle HQ"},
        "reject",
        {"REV-007"},
    ),
    (
        "handle invalid for the platform",
        {"platform": "x", "handle": "copper.kettle.roastery.tours"},
        "reject",
        {"REV-002"},
    ),
    (
        "handle off the naming convention",
        {"handle": "beanthere-tours.bsky.social"},
        "reject",
        {"REV-003"},
    ),
]


@pytest.mark.parametrize(
    ("name", "changes", "decision", "rules"), SCENARIOS, ids=[s[0] for s in SCENARIOS]
)
def test_request_scenarios(
    name: str,
    changes: dict[str, Any],
    decision: str,
    rules: set[str],
    org: Path,
    sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
) -> None:
    request = _request(org, name.replace(" ", "-"), **changes)
    code, doc, err = _review(
        [str(request), "--inventory", str(org / "copper-kettle.yaml"), *_endpoints(sandbox)],
        capsys,
    )
    assert doc["decision"] == decision, (doc, err)
    found = {r["rule_id"] for r in doc["items"][0]["reasons"]}
    assert found == rules
    expected_code = ExitCode.FINDINGS if decision == "reject" else ExitCode.CLEAN
    assert code == expected_code
    severities = {
        info.id: info.severity.value for info in catalogue(load_policy([default_pack_path()]))
    }
    for reason in doc["items"][0]["reasons"]:
        assert reason["location"]["file"] == str(request)
        assert reason["location"]["line"] >= 1
        # The gate reports a rule with the severity `rules list` shows, never its own.
        assert reason["severity"] == severities[reason["rule_id"]]


# ----------------------------------------------------------------- the run, over the fake fetcher

PROFILE = "https://public.api.bsky.app/xrpc/app.bsky.actor.getProfile?actor="
TOURS = "copperkettle-tours.bsky.social"


def _profile(name: str, bio: str) -> Reply:
    return Reply.of_json(
        {"did": "did:plc:abc", "handle": TOURS, "displayName": name, "description": bio}
    )


def _review_run(
    org: Path, answer: Answer | None, *, offline: bool = False
) -> tuple[ReviewResult, FakeFetcherFactory]:
    """Review a request for TOURS whose profile lookup gets ``answer`` (None: none at all)."""
    fake = FakeFetcher({} if answer is None else {f"{PROFILE}{TOURS}": answer})
    factory = fake.factory()
    inventory = load_inventory(org / "copper-kettle.yaml")
    policy, _ = load_rules(inventory, ())
    request = load_request(_request(org, "run", handle=TOURS))
    options = ReviewOptions(offline=offline, as_of=date.fromisoformat(AS_OF))
    clock = FakeClock(epoch=1_800_000_000.0)
    result = review_request(request, inventory, policy, options, fetchers=factory, clock=clock)
    assert result.reviewed_at == datetime.fromtimestamp(1_800_000_000.0, UTC)
    return result, factory


LIVENESS: list[tuple[str, Answer | None, Liveness, Decision, set[str]]] = [
    (
        "free",
        reply("bluesky_400_not_found.json", 400),
        Liveness.FREE,
        Decision.APPROVE,
        set(),
    ),
    (
        "taken by someone else",
        _profile("Bob's Garage", "Weekend fixes"),
        Liveness.TAKEN,
        Decision.REJECT,
        {"REV-008"},
    ),
    (
        "already ours",
        _profile("Copper Kettle Coffee Roasters", "Roastery tours https://copperkettle.coffee"),
        Liveness.OURS,
        Decision.APPROVE_WITH_CONDITIONS,
        {"REV-006"},
    ),
    # A WAF page or a rate limit cannot tell free from taken: a person must look (exit 3).
    ("rate limited", Reply(429), Liveness.UNVERIFIED, Decision.NEEDS_REVIEW, {"REV-005"}),
    ("no answer", None, Liveness.UNVERIFIED, Decision.NEEDS_REVIEW, {"REV-005"}),
]


@pytest.mark.parametrize(
    ("name", "answer", "liveness", "decision", "rules"), LIVENESS, ids=[c[0] for c in LIVENESS]
)
def test_the_live_state_decides(
    name: str,
    answer: Answer | None,
    liveness: Liveness,
    decision: Decision,
    rules: set[str],
    org: Path,
) -> None:
    result, factory = _review_run(org, answer)
    (item,) = result.items
    assert item.liveness is liveness, item.observation
    assert {r.rule_id for r in item.reasons} == rules
    assert result.decision is decision
    assert factory.opened == [{"bluesky": 1}] and factory.closed == 1


def test_an_offline_review_opens_no_fetcher(org: Path) -> None:
    result, factory = _review_run(org, _profile("Bob's Garage", ""), offline=True)
    assert result.items[0].liveness is Liveness.NOT_CHECKED
    assert factory.opened == [] and factory.fetcher.requests == []


def test_an_invalid_handle_is_not_looked_up(org: Path) -> None:
    fake = FakeFetcher()
    inventory = load_inventory(org / "copper-kettle.yaml")
    policy, _ = load_rules(inventory, ())
    request = load_request(_request(org, "bad", platform="x", handle="copper.kettle.tours"))
    result = review_request(request, inventory, policy, ReviewOptions(), fetchers=fake.factory())
    assert result.decision is Decision.REJECT
    assert fake.requests == []


def test_login_walled_platform_needs_review_and_says_why_on_stderr(
    org: Path, sandbox: Sandbox, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A proposal on a platform that answers with its login wall is neither approved nor
    rejected: the decision names it (needs_review), stderr says why, the exit code is 3."""
    handle = "company/copper-kettle-tours"
    sandbox.set_faults("linkedin", handle, ["login_wall"])
    try:
        request = _request(org, "walled", platform="linkedin", handle=handle)
        code = run(
            [
                "review",
                str(request),
                "--inventory",
                str(org / "copper-kettle.yaml"),
                "--as-of",
                AS_OF,
                "--output",
                f"sarif={tmp_path / 'review.sarif'}",
                *_endpoints(sandbox),
            ]
        )
    finally:
        sandbox.set_faults("linkedin", handle, None)
    out, err = capsys.readouterr()
    assert code == ExitCode.INCOMPLETE
    assert out.rstrip().endswith("Decision: needs_review"), out
    assert "NEEDS_REVIEW: linkedin company/copper-kettle-tours" in out
    [line] = err.splitlines()
    assert line.startswith("rollcall: needs review: REV-005 linkedin company/copper-kettle-tours: ")
    assert "sign-in" in line, line  # the platform's own reason, from the LinkedIn spec
    # In code review it is something to look at, not an error.
    sarif = json.loads((tmp_path / "review.sarif").read_text(encoding="utf-8"))
    [result] = sarif["runs"][0]["results"]
    assert (result["ruleId"], result["kind"], result["level"]) == ("REV-005", "review", "none")


def test_every_decision_has_its_exit_code() -> None:
    expected = {
        Decision.APPROVE: ExitCode.CLEAN,
        Decision.APPROVE_WITH_CONDITIONS: ExitCode.CLEAN,
        Decision.NEEDS_REVIEW: ExitCode.INCOMPLETE,
        Decision.REJECT: ExitCode.FINDINGS,
    }
    assert set(expected) == set(Decision)
    for decision in Decision:
        assert exit_code_for(decision) is expected[decision], decision
    # Reject outranks needs_review, which outranks the approvals.
    ranked = sorted(Decision, key=lambda d: d.rank)
    assert ranked == [
        Decision.APPROVE,
        Decision.APPROVE_WITH_CONDITIONS,
        Decision.NEEDS_REVIEW,
        Decision.REJECT,
    ]


def test_every_effect_maps_to_a_finding_status() -> None:
    statuses = {effect: effect.finding_status for effect in Effect}
    assert statuses == {
        Effect.BLOCKS: FindingStatus.FAIL,
        Effect.UNVERIFIED: FindingStatus.ERROR,
        Effect.CONDITION: FindingStatus.WARN,
    }


def test_unapproved_platform(org: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for f in org.glob("copper-kettle*"):
        shutil.copy(f, tmp_path / f.name)
    inventory = tmp_path / "copper-kettle.yaml"
    text = inventory.read_text(encoding="utf-8")
    inventory.write_text(
        text.replace("github, reddit, medium, tumblr]", "github, reddit, medium]"), encoding="utf-8"
    )
    request = _request(tmp_path, "tumblr", platform="tumblr", handle="copperkettle-tours")
    code, doc, _ = _review([str(request), "--inventory", str(inventory), "--offline"], capsys)
    assert doc["decision"] == "reject"
    assert "REV-001" in {r["rule_id"] for r in doc["items"][0]["reasons"]}
    assert code == ExitCode.FINDINGS


def test_offline_review_does_not_check_liveness(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = _request(org, "offline")
    code, doc, _ = _review(
        [str(request), "--inventory", str(org / "copper-kettle.yaml"), "--offline"], capsys
    )
    assert doc["items"][0]["liveness"] == "not_checked"
    assert code == ExitCode.CLEAN


def _edit_head(org: Path, tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    for f in org.glob("copper-kettle*"):
        shutil.copy(f, tmp_path / f.name)
    head = tmp_path / "copper-kettle.yaml"
    text = head.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    line = text[: text.index(old)].count("\n") + 1
    head.write_text(text.replace(old, new), encoding="utf-8")
    return head, line


def test_diff_owner_changed_to_departed_person_is_rejected_on_the_changed_line(
    org: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    head, first = _edit_head(
        org,
        tmp_path,
        "  - id: x-main\n    platform: x\n    handle: copperkettle\n"
        "    display_name: Copper Kettle Coffee Roasters\n    status: active\n"
        "    department: Marketing\n    owner: liam.chen@copperkettle.coffee\n",
        "  - id: x-main\n    platform: x\n    handle: copperkettle\n"
        "    display_name: Copper Kettle Coffee Roasters\n    status: active\n"
        "    department: Marketing\n    owner: jake.morrison@copperkettle.coffee\n",
    )
    sarif_path = tmp_path / "review.sarif"
    code, doc, _ = _review(
        [
            "--base",
            str(org / "copper-kettle.yaml"),
            "--head",
            str(head),
            "--offline",
            "--output",
            f"sarif={sarif_path}",
        ],
        capsys,
    )
    assert code == ExitCode.FINDINGS
    [item] = doc["items"]
    assert item["account_id"] == "x-main" and item["change"] == "changed"
    assert "OWN-002" in {r["rule_id"] for r in item["reasons"]}
    sarif = json.loads(sarif_path.read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    own = [r for r in results if r["ruleId"] == "OWN-002"]
    region = own[0]["locations"][0]["physicalLocation"]
    assert region["artifactLocation"]["uri"].endswith("copper-kettle.yaml")
    assert region["region"]["startLine"] == first + 6  # the owner line, not the account's


def test_diff_retiring_an_account_is_approved_with_conditions(
    org: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    head, _ = _edit_head(
        org,
        tmp_path,
        "  - id: x-main\n    platform: x\n    handle: copperkettle\n"
        "    display_name: Copper Kettle Coffee Roasters\n    status: active\n",
        "  - id: x-main\n    platform: x\n    handle: copperkettle\n"
        "    display_name: Copper Kettle Coffee Roasters\n    status: retired\n",
    )
    code, doc, _ = _review(
        ["--base", str(org / "copper-kettle.yaml"), "--head", str(head), "--offline"], capsys
    )
    [item] = doc["items"]
    assert item["change"] == "retired"
    assert doc["decision"] == "approve_with_conditions"
    assert code == ExitCode.CLEAN


def test_diff_from_a_git_ref(org: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    for f in org.glob("copper-kettle*"):
        shutil.copy(f, repo / f.name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    head = repo / "copper-kettle.yaml"
    head.write_text(
        head.read_text(encoding="utf-8").replace(
            "    handle: CopperKettleCS\n", "    handle: CopperKettleHlp\n"
        ),
        encoding="utf-8",
    )
    code, doc, _ = _review(["--head", str(head), "--base-ref", "HEAD", "--offline"], capsys)
    assert [i["account_id"] for i in doc["items"]] == ["x-support"]
    assert code in (ExitCode.CLEAN, ExitCode.FINDINGS)
    assert not list(repo.glob(".rollcall-base-*")), "the base copy is cleaned up"


def test_bad_request_file_is_exit_2(org: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = org / "typo.yaml"
    path.write_text("platform: x\nhandel: copperkettle_tours\n", encoding="utf-8")
    code = run(["review", str(path), "--inventory", str(org / "copper-kettle.yaml")])
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT
    assert f"{path}:2" in err and "did you mean 'handle'" in err
    assert "Traceback" not in err
