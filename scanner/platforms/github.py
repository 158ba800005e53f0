"""GitHub: ``/users/{name}`` (users and organizations alike) and ``/users/{name}/events/public``.

Quirks (GitHub's REST docs, rest/activity/events; research platform-endpoints.md §4): the events
timeline only holds the last 90 days, so an empty list means "no public activity in 90 days",
not absence; a 403 or 429 with ``x-ratelimit-remaining: 0`` is rate limiting, not absence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from scanner.fetch.interface import Fetched, Fetcher
from scanner.model import Observation, ObservationStatus, Platform, Tri
from scanner.platforms.base import BaseAdapter, Look, clean_links, json_list, profile_json
from scanner.platforms.classify import Verdict
from scanner.platforms.dates import parse_datetime
from scanner.platforms.registry import adapter_for, register

__all__ = ["GRAPHQL_LOGINS", "GitHubAdapter", "graphql_query"]

GRAPHQL_LOGINS = 25
"""Logins one GraphQL query asks (two aliases each, far below GraphQL's node limits)."""

EVENTS_WINDOW = timedelta(days=90)
"""GitHub's public events timeline only covers this span."""
EVENTS = "its public events"


def graphql_query(logins: Sequence[str]) -> str:
    """One query with ``uN: user(login:)`` and ``oN: organization(login:)`` per login (a login
    is either; the other alias is then null with a NOT_FOUND error). Logins are checked
    against the handle rules first, so they never need more than JSON quoting."""
    fields = " ".join(
        f"u{i}: user(login: {json.dumps(name)}) {{ login }} "
        f"o{i}: organization(login: {json.dumps(name)}) {{ login }}"
        for i, name in enumerate(logins)
    )
    return f"query {{ {fields} }}"


@register("github")
class GitHubAdapter(BaseAdapter):
    def batch_size(self, tokens: frozenset[str]) -> int:
        # GraphQL answers only with a token (the spec's GITHUB_TOKEN for its host).
        host = urlsplit(self.probe("graphql").url).hostname
        held = any(t.env in tokens and t.host == host for t in self.spec.tokens)
        return GRAPHQL_LOGINS if held else 0

    async def observe_many(
        self, handles: Sequence[str], fetcher: Fetcher, tokens: frozenset[str]
    ) -> Mapping[str, Observation]:
        """The logins one GraphQL query proves absent: null as both a user and an organization,
        each with a NOT_FOUND error naming its alias. A login that exists, or that the answer
        does not settle that way, is observed alone through its REST probes (the fields the
        rules read, and the same evidence as without batching)."""
        if not self.batch_size(tokens):
            return {}
        logins = {
            self.normalize(h): h for h in handles[:GRAPHQL_LOGINS] if self.check_handle(h) is None
        }
        body = json.dumps({"query": graphql_query(list(logins))}).encode()
        outcome = await fetcher.post(
            self.probe("graphql").url,
            body,
            platform=self.spec.platform.value,
            headers={"content-type": "application/json"},
        )
        if not isinstance(outcome, Fetched):
            return {}
        missing = _not_found(outcome)
        return {
            logins[name]: self._absent(logins[name], outcome)
            for i, name in enumerate(logins)
            if {f"u{i}", f"o{i}"} <= missing
        }

    def _absent(self, handle: str, outcome: Fetched) -> Observation:
        return Observation(
            platform=self.spec.platform,
            handle=handle,
            status=ObservationStatus.ABSENT,
            url=outcome.url,
            fetched_at=outcome.fetched_at,
            http_status=outcome.status,
            final_url=outcome.final_url,
            signal="status:200+graphql:NOT_FOUND(user,organization)",
        )

    async def present(
        self, look: Look, values: dict[str, str], normalized: str, fetcher: Fetcher
    ) -> Observation:
        obs, verdict = look.observation, look.verdict
        fields = self.extract(verdict, normalized)

        data = await self.activity_data(
            fetcher, "activity", values, json_list, what=EVENTS, fields=fields
        )
        if data is not None:
            self.record_events(fields, data, obs.fetched_at)
        return self.finish(obs, fields)

    def record_events(self, fields: dict[str, Any], data: list[Any], fetched_at: datetime) -> None:
        """The newest of the public events into ``fields`` (the owner-API connector reads the
        same list with its token): none in the list means none in the last 90 days."""
        times = [parse_datetime(e.get("created_at")) if isinstance(e, dict) else None for e in data]
        self.record_activity(
            fields,
            times,
            window=self.date_window(fetched_at),
            what=EVENTS,
            never=not data,
            since=fetched_at - EVENTS_WINDOW,
        )

    def extract(self, verdict: Verdict, handle: str) -> dict[str, Any]:
        data = profile_json(verdict)
        if data is None:
            return {}
        bio = data.get("bio") or data.get("description")
        links: list[Any] = [data.get("blog")]
        twitter = data.get("twitter_username")
        if isinstance(twitter, str) and twitter:
            # The field still bears Twitter's name; the profile URL is X's (its spec's).
            links.append(adapter_for(Platform.X).profile_url(twitter))
        # Only organizations carry is_verified (a verified domain); users have no such flag.
        verified = data.get("is_verified")
        return {
            "display_name": data.get("name"),
            "bio": bio,
            "links": clean_links(links, bio if isinstance(bio, str) else None),
            "followers": data.get("followers"),
            "verified": Tri.of(verified) if isinstance(verified, bool) else Tri.UNKNOWN,
            "created_at": parse_datetime(data.get("created_at")),
        }


def _not_found(outcome: Fetched) -> set[str]:
    """The aliases a 200 GraphQL answer says do not exist: null in ``data`` and named by the
    path of an ``errors[]`` entry of type NOT_FOUND. Anything else (a rate-limit error, a
    missing alias, a broken body) proves nothing."""
    if outcome.status != 200 or not outcome.is_json:
        return set()
    try:
        body = outcome.json()
    except ValueError:
        return set()
    data = body.get("data") if isinstance(body, dict) else None
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not isinstance(errors, list):
        return set()
    named = {
        e["path"][0]
        for e in errors
        if isinstance(e, dict)
        and e.get("type") == "NOT_FOUND"
        and isinstance(e.get("path"), list)
        and len(e["path"]) == 1
        and isinstance(e["path"][0], str)
    }
    return {alias for alias in named if alias in data and data[alias] is None}
