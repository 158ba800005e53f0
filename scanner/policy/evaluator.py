"""Apply a validated policy to an inventory and its observations, with waivers.

Each rule is compiled once per run into closures (no per-account re-parsing) and looked up per
(status, platform). Missing data is explicit: a rule needing ``live.*`` facts when the observation
is blocked, errored, invalid or absent from an offline run ends ``error`` (unverified), never
pass or fail, and so does a rule left undecided by a live fact a present profile did not yield
(its activity request failed); a rule needing a live field the platform never extracts does not
apply there.
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, cast

from scanner import humanize
from scanner.errors import ValidationError
from scanner.inventory.access import RosterIndex
from scanner.model import (
    JSON,
    NOT_OBSERVED_EVIDENCE,
    AccountStatus,
    Finding,
    FindingStatus,
    Inventory,
    Location,
    Observation,
    ObservationStatus,
    Organization,
    Passes,
    Platform,
    RuleInfo,
    WaiverRef,
)
from scanner.policy.checks import CHECKS
from scanner.policy.explain import summary
from scanner.policy.fields import FIELDS, Activity, Context, FieldSource, Unknown
from scanner.policy.fingerprint import account_part, fingerprint
from scanner.policy.operators import OPERATORS, ValueKind, after_as_of, regex_parts
from scanner.policy.schema import (
    AllOf,
    AnyOf,
    Condition,
    FieldRef,
    Leaf,
    Not,
    OrgRef,
    Policy,
    Rule,
    template_fields,
)
from scanner.policy.waivers import WAIVER_RULES, WVR_EXPIRED, WVR_EXPIRING, Waiver, Waivers
from scanner.serialize import iso
from scanner.userregex import (
    UserPattern,
    UserPatternError,
    UserPatternTimeout,
    compile_user_pattern,
)

__all__ = ["Capabilities", "Evaluation", "evaluate", "rule_infos"]

Test = Callable[[Any], "bool | None"]

_ACTIVITY = frozenset({"last_activity_at", "no_activity_since"})


Capabilities = Mapping[Platform, frozenset[str]]
"""Platform → the Observation fields its adapter can fill (the platform specs' ``extracts``,
handed in by the runs that call :func:`evaluate`); a platform missing here extracts nothing."""


@dataclass(frozen=True)
class Evaluation:
    """Findings (fail, warn, waived, error), the (rule_id, account_id) pairs that passed, and
    the rules that were in play."""

    findings: tuple[Finding, ...]
    passed: Collection[tuple[str, str]]
    rules: tuple[RuleInfo, ...]


def rule_infos(policy: Policy) -> tuple[RuleInfo, ...]:
    """RuleInfo for each rule of the policy, then the built-in waiver rules."""
    infos = [r.info(_describe(r)) for r in policy.rules]
    return (*infos, *WAIVER_RULES)


def _describe(rule: Rule) -> str:
    if rule.check is not None:
        return CHECKS[rule.check].doc.split(";")[0]
    return summary(rule.assert_) if rule.assert_ is not None else ""


# --------------------------------------------------------------------------- compile


def _org_value(ref: OrgRef, org: Organization) -> Any:
    return FIELDS[ref.field].getter(cast(Context, _OrgOnly(org)))


class _OrgOnly:
    """Enough of a Context for org getters."""

    __slots__ = ("org",)

    def __init__(self, org: Organization) -> None:
        self.org = org


class _Compiler:
    def __init__(self, inventory: Inventory, as_of: date) -> None:
        self.org = inventory.organization
        self.inventory = inventory
        self.as_of = as_of

    def condition(self, cond: Condition, *, item: bool = False) -> Test:
        if isinstance(cond, Leaf):
            return self.leaf(cond, item=item)
        if isinstance(cond, Not):
            inner = self.condition(cond.item, item=item)

            def negate(c: Any) -> bool | None:
                r = inner(c)
                return None if r is None else not r

            return negate
        children = tuple(self.condition(child, item=item) for child in cond.items)
        if isinstance(cond, AllOf):
            return _all(children)
        assert isinstance(cond, AnyOf)
        return _any(children)

    def leaf(self, leaf: Leaf, *, item: bool) -> Test:
        op = OPERATORS[leaf.op]
        value = leaf.value
        if isinstance(value, OrgRef):
            value = _org_value(value, self.org)
        if op.value is ValueKind.CONDITION:
            assert isinstance(leaf.value, (Leaf, AllOf, AnyOf, Not))
            pred = op.build(self.condition(leaf.value, item=True), self.as_of)
        elif op.value is ValueKind.REGEX:
            pattern = self.regex(leaf)
            # No pattern declared by the organization: the leaf cannot be decided (a rule's
            # `where` normally keeps it from being asked).
            pred = op.build(pattern, self.as_of) if pattern is not None else _undecided
        elif op.value is ValueKind.SIMILAR:
            assert isinstance(value, Mapping)
            to = value["to"]
            if isinstance(to, OrgRef):
                to = _org_value(to, self.org)
            targets = (to,) if isinstance(to, str) else tuple(to or ())
            pred = op.build({"to": targets, "threshold": value["threshold"]}, self.as_of)
        elif op.value is ValueKind.WITHIN:
            assert isinstance(value, Mapping)
            other = value["field"]
            assert isinstance(other, FieldRef)
            within = op.build(value["days"], self.as_of)
            get = FIELDS[leaf.field].getter
            other_get = FIELDS[other.field].getter

            def within_test(c: Any) -> bool | None:
                v, o = get(c), other_get(c)
                return None if isinstance(v, Unknown) or isinstance(o, Unknown) else within(v, o)

            return self.guard(leaf, within_test)
        elif op.value is ValueKind.NONE:
            pred = op.build(None, self.as_of)
        else:
            if value is None and op.value in (ValueKind.LIST, ValueKind.DOMAINS):
                value = ()
            pred = op.build(value, self.as_of)
        if item:
            return pred
        spec = FIELDS[leaf.field]
        get = spec.getter
        if spec.source is not FieldSource.LIVE:
            return lambda c: pred(get(c))

        def live_test(c: Any) -> bool | None:
            v = get(c)
            return None if isinstance(v, Unknown) else pred(v)

        return self.guard(leaf, live_test)

    def guard(self, leaf: Leaf, test: Test) -> Test:
        if FIELDS[leaf.field].source is not FieldSource.LIVE:
            return test
        # A live fact from an unverified observation is unknown, whatever the operator.
        return lambda c: None if c.unverified else test(c)

    def regex(self, leaf: Leaf) -> UserPattern | None:
        value = leaf.value
        ignore_case = False
        ref: OrgRef | None = None
        if isinstance(value, OrgRef):
            ref = value
        elif isinstance(value, Mapping) and isinstance(value.get("pattern"), OrgRef):
            ref = value["pattern"]
            ignore_case = bool(value.get("ignore_case"))
        if ref is None:
            pattern, ignore_case, _ = regex_parts(value)
            assert pattern is not None
            return compile_user_pattern(pattern, ignore_case=ignore_case)
        text = _org_value(ref, self.org)
        if not text:
            return None
        try:
            return compile_user_pattern(text, ignore_case=ignore_case)
        except UserPatternError as exc:
            org = self.org.location
            raise ValidationError.single(
                org.file,
                org.line,
                f"organization {ref.field.removeprefix('org.')}: {exc}",
            ) from None


def _undecided(value: object) -> None:
    return None


def _all(children: tuple[Test, ...]) -> Test:
    return _kleene(children, decisive=False)


def _any(children: tuple[Test, ...]) -> Test:
    return _kleene(children, decisive=True)


def _kleene(children: tuple[Test, ...], *, decisive: bool) -> Test:
    """Three-valued AND (``decisive=False``) or OR (``decisive=True``): one child answering
    ``decisive`` decides; otherwise an undecided (None) child leaves the whole undecided."""
    if len(children) == 1:
        return children[0]

    def test(c: Any) -> bool | None:
        unknown = False
        for child in children:
            r = child(c)
            if r is decisive:
                return decisive
            if r is None:
                unknown = True
        return None if unknown else not decisive

    return test


def _fields(cond: Condition | None) -> list[str]:
    if cond is None:
        return []
    if isinstance(cond, Leaf):
        names = [cond.field]
        if isinstance(cond.value, Mapping) and isinstance(cond.value.get("field"), FieldRef):
            names.append(cond.value["field"].field)
        return names
    if isinstance(cond, Not):
        return _fields(cond.item)
    return [n for child in cond.items for n in _fields(child)]


def _live_needs(names: Iterable[str]) -> tuple[bool, frozenset[str]]:
    live = False
    caps: set[str] = set()
    for name in names:
        spec = FIELDS.get(name)
        if spec is None or spec.source is not FieldSource.LIVE:
            continue
        live = True
        if spec.capability:
            caps.add(spec.capability)
    return live, frozenset(caps)


def _has_capability(needed: frozenset[str], have: frozenset[str]) -> bool:
    for cap in needed:
        if cap == "last_activity_at":
            if not have & _ACTIVITY:
                return False
        elif cap not in have:
            return False
    return True


@dataclass(frozen=True)
class _Compiled:
    rule: Rule
    info: RuleInfo
    test: Test
    where: Test | None
    live: bool
    where_live: bool
    capabilities: frozenset[str]
    warn: bool
    fields: tuple[str, ...]
    render: Callable[[Context, Mapping[str, JSON]], str]
    failing: Mapping[str, Mapping[str, JSON]] | None = None
    fp_prefix: bytes = b""
    params: JSON = None
    """The rule's params as evidence: one dict every finding of the rule shares (read only)."""
    shared: dict[tuple[object, ...], Mapping[str, JSON]] = field(
        default_factory=dict, compare=False
    )
    """Evidence dicts already made for this rule, by content: the findings whose evidence is the
    same (``{"owner": null}`` on thousands of accounts) share one dict, read only."""


def _fmt(value: object) -> str:
    """A field's value in a message, written as every people-facing report writes it."""
    if isinstance(value, Activity):
        return humanize.activity(value.last, value.none_since)
    if isinstance(value, Unknown):
        return humanize.UNREADABLE
    return humanize.value(value)


def _json(value: object) -> JSON:
    if isinstance(value, enum.Enum):
        return str(value.value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime, date)):
        return iso(value)
    if isinstance(value, (tuple, list)):
        return [_json(v) for v in value]
    if isinstance(value, Activity):
        return {"last": _json(value.last), "none_since": _json(value.none_since)}
    return str(value)


def _template(rule: Rule) -> Callable[[Context, Mapping[str, JSON]], str]:
    text = rule.message
    names = template_fields(text)
    if not names:
        literal = text.replace("{{", "{").replace("}}", "}")
        return lambda c, evidence: literal
    getters: dict[str, Callable[[Context, Mapping[str, JSON]], object]] = {}
    for name in names:
        if name in FIELDS:
            get = FIELDS[name].getter
            getters[name] = lambda c, e, get=get: get(c)  # type: ignore[misc]
        elif name.startswith("params."):
            param = name.removeprefix("params.")
            constant = rule.params.get(param)
            getters[name] = lambda c, e, constant=constant: constant  # type: ignore[misc]
        elif name == "rule.id":
            getters[name] = lambda c, e: rule.id
        elif name == "rule.title":
            getters[name] = lambda c, e: rule.title
        else:
            key = name.removeprefix("evidence.")
            getters[name] = lambda c, e, key=key: e.get(key)  # type: ignore[misc]
    pieces = re.split(r"(\{[^{}]*\})", text.replace("{{", "\x00").replace("}}", "\x01"))

    def render(c: Context, evidence: Mapping[str, JSON]) -> str:
        out = []
        for piece in pieces:
            if piece.startswith("{") and piece.endswith("}"):
                out.append(_fmt(getters[piece[1:-1]](c, evidence)))
            else:
                out.append(piece.replace("\x00", "{").replace("\x01", "}"))
        return "".join(out)

    return render


def _compile(
    policy: Policy, inventory: Inventory, as_of: date, capabilities: Capabilities
) -> tuple[list[_Compiled], dict[tuple[AccountStatus, Platform], tuple[_Compiled, ...]]]:
    """Every rule compiled once, and per (status, platform) the rules that apply there."""
    compiler = _Compiler(inventory, as_of)
    compiled = [_compile_rule(rule, compiler, inventory, as_of) for rule in policy.rules]
    table: dict[tuple[AccountStatus, Platform], tuple[_Compiled, ...]] = {}
    for platform in Platform:
        have = capabilities.get(platform, frozenset())
        for status in AccountStatus:
            table[(status, platform)] = tuple(
                cr
                for cr in compiled
                if status in cr.rule.scope.statuses
                and (not cr.rule.scope.platforms or platform in cr.rule.scope.platforms)
                and _has_capability(cr.capabilities, have)
            )
    return compiled, table


def _compile_rule(rule: Rule, compiler: _Compiler, inventory: Inventory, as_of: date) -> _Compiled:
    where = compiler.condition(rule.scope.where) if rule.scope.where is not None else None
    where_fields = _fields(rule.scope.where)
    assert_fields = _fields(rule.assert_)
    where_live, where_caps = _live_needs(where_fields)
    assert_live, assert_caps = _live_needs(assert_fields)
    failing: Mapping[str, Mapping[str, JSON]] | None = None
    if rule.check is not None:
        test, failing = _check_test(rule, rule.check, inventory)
    else:
        assert rule.assert_ is not None
        test = compiler.condition(rule.assert_)
    seen: dict[str, None] = dict.fromkeys(
        n for n in (*where_fields, *assert_fields) if FIELDS[n].source is not FieldSource.ORG
    )
    return _Compiled(
        rule=rule,
        info=rule.info(_describe(rule)),
        test=test,
        where=where,
        live=assert_live,
        where_live=where_live,
        capabilities=where_caps | assert_caps,
        warn=rule.effective_from is not None and as_of < rule.effective_from,
        fields=tuple(seen),
        render=_template(rule),
        failing=failing,
        fp_prefix=rule.id.encode("utf-8"),
        params=dict(rule.params) if rule.params else None,
    )


def _check_test(
    rule: Rule, check: str, inventory: Inventory
) -> tuple[Test, Mapping[str, Mapping[str, JSON]]]:
    """A built-in check runs once over the accounts in the rule's scope; the test then asks
    whether an account is among those it found failing (with their evidence)."""
    in_scope = [
        a
        for a in inventory.accounts
        if a.status in rule.scope.statuses
        and (not rule.scope.platforms or a.platform in rule.scope.platforms)
        and (not rule.scope.tags or rule.scope.tags.intersection(a.tags))
    ]
    failing = CHECKS[check].run(in_scope)

    def test(c: Context) -> bool:
        return c.account.id not in failing

    return test, failing


# --------------------------------------------------------------------------- evaluate


def evaluate(
    inventory: Inventory,
    observations: Mapping[str, Observation | None],
    policy: Policy,
    waivers: Waivers | None = None,
    *,
    as_of: date,
    capabilities: Capabilities,
) -> Evaluation:
    """Every rule on every account in its scope. ``observations`` is keyed by account id; a
    missing key or None means the account was not observed (offline). A rule needing a live
    field a platform does not extract (``capabilities``) does not apply there."""
    compiled, table = _compile(policy, inventory, as_of, capabilities)
    active = _active_waivers(waivers)
    path = inventory.path
    roster_find = inventory.roster.find
    index = RosterIndex(inventory.roster)
    findings: list[Finding] = []
    passed = Passes()
    get_obs = observations.get
    unverified_cache: _Unverified = {}
    for account in inventory.accounts:
        rules = table[(account.status, account.platform)]
        if not rules:
            continue
        obs = get_obs(account.id)
        c = Context(
            account,
            roster_find(account.owner),
            roster_find(account.backup_owner),
            roster_find(account.executive_sponsor),
            obs,
            inventory.organization,
            index,
        )
        ok = []
        for cr in rules:
            outcome = _judge(cr, c, path, as_of, unverified_cache, active)
            if outcome is True:
                ok.append(cr.rule.id)
            elif outcome is not None:
                findings.append(outcome)
        passed.add(account.id, ok)
    if waivers is not None:
        findings.extend(_waiver_findings(waivers, inventory))
    infos = [cr.info for cr in compiled]
    return Evaluation(tuple(findings), passed, (*infos, *WAIVER_RULES))


def _active_waivers(waivers: Waivers | None) -> dict[tuple[str, str], Waiver]:
    """The waiver in force per (rule id, account id)."""
    active: dict[tuple[str, str], Waiver] = {}
    if waivers is not None:
        for w in waivers.items:
            best = waivers.active(w.rule, w.account)
            if best is not None:
                active[(w.rule, w.account)] = best
    return active


def _judge(
    cr: _Compiled,
    c: Context,
    path: str,
    as_of: date,
    unverified_cache: _Unverified,
    active: Mapping[tuple[str, str], Waiver],
) -> Finding | Literal[True] | None:
    """One rule on one account: True when it passes, a finding when it fails or cannot be
    decided, None when the account is outside the rule's scope."""
    tags = cr.rule.scope.tags
    if tags and not tags.intersection(c.account.tags):
        return None
    if cr.where is not None:
        try:
            applies = cr.where(c)
        except UserPatternTimeout as exc:
            return _regex_timeout(cr, c, path, exc)
        if applies is not True:
            if applies is None and cr.where_live:
                return _scope_undecided(cr, c, path, unverified_cache)
            return None
    if cr.live and c.unverified:
        return _unverified(cr, c, path, unverified_cache)
    try:
        r = cr.test(c)
    except UserPatternTimeout as exc:
        return _regex_timeout(cr, c, path, exc)
    if r:
        return True
    if r is False:
        return _failed(cr, c, path, active.get((cr.rule.id, c.account.id)))
    return _undecided_finding(cr, c, path, as_of, unverified_cache, active)


def _scope_undecided(
    cr: _Compiled, c: Context, path: str, unverified_cache: _Unverified
) -> Finding | None:
    """A live ``where`` that could not be decided: the account is unverified, or the fact it
    reads is unknown; otherwise the rule does not apply."""
    if c.unverified:
        return _unverified(cr, c, path, unverified_cache)
    unknown = _unknown_fact(cr, c)
    return None if unknown is None else _unknown(cr, c, path, unknown, unverified_cache)


def _finding(
    cr: _Compiled,
    c: Context,
    status: FindingStatus,
    message: str,
    location: Location,
    evidence: Mapping[str, JSON],
    waiver: WaiverRef | None = None,
) -> Finding:
    account = c.account
    rule = cr.rule
    suffix = c.fp_suffix
    if suffix is None:
        suffix = c.fp_suffix = account_part(account.platform, account.handle, account.id)
    return Finding(
        rule.id,
        rule.title,
        rule.severity,
        status,
        rule.category,
        account.id,
        account.platform,
        account.handle,
        message,
        rule.remediation,
        location,
        hashlib.sha256(cr.fp_prefix + suffix).hexdigest(),
        evidence,
        waiver,
    )


def _account_location(c: Context, path: str) -> Location:
    location = c.location
    if location is None:
        location = c.location = Location(path, c.account.location.line)
    return location


def _failed(
    cr: _Compiled, c: Context, path: str, waiver: Waiver | None, note: str | None = None
) -> Finding:
    account = c.account
    evidence: dict[str, JSON] = {name: _json(FIELDS[name].getter(c)) for name in cr.fields}
    if note is not None:
        evidence["note"] = note
    if cr.failing is not None:
        evidence.update(cr.failing.get(account.id, {}))
    if cr.params is not None:
        evidence["params"] = cr.params
    status = FindingStatus.WARN if cr.warn else FindingStatus.FAIL
    if cr.warn:
        evidence["effective_from"] = _json(cr.rule.effective_from)
    ref = None
    if waiver is not None:
        status = FindingStatus.WAIVED
        ref = waiver.ref()
        evidence["waiver"] = waiver.id
    locate = cr.rule.locate
    line = account.lines.get(locate) if locate else None
    location = Location(path, line) if line is not None else _account_location(c, path)
    message = cr.render(c, evidence)
    if note is not None:
        message = f"{message} ({note})"
    return _finding(cr, c, status, message, location, _share(cr, evidence), ref)


_SHARED_MAX = 1024
"""Distinct evidence dicts kept per rule for sharing: repeated evidence is common (a missing
owner), unique evidence (a handle) would only cost the keys."""


def _share(cr: _Compiled, evidence: dict[str, JSON]) -> Mapping[str, JSON]:
    key: list[object] = []
    for name, value in evidence.items():
        part: object = value
        if isinstance(value, list):
            if not all(v is None or isinstance(v, (str, int, float)) for v in value):
                return evidence
            part = tuple(value)
        elif isinstance(value, dict):
            part = id(value)  # the rule's params: one dict per rule
        key.append((name, part))
    frozen = tuple(key)
    hit = cr.shared.get(frozen)
    if hit is not None:
        return hit
    if len(cr.shared) < _SHARED_MAX:
        cr.shared[frozen] = evidence
    return evidence


_Unverified = dict[tuple[str, object, object], tuple[str, dict[str, JSON]]]


def _unverified(cr: _Compiled, c: Context, path: str, cache: _Unverified) -> Finding:
    obs = c.obs
    reason = obs.reason if obs is not None else None
    key = (cr.rule.id, obs.status if obs is not None else None, reason)
    hit = cache.get(key)
    if hit is None:
        if obs is None:
            why = "the run was offline, so the live profile was not observed"
            evidence: dict[str, JSON] = {"observation": NOT_OBSERVED_EVIDENCE}
        else:
            why = f"the live profile could not be observed ({obs.status.value}"
            why += f": {reason.text})" if reason is not None else ")"
            evidence = {"observation": obs.status.value}
            if reason is not None:
                evidence["reason"] = reason.code
        hit = cache[key] = (f"{cr.rule.title}: not verified; {why}", evidence)
    message, evidence = hit
    # The findings of one (rule, status, reason) share the evidence dict, read only: a copy
    # each was a tenth of an offline run's memory at 50,000 accounts.
    return _finding(cr, c, FindingStatus.ERROR, message, _account_location(c, path), evidence)


def _regex_timeout(cr: _Compiled, c: Context, path: str, exc: UserPatternTimeout) -> Finding:
    """A `matches` that ran out of time cannot be decided: the rule ends `error`, never a hang
    and never a verdict."""
    message = f"{cr.rule.title}: not verified; {exc}"
    evidence: dict[str, JSON] = {"reason": "regex_timeout", "pattern": exc.pattern}
    return _finding(cr, c, FindingStatus.ERROR, message, _account_location(c, path), evidence)


def _unknown_fact(cr: _Compiled, c: Context) -> tuple[str, Unknown] | None:
    """The first live fact the rule reads that this present profile did not yield."""
    for name in cr.fields:
        spec = FIELDS[name]
        if spec.source is FieldSource.LIVE:
            value = spec.getter(c)
            if isinstance(value, Unknown):
                return name, value
    return None


def _future_date(cr: _Compiled, c: Context, as_of: date) -> tuple[str, date | datetime] | None:
    """The first date the rule reads that lies after the audit date (``newer_than_days`` cannot
    call it recent)."""
    for name in cr.fields:
        value = FIELDS[name].getter(c)
        if isinstance(value, Activity):
            value = value.last
        if isinstance(value, (date, datetime)) and after_as_of(value, as_of):
            return name, value
    return None


def _unknown(
    cr: _Compiled, c: Context, path: str, fact: tuple[str, Unknown], cache: _Unverified
) -> Finding:
    """A rule left undecided by a live fact the profile did not yield: ``error``, with why."""
    name, unknown = fact
    code = c.obs.reason.code if c.obs is not None and c.obs.reason is not None else None
    key = (cr.rule.id, name, (unknown.reason, code))
    hit = cache.get(key)
    if hit is None:
        evidence: dict[str, JSON] = {"observation": ObservationStatus.PRESENT.value}
        evidence["unknown"] = name
        if code is not None:
            evidence["reason"] = code
        hit = cache[key] = (f"{cr.rule.title}: not verified; {unknown.reason}", evidence)
    message, evidence = hit
    # The findings of one (rule, status, reason) share the evidence dict, read only: a copy
    # each was a tenth of an offline run's memory at 50,000 accounts.
    return _finding(cr, c, FindingStatus.ERROR, message, _account_location(c, path), evidence)


def _undecided_finding(
    cr: _Compiled,
    c: Context,
    path: str,
    as_of: date,
    cache: _Unverified,
    active: Mapping[tuple[str, str], Waiver],
) -> Finding | None:
    """The finding for a rule its facts left undecided, or None when the platform simply cannot
    tell (GitHub's 90-day event window) and the rule does not apply.

    A live fact the profile did not yield makes it ``error`` (unverified). A date after the
    audit date makes a live rule ``error`` too (the audit looks at a day the fact postdates);
    in the inventory or roster it is a date that cannot be true (``last_attested: 9999-12-31``),
    and the rule fails saying so: the fix is in the input, not another run.
    """
    if cr.live and (fact := _unknown_fact(cr, c)) is not None:
        return _unknown(cr, c, path, fact, cache)
    future = _future_date(cr, c, as_of)
    if future is None:
        return None
    name, value = future
    note = f"{name} {humanize.day(value)} lies after the audit date {humanize.day(as_of)}"
    if FIELDS[name].source is FieldSource.LIVE:
        return _unknown(cr, c, path, (name, Unknown(note)), cache)
    return _failed(cr, c, path, active.get((cr.rule.id, c.account.id)), note)


def _waiver_findings(waivers: Waivers, inventory: Inventory) -> list[Finding]:
    accounts = {a.id: a for a in inventory.accounts}
    out: list[Finding] = []
    for info, status, items in (
        (WVR_EXPIRED, FindingStatus.FAIL, waivers.expired()),
        (WVR_EXPIRING, FindingStatus.WARN, waivers.expiring()),
    ):
        for w in items:
            account = accounts.get(w.account)
            platform = account.platform if account else None
            handle = account.handle if account else None
            if info is WVR_EXPIRED:
                message = f"waiver {w.id} for {w.rule} expired on {w.expires.isoformat()}; {w.rule} counts again"
            else:
                days = (w.expires - waivers.as_of).days
                message = f"waiver {w.id} for {w.rule} expires on {w.expires.isoformat()} (in {days} days)"
            out.append(
                Finding(
                    rule_id=info.id,
                    title=info.title,
                    severity=info.severity,
                    status=status,
                    category=info.category,
                    account_id=w.account,
                    platform=platform,
                    handle=handle,
                    message=message,
                    remediation=info.remediation,
                    location=w.location,
                    fingerprint=fingerprint(f"{info.id}/{w.id}", platform, handle, w.account),
                    evidence={
                        "waiver": w.id,
                        "rule": w.rule,
                        "created": w.created.isoformat(),
                        "expires": w.expires.isoformat(),
                        "approved_by": w.approved_by,
                        "owner": w.owner,
                    },
                    waiver=w.ref(),
                )
            )
    return out
