"""Review a proposed account (a request file) or an inventory change (base → head) before it lands.

Checks, in order: the platform is approved; the handle fits the platform's rules and the naming
convention; the rule packs' checks for ``planned`` accounts (ownership, purpose, metrics,
declared security); no duplicate of an inventoried account; and, unless offline, the handle's
live state (free, already ours, taken — and whether the taker looks like a rogue page). The
decision is approve, approve_with_conditions, needs_review (a check could not be verified, so a
person must decide) or reject, each reason naming the rule behind it.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, assert_never

from rapidfuzz import fuzz

from scanner.errors import Problem, ValidationError, did_you_mean
from scanner.fetch import Clock, FetcherFactory
from scanner.matching import MatchContext, Thresholds, classify_candidates
from scanner.matching.score import handle_name
from scanner.model import (
    Account,
    AccountStatus,
    Classification,
    Credentials,
    Finding,
    FindingStatus,
    Inventory,
    Location,
    Observation,
    ObservationStatus,
    Platform,
    Security,
    Severity,
)
from scanner.platforms import PlatformAdapter, adapter_for, all_capabilities
from scanner.policy import Policy, evaluate, fingerprint, rule_info
from scanner.runs.clock import SYSTEM_CLOCK, now
from scanner.runs.discover import duplicate_reasons, thresholds_from_policy
from scanner.runs.observe import Target, observe
from scanner.userregex import UserPatternTimeout, compile_user_pattern
from scanner.yamlsource import YList, YMap, load_yaml

__all__ = [
    "Decision",
    "Effect",
    "Liveness",
    "ReviewItem",
    "ReviewOptions",
    "ReviewReason",
    "ReviewResult",
    "load_request",
    "review_diff",
    "review_findings",
    "review_request",
]


class Decision(enum.StrEnum):
    """The gate's answer. ``needs_review`` is neither yes nor no: a check could not be verified
    (a login wall, a WAF, a rate limit), so a person must look before the account is opened."""

    APPROVE = "approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions"
    NEEDS_REVIEW = "needs_review"
    REJECT = "reject"

    @property
    def rank(self) -> int:
        """Which decision wins when several items are reviewed together (highest wins)."""
        match self:
            case Decision.APPROVE:
                return 0
            case Decision.APPROVE_WITH_CONDITIONS:
                return 1
            case Decision.NEEDS_REVIEW:
                return 2
            case Decision.REJECT:
                return 3
            case _:
                assert_never(self)


class Effect(enum.StrEnum):
    """What one reason does to the decision."""

    BLOCKS = "blocks"
    """Rejects the account."""
    UNVERIFIED = "unverified"
    """A check that could not be made: the decision needs a person (needs_review)."""
    CONDITION = "condition"
    """Approved on the condition that it is dealt with."""

    @property
    def finding_status(self) -> FindingStatus:
        """The status a reason has as a Finding (SARIF, JUnit)."""
        match self:
            case Effect.BLOCKS:
                return FindingStatus.FAIL
            case Effect.UNVERIFIED:
                # As in audits: a check that needed facts nobody could see is `error`.
                return FindingStatus.ERROR
            case Effect.CONDITION:
                return FindingStatus.WARN
            case _:
                assert_never(self)


class Liveness(enum.StrEnum):
    """What the platform says about the requested handle."""

    FREE = "free"
    OURS = "ours"
    TAKEN = "taken"
    TAKEN_ROGUE = "taken_rogue"
    UNVERIFIED = "unverified"
    NOT_CHECKED = "not_checked"


@dataclass(frozen=True)
class ReviewReason:
    """One reason behind a decision; its ``effect`` says whether it rejects, needs a person or
    is a condition."""

    rule_id: str
    severity: Severity
    message: str
    effect: Effect
    location: Location

    @property
    def blocking(self) -> bool:
        return self.effect is Effect.BLOCKS


@dataclass(frozen=True)
class ReviewItem:
    """The review of one proposed or changed account."""

    account: Account
    change: str  # "request", "added", "changed", "retired"
    decision: Decision
    reasons: tuple[ReviewReason, ...]
    liveness: Liveness
    observation: Observation | None = None


@dataclass(frozen=True)
class ReviewResult:
    items: tuple[ReviewItem, ...]
    inventory: Inventory
    head_path: str
    reviewed_at: datetime
    offline: bool

    @property
    def decision(self) -> Decision:
        """The strongest decision of any item: one rejection rejects the change."""
        return max((i.decision for i in self.items), key=lambda d: d.rank, default=Decision.APPROVE)

    def unverified(self) -> tuple[tuple[ReviewItem, ReviewReason], ...]:
        """Every check that could not be verified, with the item it belongs to."""
        return tuple(
            (item, reason)
            for item in self.items
            for reason in item.reasons
            if reason.effect is Effect.UNVERIFIED
        )


@dataclass(frozen=True)
class ReviewOptions:
    offline: bool = False
    as_of: date | None = None
    block_at: Severity = Severity.MEDIUM
    """Rule failures at or above this severity reject; below it they become conditions."""


# --------------------------------------------------------------------------- request files

_REQUEST_FIELDS = {
    "id": str,
    "platform": str,
    "handle": str,
    "display_name": str,
    "department": str,
    "owner": str,
    "backup_owner": str,
    "executive_sponsor": str,
    "objective": str,
    "metrics": list,
    "approval_ticket": str,
    "justification": str,
    "security": dict,
    "tags": list,
}
_REQUIRED = ("platform", "handle")


def _kind_words(kind: type) -> str:
    """``text``, ``a list``, ``a mapping``: a YAML value's kind in a request author's words."""
    for base, words in ((str, "text"), (bool, "yes/no"), (list, "a list"), (dict, "a mapping")):
        if issubclass(kind, base):
            return words
    if issubclass(kind, (int, float)):
        return "a number"
    return "a date" if issubclass(kind, date) else kind.__name__


def load_request(path: Path) -> Account:
    """Read a request file into a ``planned`` Account located on the request's lines."""
    name = str(path)
    data = load_yaml(path)
    if not isinstance(data, YMap):
        where = data.line if isinstance(data, YList) else 1
        raise ValidationError.single(name, where, "expected a mapping of request fields")
    problems = _request_problems(name, data)
    if problems:
        raise ValidationError(problems)
    platform = Platform(str(data["platform"]))
    security = data.get("security") or {}
    handle = str(data["handle"]).strip()
    lines = {key: data.line_of(key) for key in data}
    return Account(
        id=str(data.get("id") or f"request-{platform.value}-{handle}"),
        platform=platform,
        handle=handle,
        status=AccountStatus.PLANNED,
        location=Location(name, data.line, data.column),
        display_name=_opt(data.get("display_name")),
        department=_opt(data.get("department")),
        owner=_opt(data.get("owner")),
        backup_owner=_opt(data.get("backup_owner")),
        executive_sponsor=_opt(data.get("executive_sponsor")),
        objective=_opt(data.get("objective")),
        metrics=tuple(str(m) for m in data.get("metrics") or ()),
        security=_security(security),
        tags=tuple(str(t) for t in data.get("tags") or ()),
        lines=lines,
    )


def _request_problems(name: str, data: YMap) -> list[Problem]:
    """Every problem in a request file: unknown fields, values of the wrong kind, missing
    required fields and an unknown platform, each on its line."""
    problems: list[Problem] = []
    for key, value in data.items():
        expected = _REQUEST_FIELDS.get(key)
        if expected is None:
            problems.append(
                Problem(
                    name,
                    data.line_of(key),
                    data.column_of(key),
                    f"unknown field {key!r}; expected one of {', '.join(_REQUEST_FIELDS)}",
                    did_you_mean(key, _REQUEST_FIELDS),
                )
            )
        elif value is not None and not isinstance(value, expected):
            problems.append(
                Problem(
                    name,
                    data.line_of(key),
                    None,
                    f"{key}: expected {_kind_words(expected)}, got {_kind_words(type(value))}",
                )
            )
    for key in _REQUIRED:
        if not data.get(key):
            problems.append(Problem(name, data.line, None, f"missing required field {key!r}"))
    raw_platform = data.get("platform")
    # A platform that is not text was reported above; do not call it an unknown platform too.
    platform_name = raw_platform if isinstance(raw_platform, str) else ""
    if platform_name and platform_name not in {p.value for p in Platform}:
        problems.append(
            Problem(
                name,
                data.line_of("platform"),
                None,
                f"platform: unknown platform {platform_name!r}; expected one of "
                + ", ".join(p.value for p in Platform),
                did_you_mean(platform_name, [p.value for p in Platform]),
            )
        )
    return problems


def _opt(value: Any) -> str | None:
    return None if value is None else str(value).strip() or None


def _security(raw: Any) -> Security:
    if not isinstance(raw, dict):
        return Security()
    cred = str(raw.get("credentials", "unknown"))
    mfa = raw.get("mfa")
    return Security(
        mfa=mfa if isinstance(mfa, bool) else None,
        credentials=Credentials(cred)
        if cred in {c.value for c in Credentials}
        else Credentials.UNKNOWN,
        recovery_email=_opt(raw.get("recovery_email")),
    )


# --------------------------------------------------------------------------- review


def review_request(
    request: Account,
    inventory: Inventory,
    policy: Policy,
    options: ReviewOptions,
    *,
    fetchers: FetcherFactory,
    clock: Clock = SYSTEM_CLOCK,
) -> ReviewResult:
    """Review one proposed account against the inventory it would join; its live state is
    observed over a fetcher from ``fetchers`` unless ``options.offline``."""
    started = now(clock)
    items = _review(
        [(request, "request")],
        inventory,
        policy,
        options,
        existing=inventory.accounts,
        fetchers=fetchers,
        started=started,
        clock=clock,
    )
    return ReviewResult(
        items=items,
        inventory=inventory,
        head_path=request.location.file,
        reviewed_at=started,
        offline=options.offline,
    )


def review_diff(
    base: Inventory,
    head: Inventory,
    policy: Policy,
    options: ReviewOptions,
    *,
    fetchers: FetcherFactory,
    clock: Clock = SYSTEM_CLOCK,
) -> ReviewResult:
    """Review only the accounts added or changed between two versions of an inventory (the
    added ones' live state over a fetcher from ``fetchers`` unless ``options.offline``)."""
    started = now(clock)
    before = {a.id: a for a in base.accounts}
    changes: list[tuple[Account, str]] = []
    for account in head.accounts:
        old = before.get(account.id)
        if old is None:
            changes.append((account, "added"))
        elif _comparable(old) != _comparable(account):
            retired = (
                account.status is AccountStatus.RETIRED and old.status is not AccountStatus.RETIRED
            )
            changes.append((account, "retired" if retired else "changed"))
    changed_ids = {a.id for a, _ in changes}
    existing = tuple(a for a in head.accounts if a.id not in changed_ids)
    items = _review(
        changes,
        head,
        policy,
        options,
        existing=existing,
        fetchers=fetchers,
        started=started,
        clock=clock,
    )
    return ReviewResult(
        items=items,
        inventory=head,
        head_path=head.path,
        reviewed_at=started,
        offline=options.offline,
    )


def _comparable(account: Account) -> Account:
    return dataclasses.replace(account, location=Location(""), lines={})


def _review(
    changes: Sequence[tuple[Account, str]],
    inventory: Inventory,
    policy: Policy,
    options: ReviewOptions,
    *,
    existing: Sequence[Account],
    fetchers: FetcherFactory,
    started: datetime,
    clock: Clock,
) -> tuple[ReviewItem, ...]:
    as_of = options.as_of or started.date()
    thresholds = thresholds_from_policy(policy)
    live_targets = [
        a for a, change in changes if change in ("request", "added") and not options.offline
    ]
    live = _observe(live_targets, fetchers, clock)
    items = []
    for account, change in changes:
        reasons: list[ReviewReason] = []
        if change == "retired":
            reasons.append(
                _reason(
                    "REV-010",
                    f"{account.id} is being retired: archive or delete it following the"
                    f" {account.platform.value} procedure; the next audit flags it (IDN-005)"
                    " while it is still live",
                    account,
                    "status",
                    effect=Effect.CONDITION,
                    policy=policy,
                )
            )
        else:
            reasons.extend(_static_checks(account, inventory, policy))
            reasons.extend(_policy_checks(account, change, inventory, policy, options, as_of))
            reasons.extend(_duplicate_checks(account, existing, thresholds, policy))
        observation = live.get(account.id)
        liveness, live_reasons = _live_checks(
            account, change, observation, inventory, thresholds, policy
        )
        reasons.extend(live_reasons)
        items.append(
            ReviewItem(
                account=account,
                change=change,
                decision=_decide(reasons),
                reasons=tuple(reasons),
                liveness=liveness,
                observation=observation,
            )
        )
    return tuple(items)


def _decide(reasons: Sequence[ReviewReason]) -> Decision:
    effects = {r.effect for r in reasons}
    if Effect.BLOCKS in effects:
        return Decision.REJECT
    if Effect.UNVERIFIED in effects:
        return Decision.NEEDS_REVIEW
    if reasons:
        return Decision.APPROVE_WITH_CONDITIONS
    return Decision.APPROVE


def _reason(
    rule_id: str,
    message: str,
    account: Account,
    field_name: str,
    *,
    effect: Effect,
    policy: Policy,
) -> ReviewReason:
    """A reason for ``rule_id`` with the severity the catalogue (or a pack override) gives it,
    the same severity ``rules list`` shows."""
    return ReviewReason(
        rule_id=rule_id,
        severity=rule_info(rule_id, policy).severity,
        message=message,
        effect=effect,
        location=Location(account.location.file, account.line_of(field_name)),
    )


def _static_checks(account: Account, inventory: Inventory, policy: Policy) -> list[ReviewReason]:
    """REV-001 to REV-003: the platform is approved, the handle is valid and well named."""
    org = inventory.organization
    reasons = []
    if org.approved_platforms and account.platform not in org.approved_platforms:
        approved = ", ".join(p.value for p in org.approved_platforms)
        reasons.append(
            _reason(
                "REV-001",
                f"{account.platform.value} is not an approved platform (approved: {approved})",
                account,
                "platform",
                effect=Effect.BLOCKS,
                policy=policy,
            )
        )
    adapter = adapter_for(account.platform)
    problem = adapter.check_handle(account.handle)
    if problem is not None:
        reasons.append(
            _reason(
                "REV-002",
                f"handle {account.handle!r} is not valid on {account.platform.value}: {problem}",
                account,
                "handle",
                effect=Effect.BLOCKS,
                policy=policy,
            )
        )
    pattern = org.naming.handle_pattern
    if pattern and problem is None:
        naming = _naming_check(account, adapter, pattern, policy)
        if naming is not None:
            reasons.append(naming)
    return reasons


def _naming_check(
    account: Account, adapter: PlatformAdapter, pattern: str, policy: Policy
) -> ReviewReason | None:
    """REV-003: the handle follows the naming convention ``pattern`` (None when it does)."""
    # The same semantics as IDN-004 (policies/default.yaml): the name part, as written or
    # without separators, ignoring case; an opaque id (a channel id) has no name to judge.
    names = [
        n for n in (adapter.name_part(account.handle), adapter.joined_name(account.handle)) if n
    ]
    if not names:
        return None
    try:
        # The inventory loader refused a pattern that cannot be compiled.
        compiled = compile_user_pattern(pattern, ignore_case=True)
        follows = any(compiled.search(name) for name in names)
    except UserPatternTimeout as exc:
        # A pattern that ran out of time decides nothing: a person must look.
        return _reason(
            "REV-003", str(exc), account, "handle", effect=Effect.UNVERIFIED, policy=policy
        )
    if follows:
        return None
    return _reason(
        "REV-003",
        f"handle {account.handle!r} does not follow the naming convention /{pattern}/",
        account,
        "handle",
        effect=Effect.BLOCKS,
        policy=policy,
    )


def _policy_checks(
    account: Account,
    change: str,
    inventory: Inventory,
    policy: Policy,
    options: ReviewOptions,
    as_of: date,
) -> list[ReviewReason]:
    """Run the packs on the account as it would stand in the inventory, offline."""
    others = tuple(a for a in inventory.accounts if a.id != account.id)
    candidate = dataclasses.replace(inventory, accounts=(*others, account))
    evaluation = evaluate(
        candidate, {account.id: None}, policy, None, as_of=as_of, capabilities=all_capabilities()
    )
    reasons = []
    for finding in evaluation.findings:
        if finding.account_id != account.id or finding.status is not FindingStatus.FAIL:
            continue
        reasons.append(
            ReviewReason(
                rule_id=finding.rule_id,
                severity=finding.severity,
                message=finding.message,
                effect=Effect.BLOCKS if finding.severity >= options.block_at else Effect.CONDITION,
                location=Location(account.location.file, finding.location.line),
            )
        )
    return reasons


def _duplicate_checks(
    account: Account, existing: Sequence[Account], thresholds: Thresholds, policy: Policy
) -> list[ReviewReason]:
    """The same handle again (INV-001), or the same audience as an inventoried account on the
    same platform — discovery's INV-002 test — with the same department or objective."""
    reasons = []
    for other in existing:
        if other.platform is not account.platform or other.status is AccountStatus.RETIRED:
            continue
        name = handle_name(account.platform, account.handle).casefold()
        if name and handle_name(other.platform, other.handle).casefold() == name:
            reasons.append(
                _reason(
                    "INV-001",
                    f"{account.platform.value} handle {account.handle!r} is already inventoried"
                    f" as {other.id}",
                    account,
                    "handle",
                    effect=Effect.BLOCKS,
                    policy=policy,
                )
            )
            continue
        alike = duplicate_reasons(other, account, thresholds)
        same_department = bool(account.department) and account.department == other.department
        same_objective = bool(account.objective and other.objective) and (
            fuzz.token_set_ratio(account.objective or "", other.objective or "")
            >= thresholds.duplicate
        )
        if alike and (same_department or same_objective):
            why = "the same department" if same_department else "the same objective"
            reasons.append(
                _reason(
                    "INV-002",
                    f"duplicates {other.id} ({other.platform.value} {other.handle}):"
                    f" {'; '.join(alike)}, and {why}; post there instead of opening a second"
                    " account",
                    account,
                    "display_name",
                    effect=Effect.BLOCKS,
                    policy=policy,
                )
            )
    return reasons


def _observe(
    accounts: Sequence[Account], fetchers: FetcherFactory, clock: Clock
) -> dict[str, Observation]:
    if not accounts:
        return {}
    targets = [Target(platform=a.platform, handle=a.handle) for a in accounts]
    seen = observe(targets, fetchers, clock=clock)
    return {a.id: o for a, o in zip(accounts, seen, strict=True)}


def _live_checks(
    account: Account,
    change: str,
    observation: Observation | None,
    inventory: Inventory,
    thresholds: Thresholds,
    policy: Policy,
) -> tuple[Liveness, list[ReviewReason]]:
    if observation is None:
        return Liveness.NOT_CHECKED, []
    status = observation.status
    if status is ObservationStatus.ABSENT:
        return Liveness.FREE, []
    if status is ObservationStatus.INVALID:
        return Liveness.NOT_CHECKED, []
    if not status.verified:
        why = observation.reason.text if observation.reason else status.value
        return Liveness.UNVERIFIED, [
            _reason(
                "REV-005",
                f"could not verify whether the handle is free on {account.platform.value}: {why}",
                account,
                "handle",
                effect=Effect.UNVERIFIED,
                policy=policy,
            )
        ]
    return _taken(account, observation, inventory, thresholds, policy)


def _taken(
    account: Account,
    observation: Observation,
    inventory: Inventory,
    thresholds: Thresholds,
    policy: Policy,
) -> tuple[Liveness, list[ReviewReason]]:
    """The handle's page exists: ours already (REV-006), a rogue page (REV-007) or someone's."""
    # Classify the page exactly as discovery would (same evidence, same thresholds).
    context = MatchContext.from_inventory(inventory)
    verdict = classify_candidates([observation], context, thresholds)[0]
    name = observation.display_name or observation.handle
    facts = "; ".join(verdict.evidence) if verdict else ""
    if verdict is not None and verdict.classification in (
        Classification.UNLISTED_OFFICIAL,
        Classification.DUPLICATE,
    ):
        return Liveness.OURS, [
            _reason(
                "REV-006",
                f"{account.handle!r} already exists on {account.platform.value} and is ours"
                f" ({facts}): inventory the existing page instead of opening a new one",
                account,
                "handle",
                effect=Effect.CONDITION,
                policy=policy,
            )
        ]
    if verdict is not None and verdict.classification is Classification.ROGUE:
        return Liveness.TAKEN_ROGUE, [
            _reason(
                "REV-007",
                f"{account.handle!r} is taken on {account.platform.value} by {name!r}, a"
                f" suspected rogue page squatting our brand ({facts}): request a takedown and"
                " choose another handle meanwhile",
                account,
                "handle",
                effect=Effect.BLOCKS,
                policy=policy,
            )
        ]
    return Liveness.TAKEN, [
        _reason(
            "REV-008",
            f"{account.handle!r} is already taken on {account.platform.value} by {name!r};"
            " choose another handle",
            account,
            "handle",
            effect=Effect.BLOCKS,
            policy=policy,
        )
    ]


def review_findings(result: ReviewResult) -> tuple[Finding, ...]:
    """The review's reasons as Findings located on the request/head file, for SARIF and JUnit."""
    findings = []
    for item in result.items:
        for reason in item.reasons:
            a = item.account
            findings.append(
                Finding(
                    rule_id=reason.rule_id,
                    title=reason.message.split(":")[0][:80],
                    severity=reason.severity,
                    status=reason.effect.finding_status,
                    category="review",
                    account_id=a.id,
                    platform=a.platform,
                    handle=a.handle,
                    message=reason.message,
                    remediation="",
                    location=reason.location,
                    fingerprint=fingerprint(reason.rule_id, a.platform.value, a.handle, a.id),
                    evidence={"change": item.change, "liveness": item.liveness.value},
                )
            )
    return tuple(findings)
