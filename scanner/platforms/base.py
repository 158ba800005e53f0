"""What every adapter shares: handle rules, URL building and parsing, conditional requests,
and turning verdicts plus extracted fields into capped Observations.

Bespoke adapters subclass :class:`BaseAdapter` and override ``present`` (follow-up requests
once the profile request found the account), ``extract``, and ``variables`` when a handle has
parts, like Mastodon's ``name@instance``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from scanner.fetch.interface import Fetched, Fetcher, FetchOutcome
from scanner.model import Observation, ObservationStatus, Reason, Tri
from scanner.platforms.classify import Verdict, classify, evidence_observation
from scanner.platforms.dates import DateWindow
from scanner.platforms.interface import PlatformSpec, ProbeSpec

__all__ = [
    "MAX_BIO",
    "MAX_LINKS",
    "MAX_LINK_LENGTH",
    "MAX_NAME",
    "BaseAdapter",
    "Look",
    "clean_links",
    "json_list",
    "json_object",
    "parse_count",
    "profile_json",
]

MAX_NAME = 256
MAX_BIO = 4096
MAX_LINKS = 20
MAX_LINK_LENGTH = 2048
"""Caps on hostile text: stored as-is (reports escape it) but never unbounded."""

_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"^[a-z0-9.-]+\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)
_COUNT = re.compile(r"^\s*([0-9][0-9,.\s]*)\s*([kmb])?\s*$", re.IGNORECASE)
_MULTIPLIERS = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}

T = TypeVar("T")

_DATE_FIELDS = (
    ("created_at", "creation date"),
    ("last_activity_at", "last activity date"),
    ("no_activity_since", "start of its silence"),
)


@dataclass(frozen=True)
class Look:
    """The first, deciding request of an observation.

    ``final`` means ``observation`` is already the answer: a 304 reused the previous
    observation, or the account is not PRESENT with a readable response. Otherwise
    ``verdict.response`` is set and the adapter goes on to extract fields and follow-up probes.
    """

    observation: Observation
    verdict: Verdict
    final: bool


def _cap(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    text: str = value.strip()
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_links(candidates: Iterable[Any], text: str | None = None) -> tuple[str, ...]:
    """http(s) links only (a ``javascript:`` link is dropped, a bare ``example.com/x`` gets
    ``https://``), de-duplicated in order, plus URLs written out in ``text``; capped."""
    out: list[str] = []
    raw = list(candidates)
    if text:
        raw.extend(_URL_IN_TEXT.findall(text))
    for item in raw:
        if not isinstance(item, str):
            continue
        link = item.strip().rstrip(".,);")
        if not link or len(link) > MAX_LINK_LENGTH:
            continue
        scheme = urlsplit(link).scheme.lower() if "://" in link else ""
        if not scheme:
            if not _BARE_DOMAIN.match(link):
                continue
            link = "https://" + link
        elif scheme not in ("http", "https"):
            continue
        if link not in out:
            out.append(link)
        if len(out) >= MAX_LINKS:
            break
    return tuple(out)


def parse_count(value: Any) -> int | None:
    """Follower counts as platforms write them: 554, "996.0", "2,362", "783.4K", "1.2M"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value >= 0 and value == value and value < 1e15 else None
    if not isinstance(value, str):
        return None
    m = _COUNT.match(value)
    if not m:
        return None
    number, suffix = m.group(1).replace(" ", ""), (m.group(2) or "").lower()
    if suffix:
        number = number.replace(",", "")
        try:
            return int(round(float(number) * _MULTIPLIERS[suffix]))
        except ValueError:
            return None
    digits = number.replace(",", "").replace(".", "") if "," in number else number
    try:
        return int(float(digits))
    except ValueError:
        return None


def json_list(body: Any) -> list[Any] | None:
    """``body`` when it is a JSON array (a ``read`` for :meth:`BaseAdapter.activity_data`)."""
    return body if isinstance(body, list) else None


def json_object(body: Any) -> dict[str, Any] | None:
    """``body`` when it is a JSON object (a ``read`` for :meth:`BaseAdapter.activity_data`)."""
    return body if isinstance(body, dict) else None


def profile_json(verdict: Verdict) -> dict[str, Any] | None:
    """The JSON object a profile answer carried, or None."""
    return json_object(verdict.response.json) if verdict.response is not None else None


class BaseAdapter:
    """Spec-driven behaviour every platform shares; a plain instance handles simple platforms."""

    def __init__(self, spec: PlatformSpec) -> None:
        self._spec = spec

    @property
    def spec(self) -> PlatformSpec:
        return self._spec

    # ------------------------------------------------------------------ handles and URLs

    def normalize(self, handle: str) -> str:
        """The handle as the platform's URLs use it (whitespace and an ignored prefix dropped)."""
        return self._spec.handle.normalize(handle)

    def check_handle(self, handle: str) -> str | None:
        rules = self._spec.handle
        name = self._spec.name
        if not isinstance(handle, str) or not handle.strip():
            return f"{name} handle is empty; expected {rules.description or 'a handle'}"
        h = self.normalize(handle)
        if len(h) > rules.max_length:
            return (
                f"{name} handle {handle!r} is {len(h)} characters long; "
                f"{name} allows at most {rules.max_length}"
            )
        if not rules.pattern.fullmatch(h):
            expected = rules.description or f"a handle matching {rules.pattern.pattern}"
            return f"{name} handle {handle!r} breaks the platform's rules; expected {expected}"
        return None

    def name_part(self, handle: str) -> str | None:
        return self._spec.handle.name_of(handle)

    def joined_name(self, handle: str) -> str | None:
        name = self.name_part(handle)
        if name is None:
            return None
        for separator in self._spec.handle.separators:
            name = name.replace(separator, "")
        return name

    def variables(self, handle: str) -> dict[str, str]:
        """Template variables for a normalized, valid handle: ``handle``; ``name``, its name
        part, where the spec has one; ``kind``, its kind of page, where the spec has kinds
        (``{kind}/{name}`` in LinkedIn's page URLs)."""
        rules = self._spec.handle
        values = {"handle": handle}
        if rules.name_part is not None and (name := rules.name_of(handle)) is not None:
            values["name"] = name
        if rules.kinds:
            values["kind"] = rules.kind_of(handle).name
        return values

    def _render(self, template: str, values: dict[str, str]) -> str:
        return template.format(**{k: quote(v, safe="@") for k, v in values.items()})

    def profile_url(self, handle: str) -> str:
        h = self.normalize(handle)
        if self._spec.id_display_url and h and self._spec.handle.name_of(h) is None:
            return self._render(self._spec.id_display_url, {"handle": h})
        try:
            values = self.variables(h) if self.check_handle(handle) is None else {"handle": h}
            return self._render(self._spec.display_url, values)
        except (KeyError, IndexError, ValueError):
            return self._spec.display_url.replace("{handle}", quote(h, safe="@"))

    def parse_url(self, url: str) -> str | None:
        if not isinstance(url, str):
            return None
        candidate = url.strip()
        for pattern in self._spec.url_patterns:
            m = pattern.regex.match(candidate)
            if m is None:
                continue
            handle = pattern.handle.format(**{k: v for k, v in m.groupdict().items() if v})
            if self.check_handle(handle) is None:
                return handle
        return None

    def probe(self, name: str) -> ProbeSpec:
        return self._spec.probes[name]

    def probe_url(self, name: str, values: dict[str, str]) -> str:
        return self._render(self._spec.probes[name].url, values)

    def same_handle(self, a: str, b: str) -> bool:
        return self._spec.handle.key(a) == self._spec.handle.key(b)

    # ------------------------------------------------------------------ observing

    async def observe(
        self,
        handle: str,
        fetcher: Fetcher,
        previous: Observation | None = None,
        *,
        url: str | None = None,
    ) -> Observation:
        problem = self.check_handle(handle)
        if problem is not None:
            return self.invalid(handle, problem)
        return await self._observe(handle, self.normalize(handle), fetcher, previous, url)

    async def _observe(
        self,
        handle: str,
        normalized: str,
        fetcher: Fetcher,
        previous: Observation | None,
        url: str | None,
    ) -> Observation:
        """The profile request, then :meth:`present` when it found the account."""
        probe_url = None
        if url is not None and self.probe("profile").url == self._spec.display_url:
            # Page-based platforms fetch the inventory's own URL when it is not simply the
            # canonical URL of the same handle (vanity URLs, self-hosted pages).
            parsed = self.parse_url(url)
            if parsed is None or not self.same_handle(parsed, handle):
                probe_url = url
        values = self.probe_values(normalized)
        look = await self.look(fetcher, "profile", values, handle, previous, url=probe_url)
        if look.final:
            return look.observation
        return await self.present(look, values, normalized, fetcher)

    def batch_size(self, tokens: frozenset[str]) -> int:
        """No batched probe unless a bespoke adapter has one."""
        return 0

    async def observe_many(
        self, handles: Sequence[str], fetcher: Fetcher, tokens: frozenset[str]
    ) -> Mapping[str, Observation]:
        """Nothing settled: every handle is observed alone (adapters with a batched probe
        override this and :meth:`batch_size`)."""
        return {}

    async def observed_in_batch(
        self, handle: str, fetched: Fetched, body: Any, fetcher: Fetcher
    ) -> Observation | None:
        """The observation of one account from its part ``body`` of a batched answer
        ``fetched``, judged by the profile probe's own signals as if it had been asked alone
        (then its follow-ups, over their own budget); None unless that says present."""
        # The batch's validators are not this account's: its later probe stays unconditional.
        headers = {k: v for k, v in fetched.headers.items() if k not in ("etag", "last-modified")}
        part = dataclasses.replace(fetched, headers=headers, body=json.dumps(body).encode())
        verdict = classify(self._spec, self.probe("profile"), part)
        if verdict.status is not ObservationStatus.PRESENT or verdict.response is None:
            return None
        normalized = self.normalize(handle)
        obs = evidence_observation(self._spec.platform, handle, part, verdict)
        look = Look(obs, verdict, final=False)
        return await self.present(look, self.probe_values(normalized), normalized, fetcher)

    def probe_values(self, normalized: str) -> dict[str, str]:
        """Variables for the probe URLs: :meth:`variables`, unless an API wants another form."""
        return self.variables(normalized)

    async def present(
        self, look: Look, values: dict[str, str], normalized: str, fetcher: Fetcher
    ) -> Observation:
        """The account is there: extract its fields. Bespoke adapters add follow-up requests
        (newest activity) here."""
        return self.finish(look.observation, self.extract(look.verdict, normalized))

    async def look(
        self,
        fetcher: Fetcher,
        probe: str,
        values: dict[str, str],
        handle: str,
        previous: Observation | None,
        *,
        url: str | None = None,
    ) -> Look:
        """Fetch ``probe`` (or ``url`` in its place) conditionally on ``previous``, reuse the
        previous observation on a 304, else classify and build the evidence observation."""
        target = url if url is not None else self.probe_url(probe, values)
        outcome = await self.fetch(fetcher, target, previous)
        if (reused := self.reuse(previous, outcome)) is not None:
            signal = reused.signal or "not_modified"
            kept = Verdict(reused.status, signal, reused.reason, reused.account_state)
            return Look(reused, kept, final=True)
        verdict = classify(self._spec, self.probe(probe), outcome)
        obs = evidence_observation(self._spec.platform, handle, outcome, verdict)
        final = verdict.status is not ObservationStatus.PRESENT or verdict.response is None
        return Look(obs, verdict, final)

    async def follow(self, fetcher: Fetcher, probe: str, values: dict[str, str]) -> Verdict:
        """A secondary request (activity, feed): never conditional, since only the deciding
        profile request's validators are stored on the observation."""
        outcome = await self.fetch(fetcher, self.probe_url(probe, values))
        return classify(self._spec, self.probe(probe), outcome)

    async def activity_data(
        self,
        fetcher: Fetcher,
        probe: str,
        values: dict[str, str],
        read: Callable[[Any], T | None],
        *,
        what: str,
        fields: dict[str, Any],
    ) -> T | None:
        """``read`` applied to the JSON body of a PRESENT activity probe; when the probe fails
        or ``read`` finds nothing usable, ``fields["reason"]`` says so and the result is None."""
        verdict = await self.follow(fetcher, probe, values)
        body = verdict.response.json if verdict.response is not None else None
        data = read(body) if verdict.status is ObservationStatus.PRESENT else None
        if data is None:
            fields["reason"] = self.activity_unavailable(what, verdict)
        return data

    def extract(self, verdict: Verdict, handle: str) -> dict[str, Any]:
        """Profile fields from a PRESENT verdict's response (adapters override)."""
        return {}

    def date_window(self, fetched_at: datetime) -> DateWindow:
        """Where this platform's dates can lie for an answer fetched at ``fetched_at``."""
        return DateWindow(self._spec.launched, fetched_at, self._spec.name)

    def record_activity(
        self,
        fields: dict[str, Any],
        times: Sequence[datetime | None],
        *,
        window: DateWindow,
        what: str,
        never: bool = False,
        since: datetime | None = None,
    ) -> None:
        """Set ``last_activity_at`` to the newest of ``times``, one per listed item (None: the
        item carried no readable date).

        One unusable date (unreadable, before the platform existed, in the future) leaves the
        newest activity unknown, because that item may be the newest: ``fields["reason"]`` says
        why and nothing is set. With no items and ``never`` (the platform says nothing was ever
        posted), ``no_activity_since`` is ``since``; an empty list alone proves nothing.
        """
        for t in times:
            if t is None:
                problem: str | None = "an item has no readable date"
            elif (problem := window.problem(t)) is not None:
                problem = f"an item's date {problem}"
            if problem is not None:
                fields["reason"] = self.activity_unreadable(what, problem)
                return
        known = [t for t in times if t is not None]
        if known:
            fields["last_activity_at"] = max(known)
            return
        if not never:
            why = "it lists nothing, which does not prove that nothing was posted"
        elif since is None:
            why = "it lists nothing and there is no creation date to count the silence from"
        elif (problem := window.problem(since)) is not None:
            why = f"it lists nothing and the creation date {problem}"
        else:
            fields["no_activity_since"] = since
            return
        fields["reason"] = self.activity_unreadable(what, why)

    async def fetch(
        self, fetcher: Fetcher, url: str, previous: Observation | None = None
    ) -> FetchOutcome:
        etag = last_modified = None
        if previous is not None and previous.status.verified:
            etag, last_modified = previous.etag, previous.last_modified
        return await fetcher.get(
            url, platform=self._spec.platform.value, etag=etag, last_modified=last_modified
        )

    def reuse(self, previous: Observation | None, outcome: FetchOutcome) -> Observation | None:
        """On a 304 answer, the previous observation with a fresh ``fetched_at``."""
        if previous is None or not isinstance(outcome, Fetched):
            return None
        if not (outcome.not_modified or outcome.status == 304):
            return None
        return dataclasses.replace(previous, fetched_at=outcome.fetched_at, not_modified=True)

    def invalid(self, handle: str, problem: str) -> Observation:
        # Nothing was requested, and a handle that breaks the rules has no profile URL (its
        # template would come out half filled, or naming another host): no URL at all.
        return Observation(
            platform=self._spec.platform,
            handle=handle,
            status=ObservationStatus.INVALID,
            url="",
            fetched_at=datetime.now(UTC),
            reason=Reason("invalid_handle", problem),
            signal="handle_rules",
        )

    def finish(self, obs: Observation, fields: dict[str, Any]) -> Observation:
        """Apply extracted fields, capping hostile text and dropping wrongly typed values."""
        clean: dict[str, Any] = {}
        if "display_name" in fields:
            clean["display_name"] = _cap(fields["display_name"], MAX_NAME)
        if "bio" in fields:
            clean["bio"] = _cap(fields["bio"], MAX_BIO)
        if "links" in fields:
            clean["links"] = clean_links(fields["links"])
        if "followers" in fields:
            clean["followers"] = parse_count(fields["followers"])
        if "verified" in fields and isinstance(fields["verified"], Tri):
            clean["verified"] = fields["verified"]
        if fields.get("account_state") is not None:
            clean["account_state"] = fields["account_state"]
        if "reason" in fields and isinstance(fields["reason"], Reason):
            clean["reason"] = fields["reason"]
        # Every date passes the platform's window here too, whatever path set it: a date that
        # cannot be true is dropped with a reason, never kept as "long ago" or "recent".
        window = self.date_window(obs.fetched_at)
        for key, label in _DATE_FIELDS:
            value = fields.get(key)
            if not isinstance(value, datetime):
                continue
            problem = window.problem(value)
            if problem is None:
                clean[key] = value
            elif "reason" not in clean and obs.reason is None:
                code = "date_unusable" if key == "created_at" else "activity_unavailable"
                clean["reason"] = Reason(code, f"{self._spec.name}: the {label} {problem}")
        return dataclasses.replace(obs, **clean)

    def activity_unavailable(self, what: str, verdict: Verdict) -> Reason:
        """Reason recorded on a PRESENT observation whose activity request failed."""
        return self.activity_unreadable(
            what, verdict.reason.code if verdict.reason else verdict.signal
        )

    def activity_unreadable(self, what: str, why: str) -> Reason:
        """Reason recorded on a PRESENT observation whose newest activity is unknown."""
        return Reason(
            "activity_unavailable",
            f"{self._spec.name}: the profile exists but {what} could not be read ({why})",
        )
