"""Mastodon: ``/api/v1/accounts/lookup?acct=`` on the handle's own instance, then
``/api/v1/accounts/{id}/statuses`` for the newest post.

Quirks (mastodon/documentation accounts.md; research §1): lookup works without a token but
only finds remote accounts the instance already knows, hence the home instance; 404
``Record not found`` is absent; ``"suspended": true`` (3.3+) is present-but-suspended;
``last_status_at`` is a date only since 3.1; there is no platform verification, only
rel=me-verified profile links (``fields[].verified_at``).
"""

from __future__ import annotations

import re
from typing import Any

from scanner.fetch.interface import Fetcher
from scanner.model import AccountState, Observation, Tri
from scanner.platforms.base import BaseAdapter, Look, clean_links, json_list, profile_json
from scanner.platforms.classify import Verdict
from scanner.platforms.dates import parse_datetime
from scanner.platforms.htmlpage import html_to_text
from scanner.platforms.registry import register

__all__ = ["MastodonAdapter"]

_ACCOUNT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@register("mastodon")
class MastodonAdapter(BaseAdapter):
    def variables(self, handle: str) -> dict[str, str]:
        name, _, instance = handle.partition("@")
        return {"handle": handle, "name": name, "instance": instance.lower()}

    async def present(
        self, look: Look, values: dict[str, str], normalized: str, fetcher: Fetcher
    ) -> Observation:
        obs, verdict = look.observation, look.verdict
        fields = self.extract(verdict, normalized)
        window = self.date_window(obs.fetched_at)
        account = profile_json(verdict) or {}
        account_id = account.get("id")
        # The profile's own last_status_at (null when nothing was posted, or on servers before
        # 3.1) is one more dated item; a value that does not parse is an unusable one.
        last_status = account.get("last_status_at")
        profile_times = [] if last_status is None else [parse_datetime(last_status)]
        suspended = verdict.state is AccountState.SUSPENDED
        if suspended or not (isinstance(account_id, str) and _ACCOUNT_ID.match(account_id)):
            if profile_times:
                self.record_activity(
                    fields, profile_times, window=window, what="its last status date"
                )
            elif not suspended:
                fields["reason"] = self.activity_unreadable(
                    "its statuses", "the lookup answer carries no usable account id"
                )
            return self.finish(obs, fields)

        data = await self.activity_data(
            fetcher,
            "activity",
            {**values, "id": account_id},
            json_list,
            what="its statuses",
            fields=fields,
        )
        if data is not None:
            times = [
                parse_datetime(s.get("created_at")) if isinstance(s, dict) else None for s in data
            ]
            # Never posted: no activity since the account was created.
            self.record_activity(
                fields,
                [*times, *profile_times],
                window=window,
                what="its statuses",
                never=not data and not profile_times and account.get("statuses_count") == 0,
                since=fields.get("created_at"),
            )
        elif profile_times:
            # The statuses could not be read, but the profile dates the newest status itself;
            # the failed request stays the reason, even when that date is unusable too.
            failed = fields["reason"]
            self.record_activity(fields, profile_times, window=window, what="its last status date")
            fields["reason"] = failed
        return self.finish(obs, fields)

    def extract(self, verdict: Verdict, handle: str) -> dict[str, Any]:
        data = profile_json(verdict)
        if data is None:
            return {}
        note = data.get("note")
        bio, note_links = html_to_text(note) if isinstance(note, str) else (None, ())
        links: list[str] = list(note_links)
        verified = False
        fields = data.get("fields")
        for field in fields if isinstance(fields, list) else []:
            if not isinstance(field, dict):
                continue
            value = field.get("value")
            if isinstance(value, str):
                text, hrefs = html_to_text(value)
                links.extend(hrefs or clean_links((), text))
            verified = verified or bool(field.get("verified_at"))
        return {
            "display_name": data.get("display_name"),
            "bio": bio,
            "links": links,
            "followers": data.get("followers_count"),
            "verified": Tri.of(verified),
            "created_at": parse_datetime(data.get("created_at")),
        }
