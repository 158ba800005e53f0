"""Public RSS/Atom feeds (Medium ``/feed/@user``, Tumblr ``{blog}.tumblr.com/rss``): the
channel names the account and the newest item date is its last activity.

Quirks (research §7): dates are RFC 822 ``pubDate`` with numeric or named zones; Medium titles
its channel "Stories by NAME on Medium"; Tumblr's generator reads "Tumblr (3.0; @blog)".
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from scanner.platforms.base import BaseAdapter, clean_links
from scanner.platforms.classify import Verdict
from scanner.platforms.dates import parse_datetime
from scanner.platforms.registry import register

__all__ = ["FeedAdapter", "read_channel"]

_ATOM = "{http://www.w3.org/2005/Atom}"
_MEDIUM_TITLE = re.compile(r"^Stories by (?P<name>.+) on Medium$")


def read_channel(root: ET.Element) -> dict[str, Any]:
    """Name, description, link and newest item date of an RSS 2.0 or Atom feed."""
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
            return {}
        items = channel.findall("item")
        dates = [
            parse_datetime(i.findtext("pubDate") or i.findtext(f"{_ATOM}updated")) for i in items
        ]
        title = channel.findtext("title")
        description = channel.findtext("description")
    name = (title or "").strip()
    if m := _MEDIUM_TITLE.match(name):
        name = m.group("name")
    known = [d for d in dates if d is not None]
    fields: dict[str, Any] = {
        "display_name": name or None,
        "bio": description,
        "links": clean_links((), description),
    }
    if known:
        fields["last_activity_at"] = max(known)
    return fields


@register("feed")
class FeedAdapter(BaseAdapter):
    def extract(self, verdict: Verdict, handle: str) -> dict[str, Any]:
        assert verdict.response is not None
        root = verdict.response.xml
        return read_channel(root) if root is not None else {}
