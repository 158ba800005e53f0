"""Load an inventory (YAML, or CSV plus a companion ``<name>.org.yaml``) and the roster it names.

Validation is about shape only: every problem in the inventory and its roster is collected and
raised together as one ValidationError; governance problems are left to the policy engine.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

from scanner.errors import Problem, SourceError, ValidationError, did_you_mean
from scanner.inputfile import PathKind, kind_message, path_kind
from scanner.inventory.csvform import read_csv_records
from scanner.inventory.fields import Checker, Record, record_from_yaml
from scanner.inventory.handles import check_handle_form
from scanner.inventory.roster import collect_roster
from scanner.inventory.source import read_source
from scanner.model import (
    Account,
    AccountStatus,
    Credentials,
    Inventory,
    LineMap,
    Location,
    Naming,
    Organization,
    Platform,
    Roster,
    Security,
)
from scanner.yamlsource import INVALID, YList, YMap, load_yaml_text

__all__ = [
    "ACCOUNT_FIELDS",
    "CSV_COLUMNS",
    "ORGANIZATION_FIELDS",
    "companion_path",
    "load_inventory",
]

TOP_LEVEL_FIELDS = ("organization", "accounts")
ORGANIZATION_FIELDS = (
    "name",
    "aliases",
    "domains",
    "policy_owner",
    "roster",
    "waivers",
    "policies",
    "departments",
    "naming",
    "approved_platforms",
)
NAMING_FIELDS = ("handle_pattern", "display_name_pattern")
SECURITY_FIELDS = ("mfa", "credentials", "recovery_email")
ACCOUNT_FIELDS = (
    "id",
    "platform",
    "handle",
    "url",
    "display_name",
    "status",
    "department",
    "owner",
    "backup_owner",
    "executive_sponsor",
    "objective",
    "metrics",
    "created",
    "last_attested",
    "security",
    "tags",
    "credential",
)
CSV_COLUMNS = (
    *(f for f in ACCOUNT_FIELDS if f != "security"),
    *(f"security.{f}" for f in SECURITY_FIELDS),
)
REQUIRED_ACCOUNT_FIELDS = ("id", "platform", "handle", "status")

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_URL = re.compile(r"^https?://\S+$")
CREDENTIAL_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
"""A named credential (``[credentials.emea-meta]`` in rollcall.toml)."""
# Names people type for a platform that Rollcall spells differently.
_PLATFORM_ALIASES = {
    "twitter": "x",
    "fb": "facebook",
    "ig": "instagram",
    "insta": "instagram",
    "yt": "youtube",
    "bsky": "bluesky",
    "gh": "github",
    "li": "linkedin",
}


def companion_path(csv_path: str | Path) -> Path:
    """``accounts.csv`` → ``accounts.org.yaml``: where a CSV inventory keeps its organization."""
    p = Path(csv_path)
    return p.with_name(p.stem + ".org.yaml")


def load_inventory(path: str | Path) -> Inventory:
    """Load a YAML or CSV inventory (by extension) and its roster; raise ValidationError with
    every problem found in the inventory, its companion file and the roster."""
    name = str(path)
    kind = path_kind(path)
    if kind is not PathKind.FILE:  # a folder or a device has no file type to speak of
        raise SourceError(name, kind_message(kind))
    suffix = Path(name).suffix.casefold()
    if suffix not in (".yaml", ".yml", ".csv"):
        raise ValidationError.single(
            name, None, f"unknown inventory file type {suffix!r}; expected .yaml, .yml or .csv"
        )
    text, raw = read_source(path)
    checker = Checker(name)
    # Each account is checked as soon as its row or mapping is read, and only the Account is
    # kept: a 50,000-account file is never held as 50,000 mappings or records at once.
    collected = _Accounts(checker)
    if suffix == ".csv":
        org, org_problems = _companion_organization(name)
        for record in read_csv_records(
            text, checker, columns=CSV_COLUMNS, required=REQUIRED_ACCOUNT_FIELDS
        ):
            collected.add(record)
    else:
        # A bad value (a date that does not exist) is one problem among all the others, not
        # the end of validation: collect it and read on.
        data = load_yaml_text(
            text, name, problems=checker.problems, items={"accounts": collected.yaml_item}
        )
        org = _yaml_inventory(data, checker)
        org_problems = []

    accounts = tuple(collected.accounts)
    roster: Roster | None = None
    roster_problems: list[Problem] = []
    if org is not None and org.roster is not None:
        roster, roster_problems = _roster(org.roster)
    problems = [*checker.problems, *org_problems, *roster_problems]
    if problems or org is None or roster is None:
        raise ValidationError(problems)
    return Inventory(
        path=name,
        sha256=hashlib.sha256(raw).hexdigest(),
        organization=org,
        accounts=accounts,
        roster=roster,
    )


def _roster(path: str) -> tuple[Roster | None, list[Problem]]:
    try:
        return collect_roster(path)
    except ValidationError as exc:
        return None, list(exc.problems)
    except SourceError as exc:  # swapped for another kind of path since it was checked
        return None, [Problem(exc.file, None, None, str(exc).removeprefix(f"{exc.file}: "))]


# --------------------------------------------------------------------------- YAML form


def _yaml_inventory(data: object, checker: Checker) -> Organization | None:
    """The organization, and the top-level checks; the accounts were taken as they were read
    (:meth:`_Accounts.yaml_item`)."""
    if not isinstance(data, YMap):
        checker.problem(1, None, "expected a mapping with 'organization' and 'accounts' at the top")
        return None
    top = record_from_yaml(data, "")
    checker.unknown_keys(top, TOP_LEVEL_FIELDS)
    org_record = checker.mapping(top, "organization", required=True)
    org = _organization(org_record, checker) if org_record is not None else None
    if "accounts" not in data:
        checker.problem(
            data.line,
            data.column,
            "accounts: missing; expected a list of accounts (id, platform, handle, status, ...)",
        )
    elif not isinstance(data["accounts"], YList):
        checker.problem(
            data.line_of("accounts"),
            data.column_of("accounts"),
            "accounts: expected a list of accounts (id, platform, handle, status, ...)",
        )
    return org


def _companion_organization(csv_name: str) -> tuple[Organization | None, list[Problem]]:
    companion = companion_path(csv_name)
    if not companion.exists():
        return None, [
            Problem(
                csv_name,
                1,
                None,
                f"a CSV inventory holds only accounts; expected its organization in {str(companion)!r} "
                "(a YAML file with an 'organization' mapping), which does not exist",
            )
        ]
    checker = Checker(str(companion))
    try:
        text, _ = read_source(companion)
        data = load_yaml_text(text, str(companion), problems=checker.problems)
    except ValidationError as exc:
        return None, list(exc.problems)
    except SourceError as exc:
        return None, [Problem(exc.file, None, None, str(exc).removeprefix(f"{exc.file}: "))]
    org: Organization | None = None
    if not isinstance(data, YMap):
        checker.problem(1, None, "expected a mapping with an 'organization' mapping at the top")
    else:
        top = record_from_yaml(data, "")
        checker.unknown_keys(top, ("organization",))
        org_record = checker.mapping(top, "organization", required=True)
        if org_record is not None:
            org = _organization(org_record, checker)
    return (None if checker.problems else org), checker.problems


def _organization(record: Record, checker: Checker) -> Organization | None:
    before = checker.failures
    checker.unknown_keys(record, ORGANIZATION_FIELDS)
    base = Path(checker.file).parent
    name = checker.text(record, "name", required=True, expected="the organization's name")
    aliases = checker.strings(record, "aliases")
    domains = checker.domains(record, "domains")
    policy_owner = checker.email(record, "policy_owner")
    roster = _existing_path(record, "roster", checker, base, required=True)
    waivers = _existing_path(record, "waivers", checker, base)
    policies: list[str] = []
    for index, value in enumerate(checker.strings(record, "policies", expected="a list of paths")):
        resolved = _resolve(base, value)
        kind = path_kind(resolved)
        if kind is not PathKind.FILE:
            checker.problem(
                record.line_of("policies"),
                None,
                f"{record.label('policies')}[{index}]: {value!r} {_kind_text(kind)} "
                f"(looked for {resolved}); expected a rule pack path relative to the inventory",
            )
        policies.append(resolved)
    departments = checker.strings(record, "departments")
    naming = Naming()
    naming_record = checker.mapping(record, "naming")
    if naming_record is not None:
        checker.unknown_keys(naming_record, NAMING_FIELDS)
        naming = Naming(
            handle_pattern=checker.regex(naming_record, "handle_pattern"),
            display_name_pattern=checker.regex(naming_record, "display_name_pattern"),
        )
    platforms: list[Platform] = []
    names = [p.value for p in Platform]
    for value in checker.strings(record, "approved_platforms", expected="a list of platforms"):
        try:
            platforms.append(Platform(value.casefold()))
        except ValueError:
            checker.problem(
                record.line_of("approved_platforms"),
                None,
                f"{record.label('approved_platforms')}: expected platforms from {', '.join(names)}, "
                f"got {value!r}",
                _platform_hint(value),
            )
    if checker.failures != before or name is None:
        return None
    return Organization(
        name=name,
        location=Location(checker.file, record.line, record.column),
        aliases=aliases,
        domains=domains,
        policy_owner=policy_owner,
        roster=roster,
        waivers=waivers,
        policies=tuple(policies),
        departments=departments,
        naming=naming,
        approved_platforms=tuple(platforms),
    )


def _resolve(base: Path, value: str) -> str:
    """A path from the inventory, relative to the inventory's folder (absolute stays absolute)."""
    return os.path.normpath(base / Path(value).expanduser())


def _existing_path(
    record: Record, key: str, checker: Checker, base: Path, *, required: bool = False
) -> str | None:
    value = checker.text(
        record, key, required=required, expected="a file path relative to the inventory"
    )
    if value is None:
        return None
    resolved = _resolve(base, value)
    kind = path_kind(resolved)
    if kind is not PathKind.FILE:
        field = record.fields[key]
        checker.problem(
            field.line,
            field.column,
            f"{record.label(key)}: {value!r} {_kind_text(kind)} (looked for {resolved}); "
            "expected a path relative to the inventory file",
        )
        return None
    return resolved


def _kind_text(kind: PathKind) -> str:
    """``'x.csv' not found``, ``'x.csv' is a folder; ...``: the kind's message after a name."""
    return "not found" if kind is PathKind.MISSING else kind_message(kind)


# --------------------------------------------------------------------------- accounts


def _platform_hint(value: str) -> str | None:
    folded = value.casefold()
    if folded in _PLATFORM_ALIASES:
        return f"did you mean {_PLATFORM_ALIASES[folded]!r}?"
    return did_you_mean(folded, [p.value for p in Platform])


class _Accounts:
    """Accounts checked one record at a time, each id once (a repeated id is reported)."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.accounts: list[Account] = []
        self.first_line: dict[str, int | None] = {}

    def add(self, record: Record) -> None:
        account = _account(record, self.checker)
        if account is None:
            return
        if account.id in self.first_line:
            self.checker.problem(
                record.line_of("id"),
                record.fields["id"].column,
                f"{record.label('id')}: duplicate account id {account.id!r} (first on line "
                f"{self.first_line[account.id]}); expected each id once",
            )
            return
        self.first_line[account.id] = record.line_of("id")
        self.accounts.append(account)

    def yaml_item(self, index: int, item: object, at: tuple[int, int]) -> None:
        """The YAML loader's hook for each item of ``accounts`` (the list keeps None)."""
        if item is INVALID:
            return  # already reported
        if not isinstance(item, YMap):
            self.checker.problem(*at, f"accounts[{index}]: expected a mapping (one account)")
            return
        self.add(record_from_yaml(item, f"accounts[{index}]"))


def _account(record: Record, checker: Checker) -> Account | None:
    before = checker.failures
    if record.kind == "yaml":
        checker.unknown_keys(record, ACCOUNT_FIELDS)
    account_id = checker.pattern_text(
        record,
        "id",
        _ID,
        "an id of letters, digits, '.', '_' or '-' (e.g. ig-main)",
        required=True,
    )
    platform = _platform(record, checker)
    handle = _handle(record, checker, platform)
    status = checker.choice(record, "status", AccountStatus, required=True)
    url = checker.pattern_text(record, "url", _URL, "an http(s) URL")
    display_name = checker.text(record, "display_name")
    department = checker.text(record, "department")
    owner = checker.email(record, "owner")
    backup_owner = checker.email(record, "backup_owner")
    sponsor = checker.email(record, "executive_sponsor")
    objective = checker.text(record, "objective")
    metrics = checker.strings(record, "metrics")
    created = checker.day(record, "created")
    attested = checker.day(record, "last_attested")
    tags = checker.strings(record, "tags")
    credential = checker.pattern_text(
        record, "credential", CREDENTIAL_NAME, "a credential name of the config file (emea-meta)"
    )
    security, security_lines = _security(record, checker)
    if checker.failures != before:
        return None
    assert account_id is not None and platform is not None and handle is not None
    assert status is not None
    lines: dict[str, int] = {
        key: f.line for key, f in record.fields.items() if key != "security" and f.line is not None
    }
    lines.update(security_lines)
    return Account(
        id=account_id,
        platform=platform,
        handle=handle,
        status=status,
        location=Location(checker.file, record.line, record.column),
        url=url,
        display_name=_shared(display_name),
        department=_shared(department),
        owner=_shared(owner),
        backup_owner=_shared(backup_owner),
        executive_sponsor=_shared(sponsor),
        objective=_shared(objective),
        metrics=tuple(sys.intern(m) for m in metrics),
        created=created,
        last_attested=attested,
        security=security,
        tags=tuple(sys.intern(t) for t in tags),
        lines=LineMap(lines),
        credential=credential,
    )


def _shared(text: str | None) -> str | None:
    """One string object for a value many accounts repeat (an owner's email, a department, a
    franchise's objective): 50,000 accounts keep a few thousand strings, not 300,000."""
    return None if text is None else sys.intern(text)


def _handle(record: Record, checker: Checker, platform: Platform | None) -> str | None:
    """The account's handle, checked against its platform's handle forms when both are known
    (a bad form is reported and the handle still returned: the account is refused anyway)."""
    handle = checker.text(record, "handle", required=True, expected="the account's handle")
    if platform is None or handle is None:
        return handle
    wrong = check_handle_form(platform, handle)
    if wrong is not None:
        expected, hint = wrong
        field = record.fields["handle"]
        checker.problem(
            field.line,
            field.column,
            f"{record.label('handle')}: expected {expected} for {platform.value}, got {handle!r}",
            hint,
        )
    return handle


def _platform(record: Record, checker: Checker) -> Platform | None:
    names = [p.value for p in Platform]
    expected = f"one of {', '.join(names)}"
    value = checker.text(record, "platform", required=True, expected=expected)
    if value is None:
        return None
    try:
        return Platform(value.casefold())
    except ValueError:
        field = record.fields["platform"]
        checker.problem(
            field.line,
            field.column,
            f"{record.label('platform')}: expected {expected}, got {value!r}",
            _platform_hint(value),
        )
        return None


def _security(record: Record, checker: Checker) -> tuple[Security, dict[str, int]]:
    sub = checker.mapping(record, "security")
    lines: dict[str, int] = {}
    if sub is None:
        return Security(), lines
    if sub.kind == "yaml":
        checker.unknown_keys(sub, SECURITY_FIELDS)
    security_line = record.fields["security"].line
    if security_line is not None:
        lines["security"] = security_line
    for key, f in sub.fields.items():
        if f.line is not None:
            lines[f"security.{key}"] = f.line
    credentials = checker.choice(sub, "credentials", Credentials)
    return (
        Security(
            mfa=checker.boolean(sub, "mfa"),
            credentials=credentials if credentials is not None else Credentials.UNKNOWN,
            recovery_email=checker.email(sub, "recovery_email"),
        ),
        lines,
    )
