"""Naming conventions judge a handle's name part, taken the way each platform's spec says: the
README's simple ``^harborlane`` holds for every platform form of the brand's handles."""

from __future__ import annotations

import pytest

from scanner.model import (
    Account,
    AccountStatus,
    FindingStatus,
    Inventory,
    Location,
    Naming,
    Organization,
    Platform,
    Roster,
)
from scanner.platforms import adapter_for, all_capabilities
from scanner.policy import evaluate, load_policy
from scanner.policy.fields import handle_name, joined_handle_name
from scanner.policy.loader import default_pack_path

from .helpers import AS_OF

# platform, handle as written in an inventory, its name part, the name part without separators
FORMS: list[tuple[Platform, str, str | None, str | None]] = [
    (Platform.X, "@Harbor_Lane", "Harbor_Lane", "HarborLane"),
    (Platform.INSTAGRAM, "harbor.lane_books", "harbor.lane_books", "harborlanebooks"),
    (Platform.FACEBOOK, "harborlane.books", "harborlane.books", "harborlanebooks"),
    (Platform.LINKEDIN, "company/harbor-lane-books", "harbor-lane-books", "harborlanebooks"),
    (Platform.LINKEDIN, "showcase/harbor-lane-books", "harbor-lane-books", "harborlanebooks"),
    (Platform.YOUTUBE, "@harborlane", "harborlane", "harborlane"),
    (Platform.YOUTUBE, "UCcK7tWh0Les4LeRo4sTer2x", None, None),  # a channel id is opaque
    (Platform.TIKTOK, "@harborlane.books", "harborlane.books", "harborlanebooks"),
    (Platform.THREADS, "harbor_lane", "harbor_lane", "harborlane"),
    (Platform.MASTODON, "@harborlane@mastodon.social", "harborlane", "harborlane"),
    (Platform.MASTODON, "harbor_lane@fosstodon.org", "harbor_lane", "harborlane"),
    (Platform.BLUESKY, "harbor-lane.bsky.social", "harbor-lane", "harborlane"),
    (Platform.BLUESKY, "@HarborLane.BSKY.social", "HarborLane", "HarborLane"),
    (Platform.BLUESKY, "harborlane.com", "harborlane.com", "harborlane.com"),  # its own domain
    (Platform.BLUESKY, "did:plc:z72i7hdynmk6r22z27h6tvur", None, None),  # a DID is opaque
    (Platform.GITHUB, "harbor-lane", "harbor-lane", "harborlane"),
    (Platform.REDDIT, "u/HarborLaneBooks", "HarborLaneBooks", "HarborLaneBooks"),
    (Platform.REDDIT, "/u/harbor-lane", "harbor-lane", "harborlane"),
    (Platform.REDDIT, "user/harbor_lane", "harbor_lane", "harborlane"),
    (Platform.REDDIT, "r/HarborLane", "HarborLane", "HarborLane"),
    (Platform.REDDIT, "r/reddit.com", "reddit.com", "reddit.com"),  # a legacy community name
    (Platform.MEDIUM, "@harbor_lane", "harbor_lane", "harborlane"),
    (Platform.TUMBLR, "harbor-lane", "harbor-lane", "harborlane"),
]


@pytest.mark.parametrize(
    ("platform", "handle", "name", "joined"), FORMS, ids=[f"{p.value}:{h}" for p, h, _, _ in FORMS]
)
def test_name_part_per_platform_form(
    platform: Platform, handle: str, name: str | None, joined: str | None
) -> None:
    assert adapter_for(platform).check_handle(handle) is None, "a form the platform accepts"
    assert handle_name(platform, handle) == name
    assert joined_handle_name(platform, handle) == joined


def test_every_platform_has_a_name_part_example() -> None:
    assert {p for p, *_ in FORMS} == set(Platform)


def _inventory(pattern: str, handles: list[tuple[Platform, str]]) -> Inventory:
    accounts = tuple(
        Account(
            id=f"a{i}",
            platform=platform,
            handle=handle,
            status=AccountStatus.ACTIVE,
            location=Location("inventory.yaml", i + 1),
        )
        for i, (platform, handle) in enumerate(handles)
    )
    org = Organization(
        name="Harbor Lane Books",
        location=Location("inventory.yaml", 1),
        naming=Naming(handle_pattern=pattern),
    )
    return Inventory("inventory.yaml", "0" * 64, org, accounts, Roster({}, "roster.csv"))


def _idn_004(pattern: str, handles: list[tuple[Platform, str]]) -> dict[str, FindingStatus]:
    """Handle → IDN-004's status for it (only handles the rule applies to)."""
    inventory = _inventory(pattern, handles)
    evaluation = evaluate(
        inventory,
        {},
        load_policy(str(default_pack_path())),
        as_of=AS_OF,
        capabilities=all_capabilities(),
    )
    by_id = {a.id: a.handle for a in inventory.accounts}
    return {
        by_id[f.account_id]: f.status
        for f in evaluation.findings
        if f.rule_id == "IDN-004" and f.account_id is not None
    }


def test_the_readme_pattern_accepts_every_platform_form_of_the_brand() -> None:
    brand = [(p, h) for p, h, name, _ in FORMS if name and "harbor" in name.casefold()]
    off = [
        (Platform.X, "lanebooks"),
        (Platform.LINKEDIN, "company/books-harbor-lane"),  # the brand, but not at the start
        (Platform.MASTODON, "books@harborlane.social"),  # the instance is not the name
        (Platform.BLUESKY, "books.harborlane.com"),
        (Platform.REDDIT, "r/LaneBooks"),
    ]
    statuses = _idn_004("^harborlane", [*brand, *off])
    assert {h for h, s in statuses.items() if s is FindingStatus.FAIL} == {h for _, h in off}
    assert all(statuses.get(h) is None for _, h in brand), statuses  # no finding at all


def test_opaque_ids_are_not_judged() -> None:
    handles = [
        (Platform.YOUTUBE, "UCcK7tWh0Les4LeRo4sTer2x"),
        (Platform.BLUESKY, "did:plc:z72i7hdynmk6r22z27h6tvur"),
    ]
    assert _idn_004("^harborlane", handles) == {}


def test_a_pattern_that_asks_for_a_separator_still_requires_it() -> None:
    """Separators are dropped only as an alternative: ``^harbor_lane`` asks for the underscore,
    which a joined ``harborlane`` does not have."""
    handles = [(Platform.X, "harbor_lane"), (Platform.X, "harborlane")]
    statuses = _idn_004("^harbor_lane", handles)
    assert {h for h, s in statuses.items() if s is FindingStatus.FAIL} == {"harborlane"}
