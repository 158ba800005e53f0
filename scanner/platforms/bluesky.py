"""Bluesky: ``app.bsky.actor.getProfile`` and ``app.bsky.feed.getAuthorFeed`` on the public
AppView.

Quirks (bluesky-social/atproto getProfile.ts, xrpc errors.ts; research §2): an unknown handle
is HTTP **400** ``InvalidRequest`` "Profile not found", not 404; ``AccountTakedown`` and
``AccountDeactivated`` (also 400) mean the account exists in that state; a pinned post
(``reason.$type`` ``#reasonPin``) is not recent activity; a repost's activity time is
``reason.indexedAt`` because ``post.record.createdAt`` belongs to the original author.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from scanner.fetch.interface import Fetched, Fetcher
from scanner.model import AccountState, Observation, Tri
from scanner.platforms.base import BaseAdapter, Look, clean_links, json_object, profile_json
from scanner.platforms.classify import Verdict
from scanner.platforms.dates import DateWindow, parse_datetime
from scanner.platforms.registry import register

__all__ = ["MAX_ACTORS", "BlueskyAdapter", "feed_activity"]

MAX_ACTORS = 25
"""Actors one ``getProfiles`` call takes (its lexicon's ``actors`` maxLength)."""


def feed_activity(feed: Any, window: DateWindow) -> list[datetime | None]:
    """Activity time of each item of a getAuthorFeed page (None: the item has no readable
    date): pinned items skipped, reposts at repost time.

    A post's ``createdAt`` is written by the client and can be anything (importers backdate
    posts to their original years), so the AppView's ``indexedAt`` stands in when it is not
    plausible; an item with neither plausible keeps its first date, for the reason to name.
    """
    times: list[datetime | None] = []
    for item in feed if isinstance(feed, list) else []:
        reason = item.get("reason") if isinstance(item, dict) else None
        rtype = reason.get("$type") if isinstance(reason, dict) else None
        rtype = rtype if isinstance(rtype, str) else ""  # a hostile body may put anything here
        if rtype.endswith("#reasonPin"):
            continue
        if rtype.endswith("#reasonRepost"):
            assert isinstance(reason, dict)
            times.append(parse_datetime(reason.get("indexedAt")))
            continue
        post = item.get("post") if isinstance(item, dict) else None
        record = post.get("record") if isinstance(post, dict) else None
        candidates = [
            parse_datetime(record.get("createdAt") if isinstance(record, dict) else None),
            parse_datetime(post.get("indexedAt") if isinstance(post, dict) else None),
        ]
        dated = [t for t in candidates if t is not None]
        times.append(next((t for t in dated if window.admits(t)), dated[0] if dated else None))
    return times


@register("bluesky")
class BlueskyAdapter(BaseAdapter):
    def probe_values(self, normalized: str) -> dict[str, str]:
        return self.variables(normalized.lower())

    def batch_size(self, tokens: frozenset[str]) -> int:
        return MAX_ACTORS

    async def observe_many(
        self, handles: Sequence[str], fetcher: Fetcher, tokens: frozenset[str]
    ) -> Mapping[str, Observation]:
        """The profiles one ``getProfiles`` call returns, each read as getProfile's answer
        would be (then its author feed). An actor left out may be unknown, taken down or
        deactivated, or the call may have failed: those are asked alone by the caller."""
        asked = {
            self.probe_values(self.normalize(h))["handle"]: h
            for h in handles[:MAX_ACTORS]
            if self.check_handle(h) is None
        }
        if not asked:
            return {}
        url = self.probe_url("profiles", {}) + "?" + urlencode([("actors", a) for a in asked])
        outcome = await self.fetch(fetcher, url)
        if not isinstance(outcome, Fetched):
            return {}
        parts: dict[str, Any] = {}
        for profile in _profiles(outcome):
            for key in (profile.get("handle"), profile.get("did")):
                actor = key.lower() if isinstance(key, str) else None
                if actor in asked and actor not in parts:
                    parts[actor] = profile
        done = await asyncio.gather(
            *(
                self.observed_in_batch(asked[a], outcome, p, fetcher.for_account())
                for a, p in parts.items()
            )
        )
        return {asked[a]: obs for a, obs in zip(parts, done, strict=True) if obs is not None}

    async def present(
        self, look: Look, values: dict[str, str], normalized: str, fetcher: Fetcher
    ) -> Observation:
        obs, verdict = look.observation, look.verdict
        if verdict.state is not AccountState.ACTIVE:
            return obs  # taken down or deactivated: the AppView shows nothing more
        fields = self.extract(verdict, normalized)

        data = await self.activity_data(
            fetcher, "activity", values, json_object, what="its author feed", fields=fields
        )
        if data is not None:
            items = data.get("feed")
            window = self.date_window(obs.fetched_at)
            profile = profile_json(verdict)
            if isinstance(items, list):
                self.record_activity(
                    fields,
                    feed_activity(items, window),
                    window=window,
                    what="its author feed",
                    never=not items and profile is not None and profile.get("postsCount") == 0,
                    since=fields.get("created_at"),
                )
            else:
                fields["reason"] = self.activity_unreadable("its author feed", "no feed list")
        return self.finish(obs, fields)

    def extract(self, verdict: Verdict, handle: str) -> dict[str, Any]:
        data = profile_json(verdict)
        if data is None:
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


def _profiles(outcome: Fetched) -> list[dict[str, Any]]:
    """The profile objects of a 200 JSON ``getProfiles`` answer (none for anything else: a
    429, a 5xx or a broken body settles no actor)."""
    if outcome.status != 200 or not outcome.is_json:
        return []
    try:
        body = outcome.json()
    except ValueError:
        return []
    profiles = body.get("profiles") if isinstance(body, dict) else None
    return [p for p in profiles if isinstance(p, dict)] if isinstance(profiles, list) else []
