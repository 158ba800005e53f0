"""Discovery's classifier over a hand-labelled set of candidate pages (issue 14): impostors,
namesakes of common-word brands, declared fan and parody pages, unlisted official pages,
duplicates and unrelated pages. Prints the confusion matrix; rogue must be precise (a false
rogue verdict becomes a takedown request against an innocent page) and must miss little."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from scanner.matching import MatchContext, classify_candidates
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
    Role,
    Roster,
    Tri,
)
from scanner.runs.discover import resolve_link

DATA = Path(__file__).parent / "data" / "labelled_pages.csv"
SEEN = datetime(2026, 11, 15, 12, tzinfo=UTC)
COMMON_WORD_BRANDS = frozenset({"ck", "hal", "sum", "bea", "nw"})
"""Every organization here has a common word for a name (copper kettle, halcyon, summit,
beacon, northwind): their namesakes are the name collisions the set must hold."""


@dataclass(frozen=True)
class Org:
    name: str
    aliases: tuple[str, ...]
    domain: str
    accounts: tuple[tuple[Platform, str, str, date], ...]
    staff: tuple[tuple[str, str], ...] = ()


ORGS = {
    "ck": Org(
        "Copper Kettle Coffee Roasters",
        ("Copper Kettle", "CopperKettle", "Copper Kettle Coffee"),
        "copperkettle.coffee",
        (
            (Platform.X, "copperkettle", "Copper Kettle Coffee Roasters", date(2013, 5, 14)),
            (Platform.X, "CopperKettleDEN", "Copper Kettle Denver", date(2024, 9, 2)),
            (Platform.INSTAGRAM, "copperkettle", "Copper Kettle Coffee Roasters", date(2013, 6, 2)),
            (
                Platform.INSTAGRAM,
                "copperkettle.seattle",
                "Copper Kettle Seattle",
                date(2017, 8, 23),
            ),
            (Platform.REDDIT, "r/CopperKettleCoffee", "Copper Kettle Coffee", date(2018, 5, 9)),
            (Platform.REDDIT, "u/CopperKettleHQ", "Copper Kettle HQ", date(2019, 9, 12)),
            (Platform.YOUTUBE, "@copperkettle", "Copper Kettle", date(2014, 11, 3)),
            (Platform.FACEBOOK, "copperkettlecoffee", "Copper Kettle Coffee", date(2012, 9, 30)),
        ),
        (("Ada Lovelace", "ada@copperkettle.coffee"),),
    ),
    "hal": Org(
        "Halcyon Labs",
        ("Halcyon",),
        "halcyonlabs.io",
        (
            (Platform.X, "halcyonlabs", "Halcyon Labs", date(2016, 3, 1)),
            (Platform.GITHUB, "halcyonlabs", "Halcyon Labs", date(2016, 3, 2)),
        ),
    ),
    "sum": Org(
        "Summit Bank",
        ("Summit",),
        "summitbank.com",
        (
            (Platform.X, "summitbank", "Summit Bank", date(2010, 2, 1)),
            (Platform.INSTAGRAM, "summitbank", "Summit Bank", date(2012, 4, 1)),
            (Platform.FACEBOOK, "summitbank", "Summit Bank", date(2009, 6, 1)),
        ),
    ),
    "bea": Org(
        "Beacon Health",
        ("Beacon",),
        "beaconhealth.org",
        (
            (Platform.X, "beaconhealth", "Beacon Health", date(2011, 1, 10)),
            (Platform.FACEBOOK, "beaconhealth", "Beacon Health", date(2010, 5, 5)),
        ),
    ),
    "nw": Org(
        "Northwind Traders",
        ("Northwind",),
        "northwindtraders.com",
        (
            (Platform.X, "northwindtraders", "Northwind Traders", date(2012, 3, 3)),
            (Platform.INSTAGRAM, "northwindtraders", "Northwind Traders", date(2013, 3, 3)),
        ),
    ),
}


def _context(key: str) -> MatchContext:
    org = ORGS[key]
    accounts = tuple(
        Account(
            id=f"{key}-{platform.value}-{i}",
            platform=platform,
            handle=handle,
            status=AccountStatus.ACTIVE,
            location=Location("inv.yaml", i + 1),
            display_name=name,
            created=created,
        )
        for i, (platform, handle, name, created) in enumerate(org.accounts)
    )
    people = [
        Person(email, name, None, Role.EMPLOYEE, PersonStatus.ACTIVE, Location("roster.csv", 2))
        for name, email in org.staff
    ]
    inventory = Inventory(
        path="inv.yaml",
        sha256="0" * 64,
        organization=Organization(
            name=org.name,
            location=Location("inv.yaml", 1),
            aliases=org.aliases,
            domains=(org.domain,),
        ),
        accounts=accounts,
        roster=Roster({p.key: p for p in people}, "roster.csv"),
    )
    return MatchContext.from_inventory(inventory, resolve_link=resolve_link)


def _rows() -> list[dict[str, str]]:
    lines = [
        line
        for line in DATA.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return list(csv.DictReader(lines, delimiter="|"))


def _page(row: dict[str, str]) -> Observation:
    def value(key: str) -> str | None:
        return None if row[key] == "-" else row[key]

    created = value("created")
    return Observation(
        platform=Platform(row["platform"]),
        handle=row["handle"],
        status=ObservationStatus.PRESENT,
        url=f"http://127.0.0.1/{row['handle']}",
        fetched_at=SEEN,
        display_name=value("name"),
        bio=value("bio"),
        links=tuple((value("links") or "").split()),
        created_at=datetime.fromisoformat(created).replace(tzinfo=UTC) if created else None,
        verified=Tri.FALSE,
    )


@pytest.fixture(scope="module")
def verdicts() -> list[tuple[dict[str, str], Classification, tuple[str, ...]]]:
    rows = _rows()
    out = []
    for key in ORGS:
        mine = [r for r in rows if r["org"] == key]
        found = classify_candidates([_page(r) for r in mine], _context(key))
        for row, d in zip(mine, found, strict=True):
            assert d is not None
            out.append((row, d.classification, d.evidence))
    return out


def test_the_set_is_large_and_holds_collisions_and_fans() -> None:
    rows = _rows()
    labels = Counter(r["label"] for r in rows)
    assert len(rows) >= 300
    assert {Classification(label) for label in labels} <= set(Classification)
    collisions = [r for r in rows if r["label"] == "name_collision"]
    assert len(collisions) >= 40
    assert all(r["org"] in COMMON_WORD_BRANDS for r in collisions)
    assert labels["fan"] >= 20
    assert len({(r["org"], r["platform"], r["handle"].casefold()) for r in rows}) == len(rows)


def test_confusion_matrix_and_rogue_precision_and_recall(
    verdicts: list[tuple[dict[str, str], Classification, tuple[str, ...]]],
    figures: list[str],
) -> None:
    classes = [c for c in Classification if c is not Classification.UNVERIFIED]
    matrix = Counter((Classification(row["label"]), got) for row, got, _ in verdicts)
    width = max(len(c.value) for c in classes)
    lines = [
        f"{len(verdicts)} labelled pages; rows: label, columns: verdict",
        " " * width + " " + " ".join(f"{c.value[:8]:>8}" for c in classes),
    ]
    for label in classes:
        cells = " ".join(f"{matrix[(label, got)]:>8}" for got in classes)
        lines.append(f"{label.value:>{width}} {cells}")
    rogue = Classification.ROGUE
    tp = matrix[(rogue, rogue)]
    predicted = sum(n for (_, got), n in matrix.items() if got is rogue)
    actual = sum(n for (label, _), n in matrix.items() if label is rogue)
    precision, recall = tp / predicted, tp / actual
    lines.append(f"rogue: precision {precision:.3f}, recall {recall:.3f}")
    lines += [
        f"  {row['label']} -> {got.value}: {row['org']} {row['platform']}:{row['handle']}"
        f" ({row['note']}): {why[0]}"
        for row, got, why in verdicts
        if got.value != row["label"]
    ]
    figures.extend(lines)
    print("\n".join(lines))
    assert precision >= 0.98
    assert recall >= 0.95
    # A name collision is never called rogue, and no verdict names a takedown it does not mean.
    assert matrix[(Classification.NAME_COLLISION, rogue)] <= 1
    assert matrix[(Classification.FAN, rogue)] == 0


def test_every_verdict_explains_itself_in_plain_words(
    verdicts: list[tuple[dict[str, str], Classification, tuple[str, ...]]],
) -> None:
    for row, got, why in verdicts:
        assert why, row
        if got is Classification.ROGUE:
            assert any(w.startswith("for: ") for w in why), row
        if got is Classification.NAME_COLLISION:
            assert "no takedown" in why[0], row
        if got is Classification.FAN:
            assert "fan or parody" in why[0], row
