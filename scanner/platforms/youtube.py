"""YouTube: resolve ``@handle`` to its ``UC…`` channel id from the channel page, then read the
Atom feed ``/feeds/videos.xml?channel_id=`` for the newest upload.

Quirks (research §3): the feed has no handle parameter, so the page's canonical link, RSS
alternate link or ``itemprop=identifier`` gives the id; a terminated channel's feed is a 404
*HTML* Google error page; the feed-level ``yt:channelId`` lacks the ``UC`` prefix (entries have
it); the feed lists only the newest 15 uploads, so an empty feed means no public upload.
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from scanner.fetch.interface import Fetcher
from scanner.model import AccountState, Observation, ObservationStatus, Reason
from scanner.platforms.base import BaseAdapter, Look
from scanner.platforms.classify import Verdict
from scanner.platforms.dates import parse_datetime
from scanner.platforms.registry import register

__all__ = ["YouTubeAdapter", "channel_id_of", "read_feed"]

CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")
_CHANNEL_ID_ONLY = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
_ATOM = "{http://www.w3.org/2005/Atom}"


def channel_id_of(verdict: Verdict) -> str | None:
    """The ``UC…`` id a channel page names for itself (canonical, RSS alternate, itemprop)."""
    if verdict.response is None:
        return None
    page = verdict.response.page
    candidates = [
        page.first_link("canonical"),
        page.first_link("alternate:application/rss+xml"),
        page.first_meta("identifier", "og:url", "twitter:url"),
    ]
    for candidate in candidates:
        m = CHANNEL_ID.search(candidate or "")
        if m:
            return m.group(0)
    return None


def read_feed(root: ET.Element) -> tuple[dict[str, Any], list[datetime | None]]:
    """Display name and channel creation from a channel's Atom feed, and each upload's date
    (None when an entry has no readable one)."""
    title = root.findtext(f"{_ATOM}title") or root.findtext(f"{_ATOM}author/{_ATOM}name")
    uploads = [
        parse_datetime(e.findtext(f"{_ATOM}published")) for e in root.findall(f"{_ATOM}entry")
    ]
    fields: dict[str, Any] = {
        "display_name": title,
        "created_at": parse_datetime(root.findtext(f"{_ATOM}published")),
    }
    return fields, uploads


@register("youtube")
class YouTubeAdapter(BaseAdapter):
    def variables(self, handle: str) -> dict[str, str]:
        if _CHANNEL_ID_ONLY.match(handle):
            return {"handle": handle, "channel_id": handle}
        return {"handle": handle}

    async def _observe(
        self,
        handle: str,
        normalized: str,
        fetcher: Fetcher,
        previous: Observation | None,
        url: str | None,
    ) -> Observation:
        values = self.variables(normalized)
        if "channel_id" not in values:
            # The @handle page itself, never the inventory URL in its place: the page's own
            # canonical link is what names the channel id.
            return await super()._observe(handle, normalized, fetcher, previous, url=None)
        # A channel id needs no page: the feed alone decides (404 HTML = gone).
        look = await self.look(fetcher, "feed", values, handle, previous)
        root = look.verdict.response.xml if look.verdict.response is not None else None
        if look.final or root is None:
            return look.observation
        fields, uploads = read_feed(root)
        self._record_uploads(look.observation, fields, uploads)
        return self.finish(look.observation, fields)

    async def present(
        self, look: Look, values: dict[str, str], normalized: str, fetcher: Fetcher
    ) -> Observation:
        obs, verdict = look.observation, look.verdict
        fields = self.extract(verdict, normalized)
        channel_id = channel_id_of(verdict)
        if verdict.state is not AccountState.ACTIVE:
            return self.finish(obs, fields)
        if channel_id is None:
            fields["reason"] = Reason(
                "activity_unavailable",
                "YouTube: the channel page names no UC… channel id, so its feed cannot be read",
            )
            return self.finish(obs, fields)

        feed = await self.follow(fetcher, "feed", {**values, "channel_id": channel_id})
        root = feed.response.xml if feed.response is not None else None
        if feed.status is ObservationStatus.PRESENT and root is not None:
            feed_fields, uploads = read_feed(root)
            feed_fields["display_name"] = fields.get("display_name") or feed_fields["display_name"]
            fields.update(feed_fields)
            self._record_uploads(obs, fields, uploads)
        elif feed.status is ObservationStatus.ABSENT:
            # The page still answers but the feed is the terminated-channel 404.
            fields["account_state"] = AccountState.SUSPENDED
            obs = dataclasses.replace(obs, signal=f"{obs.signal}|feed:{feed.signal}")
        else:
            fields["reason"] = self.activity_unavailable("its upload feed", feed)
        return self.finish(obs, fields)

    def _record_uploads(
        self, obs: Observation, fields: dict[str, Any], uploads: list[datetime | None]
    ) -> None:
        # The feed lists the newest 15 uploads, so an empty one means no public upload since
        # the channel was created.
        self.record_activity(
            fields,
            uploads,
            window=self.date_window(obs.fetched_at),
            what="its upload feed",
            never=not uploads,
            since=fields.get("created_at"),
        )

    def extract(self, verdict: Verdict, handle: str) -> dict[str, Any]:
        assert verdict.response is not None
        page = verdict.response.page
        return {
            "display_name": page.first_meta("og:title", "name", "twitter:title"),
            "bio": page.first_meta("og:description", "description", "twitter:description"),
        }
