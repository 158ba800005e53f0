"""Discovery: find pages outside the inventory that look like the organization (generated
lookalike handles and outside candidate lists), observe them politely, classify them with
evidence, and flag duplicate pages inside the inventory. Orchestration only: no printing.
"""

from __future__ import annotations

import csv
import io
import itertools
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from scanner.errors import Problem, ValidationError, did_you_mean
from scanner.fetch import Clock, FetcherFactory
from scanner.matching import (
    DEFAULT_THRESHOLDS,
    HandleForm,
    MatchContext,
    StopWords,
    Thresholds,
    classify_candidates,
    generate,
    handle_name,
    normalize,
    organization_affixes,
    similarity,
)
from scanner.model import (
    JSON,
    Account,
    AccountStatus,
    Classification,
    Discovery,
    Finding,
    FindingStatus,
    Inventory,
    Location,
    Observation,
    ObservationStatus,
    Platform,
    RuleInfo,
    SiteHit,
)
from scanner.platforms import adapter_for, handle_key
from scanner.platforms.connectors import ApiRun, connector_for
from scanner.platforms.interface import SupportLevel
from scanner.platforms.sites import Site
from scanner.policy import Policy, fingerprint
from scanner.policy.builtin import builtin_rule, outside_finding, rule_info
from scanner.runs.clock import SYSTEM_CLOCK
from scanner.runs.longtail import long_tail
from scanner.runs.observe import Target, observe
from scanner.serialize import iso
from scanner.yamlsource import read_text

__all__ = [
    "DEFAULT_MAX_CANDIDATES",
    "DISCOVERY_RULES",
    "DiscoveryResult",
    "OutsideCandidate",
    "default_platforms",
    "discover",
    "handle_forms",
    "inventory_duplicates",
    "read_candidates",
    "resolve_link",
    "rule_for",
    "thresholds_from_policy",
]

DEFAULT_MAX_CANDIDATES = 100
"""Generated candidates probed per platform unless ``--max-candidates`` or the policy param
``discovery.max_candidates`` says otherwise; at one request a second (the politeness of the
login-walled platforms) that is under two minutes, all platforms running side by side."""

DISCOVERY_RULES: Mapping[str, RuleInfo] = {
    rule_id: builtin_rule(rule_id)
    for rule_id in ("DSC-001", "DSC-002", "DSC-003", "DSC-004", "INV-002")
}
"""The findings discovery raises (declared in the catalogue, scanner.policy.builtin)."""


def rule_for(classification: Classification) -> str | None:
    """The rule a classification raises (None: no finding)."""
    match classification:
        case Classification.ROGUE:
            return "DSC-001"
        case Classification.UNLISTED_OFFICIAL:
            return "DSC-002"
        case Classification.DUPLICATE:
            return "INV-002"
        # For awareness only (severity info): a namesake or a fan page is never a takedown.
        case Classification.NAME_COLLISION:
            return "DSC-003"
        case Classification.FAN:
            return "DSC-004"
        case Classification.UNRELATED | Classification.UNVERIFIED:
            return None
        case _:
            typing.assert_never(classification)


@dataclass(frozen=True)
class OutsideCandidate:
    """A page named in a ``--candidates`` file, with where it was named."""

    platform: Platform
    handle: str
    location: Location


@dataclass(frozen=True)
class DiscoveryResult:
    """Every page discovery could say something about (absent handles are left out), the
    findings they raise, and how much was probed."""

    discoveries: tuple[Discovery, ...]
    findings: tuple[Finding, ...]
    probed: int = 0
    rules: tuple[RuleInfo, ...] = ()
    sites: tuple[SiteHit, ...] = ()
    """What the imported long-tail sites said about the brand's handles (runs.longtail)."""
    not_searched: tuple[Platform, ...] = ()
    """Platforms the organization uses that no guess was sent to: Rollcall can only check
    them by hand and no loaded owner API answers there (``--platform`` asks anyway)."""

    @property
    def unverified(self) -> int:
        return sum(1 for d in self.discoveries if d.classification is Classification.UNVERIFIED)

    def incomplete_reason(self, max_unverified: float) -> str | None:
        """Why the discovery cannot be trusted to have looked (more than ``max_unverified`` of
        the pages and site answers it asked for could not be seen), or None."""
        asked = self.probed + len(self.sites)
        unseen = self.unverified + sum(1 for h in self.sites if h.status not in _ANSWERED)
        if not asked or unseen / asked <= max_unverified:
            return None
        what = "pages and site answers" if self.sites else "pages"
        return (
            f"{unseen} of {asked} {what} asked could not be verified (above --max-unverified "
            f"{max_unverified:g}): a page not found there may still exist"
        )


_ANSWERED = frozenset(
    {ObservationStatus.PRESENT, ObservationStatus.ABSENT, ObservationStatus.INVALID}
)
"""Site answers that say something (an invalid handle breaks the site's rules: nothing to see)."""


def thresholds_from_policy(policy: Policy | None) -> Thresholds:
    """The ``discovery.*`` params of the policy (defaults when absent or no policy)."""
    values: dict[str, object] = dict(DEFAULT_THRESHOLDS)
    if policy is not None:
        for name, default in DEFAULT_THRESHOLDS.items():
            values[name] = policy.params(f"discovery.{name}", default)
    return Thresholds.from_mapping(values, source="policy param discovery.*")


def default_platforms(inventory: Inventory, apis: ApiRun | None = None) -> tuple[Platform, ...]:
    """Platforms the organization uses or approves, except those Rollcall can only check by
    hand (every public probe there would come back unverified) unless a loaded owner API can
    answer there, absent pages included (Meta's ``?ids=`` for Facebook Pages)."""
    return tuple(p for p in _used(inventory) if _searchable(p, apis))


def _used(inventory: Inventory) -> list[Platform]:
    used = {a.platform for a in inventory.accounts} | set(inventory.organization.approved_platforms)
    return [p for p in Platform if p in used]


def _searchable(platform: Platform, apis: ApiRun | None) -> bool:
    if adapter_for(platform).spec.support is not SupportLevel.MANUAL:
        return True
    connector = connector_for(platform)
    if apis is None or connector is None or not connector.settles_absence:
        return False
    credential = apis.access.credential(platform, None)
    return credential is not None and apis.access.usable(credential)


def handle_forms(inventory: Inventory, platform: Platform) -> tuple[HandleForm, ...]:
    """How to write a lookalike name as a handle on ``platform``: the forms the inventory's own
    handles there use (``u/``, ``@instance``), or the spec's ``discovery_forms``."""
    adapter = adapter_for(platform)
    rules = adapter.spec.handle
    found = [
        form
        for a in inventory.accounts
        if a.platform is platform and (form := rules.affixes(a.handle)) is not None
    ]
    forms = list(dict.fromkeys(found)) or list(rules.discovery_forms)
    separators = rules.separators
    return tuple(HandleForm(p, s, separators, adapter.check_handle) for p, s in forms)


def resolve_link(url: str) -> tuple[Platform, str] | None:
    """(platform, handle) of a profile URL on any supported platform."""
    for platform in Platform:
        handle = adapter_for(platform).parse_url(url)
        if handle is not None:
            return platform, handle
    return None


def _profile_url(platform: Platform, handle: str) -> str:
    return adapter_for(platform).profile_url(handle)


_URL_COLUMNS = ("url", "profile_url", "profile", "link", "permalink", "author_url", "account_url")
_HANDLE_COLUMNS = ("handle", "username", "screen_name", "author", "account", "user")


def read_candidates(path: str | Path) -> tuple[OutsideCandidate, ...]:
    """Outside candidates from a file: lines of profile URLs or ``platform:handle``
    (``#`` comments), or a CSV export of a social-listening tool with a URL column (or
    ``platform`` and ``handle`` columns). Every unreadable line is reported at once."""
    name = str(path)
    text = read_text(path)
    first = next((line for line in text.splitlines() if line.strip()), "")
    if name.casefold().endswith(".csv") or ("," in first and "://" not in first.split(",")[0]):
        return _read_csv(text, name)
    found: list[OutsideCandidate] = []
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parsed = _parse_entry(line)
        if isinstance(parsed, str):
            problems.append(Problem(name, number, 1, parsed))
        else:
            found.append(OutsideCandidate(parsed[0], parsed[1], Location(name, number, 1)))
    if problems:
        raise ValidationError(problems)
    return tuple(found)


def _parse_entry(entry: str, platform_hint: str | None = None) -> tuple[Platform, str] | str:
    """(platform, handle) or the problem text."""
    if "://" in entry:
        resolved = resolve_link(entry)
        if resolved is None:
            example = adapter_for(Platform.X).profile_url("NAME")
            return f"{entry!r} is not a profile URL of a supported platform; expected e.g. {example} or platform:handle"
        return resolved
    if platform_hint is not None:
        key, handle = platform_hint, entry
    else:
        key, sep, handle = entry.partition(":")
        if not sep:
            return f"expected a profile URL or platform:handle, got {entry!r}"
    try:
        platform = Platform(key.strip().casefold())
    except ValueError:
        close = did_you_mean(key.strip().casefold(), [p.value for p in Platform])
        hint = f" ({close})" if close else ""
        return f"unknown platform {key.strip()!r}{hint}; expected one of {', '.join(p.value for p in Platform)}"
    handle = handle.strip()
    error = adapter_for(platform).check_handle(handle)
    if error is not None:
        return f"{platform.value}:{handle}: {error}"
    return platform, handle


def _read_csv(text: str, name: str) -> tuple[OutsideCandidate, ...]:
    reader = csv.DictReader(io.StringIO(text))
    columns = {(c or "").strip().casefold(): c for c in reader.fieldnames or []}
    url_col = next((columns[c] for c in _URL_COLUMNS if c in columns), None)
    handle_col = next((columns[c] for c in _HANDLE_COLUMNS if c in columns), None)
    platform_col = next(
        (columns[c] for c in ("platform", "network", "source") if c in columns), None
    )
    if url_col is None and (handle_col is None or platform_col is None):
        raise ValidationError.single(
            name,
            1,
            "CSV has no profile URL column; expected a column named one of "
            f"{', '.join(_URL_COLUMNS)} (or 'platform' and 'handle' columns)",
        )
    found: list[OutsideCandidate] = []
    problems: list[Problem] = []
    for row in reader:
        number = reader.line_num
        url = (row.get(url_col) or "").strip() if url_col else ""
        if url:
            parsed = _parse_entry(url)
        elif handle_col and platform_col and (row.get(handle_col) or "").strip():
            parsed = _parse_entry(
                (row.get(handle_col) or "").strip(), (row.get(platform_col) or "").strip()
            )
        else:
            continue
        if isinstance(parsed, str):
            problems.append(Problem(name, number, None, parsed))
        else:
            found.append(OutsideCandidate(parsed[0], parsed[1], Location(name, number)))
    if problems:
        raise ValidationError(problems)
    return tuple(found)


def discover(
    inventory: Inventory,
    policy: Policy | None,
    fetchers: FetcherFactory,
    *,
    platforms: Iterable[Platform] | None = None,
    max_candidates: int | None = None,
    candidates_file: str | Path | None = None,
    candidates: Sequence[OutsideCandidate] = (),
    progress: Callable[[int, int], None] | None = None,
    clock: Clock = SYSTEM_CLOCK,
    sites: Sequence[Site] = (),
    apis: ApiRun | None = None,
    batch: bool = True,
) -> DiscoveryResult:
    """Generate lookalike handles per alias and platform (at most ``max_candidates`` each),
    add the pages a candidates file names, observe them all through the fetch layer, classify
    what is there and raise DSC-001/DSC-002/INV-002 findings; inventoried handles are never
    candidates. INV-002 also covers duplicate pages inside the inventory. The pages are observed
    over one fetcher from ``fetchers`` (see :func:`scanner.runs.observe.observe`)."""
    thresholds = thresholds_from_policy(policy)
    cap = max_candidates if max_candidates is not None else _configured_cap(policy)
    chosen = tuple(platforms) if platforms is not None else default_platforms(inventory, apis)
    # What the organization uses but nobody could search (said in every report, never silent).
    not_searched = (
        () if platforms is not None else tuple(p for p in _used(inventory) if p not in chosen)
    )
    # Callers that must not lose work (the audit) read the file before crawling and pass
    # ``candidates``; a file named here is read now.
    outside = (*candidates, *(read_candidates(candidates_file) if candidates_file else ()))
    targets = _targets(inventory, outside, chosen, cap)

    # Through the owner APIs of ``apis`` where a credential is loaded (X ``users/by``, Meta
    # ``?ids=`` batches) and the public adapters' batched probes elsewhere; ``batch`` False
    # asks each page alone (the benchmark's comparison).
    observations = (
        observe(targets, fetchers, progress, clock=clock, apis=apis, batch=batch) if targets else []
    )
    observations = [_named_by_page(obs) for obs in observations]
    context = MatchContext.from_inventory(
        inventory, resolve_link=resolve_link, profile_url=_profile_url
    )
    classified = classify_candidates(observations, context, thresholds)
    discoveries = tuple(d for d in classified if d is not None)
    findings = [f for d in discoveries if (f := _finding(d, inventory, policy)) is not None]
    findings.extend(
        f
        for f in inventory_duplicates(inventory, policy, thresholds)
        if platforms is None or f.platform in chosen
    )
    rules = tuple(rule_info(r, policy) for r in DISCOVERY_RULES)
    tail = long_tail(inventory, policy, sites, fetchers, clock=clock)  # imported site lists
    findings.extend(tail.findings)
    return DiscoveryResult(
        discoveries,
        tuple(findings),
        len(targets),
        (*rules, *tail.rules),
        tail.hits,
        not_searched,
    )


def _named_by_page(obs: Observation) -> Observation:
    """The page's own handle when the platform sent the request on to another URL of the same
    account (LinkedIn sends a showcase page's company URL on to its showcase URL): the kind
    of page, and so what it may duplicate, is the one the platform shows."""
    if obs.status is not ObservationStatus.PRESENT or not obs.final_url or obs.final_url == obs.url:
        return obs
    adapter = adapter_for(obs.platform)
    public = urlsplit(adapter.profile_url(obs.handle))
    path = public.path.rstrip("/")
    asked = obs.url.split("?", 1)[0].rstrip("/")
    # An endpoint override keeps the path: what comes before it is the base both URLs share.
    if not path or not asked.endswith(path):
        return obs
    base = asked[: -len(path)]
    if not obs.final_url.startswith(base + "/"):
        return obs
    named = adapter.parse_url(f"{public.scheme}://{public.netloc}{obs.final_url[len(base) :]}")
    if named is None or named == obs.handle:
        return obs
    same = handle_key(obs.platform, named) == handle_key(obs.platform, obs.handle)
    return replace(obs, handle=named) if same else obs


def _configured_cap(policy: Policy | None) -> int:
    """The policy's ``discovery.max_candidates`` when it is a whole number, else the default."""
    configured = (
        policy.params("discovery.max_candidates", DEFAULT_MAX_CANDIDATES) if policy else None
    )
    return (
        configured
        if isinstance(configured, int) and not isinstance(configured, bool)
        else DEFAULT_MAX_CANDIDATES
    )


def _targets(
    inventory: Inventory,
    outside: Sequence[OutsideCandidate],
    chosen: Sequence[Platform],
    cap: int,
) -> list[Target]:
    """The pages to observe: the outside candidates, then up to ``cap`` lookalikes per alias
    and chosen platform; each page once, and never an inventoried handle."""
    org = inventory.organization
    aliases = list(dict.fromkeys([org.name, *org.aliases]))
    known: dict[Platform, set[str]] = {}
    for account in inventory.accounts:
        known.setdefault(account.platform, set()).add(handle_key(account.platform, account.handle))

    targets: list[Target] = []
    seen: set[tuple[Platform, str]] = set()
    for candidate in outside:
        key = (candidate.platform, handle_key(candidate.platform, candidate.handle))
        if key[1] in known.get(candidate.platform, set()) or key in seen:
            continue
        seen.add(key)
        targets.append(Target(candidate.platform, candidate.handle, candidate=True))
    if cap > 0 and chosen:
        forms = {p: handle_forms(inventory, p) for p in chosen}
        names = [handle_name(a.platform, a.handle) for a in inventory.accounts]
        generated = generate(
            aliases,
            {p: f for p, f in forms.items() if f},
            max_per_platform=cap,
            exclude={p: sorted(h) for p, h in known.items()},
            affixes=organization_affixes(aliases, names, org.departments),
        )
        for platform in chosen:
            for lookalike in generated.get(platform, ()):
                key = (platform, handle_key(platform, lookalike.handle))
                if key not in seen and key[1] not in known.get(platform, set()):
                    seen.add(key)
                    targets.append(Target(platform, lookalike.handle, candidate=True))
    return targets


def _finding(discovery: Discovery, inventory: Inventory, policy: Policy | None) -> Finding | None:
    rule_id = rule_for(discovery.classification)
    if rule_id is None:
        return None
    info = rule_info(rule_id, policy)
    where = f"{discovery.platform.value}:{discovery.handle}"
    summary = discovery.evidence[0] if discovery.evidence else discovery.classification.value
    evidence: dict[str, JSON] = {
        "classification": discovery.classification.value,
        "score": discovery.score,
        "url": discovery.url,
        "matched_alias": discovery.matched_alias,
        "matched_account_id": discovery.matched_account_id,
        "reasons": list(discovery.evidence),
    }
    observation = discovery.observation
    if observation.followers is not None:
        evidence["followers"] = observation.followers
    if observation.created_at is not None:
        evidence["created_at"] = iso(observation.created_at)
    if observation.signal:
        evidence["signal"] = observation.signal
    return outside_finding(
        info,
        FindingStatus.FAIL,
        f"{where}: {summary}",
        evidence,
        inventory.path,
        platform=discovery.platform,
        handle=discovery.handle,
    )


def _audience(account: Account) -> frozenset[str]:
    """Tags that say who the page is for; a tag that only repeats the department
    (``engineering`` in Engineering) says nothing about the audience."""
    department = (account.department or "").casefold()
    return frozenset(t.casefold() for t in account.tags if t.casefold() != department)


_STOPS = StopWords.build()


def _audience_words(text: str) -> frozenset[str]:
    return frozenset(w for w in normalize(text, _STOPS).words if w in _STOPS.audience)


def _names_match(a: str, b: str, limits: Thresholds) -> int | None:
    """Similarity of two names with audience words kept, or None below the threshold or when
    they name different audiences (``Care`` and ``Careers`` are 91% alike as strings)."""
    words_a, words_b = _audience_words(a), _audience_words(b)
    if words_a != words_b:
        return None
    score = similarity(normalize(a).audience, normalize(b).audience)
    return score if score >= limits.duplicate else None


def inventory_duplicates(
    inventory: Inventory, policy: Policy | None = None, thresholds: Thresholds | None = None
) -> list[Finding]:
    """INV-002 for two active entries on one platform that serve one audience: near-identical
    names (handle or display name, audience words kept), or the same department and the same
    tags. The later entry is flagged, naming the earlier; the same handle twice is INV-001's."""
    limits = thresholds or thresholds_from_policy(policy)
    info = rule_info("INV-002", policy)
    active = [a for a in inventory.accounts if a.status is AccountStatus.ACTIVE]
    findings: list[Finding] = []
    flagged: set[str] = set()
    for first, second in itertools.combinations(active, 2):
        if first.platform is not second.platform or handle_key(
            first.platform, first.handle
        ) == handle_key(second.platform, second.handle):
            continue
        if second.id in flagged:
            continue
        reasons = duplicate_reasons(first, second, limits)
        if not reasons:
            continue
        flagged.add(second.id)
        evidence: dict[str, JSON] = {
            "duplicate_of": first.id,
            "duplicate_of_line": first.location.line,
            "platform": second.platform.value,
            "reasons": list(reasons),
        }
        findings.append(
            Finding(
                rule_id="INV-002",
                title=info.title,
                severity=info.severity,
                status=FindingStatus.FAIL,
                category=info.category,
                account_id=second.id,
                platform=second.platform,
                handle=second.handle,
                message=f"{second.id} serves the same audience as {first.id} on {second.platform.value}: {'; '.join(reasons)}",
                remediation=info.remediation,
                location=second.location,
                fingerprint=fingerprint("INV-002", second.platform, second.handle, second.id),
                evidence=evidence,
            )
        )
    return findings


def duplicate_reasons(first: Account, second: Account, limits: Thresholds) -> list[str]:
    """Why ``second`` serves the same audience as ``first`` on one platform (empty: it doesn't)."""
    reasons = []
    # Handles on one platform always differ, and "brand" vs "brandCS" is 92% alike as strings:
    # only handles that are the same name once case, separators and lookalike letters are
    # set aside (copperkettleseattle / copperkettle.seattle) count as near-identical.
    a = normalize(handle_name(first.platform, first.handle), _STOPS).audience
    if a and a == normalize(handle_name(second.platform, second.handle), _STOPS).audience:
        reasons.append(
            f"handles {first.handle!r} and {second.handle!r} differ only in case, separators, lookalike letters or filler words (official, hq, team, …)"
        )
    if first.display_name and second.display_name:
        name_score = _names_match(first.display_name, second.display_name, limits)
        if name_score is not None:
            reasons.append(
                f"display names {first.display_name!r} and {second.display_name!r} are "
                f"{name_score}% similar"
            )
    audience = _audience(first)
    if (
        first.department
        and first.department == second.department
        and audience
        and audience == _audience(second)
    ):
        reasons.append(
            f"same department ({first.department}) and audience tags ({', '.join(sorted(audience))})"
        )
    return reasons
