"""``rollcall credentials check`` over real sockets against the owner-API sandbox
(tests/sandbox/api-world.yaml): healthy, expired, revoked, missing, quota exhausted, an app-only
X token, expiry within CRD-002's window, and no token in any output."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scanner.cli.main import run
from scanner.fetch import HttpFetcherFactory
from scanner.platforms import host_limits, platform_fetch_config, token_env_names
from scanner.platforms.api.interface import Api
from scanner.platforms.connectors import ApiAccess
from scanner.runs import credentials as run_module
from scanner.runs.credentials import CredentialReport, Health, check_credentials
from scanner.sandbox import Sandbox, load_world
from tests.fetch.conftest import FakeClock

API_WORLD = Path(__file__).parents[1] / "sandbox" / "api-world.yaml"
HEALTHY = {
    "ROLLCALL_X_TOKEN": "x-ok",
    "ROLLCALL_LINKEDIN_TOKEN": "li-ok",
    "ROLLCALL_TIKTOK_TOKEN": "tt-ok",
    "ROLLCALL_THREADS_TOKEN": "threads-ok",
    "ROLLCALL_YOUTUBE_API_KEY": "yt-ok",
}


@pytest.fixture(scope="module")
def api_sandbox() -> Iterator[Sandbox]:
    with Sandbox(load_world(API_WORLD)) as sandbox:
        yield sandbox


@pytest.fixture
def sb(api_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    for name in token_env_names():
        monkeypatch.delenv(name, raising=False)
    api_sandbox.clear_faults()
    api_sandbox.reset_counters()
    yield api_sandbox
    for token in ("yt-ok", "x-ok", "li-ok", "meta-ok"):
        api_sandbox.set_credential_state(token, None)
    api_sandbox.set_quota("yt-ok", None)


def flags(sandbox: Sandbox) -> list[str]:
    return [f for p, url in sandbox.endpoints().items() for f in ("--endpoint", f"{p}={url}")]


def cli(
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tokens: Mapping[str, str],
    *args: str,
) -> tuple[int, str]:
    for env, token in tokens.items():
        monkeypatch.setenv(env, token)
    capsys.readouterr()
    code = run(["credentials", "check", *args, *flags(sandbox)])
    out, err = capsys.readouterr()
    return code, out + err


def report(sandbox: Sandbox, tokens: Mapping[str, str], when: datetime) -> CredentialReport:
    config = platform_fetch_config(endpoints=sandbox.endpoints(), tokens=tokens)
    fetchers = HttpFetcherFactory(config, host_limits())
    clock = FakeClock(epoch=when.timestamp())
    return check_credentials(ApiAccess.from_config(config), fetchers, clock=clock)


def by_api(found: CredentialReport) -> dict[str, Health]:
    return {c.api: c.health for c in found.credentials}


def test_every_owner_api_has_a_probe() -> None:
    assert set(run_module._PROBES) == set(Api)


def test_healthy_credentials_exit_0_and_no_secret_reaches_any_output(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "creds.json"
    code, text = cli(sb, monkeypatch, capsys, HEALTHY, "--output", f"json={out_file}")
    assert code == 0, text
    for line in ("ROLLCALL_X_TOKEN", "app-only token", "@kettletok", "@kettle.threads"):
        assert line in text
    doc = json.loads(out_file.read_text(encoding="utf-8"))
    assert {c["health"] for c in doc["credentials"]} == {"healthy"}
    assert len(doc["credentials"]) == len(HEALTHY)
    _, as_json = cli(sb, monkeypatch, capsys, HEALTHY, "--format", "json")
    for secret in HEALTHY.values():
        assert secret not in text and secret not in as_json
        assert secret not in out_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_a_dead_token_is_invalid_with_the_apis_code_and_exits_1(
    sb: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    state: str,
) -> None:
    sb.set_credential_state("li-ok", state)
    sb.set_credential_state("x-ok", state)
    code, text = cli(sb, monkeypatch, capsys, HEALTHY, "--format", "json")
    assert code == 1, text
    found = {c["api"]: c for c in json.loads(text[: text.rindex("}") + 1])["credentials"]}
    assert found["linkedin-api"]["health"] == "invalid"
    assert found["linkedin-api"]["signal"].startswith("status:401")
    assert found["x-api"]["health"] == "invalid"
    assert found["tiktok-api"]["health"] == "healthy"
    assert "li-ok" not in text and "x-ok" not in text


def test_an_expired_meta_token_says_190_463(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tokens = {"ROLLCALL_META_TOKEN": "meta-expired"}
    code, text = cli(sb, monkeypatch, capsys, tokens, "--wide")
    assert code == 1
    assert "invalid" in text and "error.code=190" in text and "error_subcode=463" in text
    assert "meta-expired" not in text


def test_meta_expiry_within_14_days_is_a_problem_and_further_out_is_healthy(
    sb: Sandbox,
) -> None:
    tokens = {"ROLLCALL_META_TOKEN": "meta-ok"}  # expires 2026-12-20 in the world file
    early = report(sb, tokens, datetime(2026, 11, 15, tzinfo=UTC))
    (checked,) = early.credentials
    assert checked.health is Health.HEALTHY and checked.days_left == 35
    assert checked.scopes and not early.problems
    late = report(sb, tokens, datetime(2026, 12, 10, tzinfo=UTC))
    assert late.credentials[0].days_left == 10 and late.problems == late.credentials


def test_a_named_credential_whose_variable_is_unset_is_missing(
    sb: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    config = tmp_path / "rollcall.toml"
    config.write_text(
        '[credentials.pdx]\napi = "tiktok-api"\nenv = "ROLLCALL_TIKTOK_TOKEN_PDX"\n',
        encoding="utf-8",
    )
    code, text = cli(sb, monkeypatch, capsys, {}, "--config", str(config), "--format", "json")
    assert code == 1, text
    (only,) = json.loads(text)["credentials"]
    assert (only["name"], only["health"]) == ("pdx", "missing")
    assert "ROLLCALL_TIKTOK_TOKEN_PDX" in only["why"]


def test_an_exhausted_youtube_quota_is_unverified_and_exits_3(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sb.set_quota("yt-ok", 0)
    code, text = cli(sb, monkeypatch, capsys, {"ROLLCALL_YOUTUBE_API_KEY": "yt-ok"})
    assert code == 3, text
    assert "unverified" in text and "quotaExceeded" in text
    assert "yt-ok" not in text


def test_with_an_inventory_accounts_are_assigned_and_uncovered_ones_named(
    sb: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    inventory = tmp_path / "inv.yaml"
    (tmp_path / "roster.csv").write_text("email,name,role,status\n", encoding="utf-8")
    inventory.write_text(
        "organization: {name: Kettle, roster: roster.csv}\naccounts:\n"
        "  - {id: tok, platform: tiktok, handle: kettletok, status: active}\n"
        "  - {id: li, platform: linkedin, handle: company/kettle, status: active}\n",
        encoding="utf-8",
    )
    tokens = {"ROLLCALL_TIKTOK_TOKEN": "tt-ok"}
    code, text = cli(sb, monkeypatch, capsys, tokens, str(inventory), "--format", "json")
    assert code == 0, text
    doc = json.loads(text)
    assert doc["credentials"][0]["accounts"] == ["tok"]
    (uncovered,) = doc["uncovered"]
    assert uncovered["platform"] == "linkedin" and uncovered["accounts"] == ["li"]
    assert "ROLLCALL_LINKEDIN_TOKEN" in uncovered["hint"]
