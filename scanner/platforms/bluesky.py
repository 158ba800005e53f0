"""Bluesky: ``app.bsky.actor.getProfile`` and ``app.bsky.feed.getAuthorFeed`` on the public
AppView.

Quirks (bluesky-social/atproto getProfile.ts, xrpc errors.ts; research §2): an unknown handle
is HTTP **400** ``InvalidRequest`` "Profile not found", not 404; ``AccountTakedown`` and
``AccountDeactivated`` (also 400) mean the account exists in that state; a pinned post
(``reason.$type`` ``#reasonPin``) is not recent activity; a repost's activity time is
``reason.indexedAt`` because ``post.record.createdAt`` belongs to the original author.
"""

from __future__ import annotations

from typing import Any

from scanner.fetch.interface import Fetcher
from scanner.model import AccountState, Observation, ObservationStatus, Tri
from scanner.platforms.base import BaseAdapter, clean_links
from scanner.platforms.classify import Verdict, classify, evidence_observation
from scanner.platforms.dates import parse_datetime
from scanner.platforms.registry import register

__all__ = ["BlueskyAdapter", "feed_activity"]


def feed_activity(feed: Any) -> list[Any]:
    """Activity times of a getAuthorFeed page: pinned items skipped, reposts at repost time."""
    times = []
    for item in feed if isinstance(feed, list) else []:
        if not isinstance(item, dict):
            continue
        reason = item.get("reason")
        rtype = reason.get("$type", "") if isinstance(reason, dict) else ""
        if rtype.endswith("#reasonPin"):
            continue
        if rtype.endswith("#reasonRepost"):
            assert isinstance(reason, dict)
            times.append(parse_datetime(reason.get("indexedAt")))
            continue
        post = item.get("post")
        if not isinstance(post, dict):
            continue
        record = post.get("record")
        created = record.get("createdAt") if isinstance(record, dict) else None
        times.append(parse_datetime(created) or parse_datetime(post.get("indexedAt")))
    return [t for t in times if t is not None]


@register("bluesky")
class BlueskyAdapter(BaseAdapter):
    async def _observe(
        self,
        handle: str,
        normalized: str,
        fetcher: Fetcher,
        previous: Observation | None,
        url: str | None,
    ) -> Observation:
        values = self.variables(normalized.lower())
        outcome = await self.fetch(fetcher, self.probe_url("profile", values), previous)
        if (reused := self.reuse(previous, outcome)) is not None:
            return reused
        verdict = classify(self.spec, self.probe("profile"), outcome)
        obs = evidence_observation(self.spec.platform, handle, outcome, verdict)
        if verdict.status is not ObservationStatus.PRESENT or verdict.response is None:
            return obs
        if verdict.state is not AccountState.ACTIVE:
            return obs  # taken down or deactivated: the AppView shows nothing more
        fields = self.extract(verdict, normalized)

        feed_outcome = await self.fetch(fetcher, self.probe_url("activity", values))
        feed = classify(self.spec, self.probe("activity"), feed_outcome)
        data = feed.response.json if feed.response is not None else None
        if feed.status is ObservationStatus.PRESENT and isinstance(data, dict):
            items = data.get("feed")
            times = feed_activity(items)
            profile = verdict.response.json
            if times:
                fields["last_activity_at"] = max(times)
            elif items == [] and isinstance(profile, dict) and profile.get("postsCount") == 0:
                fields["no_activity_since"] = fields.get("created_at")
        else:
            fields["reason"] = self.activity_unavailable("its author feed", feed)
        return self.finish(obs, fields)

    def extract(self, verdict: Verdict, handle: str) -> dict[str, Any]:
        assert verdict.response is not None
        data = verdict.response.json
        if not isinstance(data, dict):
            return {}
        description = data.get("description")
        website = data.get("website")
        verification = data.get("verification")
        status = verification.get("verifiedStatus") if isinstance(verification, dict) else None
        return {
            "display_name": data.get("displayName"),
            "bio": description,
            "links": clean_links([website], description if isinstance(description, str) else None),
            "followers": data.get("followersCount"),
            # The AppView always exposes verification (added 2025); absent means none.
            "verified": Tri.of(status == "valid"),
            "created_at": parse_datetime(data.get("createdAt")),
        }
