"""Evidence and verdicts for pages found outside the inventory: unlisted official, duplicate,
rogue or unrelated, each with the evidence that decided it in words a policy owner reads; a
page that could not be seen (blocked, error) is unverified and never classified.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from rapidfuzz.distance import Levenshtein

from scanner.errors import Problem, ValidationError
from scanner.matching.normalize import DEFAULT_STOP_WORDS, compact_of, fold, normalize
from scanner.matching.score import SHORT_NAME, Matcher, Reference, handle_name, similarity
from scanner.matching.signals import (
    Signal,
    claims,
    copied_display_name,
    disclosure,
    distinctive_aliases,
    distinctive_terms,
    is_link_hub,
    solicits,
    takes,
)
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
from scanner.platforms import DEFAULT_KIND, PageKind, handle_key, page_kind

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
    "rogue_min_signals": 1,
    "recent_days": 365,
    "established_days": 1095,
}
"""Defaults of the policy pack's ``discovery.*`` params (same names without the prefix)."""

_BOUNDS: Mapping[str, tuple[int, int]] = {
    "rogue_min_signals": (1, 20),
    "recent_days": (0, 36500),
    "established_days": (0, 36500),
}
"""Bounds of the params that are not 0–100 scores."""

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
    rogue_min_signals: int = 1
    """Impersonation signals a brand-like page needs to be rogue; with fewer it is a name
    collision (a namesake, reported for awareness only)."""
    recent_days: int = 365
    """A page created at most this many days before it was seen, after the brand's first
    inventoried account, was "created recently": a weak signal of impersonation."""
    established_days: int = 1095
    """A page at least this old (or older than the brand's first account) has an established
    history: with its own domain, what outweighs the weak signals."""

    @classmethod
    def from_mapping(
        cls, values: Mapping[str, object] | None, *, source: str = "policy"
    ) -> Thresholds:
        """From ``{"rogue_threshold": 85, ...}``; unknown names and values out of bounds (0–100
        for scores) are input errors naming what was expected."""
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
            low, high = _BOUNDS.get(key, (0, 100))
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not low <= value <= high
            ):
                problems.append(
                    Problem(
                        source,
                        None,
                        None,
                        f"discovery.{key}: expected a number from {low} to {high}, got {value!r}",
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
            rogue_min_signals=numbers["rogue_min_signals"],
            recent_days=numbers["recent_days"],
            established_days=numbers["established_days"],
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
    brand_since: date | None = None
    """When the brand's first inventoried account was created (None: no dates known)."""

    @property
    def aliases(self) -> tuple[str, ...]:
        return tuple(r.text for r in self.matcher.references if r.kind.value == "alias")

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
        since = min((a.created for a in accounts if a.created is not None), default=None)
        return cls(matcher, domains, accounts, inventory.roster, resolve_link, profile_url, since)

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
    kind: PageKind = DEFAULT_KIND
    """The kind of page (a Reddit community or user, a YouTube channel): a duplicate is a second
    page of the same kind."""
    other_kind: tuple[Account, int] | None = None
    """The closest inventoried account on the same platform of another kind, with its score."""
    claims: tuple[Signal, ...] = ()
    solicits: tuple[str, ...] = ()
    """What the page asks visitors for (a DM, an order number, a prize, a login)."""
    takes: tuple[str, ...] = ()
    """What only a fraud asks for (crypto, passwords, card details, a fee for a job)."""
    hub_links: tuple[str, ...] = ()
    """Links to shorteners, link hubs or messaging apps: nothing of the page's own."""
    own_links: tuple[str, ...] = ()
    """Links to a site of the page's own, neither official nor a lookalike of one."""
    copied_name: Account | None = None
    """The inventoried account whose display name the page copies exactly."""
    copied_common: bool = False
    """The copied display name is only the brand's common name (``Copper Kettle``), which every
    namesake carries too: a weak signal."""
    distinctive: tuple[str, ...] = ()
    """The brand's distinctive names (more than the shortest alias) the page uses."""
    age_days: int | None = None
    """Days between the page's creation and when it was seen (None: not known)."""
    before_brand: bool = False
    """Created before the brand's first inventoried account."""
    fan: str | None = None
    """The words with which the page discloses itself as a fan or parody page."""

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

    @property
    def scam(self) -> bool:
        """What only an impostor does: a lookalike of an official domain, asking for contact
        with nothing of its own to show, or a copied display name."""
        return bool(
            self.lookalike_links
            or (self.solicits and not self.own_links)
            or self.takes
            or (self.copied_name and not self.copied_common)
        )


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
    same_account, same_score, other_kind = _same_platform(observation, context)
    text = f"{observation.display_name or ''} {bio}"
    age, before = _age(observation, context)
    copied = copied_display_name(observation.display_name, context.accounts)
    distinctive = distinctive_aliases(context.aliases)
    common = {compact_of(a) for a in context.aliases if a not in distinctive}
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
        kind=page_kind(observation.platform, observation.handle),
        other_kind=other_kind,
        claims=claims(
            observation.display_name or "",
            handle_name(observation.platform, observation.handle),
            bio,
        ),
        solicits=solicits(text),
        takes=takes(text),
        hub_links=links.hubs,
        own_links=links.own,
        copied_name=copied,
        copied_common=copied is not None and compact_of(copied.display_name or "") in common,
        distinctive=distinctive_terms(text, context.aliases),
        age_days=age,
        before_brand=before,
        fan=disclosure(text),
    )


def _age(observation: Observation, context: MatchContext) -> tuple[int | None, bool]:
    """(days from creation to when the page was seen, created before the brand's first
    inventoried account); (None, False) when the platform does not show a creation date."""
    created = observation.created_at
    if created is None:
        return None, False
    days = max(0, (observation.fetched_at - created).days)
    return days, context.brand_since is not None and created.date() < context.brand_since


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
    hubs: tuple[str, ...] = ()
    own: tuple[str, ...] = ()


def _sort_links(observation: Observation, context: MatchContext) -> _Links:
    bio = observation.bio or ""
    official: list[str] = []
    lookalike: list[str] = []
    inventory: list[tuple[str, str]] = []
    hubs: list[str] = []
    own: list[str] = []
    links = _links(observation)
    # Domains written without a scheme ("copperkettle.coffee"), unless part of a link above.
    bare = [
        m.group(0)
        for m in _BARE_DOMAIN.finditer(_URL.sub(" ", bio))
        if not any(m.group(0).casefold() in link.casefold() for link in links)
    ]
    # The official domains' names and the brand's distinctive names: a namesake's domain is
    # naturally the common word itself (summit.dev beside Summit Bank's summitbank.com).
    brand_cores = {compact_of(_domain_core(d)) for d in context.domains} | {
        compact_of(a) for a in distinctive_aliases(context.aliases)
    }
    brand_cores = {c for c in brand_cores if len(c) >= SHORT_NAME}
    common = {compact_of(a) for a in context.aliases} - brand_cores
    for link in [*links, *bare]:
        host = _host(link)
        if not host:
            continue
        if _is_official(host, context.domains):
            official.append(link)
            continue
        resolved = context.resolve_link(link) if context.resolve_link and link not in bare else None
        if resolved is not None:
            account = context.account_for(*resolved)
            if account is not None:
                inventory.append((link, account.id))
            continue  # another platform's profile is no site of the page's own
        # A domain that is not ours but carries the brand (copperkettle-coffee.shop) is how
        # impersonators take payments and logins.
        core = compact_of(_domain_core(host))
        if core and (
            any(_lookalike_core(core, c) for c in brand_cores)
            or any(_lookalike_core(core, c, bare=False) for c in common if len(c) >= SHORT_NAME)
        ):
            lookalike.append(link)
        elif is_link_hub(host):
            hubs.append(link)
        else:
            own.append(link)
    return _Links(
        official=tuple(dict.fromkeys(official)),
        lookalike=tuple(dict.fromkeys(lookalike)),
        inventory=tuple(dict.fromkeys(inventory)),
        hubs=tuple(dict.fromkeys(hubs)),
        own=tuple(dict.fromkeys(own)),
    )


_SCAM_DOMAIN_WORDS = frozenset(
    compact_of(w)
    for w in (
        *("refund", "refunds", "login", "signin", "verify", "secure", "order", "orders"),
        *("giveaway", "promo", "deals", "rewards", "claim", "airdrop", "token", "coin"),
        *("crypto", "wallet", "bonus", "gift", "win", "free", "sale", "pay", "billing"),
        *("portal", "account", "support", "help", "care", "service", "official", "shop"),
    )
)
"""Words an impostor's domain adds to a brand to take payments and logins."""
_DOMAIN_AFFIXES = _SCAM_DOMAIN_WORDS | frozenset(
    compact_of(w) for w in (*DEFAULT_STOP_WORDS, "site", "web", "my", "get", "outlet", "dev", "io")
)
"""Words glued to a brand in an impostor's domain (``brand-support``, ``getbrand``,
``brand-refunds``); a namesake's domain adds words of its own (``brandknits``)."""


def _lookalike_core(core: str, brand: str, *, bare: bool = True) -> bool:
    """A domain label that imitates a brand core: a near-typo of it, or the brand with only
    stop-words and scam words around it. A namesake's own word added to it
    (``copperkettleinn``) is neither. For the brand's common name (``bare`` False) only the
    name with scam words counts (``halcyon-verify``): ``halcyon.dev`` is a namesake's."""
    if not bare:
        start = core.find(brand)
        rest = (core[:start], core[start + len(brand) :]) if start >= 0 else ("x", "")
        return rest != ("", "") and all(_affixes_only(r, _SCAM_DOMAIN_WORDS) for r in rest)
    if abs(len(core) - len(brand)) <= 2 and Levenshtein.distance(core, brand) <= max(
        1, len(brand) // 6
    ):
        return True
    start = core.find(brand)
    if start < 0:
        return False
    return _affixes_only(core[:start]) and _affixes_only(core[start + len(brand) :])


def _affixes_only(rest: str, words: frozenset[str] = _DOMAIN_AFFIXES) -> bool:
    """Whether ``rest`` is empty or a run of ``words`` (word break by word break)."""
    reach = [True] + [False] * len(rest)
    for end in range(1, len(rest) + 1):
        reach[end] = any(reach[start] and rest[start:end] in words for start in range(end))
    return reach[-1]


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


def _same_platform(
    observation: Observation, context: MatchContext
) -> tuple[Account | None, int, tuple[Account, int] | None]:
    """The inventoried active account of the same kind on the same platform whose name,
    audience words kept (``copperkettle_uk`` is not ``copperkettle``), is closest to the page's,
    with its score; and the closest one of another kind (a Reddit user beside a community)."""
    stops = context.matcher.stop_words
    kind = page_kind(observation.platform, observation.handle)
    page = [normalize(handle_name(observation.platform, observation.handle), stops).audience]
    if observation.display_name:
        page.append(normalize(observation.display_name, stops).audience)
    best: tuple[Account | None, int] = (None, 0)
    other: tuple[Account, int] | None = None
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
        if page_kind(account.platform, account.handle) != kind:
            if other is None or score > other[1]:
                other = (account, score)
        elif score > best[1]:
            best = (account, score)
    return best[0], best[1], other


def decide(evidence: Evidence, thresholds: Thresholds) -> Verdict:
    """The classification and the reasons for it, strongest first: the verdict, then the
    signals for and against it in plain words, then the page's facts."""
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
    ties = _tie_reasons(evidence)
    official = bool(evidence.official_links or evidence.inventory_links)
    # Naming staff ties a page to us, unless it also does what only impostors do (asks for
    # order numbers, links to a lookalike domain): then the names are bait (issue 14).
    tied = official or (bool(evidence.roster_people) and not evidence.scam)
    if (
        evidence.fan
        and not evidence.scam
        and not evidence.roster_people
        and (score >= thresholds.rogue or (official and score >= thresholds.unlisted))
    ):
        first = (
            f"it discloses itself as a fan or parody page ({evidence.fan!r}) and shows "
            "no sign of impersonation: reported for awareness, no takedown"
        )
        against = _against(evidence, thresholds)
        return Verdict(
            Classification.FAN, score, (first, *reasons, *ties, *against, *_facts(evidence))
        )
    if evidence.disclaimer and not thresholds.disclaimer_penalty:
        reasons.append(f"it calls itself {evidence.disclaimer!r}")
    if tied and score >= thresholds.unlisted:
        first, classification = _tied_verdict(evidence, thresholds)
        return Verdict(classification, score, (first, *reasons, *ties, *_facts(evidence)))
    if score >= thresholds.rogue:
        return _brand_like(evidence, thresholds, score, reasons)
    if evidence.tied:
        first = (
            f"it has an official tie but its name is not brand-like "
            f"(score {score} < {thresholds.unlisted})"
        )
    else:
        first = f"its name is not brand-like (score {score} < {thresholds.rogue})"
    return Verdict(Classification.UNRELATED, score, (first, *reasons, *ties, *_facts(evidence)))


def _tied_verdict(evidence: Evidence, thresholds: Thresholds) -> tuple[str, Classification]:
    """A tied page: a second page of the same kind and audience as an inventoried one is a
    duplicate; any other (a community beside a user account, a second YouTube channel) is an
    unlisted official page."""
    same = evidence.same_platform
    if (
        same is not None
        and evidence.same_platform_score >= thresholds.duplicate
        and not evidence.kind.own_audience
    ):
        return (
            f"it looks like a second copy of inventoried account {same.id} ({same.handle}) on "
            f"the same platform ({evidence.same_platform_score}% similar, same kind of page and "
            "audience)",
            Classification.DUPLICATE,
        )
    first = "it has an official tie but is not in the inventory"
    other = evidence.other_kind
    if other is not None and other[1] >= thresholds.duplicate:
        theirs = page_kind(other[0].platform, other[0].handle).name
        first += (
            f"; it is a {evidence.kind.name}, a different kind of page from inventoried account "
            f"{other[0].id} ({other[0].handle}, a {theirs}), so not its duplicate"
        )
    elif same is not None and evidence.kind.own_audience:
        first += (
            f"; every {evidence.kind.name} has its own audience, so it is not a duplicate of "
            f"{same.id} ({same.handle})"
        )
    return first, Classification.UNLISTED_OFFICIAL


def _brand_like(
    evidence: Evidence, thresholds: Thresholds, score: int, reasons: list[str]
) -> Verdict:
    """A brand-like page with no tie: rogue with enough signals of impersonation, else a name
    collision (a namesake), never a takedown."""
    signals = _signals_for(evidence, thresholds)
    against = _against(evidence, thresholds)
    outweighed = bool(evidence.own_links) or _established(evidence, thresholds)
    counted = [sig for sig in signals if sig.strong or not outweighed]
    brand_like = f"its name is brand-like (score {score} ≥ {thresholds.rogue})"
    listed = [f"for: {sig.text}" for sig in counted]
    listed += [f"for, but outweighed: {sig.text}" for sig in signals if sig not in counted]
    listed += [f"against: {text}" for text in against]
    if len(counted) >= thresholds.rogue_min_signals:
        n = len(counted)
        first = (
            f"{brand_like}, nothing ties it to the organization, and it shows {n} "
            f"{'signal' if n == 1 else 'signals'} of impersonation"
        )
        return Verdict(Classification.ROGUE, score, (first, *reasons, *listed, *_facts(evidence)))
    first = (
        f"{brand_like} but it shows no signal of impersonation"
        f"{' that its own site or history does not outweigh' if signals else ''}: a namesake, "
        "reported for awareness, no takedown"
    )
    return Verdict(
        Classification.NAME_COLLISION, score, (first, *reasons, *listed, *_facts(evidence))
    )


def _established(evidence: Evidence, thresholds: Thresholds) -> bool:
    return evidence.before_brand or (
        evidence.age_days is not None and evidence.age_days >= thresholds.established_days
    )


def _signals_for(evidence: Evidence, thresholds: Thresholds) -> list[Signal]:
    """Signals of impersonation, strong first (issue 14's list)."""
    found = list(evidence.claims)
    if evidence.lookalike_links:
        found.append(
            Signal(
                f"it links to a lookalike of an official domain: {', '.join(evidence.lookalike_links)}"
            )
        )
    if evidence.solicits and not evidence.own_links:
        where = f"only to {', '.join(evidence.hub_links)}" if evidence.hub_links else "to nothing"
        found.append(
            Signal(
                f"it asks visitors for contact or details ({', '.join(evidence.solicits)}) and "
                f"links {where} of its own"
            )
        )
    if evidence.takes:
        found.append(
            Signal(f"it asks for what only a fraud asks for ({', '.join(evidence.takes)})")
        )
    if evidence.copied_name is not None:
        copied = evidence.copied_name
        found.append(
            Signal(
                f"it copies the display name of inventoried account {copied.id} exactly "
                f"({copied.display_name!r})",
                strong=not evidence.copied_common,
            )
        )
    if evidence.roster_people and evidence.scam:
        names = ", ".join(p.name for p in evidence.roster_people)
        found.append(Signal(f"it names staff from the roster ({names}) to look credible"))
    same = evidence.same_platform
    if same is not None and evidence.same_platform_score >= thresholds.duplicate:
        found.append(
            Signal(
                f"it imitates inventoried account {same.id} ({same.handle}) on the same "
                f"platform ({evidence.same_platform_score}% similar)",
                strong=False,
            )
        )
    if evidence.distinctive:
        terms = ", ".join(evidence.distinctive)
        found.append(Signal(f"it uses the brand's distinctive name ({terms})", strong=False))
    if (
        evidence.age_days is not None
        and evidence.age_days <= thresholds.recent_days
        and not evidence.before_brand
    ):
        found.append(
            Signal(
                f"it was created recently (under {thresholds.recent_days} days before it was "
                "seen), long after the brand's own accounts",
                strong=False,
            )
        )
    return sorted(found, key=lambda sig: not sig.strong)


def _against(evidence: Evidence, thresholds: Thresholds) -> list[str]:
    """What speaks for a namesake or a fan rather than an impostor."""
    found = []
    if evidence.own_links:
        found.append(
            f"it links to a site of its own, unrelated to the organization: "
            f"{', '.join(evidence.own_links)}"
        )
    if evidence.before_brand:
        found.append("it was created before the brand's first inventoried account")
    elif _established(evidence, thresholds) and evidence.age_days is not None:
        years = thresholds.established_days // 365
        found.append(f"it has an established history (over {years} years old when seen)")
    if not evidence.claims:
        found.append("it does not claim to be official or the brand's support")
    if evidence.solicits and evidence.own_links:
        found.append(
            f"it asks for contact ({', '.join(evidence.solicits)}) but has a site of its own"
        )
    return found


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
