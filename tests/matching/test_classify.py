"""Classification over combinations of evidence, and unverified pages never classified."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from scanner.errors import ValidationError
from scanner.matching import MatchContext, Thresholds, classify_candidates
from scanner.model import (
    Account,
    AccountStatus,
    Classification,
    Inventory,
    Location,
    Observation,
    ObservationStatus,
    Organization,
    Person,
    PersonStatus,
    Platform,
    Reason,
    Role,
    Roster,
    Tri,
)

WHEN = datetime(2026, 11, 15, tzinfo=UTC)


def _account(id: str, platform: Platform, handle: str, name: str) -> Account:
    return Account(
        id=id,
        platform=platform,
        handle=handle,
        status=AccountStatus.ACTIVE,
        location=Location("inv.yaml", 10),
        display_name=name,
        department="Retail",
    )


def _person(name: str, email: str, status: PersonStatus) -> Person:
    return Person(
        email=email,
        name=name,
        department="Retail",
        role=Role.EMPLOYEE,
        status=status,
        location=Location("roster.csv", 2),
        start_date=date(2020, 1, 1),
    )


@pytest.fixture
def context() -> MatchContext:
    people = [
        _person("Ada Lovelace", "ada@copperkettle.coffee", PersonStatus.ACTIVE),
        _person("Tom Former", "tom@copperkettle.coffee", PersonStatus.DEPARTED),
    ]
    inventory = Inventory(
        path="inv.yaml",
        sha256="0" * 64,
        organization=Organization(
            name="Copper Kettle Coffee Roasters",
            location=Location("inv.yaml", 1),
            aliases=("Copper Kettle", "CopperKettle", "Copper Kettle Coffee"),
            domains=("copperkettle.coffee",),
        ),
        accounts=(
            _account(
                "ig-main", Platform.INSTAGRAM, "copperkettle", "Copper Kettle Coffee Roasters"
            ),
            _account(
                "ig-seattle", Platform.INSTAGRAM, "copperkettle.seattle", "Copper Kettle Seattle"
            ),
            _account("x-main", Platform.X, "copperkettle", "Copper Kettle Coffee Roasters"),
        ),
        roster=Roster({p.key: p for p in people}, "roster.csv"),
    )

    def resolve(url: str) -> tuple[Platform, str] | None:
        if url.startswith("https://x.com/"):
            return Platform.X, url.removeprefix("https://x.com/")
        return None

    return MatchContext.from_inventory(inventory, resolve_link=resolve)


def _page(
    handle: str,
    *,
    platform: Platform = Platform.INSTAGRAM,
    name: str | None = None,
    bio: str | None = None,
    links: tuple[str, ...] = (),
    status: ObservationStatus = ObservationStatus.PRESENT,
) -> Observation:
    return Observation(
        platform=platform,
        handle=handle,
        status=status,
        url=f"http://127.0.0.1/{handle}",
        fetched_at=WHEN,
        display_name=name,
        bio=bio,
        links=links,
        followers=120,
        created_at=WHEN,
        verified=Tri.FALSE,
        reason=Reason("login_wall", "Instagram showed its login page")
        if status is ObservationStatus.BLOCKED
        else None,
    )


def _one(context: MatchContext, page: Observation, **limits: int) -> tuple[Classification, str]:
    [d] = classify_candidates([page], context, limits or None)
    assert d is not None
    return d.classification, " / ".join(d.evidence)


def test_brand_like_without_tie_is_rogue(context: MatchContext) -> None:
    cls, why = _one(context, _page("copperkettle_official", name="Copper Kettle Coffee ☕"))
    assert cls is Classification.ROGUE
    assert "nothing ties it" in why and "100% similar" in why


def test_cyrillic_display_name_is_brand_like(context: MatchContext) -> None:
    cls, _ = _one(context, _page("beans4ever", name="Сорреr Кеttlе Соffее"))
    assert cls is Classification.ROGUE


@pytest.mark.parametrize(
    ("bio", "links", "tie"),
    [
        ("Shop: copperkettle.coffee", (), "official domain"),
        (None, ("https://shop.copperkettle.coffee/beans",), "official domain"),
        (None, ("https://x.com/copperkettle",), "inventoried account x-main"),
        ("Run by Ada Lovelace for the café team", (), "Ada Lovelace (employee"),
        ("Page of Tom Former, barista", (), "former staff member"),
    ],
)
def test_each_official_tie_makes_an_unlisted_official_page(
    context: MatchContext, bio: str | None, links: tuple[str, ...], tie: str
) -> None:
    cls, why = _one(
        context, _page("copperkettle_events", name="Copper Kettle Events", bio=bio, links=links)
    )
    assert cls is Classification.UNLISTED_OFFICIAL
    assert tie in why


def test_lookalike_domain_is_not_a_tie(context: MatchContext) -> None:
    cls, why = _one(
        context, _page("copperkettlehelp", links=("https://copperkettle-coffee.shop/refund",))
    )
    assert cls is Classification.ROGUE
    assert "lookalike of an official domain" in why


def test_tied_copy_of_an_inventoried_page_is_a_duplicate(context: MatchContext) -> None:
    cls, why = _one(
        context,
        _page(
            "copper_kettle_seattle",
            name="Copper Kettle Seattle",
            links=("https://copperkettle.coffee",),
        ),
    )
    assert cls is Classification.DUPLICATE
    assert "ig-seattle" in why


def test_untied_copy_of_an_inventoried_page_is_rogue_and_says_whom_it_imitates(
    context: MatchContext,
) -> None:
    cls, why = _one(context, _page("copperkettle_seattle", name="Copper Kettle Seattle"))
    assert cls is Classification.ROGUE
    assert "imitates inventoried account ig-seattle" in why


def test_unrelated_names_stay_unrelated_even_with_a_link(context: MatchContext) -> None:
    assert (
        _one(context, _page("janes_latte_art", name="Jane's Latte Art"))[0]
        is Classification.UNRELATED
    )
    cls, why = _one(
        context,
        _page("janes_latte_art", name="Jane's Latte Art", links=("https://copperkettle.coffee",)),
    )
    assert cls is Classification.UNRELATED
    assert "official tie but its name is not brand-like" in why


def test_a_declared_fan_page_is_fan_and_the_penalty_is_a_param(context: MatchContext) -> None:
    page = _page("copperkettlefans", name="Copper Kettle Fans", bio="Fan page, not affiliated")
    cls, why = _one(context, page)
    assert cls is Classification.FAN and "'fan page'" in why and "no takedown" in why
    assert _one(context, page, disclaimer_penalty=20)[0] is Classification.UNRELATED


def test_a_fan_page_that_asks_for_order_numbers_is_still_rogue(context: MatchContext) -> None:
    page = _page(
        "copperkettlefans", name="Copper Kettle Fans", bio="Fan page! DM your order number"
    )
    cls, why = _one(context, page)
    assert cls is Classification.ROGUE and "for: it asks visitors" in why


def test_a_namesake_with_its_own_site_and_history_is_a_name_collision(
    context: MatchContext,
) -> None:
    page = replace(
        _page(
            "thecopperkettle",
            name="The Copper Kettle",
            bio="Cream teas and scones in Whitby since 1987. Book a table online.",
            links=("https://copperkettletearoom.co.uk",),
        ),
        created_at=datetime(2011, 3, 1, tzinfo=UTC),
    )
    cls, why = _one(context, page)
    assert cls is Classification.NAME_COLLISION
    assert "no takedown" in why and "against: it links to a site of its own" in why
    # The same page claiming to be the brand's help desk is rogue again.
    cls, why = _one(context, replace(page, display_name="The Copper Kettle Support"))
    assert cls is Classification.ROGUE and "for: its name claims" in why


def test_a_recent_brand_like_page_with_nothing_else_is_rogue(context: MatchContext) -> None:
    # A weak signal (created recently) counts when no own site or history outweighs it.
    # TikTok: no inventoried account there to imitate.
    page = _page("copperkettel", platform=Platform.TIKTOK)
    cls, why = _one(context, page)
    assert cls is Classification.ROGUE and "created recently" in why
    old = replace(page, created_at=None)
    assert _one(context, old)[0] is Classification.NAME_COLLISION
    assert _one(context, old, rogue_min_signals=2)[0] is Classification.NAME_COLLISION


def test_thresholds_come_from_a_plain_mapping(context: MatchContext) -> None:
    page = _page("copperkettel")
    assert _one(context, page)[0] is Classification.ROGUE
    assert _one(context, page, rogue_threshold=95)[0] is Classification.UNRELATED


@pytest.mark.parametrize(
    "values",
    [{"rogue_threshold": 150}, {"rogue_treshold": 80}, {"unlisted_threshold": "high"}],
)
def test_bad_thresholds_are_input_errors(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Thresholds.from_mapping(values)


@pytest.mark.parametrize("status", [ObservationStatus.BLOCKED, ObservationStatus.ERROR])
def test_blocked_or_error_pages_are_unverified_never_classified(
    context: MatchContext, status: ObservationStatus
) -> None:
    page = _page("copperkettle_official", status=status, links=("https://copperkettle.coffee",))
    [d] = classify_candidates([page], context)
    assert d is not None
    assert d.classification is Classification.UNVERIFIED
    assert "not classified" in d.evidence[0]
    assert d.score == 100  # the name still says why it was probed


@pytest.mark.parametrize("status", [ObservationStatus.ABSENT, ObservationStatus.INVALID])
def test_absent_or_invalid_handles_are_no_discovery(
    context: MatchContext, status: ObservationStatus
) -> None:
    assert classify_candidates([_page("copperkettle_x", status=status)], context) == [None]


def test_every_classification_is_reachable(context: MatchContext) -> None:
    pages = [
        _page("copperkettle_official"),
        _page("copperkettle_events", links=("https://copperkettle.coffee",)),
        _page(
            "copper_kettle_seattle",
            name="Copper Kettle Seattle",
            links=("https://copperkettle.coffee",),
        ),
        _page("janes_latte_art"),
        _page("copperkettlehq", status=ObservationStatus.BLOCKED),
        replace(_page("thecopperkettle", links=("https://kettleknits.example",)), created_at=None),
        _page("copperkettlefans", bio="A fan page"),
    ]
    found = {d.classification for d in classify_candidates(pages, context) if d is not None}
    assert found == set(Classification)
