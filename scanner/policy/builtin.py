"""Rules Rollcall's own steps raise (discovery, the review gate, waivers, credential health,
the access review's unlisted accounts), declared once as data.

Pack rules live in YAML (policies/default.yaml); these cannot, because code decides them. Both
reach ``rules list`` and ``rules explain`` through :func:`catalogue`, so every id a report can
show is explained with the severity the report used. A pack may still declare a rule with one
of these ids to retitle it or change its severity (``rule_info``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from scanner.model import JSON, Finding, FindingStatus, Location, Platform, RuleInfo, Severity
from scanner.policy.fingerprint import fingerprint

if TYPE_CHECKING:
    from scanner.policy.schema import Policy

__all__ = ["BUILTIN_RULES", "builtin_rule", "catalogue", "outside_finding", "rule_info"]

_RULES: dict[str, RuleInfo] = {}


def _declare(
    rule_id: str,
    title: str,
    severity: Severity,
    category: str,
    *,
    rationale: str,
    remediation: str,
    description: str,
    references: tuple[str, ...] = (),
) -> None:
    if rule_id in _RULES:
        raise RuntimeError(f"built-in rule {rule_id} declared twice")
    _RULES[rule_id] = RuleInfo(
        id=rule_id,
        title=title,
        severity=severity,
        category=category,
        rationale=rationale,
        remediation=remediation,
        references=references,
        description=description,
    )


# --------------------------------------------------------------------------- discovery

_declare(
    "DSC-001",
    "Suspected impersonation: a brand-like page with no official tie",
    Severity.HIGH,
    "discovery",
    rationale="Pages that copy the brand's name without any tie to the organization are how "
    "customers get phished and how a brand's reputation is borrowed.",
    remediation="Check the page; if it impersonates the organization, report it to the "
    "platform for an impersonation or trademark takedown and warn customers.",
    description="discovery classified a page outside the inventory as rogue",
)
_declare(
    "DSC-002",
    "Unlisted official page: tied to the organization but not in the inventory",
    Severity.MEDIUM,
    "discovery",
    rationale="A shadow page run by staff (or former staff) has no accountable owner, no "
    "security review and no objective.",
    remediation="Find who runs it; add it to the inventory with an owner, or retire it.",
    description="discovery found a page tied to the organization (official links, an "
    "inventoried account's name) that the inventory does not list",
)
_declare(
    "DSC-003",
    "Name collision: a brand-like page with no sign of impersonation",
    Severity.INFO,
    "discovery",
    rationale="Pages that merely share a common word of the brand's name (a namesake shop, a "
    "programming language, a town) are not impersonation; a takedown request against one "
    "embarrasses the policy owner and harms an innocent owner. Knowing them still helps when "
    "customers confuse the two.",
    remediation="No takedown. Note the namesake; look again only if it starts to claim to be "
    "the organization (the next discovery run re-checks its signals).",
    description="discovery classified a page outside the inventory as name_collision: a "
    "brand-like name with none of the impersonation signals (claims to be official, the "
    "brand's distinctive names, a lookalike domain, asking for contact with nothing of its "
    "own, a copied display name, a recent creation, staff named as bait)",
)
_declare(
    "DSC-004",
    "Fan or parody page that discloses itself",
    Severity.INFO,
    "discovery",
    rationale="A page that says it is a fan or parody page is not posing as the organization; "
    "platforms allow them. The brand team may still want to know about them.",
    remediation="No takedown. Optionally reach out to the fans; report the page only if it "
    "starts to impersonate the organization (asking for orders, logins or payments).",
    description="discovery classified a page outside the inventory as fan: a brand-like page "
    "that discloses itself as a fan or parody page and shows no sign of impersonation",
)
_declare(
    "DSC-005",
    "Brand handle registered on a long-tail site",
    Severity.INFO,
    "discovery",
    rationale="Brand squatters sit on the long tail too (forums, code hosts, marketplaces). An "
    "imported site list (WhatsMyName, Sherlock) can only say whether a handle exists there, not "
    "whose it is, so this is a lead for a person, never a verdict.",
    remediation="Open the URL and check who holds the handle: add it to the inventory if it "
    "is the organization's, report it if it impersonates the organization, else note it.",
    description="discovery asked a usable imported site about one of the brand's handles (its "
    "aliases and inventoried handle names) and the site's exists signal matched",
)
_declare(
    "INV-002",
    "Duplicate page for the same audience on one platform",
    Severity.MEDIUM,
    "inventory",
    rationale="Two pages for one audience split followers, confuse customers and double the "
    "work of keeping both secure.",
    remediation="Merge the pages or retire one; keep one page per audience and platform.",
    description="two active entries (or a proposed one and an inventoried one) on one platform "
    "have near-identical names and serve the same department or objective",
)

# --------------------------------------------------------------------------- review gate

_REVIEW = "review"
_declare(
    "REV-001",
    "Platform not approved",
    Severity.HIGH,
    _REVIEW,
    rationale="Every platform the organization uses needs an approved owner, a security "
    "baseline and a place in the policy; a new one is a decision, not a side effect.",
    remediation="Use an approved platform, or have the policy owner add this one to "
    "organization.approved_platforms first.",
    description="the proposed account's platform is not in organization.approved_platforms",
)
_declare(
    "REV-002",
    "Handle invalid for the platform",
    Severity.HIGH,
    _REVIEW,
    rationale="A handle the platform would refuse cannot be registered as written, and the "
    "entry would never match the live account.",
    remediation="Choose a handle that follows the platform's rules (`rollcall platforms list`).",
    description="the handle breaks the platform's own handle rules (length, characters, form)",
)
_declare(
    "REV-003",
    "Handle off the naming convention",
    Severity.HIGH,
    _REVIEW,
    rationale="Customers recognise official accounts by a consistent name; a handle off the "
    "convention is easy to imitate and hard to tell from a lookalike.",
    remediation="Choose a handle that follows organization.naming.handle_pattern.",
    description="the handle's name part does not match organization.naming.handle_pattern "
    "(the same test as IDN-004)",
)
_declare(
    "REV-005",
    "Handle could not be verified",
    Severity.MEDIUM,
    _REVIEW,
    rationale="Whether the handle is free, ours or taken decides the request; when the platform "
    "would not say (a login wall, a WAF, a rate limit) a person must look.",
    remediation="Open the profile URL in a browser, then approve or reject by hand; or run the "
    "review again later.",
    description="the live look at the handle ended blocked or error (unverified)",
)
_declare(
    "REV-006",
    "Handle already exists and is ours",
    Severity.MEDIUM,
    _REVIEW,
    rationale="An unlisted page of our own already holds the handle; opening it again would "
    "create a duplicate instead of bringing the existing page under governance.",
    remediation="Inventory the existing page (owner, objective, metrics) instead of opening a "
    "new one.",
    description="the handle is live and discovery's classifier ties it to the organization",
)
_declare(
    "REV-007",
    "Handle taken by a suspected rogue page",
    Severity.HIGH,
    _REVIEW,
    rationale="A brand-like page with no official tie already holds the handle: customers may "
    "already be misled by it.",
    remediation="Request a takedown from the platform and choose another handle meanwhile.",
    description="the handle is live and discovery's classifier calls its page rogue",
)
_declare(
    "REV-008",
    "Handle already taken",
    Severity.HIGH,
    _REVIEW,
    rationale="Someone unrelated holds the handle; the account cannot be opened under it.",
    remediation="Choose another handle.",
    description="the handle is live and belongs to a page unrelated to the organization",
)
_declare(
    "REV-010",
    "Account being retired",
    Severity.INFO,
    _REVIEW,
    rationale="Retiring an entry does not close the account: until it is archived or deleted "
    "it is still a page customers can find and attackers can take over.",
    remediation="Archive or delete the account following the platform's procedure; the next "
    "audit flags it (IDN-005) while it is still live.",
    description="an inventory change marks an account retired",
)

# --------------------------------------------------------------------------- waivers

_declare(
    "WVR-001",
    "Waiver expired",
    Severity.MEDIUM,
    "waivers",
    rationale="An exception to the policy was granted for a limited time and that time is over; "
    "the waived rule counts again until the waiver is renewed or the problem is fixed.",
    remediation="Fix the problem the waiver covered, or have the approver renew the waiver with "
    "a new expiry date.",
    references=("ISO/IEC 27001:2022 A.5.36",),
    description="the waiver's expires date is before the audit date",
)
_declare(
    "WVR-002",
    "Waiver expires soon",
    Severity.LOW,
    "waivers",
    rationale="A waiver ends within the warning window; plan the fix or the renewal before it "
    "lapses.",
    remediation="Fix the waived problem before the waiver expires, or ask the approver to renew "
    "it.",
    references=("ISO/IEC 27001:2022 A.5.36",),
    description="the waiver's expires date is within waivers.warn_days (default 30) of the "
    "audit date",
)

# --------------------------------------------------------------------------- credentials

_declare(
    "CRD-001",
    "Credential invalid: the accounts that depend on it cannot be verified",
    Severity.HIGH,
    "credentials",
    rationale="An expired or revoked API credential leaves every account it covers unverified "
    "(error, never absent): the audit silently loses its view of the brand's own pages.",
    remediation="Renew the token (a Meta system-user token, an X bearer token, a LinkedIn or "
    "TikTok token, a YouTube API key) and set it in the environment variable named in the "
    "finding; `rollcall credentials check` confirms it.",
    description="an owner API refused the credential (Meta code 190, HTTP 401 from X, LinkedIn "
    "or TikTok, YouTube keyInvalid); raised once per credential",
)
_declare(
    "CRD-002",
    "Credential expires soon",
    Severity.MEDIUM,
    "credentials",
    rationale="When the credential expires, every account it covers turns unverified and "
    "CRD-001 fires; renewing before is cheaper than an audit gone blind.",
    remediation="Renew the token before the date in the finding, or switch to a non-expiring "
    "system-user token.",
    description="the API reported that the credential expires within 14 days (Meta "
    "debug_token expires_at)",
)

# --------------------------------------------------------------------------- access

_declare(
    "ACC-008",
    "An account the organization controls is missing from the inventory",
    Severity.MEDIUM,
    "access",
    rationale="An official account nobody listed has no named owner, objective or review: it "
    "is found here with certainty (the organization's own credential controls it), not by "
    "fuzzy matching, and every other rule skips it until it is listed.",
    remediation="Add the account to the inventory with an owner, backup owner and objective, "
    "or retire it on the platform if it has no purpose.",
    references=("NIST SP 800-53 CM-8", "ISO/IEC 27001:2022 A.5.9"),
    description="the credential's own asset list (a Business Manager's owned Pages and "
    "Instagram accounts, the organizations a LinkedIn token administers) names an account "
    "the inventory does not list; it also appears in discovery as unlisted_official",
)

BUILTIN_RULES: Mapping[str, RuleInfo] = MappingProxyType(_RULES)
"""Every built-in rule by id, in declaration order."""


def builtin_rule(rule_id: str) -> RuleInfo:
    """The built-in rule ``rule_id``; a KeyError is a bug (an id the catalogue lacks)."""
    return BUILTIN_RULES[rule_id]


def rule_info(rule_id: str, policy: Policy | None) -> RuleInfo:
    """What reports say about ``rule_id``: the pack's rule when a pack declares the id (it may
    retitle a built-in rule or change its severity), else the built-in declaration."""
    rule = policy.rule(rule_id) if policy is not None else None
    return rule.info() if rule is not None else builtin_rule(rule_id)


def catalogue(policy: Policy) -> tuple[RuleInfo, ...]:
    """Every rule a run under ``policy`` can report: the packs' rules, then the built-in ones
    no pack redeclares. ``rules list`` and ``rules explain`` read this and nothing else."""
    declared = set(policy.rule_ids)
    packs = tuple(r.info() for r in policy.rules)
    return (*packs, *(info for rid, info in BUILTIN_RULES.items() if rid not in declared))


def outside_finding(
    info: RuleInfo,
    status: FindingStatus,
    message: str,
    evidence: Mapping[str, JSON],
    file: str,
    *,
    platform: Platform | None = None,
    handle: str | None = None,
    key: tuple[str | None, str | None] | None = None,
) -> Finding:
    """A finding about no inventoried account (a page outside the inventory, a credential),
    pointing at the inventory file; fingerprinted by ``key`` (what identifies it between runs),
    by default the page's platform and handle."""
    first, second = key if key is not None else (platform.value if platform else None, handle)
    return Finding(
        rule_id=info.id,
        title=info.title,
        severity=info.severity,
        status=status,
        category=info.category,
        account_id=None,
        platform=platform,
        handle=handle,
        message=message,
        remediation=info.remediation,
        location=Location(file),
        fingerprint=fingerprint(info.id, first, second, None),
        evidence=evidence,
    )
