"""Benchmark: the default pack over 100k synthetic accounts, offline, against a hand-written
Python function doing the same checks, in the same process.

    .venv/bin/python bench/bench_evaluate.py [--accounts N] [--repeat R]

Two baselines, both checked to reach the same (rule, account, status) results and the same pass
list as the engine before any time counts:
  * hand-written + findings: builds the same Finding values (fingerprint, location, message);
  * hand-written verdicts only: the bare checks, appending (rule, account, status) tuples.
Prints the timings and the ratios engine / baseline (target: at most 3x).
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from collections.abc import Callable
from datetime import date, timedelta

from scanner.model import (
    Account,
    AccountStatus,
    Credentials,
    Finding,
    FindingStatus,
    Inventory,
    Location,
    Naming,
    Organization,
    Person,
    PersonStatus,
    Platform,
    Role,
    Roster,
    Security,
)
from scanner.platforms import all_capabilities
from scanner.policy import (
    Policy,
    default_pack_path,
    evaluate,
    fingerprint,
    load_policy,
)
from scanner.policy.fields import handle_name, joined_handle_name
from scanner.policy.operators import domain_of

AS_OF = date(2026, 11, 15)
DOMAINS = ("copperkettle.coffee", "copperkettlecoffee.com")
DEPARTMENTS = ("Marketing", "Retail", "Wholesale", "Support")
VANITY = frozenset({"followers", "fans", "friends", "likes", "impressions", "views", "reach"})
PLACEHOLDERS = frozenset({"", "tbd", "tba", "n/a", "na", "none", "-", "?", "todo", "unknown"})


def synthetic(n: int, seed: int = 7) -> Inventory:
    rng = random.Random(seed)
    people: dict[str, Person] = {}
    emails = []
    for i in range(2000):
        email = f"p{i}@copperkettle.coffee"
        role = rng.choices(list(Role), weights=[85, 6, 6, 3])[0]
        status = PersonStatus.DEPARTED if rng.random() < 0.1 else PersonStatus.ACTIVE
        end = AS_OF - timedelta(days=rng.randint(1, 400)) if role is not Role.EMPLOYEE else None
        ack = AS_OF - timedelta(days=rng.randint(0, 500)) if rng.random() < 0.95 else None
        people[email] = Person(
            email,
            f"P {i}",
            "Marketing",
            role,
            status,
            Location("roster.csv", i + 2),
            None,
            end,
            ack,
        )
        emails.append(email)
    org = Organization(
        name="Copper Kettle Coffee Roasters",
        location=Location("inv.yaml", 1),
        domains=DOMAINS,
        departments=DEPARTMENTS,
        naming=Naming(handle_pattern="^copperkettle", display_name_pattern="^Copper Kettle"),
    )
    platforms = list(Platform)
    metric_pool = ["followers", "likes", "reach", "sign-ups", "referrals", "orders", "answers"]
    accounts = []
    for i in range(n):
        r = rng.random
        accounts.append(
            Account(
                id=f"acct-{i}",
                platform=platforms[i % len(platforms)],
                handle=f"copperkettle{i}" if r() < 0.97 else f"ck{i // 2}",
                status=rng.choices(list(AccountStatus), weights=[85, 5, 10])[0],
                location=Location("inv.yaml", 10 + i * 20),
                department=rng.choice(DEPARTMENTS) if r() < 0.95 else "Growth",
                owner=rng.choice(emails) if r() < 0.97 else None,
                backup_owner=rng.choice(emails) if r() < 0.9 else None,
                executive_sponsor=rng.choice(emails) if r() < 0.9 else None,
                objective="Sell more beans" if r() < 0.95 else "TBD",
                metrics=tuple(rng.sample(metric_pool, rng.randint(0, 6))),
                last_attested=AS_OF - timedelta(days=rng.randint(0, 300)) if r() < 0.95 else None,
                security=Security(
                    mfa=r() < 0.9,
                    credentials=Credentials.VAULT if r() < 0.9 else Credentials.PERSONAL,
                    recovery_email="social@copperkettle.coffee" if r() < 0.9 else "x@gmail.com",
                ),
                lines={"owner": 12 + i * 20, "security.mfa": 20 + i * 20},
            )
        )
    roster = Roster({p.key: p for p in people.values()}, "roster.csv")
    return Inventory("inv.yaml", "0" * 64, org, tuple(accounts), roster)


def hand_written(
    inventory: Inventory, policy: Policy, *, build: bool = True
) -> tuple[list[Finding] | list[tuple[str, str, FindingStatus]], list[tuple[str, str]]]:
    """The default pack's checks written out by hand, offline (no observations). With ``build``
    False only (rule, account, status) tuples are kept instead of Finding values."""
    policy_rules = {r.id: r for r in policy.rules}
    org = inventory.organization
    find = inventory.roster.find
    caps = all_capabilities()
    activity = {p: bool(caps[p] & {"last_activity_at", "no_activity_since"}) for p in Platform}
    names = {p: "display_name" in caps[p] for p in Platform}
    links = {p: "links" in caps[p] for p in Platform}
    as_of = AS_OF.toordinal()
    departments = {d.casefold() for d in org.departments}
    import re

    handle_re = re.compile(org.naming.handle_pattern or "", re.IGNORECASE)
    suffixes = tuple("." + d for d in DOMAINS)
    findings: list[Finding] = []
    passed: list[tuple[str, str]] = []

    def emit(
        rule_id: str, a: Account, status: FindingStatus, message: str, field: str | None
    ) -> None:
        rule = policy_rules[rule_id]
        findings.append(
            Finding(
                rule_id=rule_id,
                title=rule.title,
                severity=rule.severity,
                status=status,
                category=rule.category,
                account_id=a.id,
                platform=a.platform,
                handle=a.handle,
                message=message,
                remediation=rule.remediation,
                location=Location(inventory.path, a.line_of(field) if field else a.location.line),
                fingerprint=fingerprint(rule_id, a.platform, a.handle, a.id),
                evidence={"owner": a.owner},
            )
        )

    def check(rule_id: str, a: Account, ok: bool, field: str | None) -> None:
        if ok:
            passed.append((rule_id, a.id))
        else:
            emit(rule_id, a, FindingStatus.FAIL, f"{rule_id} failed for {a.handle}", field)

    def unverified(rule_id: str, a: Account) -> None:
        emit(rule_id, a, FindingStatus.ERROR, f"{rule_id}: not verified (offline)", None)

    def recent(d: date | None, days: int) -> bool:
        return d is not None and d.toordinal() >= as_of - days

    def on_domain(value: str | None) -> bool:
        host = domain_of(value) if value else None
        return host is not None and (host in DOMAINS or host.endswith(suffixes))

    first: dict[tuple[str, str], str] = {}
    for a in inventory.accounts:
        status = a.status
        if status is AccountStatus.RETIRED:
            unverified("IDN-005", a)
            continue
        active = status is AccountStatus.ACTIVE
        owner, backup, sponsor = find(a.owner), find(a.backup_owner), find(a.executive_sponsor)
        check("OWN-001", a, bool(a.owner and a.owner.strip()), "owner")
        if a.owner and a.owner.strip():
            check("OWN-002", a, owner is not None and owner.status is PersonStatus.ACTIVE, "owner")
        if owner is not None:
            check(
                "OWN-003",
                a,
                owner.role is Role.EMPLOYEE
                or (
                    backup is not None
                    and backup.status is PersonStatus.ACTIVE
                    and backup.role is Role.EMPLOYEE
                ),
                "owner",
            )
        same = bool(
            a.backup_owner
            and a.owner
            and a.backup_owner.strip().casefold() == a.owner.strip().casefold()
        )
        check(
            "OWN-004",
            a,
            bool(a.backup_owner and a.backup_owner.strip())
            and backup is not None
            and backup.status is PersonStatus.ACTIVE
            and not same,
            "backup_owner",
        )
        check(
            "OWN-005",
            a,
            bool(a.executive_sponsor and a.executive_sponsor.strip())
            and sponsor is not None
            and sponsor.status is PersonStatus.ACTIVE,
            "executive_sponsor",
        )
        dept = a.department.strip().casefold() if a.department else ""
        check("OWN-006", a, bool(dept) and (not departments or dept in departments), "department")
        if active:
            check("OWN-007", a, recent(a.last_attested, 180), "last_attested")
        objective = (a.objective or "").strip().casefold()
        check("PUR-001", a, bool(objective) and objective not in PLACEHOLDERS, "objective")
        check("PUR-002", a, 3 <= len(a.metrics) <= 5, "metrics")
        if a.metrics:
            check(
                "PUR-003", a, any(m.strip().casefold() not in VANITY for m in a.metrics), "metrics"
            )
        if active:
            if owner is not None:
                check("POL-001", a, recent(owner.policy_acknowledged, 365), "owner")
            if activity[a.platform]:
                unverified("ACT-001", a)
                unverified("ACT-002", a)
                if (
                    owner is not None
                    and owner.role in (Role.INTERN, Role.CONTRACTOR)
                    and owner.end_date is not None
                    and owner.end_date.toordinal() < as_of
                ):
                    unverified("ACT-003", a)
            unverified("IDN-001", a)
            if names[a.platform]:
                unverified("IDN-002", a)
            if links[a.platform]:
                unverified("IDN-003", a)
            name = handle_name(a.platform, a.handle)
            if name is not None:  # an opaque id (or a handle without its name) is not judged
                joined = joined_handle_name(a.platform, a.handle) or ""
                check(
                    "IDN-004", a, bool(handle_re.search(name) or handle_re.search(joined)), "handle"
                )
        check("SEC-001", a, a.security.credentials is Credentials.VAULT, "security.credentials")
        check("SEC-002", a, a.security.mfa is True, "security.mfa")
        check("SEC-003", a, on_domain(a.security.recovery_email), "security.recovery_email")
        if active:
            key = (a.platform.value, a.handle.strip().lstrip("@").casefold())
            check("INV-001", a, first.setdefault(key, a.id) == a.id, "handle")
    return findings, passed


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, object]:
    best = float("inf")
    result: object = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    inventory = synthetic(args.accounts)
    policy = load_policy(default_pack_path())

    engine_time, engine = best_of(
        args.repeat,
        lambda: evaluate(inventory, {}, policy, None, as_of=AS_OF, capabilities=all_capabilities()),
    )
    hand_time, hand = best_of(args.repeat, lambda: hand_written(inventory, policy))
    bare_time, bare = best_of(args.repeat, lambda: hand_written(inventory, policy, build=False))

    ev = engine  # type: ignore[assignment]
    engine_keys = sorted((f.rule_id, f.account_id, f.status.value) for f in ev.findings)
    for label, (found, passes) in (("with findings", hand), ("verdicts only", bare)):  # type: ignore[misc]
        keys = sorted(
            (f[0], f[1], f[2].value)
            if isinstance(f, tuple)
            else (f.rule_id, f.account_id, f.status.value)
            for f in found
        )
        if keys != engine_keys or sorted(passes) != sorted(ev.passed):
            diff = set(keys) ^ set(engine_keys)
            raise SystemExit(
                f"engine and hand-written ({label}) disagree on {len(diff)} results, e.g. {sorted(diff)[:5]}"
            )
    print(
        f"accounts: {args.accounts:,}  rules: {len(policy.rules)}  results: {len(ev.findings) + len(ev.passed):,} "
        f"(findings {len(ev.findings):,}, passes {len(ev.passed):,}); best of {args.repeat}"
    )
    print(f"engine (evaluate):               {engine_time:7.3f} s")
    print(
        f"hand-written, same Findings:     {hand_time:7.3f} s   ratio {engine_time / hand_time:.2f}x"
    )
    print(
        f"hand-written, verdicts only:     {bare_time:7.3f} s   ratio {engine_time / bare_time:.2f}x"
    )
    print("target: engine <= 3x the hand-written function")


if __name__ == "__main__":
    main()
