"""The owner-API connectors' contract: requests (path + query, no secret), classified answers
(an :class:`Outcome` plus the facts or activity read), politeness signals, and URL scrubbing.
Every parser here is a pure function of a :class:`~scanner.fetch.interface.Fetched` answer.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Generic, TypeVar, assert_never
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from scanner.fetch.interface import Fetched
from scanner.model import AccountState, Observation, ObservationStatus, Platform, Reason, Tri

__all__ = [
    "SECRET_PARAMS",
    "Activity",
    "Answer",
    "Api",
    "ApiRequest",
    "Facts",
    "Method",
    "Outcome",
    "Rule",
    "Throttle",
    "as_count",
    "as_object",
    "as_text",
    "chunked",
    "observation",
    "read_json",
    "scrub_url",
    "unexpected",
]

T = TypeVar("T")


class Api(enum.StrEnum):
    """The owner APIs; the values are the ``--endpoint`` override names of issue 12. Their
    hosts, base URLs, default versions and credentials live in the platform specs (``api:``)."""

    META_GRAPH = "meta-graph"
    THREADS_GRAPH = "threads-graph"
    X_API = "x-api"
    LINKEDIN_API = "linkedin-api"
    TIKTOK_API = "tiktok-api"
    YOUTUBE_API = "youtube-api"
    GITHUB_API = "github-api"


SECRET_PARAMS = frozenset(
    {
        "access_token",  # Graph APIs, in every paging.next URL (research §1.6)
        "input_token",  # Meta debug_token (research §1.1)
        "key",  # YouTube Data API key (research §6)
        "client_secret",
        "appsecret_proof",
        "refresh_token",
        "code",
    }
)
"""Query (and fragment) parameters whose values never reach evidence, logs or history."""

REDACTED = "REDACTED"
_SECRET_IN_TEXT = re.compile(
    r"(?i)(?<![A-Za-z0-9_])(" + "|".join(sorted(SECRET_PARAMS)) + r")=[^&\s\"'<>]+"
)
"""A secret parameter quoted inside free text (an API's error message)."""


class Method(enum.StrEnum):
    GET = "GET"
    POST = "POST"


@dataclass(frozen=True)
class ApiRequest:
    """One API call without its secret: ``path`` (version prefix included) and ``query`` in
    order, relative to a base URL. ``body`` is a JSON text for the POST endpoints (TikTok)."""

    api: Api
    path: str
    query: tuple[tuple[str, str], ...] = ()
    method: Method = Method.GET
    body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    def url(self, base: str) -> str:
        """The URL on ``base`` (the spec's ``base_url`` or the endpoint override: scheme and
        host, as every path carries its version). Never a secret: the fetcher adds it to a
        header (the spec's ``api.token``)."""
        root = base.rstrip("/")
        # Only commas stay literal (field lists, ``ids=a,b``): Rest.li 2.0 wants URNs in query
        # values percent-encoded (``author=urn%3Ali%3Aorganization%3A1``, research §4).
        query = urlencode(self.query, safe=",")
        return f"{root}{self.path}" + (f"?{query}" if query else "")

    def with_query(self, **params: str) -> ApiRequest:
        """The same call with ``params`` set (replacing any earlier value of the same name)."""
        kept = tuple((k, v) for k, v in self.query if k not in params)
        return replace(self, query=kept + tuple(params.items()))


def scrub_url(url: str) -> str:
    """``url`` with every secret parameter's value (query and fragment) and any user:password
    replaced by ``REDACTED``; everything else kept byte for byte where possible."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            parts.path,
            _scrub_params(parts.query),
            _scrub_params(parts.fragment),
        )
    )


def _scrub_params(text: str) -> str:
    if "=" not in text:
        return text
    pairs = parse_qsl(text, keep_blank_values=True)
    if not any(k.lower() in SECRET_PARAMS for k, _ in pairs):
        return text  # nothing secret: keep the original encoding untouched
    return "&".join(
        f"{quote(k, safe='')}={REDACTED if k.lower() in SECRET_PARAMS else quote(v, safe=',')}"
        for k, v in pairs
    )


def chunked(
    items: Sequence[str], size: int, *, case_sensitive: bool = False
) -> tuple[tuple[str, ...], ...]:
    """``items`` in order, de-duplicated (case-insensitively unless ``case_sensitive``: YouTube
    channel ids are), in groups of at most ``size``."""
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(item if case_sensitive else item.casefold(), item)
    unique = list(seen.values())
    return tuple(tuple(unique[i : i + size]) for i in range(0, len(unique), size))


# --------------------------------------------------------------------------- answers


class Outcome(enum.StrEnum):
    """What one API answer means for the account (or the credential) it was about."""

    PRESENT = "present"
    """The account exists; its state (active, suspended, private) is in the facts."""
    ABSENT = "absent"
    """Only on an API's proof of absence (Meta 803, X ``Not Found Error``, YouTube no items)."""
    CREDENTIAL_INVALID = "credential_invalid"
    PERMISSION_MISSING = "permission_missing"
    RATE_LIMITED = "rate_limited"
    QUOTA_EXCEEDED = "quota_exceeded"
    ERROR = "error"
    """An answer that could not be read (5xx, not JSON, an unknown error code)."""

    @property
    def status(self) -> ObservationStatus:
        """The observation status: a dead credential or an unreadable answer is ``error``;
        not being allowed to look (permission, throttling, quota) is ``blocked``."""
        match self:
            case Outcome.PRESENT:
                return ObservationStatus.PRESENT
            case Outcome.ABSENT:
                return ObservationStatus.ABSENT
            case Outcome.CREDENTIAL_INVALID | Outcome.ERROR:
                return ObservationStatus.ERROR
            case Outcome.PERMISSION_MISSING | Outcome.RATE_LIMITED | Outcome.QUOTA_EXCEEDED:
                return ObservationStatus.BLOCKED
            case unreachable:
                assert_never(unreachable)


@dataclass(frozen=True)
class Throttle:
    """An API's own politeness signal read from one answer (any status)."""

    used_percent: float | None = None
    """Meta's highest ``x-app-usage`` / ``x-business-use-case-usage`` percentage."""
    remaining: int | None = None
    """X's ``x-rate-limit-remaining``."""
    wait: float | None = None
    """Seconds to wait before this API's next call (None: no instruction)."""
    stop: bool = False
    """Stop calling this API for the rest of the run (YouTube quota, LinkedIn 429)."""


MAX_DETAIL = 300
"""Longest API message quoted in a reason's text."""


@dataclass(frozen=True)
class Rule:
    """One row of an error table: the outcome an API error means, with a reason code and text."""

    outcome: Outcome
    code: str
    text: str
    stop: bool = False

    def answer(
        self, signal: str, detail: str | None = None, throttle: Throttle | None = None
    ) -> Answer[Any]:
        # The API's own message helps a reader, but a hostile or broken server can send pages,
        # and an error message may quote the failing URL with its token (Graph paging links).
        if detail:
            detail = _SECRET_IN_TEXT.sub(lambda m: f"{m.group(1)}={REDACTED}", detail)
        if detail and len(detail) > MAX_DETAIL:
            detail = detail[: MAX_DETAIL - 1] + "…"
        text = f"{self.text} ({detail})" if detail else self.text
        base = throttle or Throttle()
        if self.stop and not base.stop:
            base = replace(base, stop=True)
        return Answer(self.outcome, Reason(self.code, text), signal, None, base)


@dataclass(frozen=True)
class Facts:
    """What an API said about one account. ``native_id`` is the API's stable id (Page id, X user
    id, LinkedIn organization id, YouTube channel id); ``extra`` holds ids a later call needs
    (``instagram_business_account``, ``uploads``); ``activity_field`` names the field that gave
    ``last_activity_at`` (evidence)."""

    native_id: str | None = None
    handle: str | None = None
    display_name: str | None = None
    bio: str | None = None
    links: tuple[str, ...] = ()
    followers: int | None = None
    verified: Tri = Tri.UNKNOWN
    published: Tri = Tri.UNKNOWN
    created_at: datetime | None = None
    last_activity_at: datetime | None = None
    activity_field: str | None = None
    state: AccountState = AccountState.ACTIVE
    extra: tuple[tuple[str, str], ...] = ()

    def extra_value(self, name: str) -> str | None:
        return dict(self.extra).get(name)


@dataclass(frozen=True)
class Activity:
    """The newest post an activity call showed. ``latest`` None with ``empty`` True: the account
    has no post at all; with ``empty`` False: the date was unreadable (unknown)."""

    latest: datetime | None
    empty: bool
    field: str


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A classified API answer: the outcome, why (``reason``, None for a plain success), the
    signal that decided it (``meta:error.code=190``), the value read, and politeness."""

    outcome: Outcome
    reason: Reason | None
    signal: str
    value: T | None = None
    throttle: Throttle = field(default_factory=Throttle)


def observation(
    platform: Platform, handle: str, fetched: Fetched, answer: Answer[Facts]
) -> Observation:
    """An Observation of ``handle`` from the answer that decided it; the URLs are scrubbed."""
    facts = answer.value if answer.outcome is Outcome.PRESENT else None
    base = Observation(
        platform=platform,
        handle=handle,
        status=answer.outcome.status,
        url=scrub_url(fetched.url),
        fetched_at=fetched.fetched_at,
        reason=answer.reason,
        http_status=fetched.status,
        final_url=scrub_url(fetched.final_url),
        signal=answer.signal,
    )
    if facts is None:
        return base
    # An unpublished Page is visible only to its admins: for the audit it is not public.
    state = AccountState.PRIVATE if facts.published is Tri.FALSE else facts.state
    return replace(
        base,
        display_name=facts.display_name,
        bio=facts.bio,
        links=facts.links,
        followers=facts.followers,
        verified=facts.verified,
        created_at=facts.created_at,
        last_activity_at=facts.last_activity_at,
        account_state=state,
    )


# --------------------------------------------------------------------------- reading JSON


def read_json(fetched: Fetched) -> Any:
    """The parsed body, or None when it is not JSON (whatever the content type claims)."""
    try:
        return json.loads(fetched.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def as_object(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def as_text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def as_count(value: Any) -> int | None:
    """A non-negative count written as a number or a digit string (YouTube's statistics)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def unexpected(fetched: Fetched, api: str) -> Answer[Any]:
    """An answer no table explains: a server error or a body that is not the API's JSON."""
    if fetched.status >= 500:
        return Answer(
            Outcome.ERROR,
            Reason("api_error", f"{api} answered HTTP {fetched.status}"),
            f"status:{fetched.status}",
        )
    return Answer(
        Outcome.ERROR,
        Reason("malformed_body", f"{api} answered HTTP {fetched.status} without a readable body"),
        f"status:{fetched.status}",
    )
