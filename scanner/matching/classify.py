"""Evidence and verdicts for pages found outside the inventory: unlisted official, duplicate,
rogue or unrelated, each with the evidence that decided it in words a policy owner reads; a
page that could not be seen (blocked, error) is unverified and never classified.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from rapidfuzz import fuzz

from scanner.errors import Problem, ValidationError
from scanner.matching.normalize import compact_of, fold, normalize
from scanner.matching.score import SHORT_NAME, Matcher, Reference, handle_name, similarity
from scanner.model import (
    Account,
    AccountState,
    AccountStatus,
    Classification,
    Discovery,
    Inventory,
    Observation,
    ObservationStatus,
    Person,
    PersonStatus,
    Platform,
    Roster,
    Tri,
)
from scanner.platforms import handle_key

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Evidence",
    "LinkResolver",
    "MatchContext",
    "Thresholds",
    "Verdict",
    "classify_candidates",
    "classify_observation",
    "collect_evidence",
    "decide",
]

LinkResolver = Callable[[str], "tuple[Platform, str] | None"]
"""Maps a profile URL to (platform, handle), or None (the platforms layer's ``parse_url``)."""
ProfileUrl = Callable[[Platform, str], str]
"""The human-facing profile URL of a handle (the platforms layer's ``profile_url``)."""

DEFAULT_THRESHOLDS: Mapping[str, int] = {
    "rogue_threshold": 85,
    "duplicate_threshold": 90,
    "unlisted_threshold": 70,
    "disclaimer_penalty": 0,
}
"""Defaults of the policy pack's ``discovery.*`` params (same names without the prefix)."""

_DISCLAIMERS = re.compile(
    r"\b(fan ?(page|account|club|site|made)|fans? of|unofficial|not (officially )?affiliated"
    r"|no affiliation|parody|satire|tribute|not the (real|official))\b"
)
_URL = re.compile(r"\bhttps?://[^\s<>\"')\]]+", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"\b(?:[a-z0-9-]+\.)+[a-z]{2,24}\b", re.IGNORECASE)
_TRAILING = ".,;:!?"


@dataclass(frozen=True)
class Thresholds:
    """Scores (0–100) that separate the classes; see :data:`DEFAULT_THRESHOLDS`."""

    rogue: int = 85
    """A page at or above this is brand-like: rogue when it has no official tie."""
    duplicate: int = 90
    """Similarity to an inventoried account on the same platform that makes a tied page a
    second copy of it (duplicate) rather than a new, unlisted page."""
    unlisted: int = 70
    """A page with an official tie needs at least this to be one of ours (a customer blog that
    links to the shop is not)."""
    disclaimer_penalty: int = 0
    """Subtracted when the page says it is a fan, parody or unaffiliated page. 0 by default: a
    fan page wearing the brand's name is still brand-like and untied, and customers cannot
    tell it from the brand; raise it to tolerate declared fan pages."""

    @classmethod
    def from_mapping(
        cls, values: Mapping[str, object] | None, *, source: str = "policy"
    ) -> Thresholds:
        """From ``{"rogue_threshold": 85, ...}``; unknown names and values outside 0–100 are
        input errors naming what was expected."""
        merged: dict[str, object] = dict(DEFAULT_THRESHOLDS)
        problems: list[Problem] = []
        for key, value in (values or {}).items():
            if key not in DEFAULT_THRESHOLDS:
                problems.append(
                    Problem(
                        source,
                        None,
                        None,
                        f"unknown discovery threshold {key!r}; expected one of {', '.join(DEFAULT_THRESHOLDS)}",
                    )
                )
                continue
            merged[key] = value
        numbers: dict[str, int] = {}
        for key, value in merged.items():
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 <= value <= 100
            ):
                problems.append(
                    Problem(
                        source,
                        None,
                        None,
                        f"discovery.{key}: expected a number from 0 to 100, got {value!r}",
                    )
                )
                continue
            numbers[key] = round(value)
        if problems:
            raise ValidationError(problems)
        return cls(
            rogue=numbers["rogue_threshold"],
            duplicate=numbers["duplicate_threshold"],
            unlisted=numbers["unlisted_threshold"],
            disclaimer_penalty=numbers["disclaimer_penalty"],
        )


@dataclass(frozen=True)
class MatchContext:
    """What the organization looks like: names, official domains, inventoried accounts, the
    roster, and a way to read profile URLs."""

    matcher: Matcher
    domains: tuple[str, ...]
    accounts: tuple[Account, ...]
    roster: Roster
    resolve_link: LinkResolver | None = None
    profile_url: ProfileUrl | None = None

    def url_of(self, observation: Observation) -> str:
        if self.profile_url is not None:
            return self.profile_url(observation.platform, observation.handle)
        return observation.final_url or observation.url

    @classmethod
    def from_inventory(
        cls,
        inventory: Inventory,
        *,
        resolve_link: LinkResolver | None = None,
        profile_url: ProfileUrl | None = None,
        stop_words: Iterable[str] | None = None,
    ) -> MatchContext:
        org = inventory.organization
        accounts = tuple(a for a in inventory.accounts if a.status is not AccountStatus.RETIRED)
        aliases = (org.name, *org.aliases)
        matcher = (
            Matcher.build(aliases, accounts)
            if stop_words is None
            else Matcher.build(aliases, accounts, stop_words=stop_words)
        )
        domains = tuple(d.strip().casefold().removeprefix("www.") for d in org.domains if d.strip())
        return cls(matcher, domains, accounts, inventory.roster, resolve_link, profile_url)

    def account_for(self, platform: Platform, handle: str) -> Account | None:
        key = handle_key(platform, handle)
        for account in self.accounts:
            if account.platform is platform and handle_key(platform, account.handle) == key:
                return account
        return None


@dataclass(frozen=True)
class Evidence:
    """Facts about one present page, each kept for the report."""

    handle_score: int
    handle_match: Reference | None
    name_score: int
    name_match: Reference | None
    brand_terms: tuple[str, ...]
    official_links: tuple[str, ...]
    lookalike_links: tuple[str, ...]
    inventory_links: tuple[tuple[str, str], ...]
    """(url, account id) for links to inventoried accounts."""
    roster_people: tuple[Person, ...]
    disclaimer: str | None
    same_platform: Account | None
    same_platform_score: int
    followers: int | None
    created_at: datetime | None
    verified: Tri
    state: AccountState

    @property
    def similarity(self) -> int:
        return max(self.handle_score, self.name_score)

    @property
    def best_match(self) -> Reference | None:
        if self.handle_score >= self.name_score:
            return self.handle_match or self.name_match
        return self.name_match or self.handle_match

    @property
    def tied(self) -> bool:
        return bool(self.official_links or self.inventory_links or self.roster_people)


@dataclass(frozen=True)
class Verdict:
    classification: Classification
    score: int
    reasons: tuple[str, ...]


def _links(observation: Observation) -> list[str]:
    found = list(observation.links)
    for text in (observation.bio or "", observation.display_name or ""):
        found.extend(m.group(0).rstrip(_TRAILING) for m in _URL.finditer(text))
    return list(dict.fromkeys(found))


def _host(url: str) -> str:
    try:
        host = urlsplit(url if "://" in url else f"https://{url}").hostname or ""
    except ValueError:
        return ""
    return host.casefold().removeprefix("www.")


def _is_official(host: str, domains: Sequence[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def _domain_core(host: str) -> str:
    """``copperkettle.coffee`` → ``copperkettle``; ``shop.copperkettlecoffee.com`` →
    ``copperkettlecoffee`` (the label before the public suffix, roughly)."""
    labels = [label for label in host.split(".") if label]
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in {"co", "com", "org", "net"}:
        labels = labels[:-1]
    return labels[-2] if len(labels) >= 2 else (labels[0] if labels else "")


def _mentions(text: str, phrase: str) -> bool:
    return f" {phrase} " in f" {text} "


def collect_evidence(
    observation: Observation,
    context: MatchContext,
    *,
    handle_score: int,
    handle_match: Reference | None,
    name_score: int,
    name_match: Reference | None,
) -> Evidence:
    """Evidence for one present page (the name scores come from the batch scorer)."""
    bio = observation.bio or ""
    links = _sort_links(observation, context)
    folded = fold(f"{observation.display_name or ''} {bio}")
    disclaimer = _DISCLAIMERS.search(folded)
    same_account, same_score = _same_platform(observation, context)
    return Evidence(
        handle_score=handle_score,
        handle_match=handle_match,
        name_score=name_score,
        name_match=name_match,
        brand_terms=_brand_terms(bio, context),
        official_links=links.official,
        lookalike_links=links.lookalike,
        inventory_links=links.inventory,
        roster_people=_roster_people(observation, context.roster),
        disclaimer=disclaimer.group(0) if disclaimer else None,
        same_platform=same_account,
        same_platform_score=same_score,
        followers=observation.followers,
        created_at=observation.created_at,
        verified=observation.verified,
        state=observation.account_state,
    )


def _brand_terms(bio: str, context: MatchContext) -> tuple[str, ...]:
    """The organization's aliases the bio mentions (compared as confusable skeletons)."""
    if not bio:
        return ()
    bio_skeleton = normalize(bio).skeleton
    if not bio_skeleton:
        return ()
    return tuple(
        r.text
        for r in context.matcher.references
        if r.kind.value == "alias" and _mentions(bio_skeleton, normalize(r.text).skeleton)
    )


@dataclass(frozen=True)
class _Links:
    """A page's links by what they point at, each once, in the order written."""

    official: tuple[str, ...]
    lookalike: tuple[str, ...]
    inventory: tuple[tuple[str, str], ...]
    """(link, account id) of links to inventoried accounts."""


def _sort_links(observation: Observation, context: MatchContext) -> _Links:
    bio = observation.bio or ""
    official: list[str] = []
    lookalike: list[str] = []
    inventory: list[tuple[str, str]] = []
    links = _links(observation)
    # Domains written without a scheme ("copperkettle.coffee"), unless part of a link above.
    bare = [
        m.group(0)
        for m in _BARE_DOMAIN.finditer(_URL.sub(" ", bio))
        if not any(m.group(0).casefold() in link.casefold() for link in links)
    ]
    brand_cores = {compact_of(_domain_core(d)) for d in context.domains} | {
        r.core for r in context.matcher.references if r.kind.value == "alias"
    }
    brand_cores = {c for c in brand_cores if len(c) >= SHORT_NAME}
    for link in [*links, *bare]:
        host = _host(link)
        if not host:
            continue
        if _is_official(host, context.domains):
            official.append(link)
            continue
        if link in bare:
            continue
        resolved = context.resolve_link(link) if context.resolve_link else None
        if resolved is not None:
            account = context.account_for(*resolved)
            if account is not None:
                inventory.append((link, account.id))
                continue
        # A domain that is not ours but carries the brand (copperkettle-coffee.shop) is how
        # impersonators take payments and logins.
        core = compact_of(_domain_core(host))
        if core and any(c in core or fuzz.ratio(core, c) >= 85 for c in brand_cores):
            lookalike.append(link)
    return _Links(
        official=tuple(dict.fromkeys(official)),
        lookalike=tuple(dict.fromkeys(lookalike)),
        inventory=tuple(dict.fromkeys(inventory)),
    )


def _roster_people(observation: Observation, roster: Roster) -> tuple[Person, ...]:
    """People from the roster the page names: full name (two words or more) or email."""
    text = f"{observation.display_name or ''} {observation.bio or ''}"
    folded = fold(text)
    lowered = text.casefold()
    found = []
    for person in roster.people.values():
        name = fold(person.name)
        if (len(name.split()) >= 2 and _mentions(folded, name)) or person.key in lowered:
            found.append(person)
    return tuple(found)


def _same_platform(observation: Observation, context: MatchContext) -> tuple[Account | None, int]:
    """The inventoried active account on the same platform whose name, audience words kept
    (``copperkettle_uk`` is not ``copperkettle``), is closest to the page's."""
    stops = context.matcher.stop_words
    page = [normalize(handle_name(observation.platform, observation.handle), stops).audience]
    if observation.display_name:
        page.append(normalize(observation.display_name, stops).audience)
    best: tuple[Account | None, int] = (None, 0)
    for account in context.accounts:
        if (
            account.platform is not observation.platform
            or account.status is not AccountStatus.ACTIVE
        ):
            continue
        theirs = [normalize(handle_name(account.platform, account.handle), stops).audience]
        if account.display_name:
            theirs.append(normalize(account.display_name, stops).audience)
        score = max(similarity(a, b) for a in page for b in theirs)
        if score > best[1]:
            best = (account, score)
    return best


def decide(evidence: Evidence, thresholds: Thresholds) -> Verdict:
    """The classification and the reasons for it, strongest first."""
    score = evidence.similarity
    reasons: list[str] = []
    match = evidence.best_match
    if match is not None and score > 0:
        reasons.append(f"its name is {score}% similar to {match.describe()}")
    if evidence.disclaimer and thresholds.disclaimer_penalty:
        score = max(0, score - thresholds.disclaimer_penalty)
        reasons.append(
            f"it calls itself {evidence.disclaimer!r}, which lowers the score by "
            f"{thresholds.disclaimer_penalty} to {score}"
        )
    elif evidence.disclaimer:
        reasons.append(f"it calls itself {evidence.disclaimer!r}")
    ties = _tie_reasons(evidence)
    if evidence.tied and score >= thresholds.unlisted:
        same = evidence.same_platform
        if same is not None and evidence.same_platform_score >= thresholds.duplicate:
            reasons.insert(
                0,
                f"it looks like a second copy of inventoried account {same.id} "
                f"({same.handle}) on the same platform ({evidence.same_platform_score}% similar, "
                f"same audience)",
            )
            return Verdict(Classification.DUPLICATE, score, (*reasons, *ties, *_facts(evidence)))
        reasons.insert(0, "it has an official tie but is not in the inventory")
        return Verdict(
            Classification.UNLISTED_OFFICIAL, score, (*reasons, *ties, *_facts(evidence))
        )
    if score >= thresholds.rogue:
        reasons.insert(
            0,
            f"its name is brand-like (score {score} ≥ {thresholds.rogue}) and nothing ties it to the organization",
        )
        if (
            evidence.same_platform is not None
            and evidence.same_platform_score >= thresholds.duplicate
        ):
            reasons.append(
                f"it imitates inventoried account {evidence.same_platform.id} "
                f"({evidence.same_platform.handle}) on the same platform"
            )
        if evidence.lookalike_links:
            reasons.append(
                f"it links to a lookalike of an official domain: {', '.join(evidence.lookalike_links)}"
            )
        if evidence.brand_terms:
            reasons.append(f"its bio uses the brand name ({', '.join(evidence.brand_terms)})")
        return Verdict(Classification.ROGUE, score, (*reasons, *_facts(evidence)))
    if evidence.tied:
        reasons.insert(
            0,
            f"it has an official tie but its name is not brand-like (score {score} < {thresholds.unlisted})",
        )
    else:
        reasons.insert(0, f"its name is not brand-like (score {score} < {thresholds.rogue})")
    return Verdict(Classification.UNRELATED, score, (*reasons, *ties, *_facts(evidence)))


def _tie_reasons(evidence: Evidence) -> list[str]:
    reasons = []
    if evidence.official_links:
        reasons.append(f"it links to an official domain: {', '.join(evidence.official_links)}")
    for url, account_id in evidence.inventory_links:
        reasons.append(f"it links to inventoried account {account_id} ({url})")
    for person in evidence.roster_people:
        who = "former staff member" if person.status is PersonStatus.DEPARTED else person.role.value
        reasons.append(f"it names {person.name} ({who} in the roster, {person.email})")
    return reasons


def _facts(evidence: Evidence) -> list[str]:
    facts = []
    if evidence.followers is not None:
        facts.append(f"{evidence.followers:,} followers")
    if evidence.created_at is not None:
        facts.append(f"created {evidence.created_at.date().isoformat()}")
    if evidence.verified is Tri.TRUE:
        facts.append("the platform shows it as verified")
    if evidence.state in (AccountState.SUSPENDED, AccountState.DEACTIVATED):
        facts.append(f"the platform shows it as {evidence.state.value}")
    return facts


def _unverified_reason(observation: Observation) -> str:
    why = observation.reason.text if observation.reason else observation.status.value
    return f"could not be verified ({observation.status.value}: {why}); not classified"


def classify_observation(
    observation: Observation, context: MatchContext, thresholds: Thresholds
) -> Discovery | None:
    """One observation; see :func:`classify_candidates`."""
    return classify_candidates([observation], context, thresholds)[0]


def classify_candidates(
    observations: Sequence[Observation],
    context: MatchContext,
    thresholds: Thresholds | Mapping[str, object] | None = None,
) -> list[Discovery | None]:
    """A discovery per observation, same order: present pages are classified on their
    evidence; blocked and error pages are ``unverified`` (never classified); absent and invalid
    handles give None (there is no page). All names are scored in one batch."""
    limits = (
        thresholds if isinstance(thresholds, Thresholds) else Thresholds.from_mapping(thresholds)
    )
    present = [o for o in observations if o.status is ObservationStatus.PRESENT]
    handles = [handle_name(o.platform, o.handle) for o in observations]
    names = [o.display_name or "" for o in present]
    best = context.matcher.best([*handles, *names])
    refs = context.matcher.references
    handle_scores = best.scores[: len(handles)]
    handle_refs = best.index[: len(handles)]
    name_scores = dict(zip((id(o) for o in present), best.scores[len(handles) :], strict=True))
    name_refs = dict(zip((id(o) for o in present), best.index[len(handles) :], strict=True))
    results: list[Discovery | None] = []
    for i, observation in enumerate(observations):
        h_score = int(handle_scores[i])
        h_ref = refs[handle_refs[i]] if handle_refs[i] >= 0 else None
        status = observation.status
        match status:
            case ObservationStatus.ABSENT | ObservationStatus.INVALID:
                results.append(None)
            case ObservationStatus.BLOCKED | ObservationStatus.ERROR:
                results.append(
                    Discovery(
                        platform=observation.platform,
                        handle=observation.handle,
                        url=context.url_of(observation),
                        classification=Classification.UNVERIFIED,
                        score=h_score,
                        matched_alias=h_ref.text if h_ref and h_ref.kind.value == "alias" else None,
                        matched_account_id=h_ref.account_id if h_ref else None,
                        evidence=(_unverified_reason(observation),),
                        observation=observation,
                    )
                )
            case ObservationStatus.PRESENT:
                n_index = int(name_refs[id(observation)])
                evidence = collect_evidence(
                    observation,
                    context,
                    handle_score=h_score,
                    handle_match=h_ref,
                    name_score=int(name_scores[id(observation)]) if observation.display_name else 0,
                    name_match=refs[n_index] if n_index >= 0 else None,
                )
                verdict = decide(evidence, limits)
                results.append(
                    _discovery(observation, evidence, verdict, context.url_of(observation))
                )
            case _:
                typing.assert_never(status)
    return results


def _discovery(
    observation: Observation, evidence: Evidence, verdict: Verdict, url: str
) -> Discovery:
    match = evidence.best_match
    matched_account = None
    if verdict.classification is Classification.DUPLICATE and evidence.same_platform:
        matched_account = evidence.same_platform.id
    elif evidence.inventory_links:
        matched_account = evidence.inventory_links[0][1]
    elif match is not None and match.account_id:
        matched_account = match.account_id
    alias = match.text if match is not None and match.kind.value == "alias" else None
    return Discovery(
        platform=observation.platform,
        handle=observation.handle,
        url=url,
        classification=verdict.classification,
        score=verdict.score,
        matched_alias=alias,
        matched_account_id=matched_account,
        evidence=verdict.reasons,
        observation=observation,
    )
