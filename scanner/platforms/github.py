"""GitHub: ``/users/{name}`` (users and organizations alike) and ``/users/{name}/events/public``.

Quirks (docs.github.com, rest/activity/events; research platform-endpoints.md §4): the events
timeline only holds the last 90 days, so an empty list means "no public activity in 90 days",
not absence; a 403 or 429 with ``x-ratelimit-remaining: 0`` is rate limiting, not absence.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from scanner.fetch.interface import Fetcher
from scanner.model import Observation, ObservationStatus, Tri
from scanner.platforms.base import BaseAdapter, clean_links
from scanner.platforms.classify import Verdict, classify, evidence_observation
from scanner.platforms.dates import parse_datetime
from scanner.platforms.registry import register

__all__ = ["GitHubAdapter"]

EVENTS_WINDOW = timedelta(days=90)
"""GitHub's public events timeline only covers this span."""


@register("github")
class GitHubAdapter(BaseAdapter):
    async def _observe(
        self,
        handle: str,
        normalized: str,
        fetcher: Fetcher,
        previous: Observation | None,
        url: str | None,
    ) -> Observation:
        values = self.variables(normalized)
        outcome = await self.fetch(fetcher, self.probe_url("profile", values), previous)
        if (reused := self.reuse(previous, outcome)) is not None:
            return reused
        verdict = classify(self.spec, self.probe("profile"), outcome)
        obs = evidence_observation(self.spec.platform, handle, outcome, verdict)
        if verdict.status is not ObservationStatus.PRESENT or verdict.response is None:
            return obs
        fields = self.extract(verdict, normalized)

        events_outcome = await self.fetch(fetcher, self.probe_url("activity", values))
        events = classify(self.spec, self.probe("activity"), events_outcome)
        data = events.response.json if events.response is not None else None
        if events.status is ObservationStatus.PRESENT and isinstance(data, list):
            times = [parse_datetime(e.get("created_at")) for e in data if isinstance(e, dict)]
            known = [t for t in times if t is not None]
            if known:
                fields["last_activity_at"] = max(known)
            elif not data:
                fields["no_activity_since"] = obs.fetched_at - EVENTS_WINDOW
        else:
            fields["reason"] = self.activity_unavailable("its public events", events)
        return self.finish(obs, fields)

    def extract(self, verdict: Verdict, handle: str) -> dict[str, Any]:
        assert verdict.response is not None
        data = verdict.response.json
        if not isinstance(data, dict):
            return {}
        bio = data.get("bio") or data.get("description")
        links: list[Any] = [data.get("blog")]
        twitter = data.get("twitter_username")
        if isinstance(twitter, str) and twitter:
            links.append(f"https://x.com/{twitter}")
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
