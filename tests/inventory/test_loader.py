"""Loading: YAML and CSV forms agree, lines are kept, paths resolve, rosters in both forms."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from datetime import date
from pathlib import Path

import pytest

from scanner.errors import ValidationError
from scanner.inventory import companion_path, load_inventory, load_roster
from scanner.inventory.handles import check_handle_form, handle_form
from scanner.model import Account, AccountStatus, Credentials, Location, Platform, Role

DATA = Path(__file__).parent / "data"


def _without_location(account: Account) -> Account:
    return dataclasses.replace(account, location=Location("-"))


def test_yaml_and_csv_forms_load_equal_accounts() -> None:
    from_yaml = load_inventory(DATA / "same.yaml")
    from_csv = load_inventory(DATA / "same.csv")
    assert [a.id for a in from_csv.accounts] == ["ig-main", "ma-main", "x-old"]
    assert [_without_location(a) for a in from_yaml.accounts] == [
        _without_location(a) for a in from_csv.accounts
    ]
    assert from_yaml.organization.roster == from_csv.organization.roster
    assert len(from_yaml.roster) == len(from_csv.roster) == 2


def test_csv_quirks_are_tolerated() -> None:
    inventory = load_inventory(DATA / "same.csv")
    main = inventory.accounts[0]
    # BOM dropped, trailing spaces stripped, blank rows skipped, ';' lists split and trimmed.
    assert main.id == "ig-main"
    assert main.display_name == "Example Org"
    assert main.objective == "Sell coffee, beans and mugs"
    assert main.metrics == ("store_visits", "website_clicks", "engagement_rate")
    assert main.security.mfa is True
    assert inventory.accounts[2].location.line == 6  # the row of empty cells on line 5 is skipped
    assert inventory.accounts[2].security.credentials is Credentials.PERSONAL
    assert inventory.accounts[2].security.mfa is False


def test_lines_and_locations_are_kept() -> None:
    inventory = load_inventory(DATA / "same.yaml")
    main = inventory.accounts[0]
    assert main.location == Location(str(DATA / "same.yaml"), 7, 5)
    assert main.line_of("owner") == 13
    assert main.line_of("security.mfa") == 21
    assert main.line_of("security.recovery_email") == 23
    assert main.line_of("url") == 7  # absent field: the account's own line
    csv_main = load_inventory(DATA / "same.csv").accounts[0]
    assert csv_main.line_of("security.mfa") == csv_main.location.line == 3


def test_inventory_hash_paths_and_status() -> None:
    path = DATA / "same.yaml"
    inventory = load_inventory(path)
    assert inventory.path == str(path)
    assert inventory.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert inventory.organization.roster == os.path.normpath(DATA / "same-roster.yaml")
    assert [a.status for a in inventory.accounts] == [
        AccountStatus.ACTIVE,
        AccountStatus.PLANNED,
        AccountStatus.RETIRED,
    ]
    assert inventory.accounts[0].created == date(2020, 2, 1)


def test_roster_yaml_and_case_insensitive_lookup() -> None:
    roster = load_roster(DATA / "same-roster.yaml")
    ben = roster.find("BEN.ITO@example.org ")
    assert ben is not None and ben.role is Role.INTERN and ben.end_date == date(2026, 5, 29)
    assert roster.find(None) is None


def test_csv_companion_is_documented_name() -> None:
    assert companion_path("inventories/accounts.csv") == Path("inventories/accounts.org.yaml")


def test_problems_from_inventory_and_roster_come_together(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(
        "email,name,role,status\nnot-an-email,Someone,employee,active\n", encoding="utf-8"
    )
    (tmp_path / "inv.yaml").write_text(
        "organization: {name: Org, roster: roster.csv}\n"
        "accounts:\n"
        "  - {id: a, platform: github, handle: org, status: active, created: 2021-13-01x}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as info:
        load_inventory(tmp_path / "inv.yaml")
    files = {Path(p.file).name for p in info.value.problems}
    assert files == {"inv.yaml", "roster.csv"}


@pytest.mark.parametrize("platform", list(Platform))
def test_every_platform_has_a_handle_form(platform: Platform) -> None:
    pattern, expected = handle_form(platform)
    assert expected
    assert isinstance(pattern, re.Pattern)
    good = {
        Platform.MASTODON: "copperkettle@mastodon.social",
        Platform.REDDIT: "r/CopperKettle",
        Platform.LINKEDIN: "company/copper-kettle",
        Platform.YOUTUBE: "@copperkettle",
        Platform.BLUESKY: "copperkettle.bsky.social",
    }.get(platform, "copperkettle")
    assert check_handle_form(platform, good) is None
    assert check_handle_form(platform, "https://example.org/copperkettle") is not None


def test_a_trailing_newline_is_not_part_of_a_valid_form() -> None:
    # `$` matches before a final newline; a YAML block scalar must not slip through.
    assert check_handle_form(Platform.GITHUB, "copperkettle\n") is not None


def test_csv_trailing_empty_header_cells_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(
        "email,name,role,status,,\nana@example.org,Ana,employee,active,,\n", encoding="utf-8"
    )
    roster = load_roster(tmp_path / "roster.csv")
    assert roster.find("ANA@example.org") is not None
    (tmp_path / "bad.csv").write_text(
        "email,name,role,status,,\nana@example.org,Ana,employee,active,,oops\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="row has 6 cells but the header has 4 columns"):
        load_roster(tmp_path / "bad.csv")


def test_youtube_channel_id_and_hints() -> None:
    assert check_handle_form(Platform.YOUTUBE, "UC" + "a" * 22) is None
    assert check_handle_form(Platform.YOUTUBE, "UC" + "a" * 21) is not None
    assert check_handle_form(Platform.X, "@copperkettle") == (
        handle_form(Platform.X)[1],
        "drop the leading '@'",
    )
