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
from scanner.model import AccountState, Observation
from scanner.platforms.base import BaseAdapter, Look, clean_links, profile_json
from scanner.platforms.classify import Verdict
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


def _listing_children(body: Any) -> list[Any] | None:
    """The ``data.children`` list of a Listing answer, or None when it has no such list."""
    data = body.get("data") if isinstance(body, dict) else None
    children = data.get("children") if isinstance(data, dict) else None
    return children if isinstance(children, list) else None


@register("reddit")
class RedditAdapter(BaseAdapter):
    def variables(self, handle: str) -> dict[str, str]:
        section, name = split_handle(handle)
        short = "u" if section == "user" else "r"
        return {"handle": f"{short}/{name}", "section": section, "name": name}

    async def present(
        self, look: Look, values: dict[str, str], normalized: str, fetcher: Fetcher
    ) -> Observation:
        obs, verdict = look.observation, look.verdict
        fields = self.extract(verdict, normalized)
        state = fields.get("account_state", verdict.state)
        if state is not AccountState.ACTIVE:
            return self.finish(obs, fields)

        probe = "activity_user" if values["section"] == "user" else "activity_subreddit"
        children = await self.activity_data(
            fetcher, probe, values, _listing_children, what="its newest posts", fields=fields
        )
        if children is not None:
            times = [
                parse_datetime(c["data"].get("created_utc"))
                if isinstance(c, dict) and isinstance(c.get("data"), dict)
                else None
                for c in children
            ]
            # A community with no posts at all; for users, comments may still exist.
            self.record_activity(
                fields,
                times,
                window=self.date_window(obs.fetched_at),
                what="its newest posts",
                never=not children and values["section"] == "r",
                since=fields.get("created_at"),
            )
        return self.finish(obs, fields)

    def extract(self, verdict: Verdict, handle: str) -> dict[str, Any]:
        body = profile_json(verdict) or {}
        data = body.get("data")
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
