"""The HR roster (CSV export or YAML ``people:`` list) loaded into a :class:`~scanner.model.Roster`.

Columns/keys: email, name, department, role, status, start_date, end_date, policy_acknowledged,
and optionally one identity column per platform (``github``, ``linkedin``, ``facebook``,
``instagram``, ``x``, ``tiktok``): the person's id there, which the access review matches an
account's holders by. Emails are the key and compare case-insensitively; a person listed twice
is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from scanner.errors import Problem, ValidationError
from scanner.inventory.csvform import read_csv_records
from scanner.inventory.fields import Checker, Record, record_from_yaml
from scanner.inventory.source import read_source
from scanner.model import Location, Person, PersonStatus, Role, Roster
from scanner.yamlsource import INVALID, YList, YMap, load_yaml_text

__all__ = [
    "IDENTITY_COLUMNS",
    "PERSON_FIELDS",
    "REQUIRED_PERSON_FIELDS",
    "collect_roster",
    "linkedin_urn",
    "load_roster",
]

IDENTITY_COLUMNS: dict[str, tuple[re.Pattern[str], str]] = {
    "github": (
        re.compile(r"@?[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}"),
        "a GitHub login (letters, digits, single inner hyphens)",
    ),
    "linkedin": (
        re.compile(r"(?:urn:li:person:)?[A-Za-z0-9_-]{1,64}"),
        "a LinkedIn person URN (urn:li:person:ID) or its bare id",
    ),
    "facebook": (
        re.compile(r"[0-9]{1,25}"),
        "a Facebook user id (digits), or on an agency's row its partner business id",
    ),
    "instagram": (re.compile(r"@?[A-Za-z0-9._]{1,30}"), "an Instagram username or id"),
    "x": (re.compile(r"@?[A-Za-z0-9_]{1,20}"), "an X username or numeric id"),
    "tiktok": (re.compile(r"@?[A-Za-z0-9._]{1,24}"), "a TikTok username or open id"),
}
"""Optional roster columns: a person's id on a platform (the access review's join keys) and
what each must look like."""

PERSON_FIELDS = (
    "email",
    "name",
    "department",
    "role",
    "status",
    "start_date",
    "end_date",
    "policy_acknowledged",
    *IDENTITY_COLUMNS,
)
REQUIRED_PERSON_FIELDS = ("email", "name", "role", "status")


def load_roster(path: str | Path) -> Roster:
    """Load and validate a roster; raise ValidationError listing every problem."""
    roster, problems = collect_roster(path)
    if problems or roster is None:
        raise ValidationError(problems)
    return roster


def collect_roster(path: str | Path) -> tuple[Roster | None, list[Problem]]:
    """Load a roster, returning its problems instead of raising (so an inventory can report its
    own problems and its roster's together). File-level failures still raise."""
    name = str(path)
    text, _ = read_source(path)
    checker = Checker(name)
    suffix = Path(name).suffix.casefold()
    records: Iterable[Record]
    if suffix == ".csv":
        records = read_csv_records(
            text, checker, columns=PERSON_FIELDS, required=REQUIRED_PERSON_FIELDS
        )
    elif suffix in (".yaml", ".yml"):
        records = _yaml_records(load_yaml_text(text, name, problems=checker.problems), checker)
    else:
        checker.problem(
            None, None, f"unknown roster file type {suffix!r}; expected .csv, .yaml or .yml"
        )
        records = []
    people: dict[str, Person] = {}
    first_line: dict[str, int | None] = {}
    for record in records:
        # Duplicates are checked on the raw email, so a row with other problems still counts.
        raw = record.fields.get("email")
        text = str(raw.value).strip() if raw is not None else ""
        key = text.casefold()
        if raw is not None and key in first_line:
            checker.problem(
                raw.line,
                raw.column,
                f"{record.label('email')}: {text!r} is listed twice (first on "
                f"line {first_line[key]}); expected each person once (emails compare "
                "case-insensitively)",
            )
            continue
        if key:
            first_line[key] = record.line_of("email")
        person = _person(record, checker)
        if person is not None:
            people[person.key] = person
    if checker.problems:
        return None, checker.problems
    return Roster(people=people, source=name), []


def _yaml_records(data: object, checker: Checker) -> list[Record]:
    if not isinstance(data, YMap):
        checker.problem(1, None, "expected a mapping with a 'people' list at the top of the roster")
        return []
    top = record_from_yaml(data, "")
    checker.unknown_keys(top, ["people"])
    people = data.get("people")
    if not isinstance(people, YList):
        checker.problem(
            data.line_of("people") if "people" in data else data.line,
            None,
            "people: expected a list of people (email, name, role, status, ...)",
        )
        return []
    records = []
    for index, item in enumerate(people):
        if item is INVALID:
            continue  # already reported
        if not isinstance(item, YMap):
            checker.problem(people.line_of(index), None, f"people[{index}]: expected a mapping")
            continue
        records.append(record_from_yaml(item, f"people[{index}]"))
    return records


def _person(record: Record, checker: Checker) -> Person | None:
    before = checker.failures
    if record.kind == "yaml":
        checker.unknown_keys(record, PERSON_FIELDS)
    email = checker.email(record, "email", required=True)
    name = checker.text(record, "name", required=True, expected="the person's name")
    department = checker.text(record, "department")
    role = checker.choice(record, "role", Role, required=True)
    status = checker.choice(record, "status", PersonStatus, required=True)
    start = checker.day(record, "start_date")
    end = checker.day(record, "end_date")
    acknowledged = checker.day(record, "policy_acknowledged")
    identities = _identities(record, checker)
    if start and end and end < start:
        checker.problem(
            record.line_of("end_date"),
            None,
            f"{record.label('end_date')}: expected a date on or after start_date "
            f"({start.isoformat()}), got {end.isoformat()}",
        )
    if checker.failures != before:
        return None
    assert email is not None and name is not None and role is not None and status is not None
    return Person(
        email=email,
        name=name,
        department=department,
        role=role,
        status=status,
        location=Location(checker.file, record.line, record.column),
        start_date=start,
        end_date=end,
        policy_acknowledged=acknowledged,
        identities=identities,
    )


def linkedin_urn(value: str) -> str:
    """A LinkedIn person id as its URN: the bare id ``AbC-12`` → ``urn:li:person:AbC-12``."""
    value = value.strip()
    return value if value.startswith("urn:li:") else f"urn:li:person:{value}"


def _identities(record: Record, checker: Checker) -> dict[str, str]:
    out: dict[str, str] = {}
    for column, (pattern, expected) in IDENTITY_COLUMNS.items():
        value = checker.pattern_text(record, column, pattern, expected)
        if value:
            value = value.strip()
            out[column] = linkedin_urn(value) if column == "linkedin" else value.lstrip("@")
    return out
