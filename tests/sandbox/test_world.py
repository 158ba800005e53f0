"""World files: loading, located validation errors, handle keys."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from scanner.errors import ValidationError
from scanner.model import AccountState, Platform
from scanner.sandbox import (
    Fault,
    FaultKind,
    FaultSpecError,
    World,
    example_world_path,
    handle_key,
    load_world,
    parse_fault,
)
from scanner.sandbox.faults import FAULT_PARAMS
from scanner.sandbox.server import fault_role


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "world.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_tiny_world_loads(world: World) -> None:
    assert world.name == "tiny"
    assert world.as_of == date(2026, 11, 15)
    org = world.find(Platform.GITHUB, "kettleORG")
    assert org is not None and org.kind == "organization"
    assert org.posts[0].at == datetime(2026, 11, 1, 9, tzinfo=UTC)  # newest first
    assert world.find(Platform.REDDIT, "r/SecretKettle").state is AccountState.PRIVATE  # type: ignore[union-attr]
    assert world.find(Platform.YOUTUBE, "@kettle").channel_id == "UCabcdefghijklmnopqrstuv"  # type: ignore[union-attr]
    walled = world.find(Platform.X, "walled")
    assert walled is not None and walled.faults == (Fault(FaultKind.LOGIN_WALL),)


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name: broken\n"
        "as_of: someday\n"
        "hosts:\n"
        "  githb: {faults: [login_wall]}\n"
        "accounts:\n"
        "  - platform: github\n"
        "    handle: a\n"
        "    folowers: 3\n"
        "    faults: [latency, {kind: rate_limt}, {kind: latency, msec: 3}]\n"
        "  - platform: github\n"
        "    handle: A\n"
        "  - platform: mastodon\n"
        "    handle: nohost\n"
        "  - platform: youtube\n"
        "    handle: '@x'\n"
        "    channel_id: UCshort\n",
    )
    with pytest.raises(ValidationError) as info:
        load_world(path)
    text = str(info.value)
    assert "world.yaml:2:" in text and "as_of: expected a date" in text
    assert "unknown platform 'githb'; did you mean 'github'?" in text
    assert "world.yaml:8:5: accounts[0]: unknown key 'folowers'; did you mean 'followers'?" in text
    assert "unknown fault kind 'rate_limt'; did you mean 'rate_limit'?" in text
    assert "fault 'latency' has no parameter 'msec'" in text
    assert "already defined on line 6" in text
    assert "expected name@instance" in text
    assert "channel_id: expected 'UC' followed by 22" in text
    assert len(info.value.problems) == 8


def test_fault_parsing() -> None:
    assert parse_fault("gzip_bomb") == Fault(FaultKind.GZIP_BOMB)
    f = parse_fault({"kind": "waf_challenge", "vendor": "incapsula"})
    assert f.get("vendor") == "incapsula"
    assert parse_fault({"kind": "rate_limit"}).get("retry_after") is None
    assert Fault.of("latency", ms=5).get("ms") == 5
    with pytest.raises(FaultSpecError, match="did you mean 'aws_waf'"):
        parse_fault({"kind": "waf_challenge", "vendor": "aws-waf"})
    with pytest.raises(FaultSpecError, match="expected number"):
        parse_fault({"kind": "latency", "ms": True})
    with pytest.raises(FaultSpecError, match="needs a 'kind'"):
        parse_fault({"ms": 3})


@pytest.mark.parametrize("kind", list(FaultKind))
def test_every_fault_kind_has_params_and_a_stage(kind: FaultKind) -> None:
    assert kind in FAULT_PARAMS
    assert fault_role(kind) in {"timing", "replace", "body"}


@pytest.mark.parametrize(
    ("platform", "handle", "key"),
    [
        (Platform.REDDIT, "u/Kettle", "u/kettle"),
        (Platform.REDDIT, "/r/Kettle/", "r/kettle"),
        (Platform.REDDIT, "kettle", "u/kettle"),
        (Platform.MASTODON, "@Kettle@Social.Example", "kettle@social.example"),
        (Platform.YOUTUBE, "UCabcdefghijklmnopqrstuV", "UCabcdefghijklmnopqrstuV"),
        (Platform.YOUTUBE, "@Kettle", "kettle"),
        (Platform.TIKTOK, "@Kettle", "kettle"),
        (Platform.LINKEDIN, "company/Kettle-Coffee", "kettle-coffee"),
    ],
)
def test_handle_key(platform: Platform, handle: str, key: str) -> None:
    assert handle_key(platform, handle) == key


def test_example_world_is_package_data() -> None:
    path = example_world_path()
    assert path.parent.name == "worlds" and path.parent.parent.name == "sandbox"
    if path.exists():  # written by the inventory work; must load cleanly once it is there
        assert load_world(path).accounts


def test_healthy_handles_skip_faulted_and_inactive_accounts(world: World) -> None:
    healthy = world.healthy_handles()
    assert healthy[Platform.GITHUB] == "KettleOrg"
    for platform, handle in healthy.items():
        account = world.find(platform, handle)
        assert account is not None and account.state is AccountState.ACTIVE
        assert not account.faults
    faulted = next(a for a in world.accounts if a.faults)
    assert healthy.get(faulted.platform) != faulted.handle


def test_a_created_at_at_the_calendar_edge_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name: edge\n"
        "as_of: 2026-11-15\n"
        "accounts:\n"
        "  - platform: github\n"
        "    handle: a\n"
        "    created_at: 9999-12-31T23:59:59-05:00\n",
    )
    with pytest.raises(ValidationError) as info:
        load_world(path)
    assert "world.yaml:6:" in str(info.value) and "created_at: expected" in str(info.value)
