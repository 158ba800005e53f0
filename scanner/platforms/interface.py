"""The platforms layer's contract: a :class:`PlatformSpec` (data loaded from ``specs/*.yaml``) and
the :class:`PlatformAdapter` protocol every platform implements (handle rules, URLs, observe).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from scanner.fetch.config import TokenSource
from scanner.fetch.interface import Fetcher
from scanner.model import AccountState, Location, Observation, ObservationStatus, Platform
from scanner.platforms.api.interface import Api

__all__ = [
    "ApiSpec",
    "BlockSignal",
    "DEFAULT_KIND",
    "ContentKind",
    "HandleRules",
    "HtmlHints",
    "Marker",
    "MarkerOp",
    "PageKind",
    "PlatformAdapter",
    "PlatformSpec",
    "PrefixUse",
    "ProbeSpec",
    "RateLimits",
    "SelfCheckSpec",
    "Signal",
    "StateSignal",
    "SupportLevel",
    "UrlPattern",
]


class SupportLevel(enum.StrEnum):
    """How far Rollcall can verify a platform without logging in.

    ``full``: a public structured endpoint answers for every state. ``partial``: the platform
    often shows a login wall or bot check, so many observations end ``blocked``. ``manual``: no
    usable anonymous signal; a person has to look.
    """

    FULL = "full"
    PARTIAL = "partial"
    MANUAL = "manual"


class ContentKind(enum.StrEnum):
    """What a probe's body must be for its markers to count as evidence."""

    JSON = "json"
    XML = "xml"
    HTML = "html"
    ANY = "any"


class MarkerOp(enum.StrEnum):
    PRESENT = "present"
    """``kind:key`` — the key/element/header exists (and is not JSON null/false/empty)."""
    EQUALS = "equals"
    """``kind:key=value`` — the value equals (JSON booleans compare as ``true``/``false``)."""
    MATCHES = "matches"
    """``kind:key~regex`` — a regular expression search in the value."""


@dataclass(frozen=True)
class Marker:
    """One structural test on a response, written in a spec as e.g. ``json:error=Record not
    found``, ``meta:og:type=profile``, ``title~(?i)log in``, ``header:x-ratelimit-remaining=0``.

    Kinds: ``json`` (dotted path), ``xml`` (root element local name), ``meta`` (HTML meta by
    property or name), ``title``, ``link`` (HTML link by rel → href), ``jsonld`` (a JSON-LD
    ``@type``), ``body`` (substring of the decoded body), ``header``, ``final_url``,
    ``rehydration`` (dotted path in TikTok's ``webapp.user-detail`` JSON). A leading ``!``
    negates the test.
    """

    kind: str
    key: str
    op: MarkerOp
    value: str | None
    text: str
    pattern: re.Pattern[str] | None = field(default=None, compare=False)
    negate: bool = False
    """Written with a leading ``!``: the marker holds when the test fails (``!rehydration:x``)."""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Signal:
    """Status code(s) plus markers that must all hold. Exists and missing signals always carry
    at least one marker: a bare status code (a 200 soft-404 page) is never evidence."""

    statuses: frozenset[int]
    content: ContentKind
    markers: tuple[Marker, ...]

    def describe(self, status: int) -> str:
        """The ``signal`` string recorded on an observation, e.g. ``status:404+json:error=…``."""
        return "+".join([f"status:{status}", *(m.text for m in self.markers)])


@dataclass(frozen=True)
class StateSignal:
    """A response that proves the account exists in a special state (suspended, private, ...)."""

    signal: Signal
    state: AccountState


@dataclass(frozen=True)
class BlockSignal:
    """A platform-specific answer meaning "we were not allowed to look" (login wall, captcha,
    rate limiting). Empty ``statuses`` means any status; all markers must hold."""

    statuses: frozenset[int]
    markers: tuple[Marker, ...]
    status: ObservationStatus
    code: str
    text: str

    def describe(self, status: int) -> str:
        parts = [f"status:{status}"] if self.statuses else []
        parts.extend(m.text for m in self.markers)
        return "+".join(parts) or f"status:{status}"


class PrefixUse(enum.StrEnum):
    """How an inventory writes a handle's ``strip_prefix``: ``omit`` it (``@`` on X), ``require``
    it (``@`` on YouTube, ``company/`` on LinkedIn; an opaque id is written bare) or either."""

    OMIT = "omit"
    OPTIONAL = "optional"
    REQUIRE = "require"


@dataclass(frozen=True)
class PageKind:
    """A kind of page a handle names on its platform (a Reddit user or community). A duplicate
    is a second page of the same kind; pages of different kinds serve different purposes."""

    name: str
    pattern: re.Pattern[str] | None = None
    """Full match over the handle without ``strip_prefix``; None: every handle."""
    own_audience: bool = False
    """Every page of this kind has an audience of its own (a Brand Account's YouTube channels):
    a second one is never a duplicate of another."""


DEFAULT_KIND = PageKind("page")
"""The kind of every handle on a platform whose spec declares none: one kind of page."""


@dataclass(frozen=True)
class HandleRules:
    """What a handle may look like on the platform; checked before anything is sent."""

    pattern: re.Pattern[str]
    max_length: int
    separators: tuple[str, ...]
    """Separator characters the platform allows inside a name (for lookalike generation)."""
    case_sensitive: bool = False
    strip_prefix: str = ""
    """A prefix people often write and the platform ignores (``@`` on most platforms)."""
    prefix_use: PrefixUse = PrefixUse.OMIT
    """Whether an inventory writes ``strip_prefix`` (the inventory's canonical form)."""
    description: str = ""
    """Human wording of the rule, used in error messages."""
    name_part: re.Pattern[str] | None = None
    """Over the handle without ``strip_prefix`` (full match): group ``name`` is the part a naming
    convention is about (``u/NAME``, ``NAME@instance``, ``NAME.bsky.social``). A handle it does
    not match is an opaque id with no name (a YouTube ``UC…`` channel id). None: the whole
    handle is the name."""
    discovery_forms: tuple[tuple[str, str], ...] = (("", ""),)
    """(prefix, suffix) around a name when discovery writes a lookalike handle with no
    inventoried handle to copy the form of (``r/`` and ``u/`` on Reddit; none on Mastodon,
    whose instance cannot be guessed)."""
    kinds: tuple[PageKind, ...] = ()
    """The kinds of page handles name, first match wins (``handle.kinds``); none: one kind."""
    key_by_name: bool = False
    """The name part alone tells accounts apart (``handle.key_by_name``): LinkedIn's vanity
    names are one namespace across company and showcase pages (its finder takes a vanity name
    and no section), so ``company/x`` and ``showcase/x`` are one page."""

    def kind_of(self, handle: str) -> PageKind:
        """The kind of page ``handle`` names (:data:`DEFAULT_KIND` when no kind matches)."""
        h = self.normalize(handle)
        for kind in self.kinds:
            if kind.pattern is None or kind.pattern.fullmatch(h):
                return kind
        return DEFAULT_KIND

    def normalize(self, handle: str) -> str:
        """The handle as the platform's URLs use it (whitespace and an ignored prefix dropped)."""
        h = handle.strip()
        return h.removeprefix(self.strip_prefix) if self.strip_prefix else h

    def key(self, handle: str) -> str:
        """What two handles of the same account share: normalized (the name part alone with
        ``key_by_name``), case folded unless the platform tells case apart."""
        h = self.normalize(handle)
        if self.key_by_name:
            h = self.name_of(h) or h
        return h if self.case_sensitive else h.casefold()

    def write(self, name: str) -> str:
        """``name`` in the platform's first discovery form (``company/NAME`` on LinkedIn): how
        to write a handle an API gives as a bare name."""
        prefix, suffix = self.discovery_forms[0] if self.discovery_forms else ("", "")
        return f"{prefix}{name}{suffix}"

    def fits(self, handle: str) -> bool:
        """True when the normalized ``handle`` matches the pattern within the length limit."""
        h = self.normalize(handle)
        return len(h) <= self.max_length and self.pattern.fullmatch(h) is not None

    def name_of(self, handle: str) -> str | None:
        """The name part (see ``name_part``) of ``handle``; None for an opaque id."""
        h = self.normalize(handle)
        span = self._name_span(h)
        return h[span[0] : span[1]] if span else None

    def affixes(self, handle: str) -> tuple[str, str] | None:
        """(prefix, suffix) around the name in ``handle`` as written (``("u/", "")``,
        ``("", ".bsky.social")``), to write other names the same way; None when the handle has
        no name or its name holds characters a generated name would not (a custom domain)."""
        text = handle.strip()
        h = self.normalize(text)
        span = self._name_span(h)
        if span is None:
            return None
        name = h[span[0] : span[1]]
        if any(not c.isalnum() and c not in self.separators for c in name):
            return None
        return text[: len(text) - len(h)] + h[: span[0]], h[span[1] :]

    def _name_span(self, h: str) -> tuple[int, int] | None:
        if self.name_part is None:
            return (0, len(h)) if h else None
        m = self.name_part.fullmatch(h)
        if m is None or not m.group("name"):
            return None
        return m.span("name")


@dataclass(frozen=True)
class UrlPattern:
    """Maps a profile URL back to a handle: ``regex`` with named groups, ``handle`` a template."""

    regex: re.Pattern[str]
    handle: str


@dataclass(frozen=True)
class RateLimits:
    """Politeness defaults for the platform's host (the fetcher also follows rate headers)."""

    concurrency: int
    min_interval: float


@dataclass(frozen=True)
class HtmlHints:
    """How to read a generic HTML profile page: regexes with named groups over meta values."""

    title_pattern: re.Pattern[str] | None = None
    """Applied to og:title / twitter:title / <title>; group ``name`` is the display name."""
    followers_pattern: re.Pattern[str] | None = None
    """Applied to meta descriptions; group ``count`` (``2,362``, ``783.4K``) is the followers."""
    bio_pattern: re.Pattern[str] | None = None
    """Applied to meta descriptions; group ``bio`` is the profile text."""


@dataclass(frozen=True)
class SelfCheckSpec:
    """Handles for ``rollcall platforms check``: durable known-present ones, and the form of
    generated absent ones (``{random}`` is replaced by a random string)."""

    present: tuple[str, ...]
    absent_format: str = "{random}"


@dataclass(frozen=True)
class ProbeSpec:
    """One URL an adapter requests, with the signals that decide what its answer means.

    The ``profile`` probe must have both exists and missing signals. Other probes (activity
    feeds) may have none: then any 2xx answer of the right content kind is usable.
    """

    name: str
    url: str
    content: ContentKind
    exists: tuple[Signal, ...] = ()
    missing: tuple[Signal, ...] = ()
    states: tuple[StateSignal, ...] = ()


@dataclass(frozen=True)
class ApiSpec:
    """The owner API a platform's accounts can be seen through with the organization's own
    credential (issue 12). ``endpoint`` is the ``--endpoint`` name; the API's ``hosts``,
    ``base_url`` (scheme and host: request paths carry the version), default ``version``,
    credential ``token`` and ``rate_limit`` are written in exactly one spec per endpoint (Meta
    Graph serves Facebook and Instagram: instagram.yaml names the endpoint only). ``connector``
    names the adapter that reads it (``scanner/platforms/connectors.py``); ``extracts`` the
    Observation fields it fills for this platform (they differ from the public page's)."""

    endpoint: Api
    connector: str
    extracts: frozenset[str] = frozenset()
    hosts: tuple[str, ...] = ()
    base_url: str = ""
    version: str = ""
    token: TokenSource | None = None
    rate_limit: RateLimits | None = None

    @property
    def declares(self) -> bool:
        """True in the one spec that holds the endpoint's facts."""
        return bool(self.hosts)


@dataclass(frozen=True)
class PlatformSpec:
    """One platform, as declared in ``scanner/platforms/specs/<platform>.yaml``."""

    platform: Platform
    name: str
    support: SupportLevel
    extractor: str
    display_url: str
    probes: Mapping[str, ProbeSpec]
    handle: HandleRules
    blocks: tuple[BlockSignal, ...]
    rate_limit: RateLimits
    extracts: frozenset[str]
    self_check: SelfCheckSpec
    launched: date
    """The day the platform opened (or its oldest account): no date it shows can be earlier."""
    location: Location
    id_display_url: str = ""
    """The profile URL of an opaque id (a handle with no name part, a YouTube ``UC…`` channel
    id) when it differs from ``display_url``."""
    hosts: tuple[str, ...] = ()
    """The domains the platform answers on (each covers its subdomains); ``*`` means any host
    (a federated platform): the hosts an endpoint override of the platform applies to."""
    tokens: tuple[TokenSource, ...] = ()
    """Credentials read from the environment, each sent to one host only."""
    url_patterns: tuple[UrlPattern, ...] = ()
    html: HtmlHints = field(default_factory=HtmlHints)
    notes: str = ""
    api: ApiSpec | None = None
    """The owner API that verifies the platform's accounts with a credential, if any."""


class PlatformAdapter(Protocol):
    """What the rest of Rollcall uses to look at one platform (see ``adapter_for``)."""

    @property
    def spec(self) -> PlatformSpec: ...

    def check_handle(self, handle: str) -> str | None:
        """None when the handle fits the platform's rules, else what is wrong and expected."""
        ...

    def name_part(self, handle: str) -> str | None:
        """The name inside the handle that naming conventions are about, without the platform's
        prefixes and suffixes; None for an opaque id that has no name."""
        ...

    def joined_name(self, handle: str) -> str | None:
        """The name part with the platform's separators removed (``copper-kettle`` →
        ``copperkettle``); None for an opaque id."""
        ...

    def profile_url(self, handle: str) -> str:
        """The human-facing profile URL (never the API probe URL)."""
        ...

    def parse_url(self, url: str) -> str | None:
        """The handle a profile URL points at, or None when the URL is not a profile URL."""
        ...

    async def observe(
        self,
        handle: str,
        fetcher: Fetcher,
        previous: Observation | None = None,
        *,
        url: str | None = None,
    ) -> Observation:
        """Look at the account. Never raises for network trouble: failures are BLOCKED/ERROR
        observations with a reason. ``previous`` makes the main request conditional; ``url`` is
        the inventory's profile URL (fetched instead of the template only by page-based
        adapters, and only when it does not simply name the same handle)."""
        ...

    def batch_size(self, tokens: frozenset[str]) -> int:
        """How many handles one batched probe asks at once (0: the platform has none, or not
        without a token in ``tokens``, the names of the variables that hold one)."""
        ...

    async def observe_many(
        self, handles: Sequence[str], fetcher: Fetcher, tokens: frozenset[str]
    ) -> Mapping[str, Observation]:
        """The handles one batched probe settles (at most :meth:`batch_size`), each with the
        observation a single probe would give; a handle left out must be observed alone (a
        batch that left it out proves nothing about it). Never raises for network trouble."""
        ...
