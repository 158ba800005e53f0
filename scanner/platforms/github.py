"""GitHub: ``/users/{name}`` (users and organizations alike) and ``/users/{name}/events/public``.

Quirks (GitHub's REST docs, rest/activity/events; research platform-endpoints.md §4): the events
timeline only holds the last 90 days, so an empty list means "no public activity in 90 days",
not absence; a 403 or 429 with ``x-ratelimit-remaining: 0`` is rate limiting, not absence.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from scanner.fetch.interface import Fetcher
from scanner.model import Observation, Platform, Tri
from scanner.platforms.base import BaseAdapter, Look, clean_links, json_list, profile_json
from scanner.platforms.classify import Verdict
from scanner.platforms.dates import parse_datetime
from scanner.platforms.registry import adapter_for, register

__all__ = ["GitHubAdapter"]

EVENTS_WINDOW = timedelta(days=90)
"""GitHub's public events timeline only covers this span."""
EVENTS = "its public events"


@register("github")
class GitHubAdapter(BaseAdapter):
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
