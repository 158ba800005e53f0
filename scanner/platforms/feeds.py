"""Public RSS/Atom feeds (Medium ``/feed/@user``, Tumblr's ``/rss`` on the blog's own host): the
channel names the account and the newest item date is its last activity.

Quirks (research §7): dates are RFC 822 ``pubDate`` with numeric or named zones; Medium titles
its channel "Stories by NAME on Medium"; Tumblr's generator reads "Tumblr (3.0; @blog)".
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from scanner.fetch.interface import Fetcher
from scanner.model import Observation, Reason
from scanner.platforms.base import BaseAdapter, Look, clean_links
from scanner.platforms.classify import Verdict
from scanner.platforms.dates import parse_datetime
from scanner.platforms.registry import register

__all__ = ["FeedAdapter", "read_channel"]

_ATOM = "{http://www.w3.org/2005/Atom}"
_MEDIUM_TITLE = re.compile(r"^Stories by (?P<name>.+) on Medium$")


def read_channel(root: ET.Element) -> tuple[dict[str, Any], list[datetime | None]] | None:
    """Name, description and links of an RSS 2.0 or Atom feed, and each item's date (None when
    an item has no readable one); None when an RSS document has no ``<channel>``."""
    local = root.tag.rsplit("}", 1)[-1]
    if local == "feed":
        items = root.findall(f"{_ATOM}entry")
        dates = [
            parse_datetime(e.findtext(f"{_ATOM}published") or e.findtext(f"{_ATOM}updated"))
            for e in items
        ]
        title = root.findtext(f"{_ATOM}title")
        description = root.findtext(f"{_ATOM}subtitle")
    else:
        channel = root.find("channel")
        if channel is None:
            return None
        items = channel.findall("item")
        dates = [
            parse_datetime(i.findtext("pubDate") or i.findtext(f"{_ATOM}updated")) for i in items
        ]
        title = channel.findtext("title")
        description = channel.findtext("description")
    name = (title or "").strip()
    if m := _MEDIUM_TITLE.match(name):
        name = m.group("name")
    fields: dict[str, Any] = {
        "display_name": name or None,
        "bio": description,
        "links": clean_links((), description),
    }
    return fields, dates


@register("feed")
class FeedAdapter(BaseAdapter):
    async def present(
        self, look: Look, values: dict[str, str], normalized: str, fetcher: Fetcher
    ) -> Observation:
        # The feed is the profile: its items date the newest post, and nothing more is fetched.
        obs, verdict = look.observation, look.verdict
        assert verdict.response is not None
        root = verdict.response.xml
        channel = read_channel(root) if root is not None else None
        if channel is None:
            # An RSS root without <channel> names no one and dates nothing: the account answers,
            # but none of its profile facts (links, name, activity) can be read.
            reason = Reason(
                "profile_unreadable",
                f"{self.spec.name}: the feed answered but has no <channel>, so neither the"
                " profile nor its activity could be read",
            )
            return self.finish(obs, {"reason": reason})
        fields, dates = channel
        # A feed lists only the newest items, and an empty one does not date the silence.
        self.record_activity(
            fields, dates, window=self.date_window(obs.fetched_at), what="its feed items"
        )
        return self.finish(obs, fields)

    def extract(self, verdict: Verdict, handle: str) -> dict[str, Any]:
        assert verdict.response is not None
        root = verdict.response.xml
        channel = read_channel(root) if root is not None else None
        return channel[0] if channel is not None else {}
