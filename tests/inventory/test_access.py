"""The access review's roster join: identity columns, and each holder matched by email, by the
platform's column, or (a partner business) by its agency row; ambiguity is never guessed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scanner.errors import ValidationError
from scanner.inventory.access import (
    Affiliation,
    RosterIndex,
    declared_holders,
    match_holder,
    review_access,
)
from scanner.inventory.roster import load_roster
from scanner.model import (
    AccessList,
    Account,
    AccountStatus,
    Holder,
    HolderKind,
    Location,
    Platform,
    Reason,
    Tri,
)

ROSTER = """\
email,name,department,role,status,start_date,end_date,policy_acknowledged,facebook,linkedin,github
ana@org.example,Ana Reyes,Marketing,employee,active,2020-01-01,,,100001,urn:li:person:AnA1,ana-r
ben@org.example,Ben Ode,Marketing,employee,active,2021-01-01,,,100002,BeN2,
ian@org.example,Ian Lo,Marketing,intern,departed,2026-01-01,2026-05-31,,100003,,
cy@org.example,Cy Park,Sales,contractor,active,2026-01-01,,,,,
twin1@org.example,Twin One,Sales,employee,active,2020-01-01,,,100009,,
twin2@org.example,Twin Two,Sales,employee,active,2020-01-01,,,100009,,
hello@bright.example,Brightpixel Media,Marketing,agency,active,2025-01-01,,,900100,,
team@old.example,Old Agency,Marketing,agency,departed,2024-01-01,2026-06-30,,900200,,
"""


@pytest.fixture
def index(tmp_path: Path) -> RosterIndex:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return RosterIndex(load_roster(path))


def _person(email: str | None = None, pid: str | None = None, **kw: object) -> Holder:
    return Holder(
        kind=HolderKind(str(kw.get("kind", "person"))),
        platform_id=pid,
        name=str(kw["name"]) if "name" in kw else None,
        email=email,
        role=str(kw.get("role", "MANAGE")),
        admin=bool(kw.get("admin", True)),
        two_factor=Tri(str(kw.get("two_factor", "unknown"))),
    )


@pytest.mark.parametrize(
    ("platform", "holder", "affiliation", "how"),
    [
        (Platform.FACEBOOK, _person("ANA@org.example"), Affiliation.EMPLOYEE, "email"),
        (Platform.FACEBOOK, _person(None, "100003"), Affiliation.DEPARTED, "facebook column"),
        # A bare LinkedIn id in the roster matches the API's URN, and the other way round.
        (
            Platform.LINKEDIN,
            _person(None, "urn:li:person:BeN2"),
            Affiliation.EMPLOYEE,
            "linkedin column",
        ),
        (
            Platform.LINKEDIN,
            _person(None, "urn:li:person:AnA1"),
            Affiliation.EMPLOYEE,
            "linkedin column",
        ),
        (Platform.GITHUB, _person(None, "Ana-R"), Affiliation.EMPLOYEE, "github column"),
        # An id from another platform's column is no match.
        (Platform.LINKEDIN, _person(None, "100001"), Affiliation.UNKNOWN, ""),
        (Platform.FACEBOOK, _person("cy@org.example"), Affiliation.CONTRACTOR, "email"),
        (Platform.FACEBOOK, _person(None, "555", name="Stranger"), Affiliation.UNKNOWN, ""),
    ],
)
def test_holders_match_by_email_then_the_platforms_column(
    index: RosterIndex, platform: Platform, holder: Holder, affiliation: Affiliation, how: str
) -> None:
    match = match_holder(platform, holder, index)
    assert (match.affiliation, match.matched_by) == (affiliation, how)


def test_two_people_with_one_id_are_ambiguous_never_guessed(index: RosterIndex) -> None:
    match = match_holder(Platform.FACEBOOK, _person(None, "100009"), index)
    assert match.affiliation is Affiliation.AMBIGUOUS
    assert match.person is None
    assert match.candidates == ("twin1@org.example", "twin2@org.example")


@pytest.mark.parametrize(
    ("pid", "name", "affiliation", "how"),
    [
        ("900100", "Whatever Name", Affiliation.AGENCY, "facebook column"),
        ("123", "brightpixel media", Affiliation.AGENCY, "agency name"),
        ("900200", "Old Agency", Affiliation.DEPARTED, "facebook column"),
        ("124", "Nobody Media", Affiliation.UNKNOWN, ""),
    ],
)
def test_partner_businesses_match_agency_rows(
    index: RosterIndex, pid: str, name: str, affiliation: Affiliation, how: str
) -> None:
    holder = _person(None, pid, name=name, kind="partner_business", role="partner", admin=False)
    match = match_holder(Platform.FACEBOOK, holder, index)
    assert (match.affiliation, match.matched_by) == (affiliation, how)


def _account(owner: str | None, backup: str | None) -> Account:
    return Account(
        id="fb-main",
        platform=Platform.FACEBOOK,
        handle="orgpage",
        status=AccountStatus.ACTIVE,
        location=Location("inventory.yaml", 3),
        owner=owner,
        backup_owner=backup,
    )


def test_review_names_what_each_rule_reads(index: RosterIndex) -> None:
    holders = (
        _person("ana@org.example", two_factor="true"),
        _person(None, "100002", two_factor="false"),
        _person(None, "100003", role="MANAGE"),
        _person(None, "555", name="Stranger"),
        _person(None, "900200", name="Old Agency", kind="partner_business", admin=False),
        _person("cy@org.example", role="CREATE_CONTENT", admin=False),
    )
    fetched = datetime(2026, 11, 15, tzinfo=UTC)
    access = AccessList(holders, "https://api.example/assigned_users", fetched)
    review = review_access(_account("ana@org.example", "zoe@org.example"), access, index)
    assert [m.holder.platform_id for m in review.admins_who(Affiliation.DEPARTED)] == ["100003"]
    assert [m.holder.name for m in review.admins_who(Affiliation.UNKNOWN)] == ["Stranger"]
    assert [m.holder.name for m in review.partners_without_contract] == ["Old Agency"]
    assert [m.holder.platform_id for m in review.admins_without_2fa] == ["100002"]
    assert len(review.admins_who(Affiliation.EMPLOYEE)) == 2
    # zoe is declared backup but holds nothing; ana (the owner) holds access.
    assert review.declared_without_access == ("zoe@org.example",)
    assert review.two_factor_known
    gap = AccessList(holders, access.url, fetched, gaps=(Reason("two_factor_unreadable", "x"),))
    assert not review_access(review.account, gap, index).two_factor_known


def test_declared_holders_stand_in_where_the_platform_lists_none(index: RosterIndex) -> None:
    declared = declared_holders(_account("ana@org.example", "ian@org.example"), index)
    assert [(m.holder.role, m.holder.via, m.affiliation) for m in declared] == [
        ("owner", "inventory", Affiliation.EMPLOYEE),
        ("backup_owner", "inventory", Affiliation.DEPARTED),
    ]


def test_a_bad_identity_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "email,name,role,status,facebook\nana@org.example,Ana,employee,active,ana.reyes\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        load_roster(path)
    text = str(caught.value)
    assert "roster.csv:2" in text and "Facebook user id" in text


def test_only_people_can_be_unknown_admins(index: RosterIndex) -> None:
    """ACC-002 is about people: a partner business answers to ACC-003, and a system user (the
    token Rollcall reads with is one) belongs to the Business Manager itself."""
    holders = (
        _person(None, "555", name="Stranger"),
        _person(None, "556", name="Rollcall reader", kind="system_user"),
        _person(None, "557", name="Some Agency", kind="partner_business"),
    )
    fetched = datetime(2026, 11, 15, tzinfo=UTC)
    access = AccessList(holders, "https://api.example/assigned_users", fetched)
    review = review_access(_account("ana@org.example", None), access, index)
    assert [m.holder.name for m in review.unknown_admins] == ["Stranger"]
    assert [m.holder.name for m in review.partners_without_contract] == ["Some Agency"]
