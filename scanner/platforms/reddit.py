"""Reddit: ``about.json`` for users (``u/name``) and subreddits (``r/name``), then
``submitted.json?sort=new`` / ``new.json`` for the newest post.

Quirks (praw fixtures; research §5): 404 JSON ``{"error": 404}`` is absent; 403 JSON with
``reason`` private/quarantined is a present, private community; an HTML 403 is Reddit's network
block page, never an API answer; a suspended user's about.json carries ``is_suspended``;
timestamps are epoch-second floats (``created_utc``).
"""

from __future__ import annotations

from typing import Any

from scanner.fetch.interface import Fetcher
from scanner.model import AccountState, Observation, ObservationStatus
from scanner.platforms.base import BaseAdapter, clean_links
from scanner.platforms.classify import Verdict, classify, evidence_observation
from scanner.platforms.dates import parse_datetime
from scanner.platforms.registry import register

__all__ = ["RedditAdapter", "split_handle"]


def split_handle(handle: str) -> tuple[str, str]:
    """(``user`` | ``r``, name) from ``u/name``, ``/u/name``, ``user/name``, ``r/name`` or a
    bare ``name`` (a user)."""
    h = handle.strip().lstrip("/")
    prefix, sep, rest = h.partition("/")
    if sep and prefix.lower() in ("u", "user"):
        return "user", rest
    if sep and prefix.lower() == "r":
        return "r", rest
    return "user", h


@register("reddit")
class RedditAdapter(BaseAdapter):
    def variables(self, handle: str) -> dict[str, str]:
        section, name = split_handle(handle)
        short = "u" if section == "user" else "r"
        return {"handle": f"{short}/{name}", "section": section, "name": name}

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
        state = fields.get("account_state", verdict.state)
        if state is not AccountState.ACTIVE:
            return self.finish(obs, fields)

        probe = "activity_user" if values["section"] == "user" else "activity_subreddit"
        listing_outcome = await self.fetch(fetcher, self.probe_url(probe, values))
        listing = classify(self.spec, self.probe(probe), listing_outcome)
        data = listing.response.json if listing.response is not None else None
        children = (
            data.get("data", {}).get("children")
            if isinstance(data, dict) and isinstance(data.get("data"), dict)
            else None
        )
        if listing.status is ObservationStatus.PRESENT and isinstance(children, list):
            times = [
                parse_datetime(c.get("data", {}).get("created_utc"))
                for c in children
                if isinstance(c, dict) and isinstance(c.get("data"), dict)
            ]
            known = [t for t in times if t is not None]
            if known:
                fields["last_activity_at"] = max(known)
            elif not children and values["section"] == "r":
                # A community with no posts at all; for users, comments may still exist.
                fields["no_activity_since"] = fields.get("created_at")
        else:
            fields["reason"] = self.activity_unavailable("its newest posts", listing)
        return self.finish(obs, fields)

    def extract(self, verdict: Verdict, handle: str) -> dict[str, Any]:
        assert verdict.response is not None
        body = verdict.response.json
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            return {}
        fields: dict[str, Any] = {"created_at": parse_datetime(data.get("created_utc"))}
        if data.get("is_suspended") is True:
            fields["account_state"] = AccountState.SUSPENDED
        if body.get("kind") == "t5":
            description = data.get("public_description")
            fields.update(
                display_name=data.get("title"),
                bio=description,
                links=clean_links((), description if isinstance(description, str) else None),
                followers=data.get("subscribers"),
            )
            if data.get("subreddit_type") == "private":
                fields["account_state"] = AccountState.PRIVATE
            return fields
        profile = data.get("subreddit")
        if isinstance(profile, dict):
            description = profile.get("public_description")
            fields.update(
                display_name=profile.get("title"),
                bio=description,
                links=clean_links((), description if isinstance(description, str) else None),
                followers=profile.get("subscribers"),
            )
        return fields
