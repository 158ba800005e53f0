"""Generic HTML profile pages (X, Instagram, Facebook, LinkedIn, TikTok, Threads): OpenGraph,
``twitter:`` meta, JSON-LD (``ProfilePage``, ``Person``, ``Organization`` with
``interactionStatistic``) and TikTok's rehydration JSON.

These platforms show anonymous clients login walls and script shells more often than
profiles (Sherlock dropped Facebook and TikTok for this), so their specs carry login-wall and
generic-title fingerprints and their support level is ``partial``. No activity date is exposed
on these pages: ``last_activity_at`` stays unknown rather than guessed.
"""

from __future__ import annotations

from typing import Any

from scanner.model import AccountState, Tri
from scanner.platforms.base import BaseAdapter
from scanner.platforms.classify import Verdict
from scanner.platforms.dates import parse_datetime
from scanner.platforms.htmlpage import HtmlPage
from scanner.platforms.markers import json_path
from scanner.platforms.registry import register

__all__ = ["HtmlProfileAdapter", "profile_entity"]

_ENTITY_TYPES = ("Person", "Organization", "Corporation", "Brand")


def profile_entity(page: HtmlPage) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(ProfilePage, the entity it is about) from the page's JSON-LD, either may be None."""
    for obj in page.jsonld_of_type("ProfilePage"):
        main = obj.get("mainEntity")
        if isinstance(main, dict):
            return obj, main
        return obj, None
    entities = page.jsonld_of_type(*_ENTITY_TYPES)
    return None, (entities[0] if entities else None)


def _follow_count(entity: dict[str, Any]) -> Any:
    stats = entity.get("interactionStatistic")
    for stat in stats if isinstance(stats, list) else [stats]:
        if not isinstance(stat, dict):
            continue
        kind = stat.get("interactionType")
        if isinstance(kind, dict):
            kind = kind.get("@type")
        if isinstance(kind, str) and kind.rsplit("/", 1)[-1] == "FollowAction":
            return stat.get("userInteractionCount")
    return None


@register("html")
class HtmlProfileAdapter(BaseAdapter):
    def extract(self, verdict: Verdict, handle: str) -> dict[str, Any]:
        assert verdict.response is not None
        page = verdict.response.page
        hints = self.spec.html
        profile_page, entity = profile_entity(page)
        detail = page.rehydration()
        _, user = json_path(detail, "userInfo.user") if detail else (False, None)
        user = user if isinstance(user, dict) else {}
        _, stats = json_path(detail, "userInfo.statsV2") if detail else (False, None)
        if not isinstance(stats, dict):
            _, stats = json_path(detail, "userInfo.stats") if detail else (False, None)
        stats = stats if isinstance(stats, dict) else {}
        entity = entity or {}

        titles = [page.first_meta("og:title"), page.first_meta("twitter:title"), page.title]
        name = entity.get("name") or user.get("nickname")
        if not name:
            for title in titles:
                if title and hints.title_pattern and (m := hints.title_pattern.search(title)):
                    name = m.group("name")
                    break
        descriptions = [
            page.first_meta("description"),
            page.first_meta("og:description"),
            page.first_meta("twitter:description"),
        ]
        bio = entity.get("description") or user.get("signature")
        if not bio and hints.bio_pattern:
            for text in descriptions:
                if text and (m := hints.bio_pattern.search(text)):
                    bio = m.group("bio")
                    break
        elif not bio:
            bio = page.first_meta("og:description", "twitter:description", "description")

        followers = stats.get("followerCount")
        if followers is None:
            followers = _follow_count(entity)
        if followers is None and hints.followers_pattern:
            for text in descriptions:
                if text and (m := hints.followers_pattern.search(text)):
                    followers = m.group("count")
                    break

        links: list[Any] = []
        for holder, key in ((entity, "sameAs"), (profile_page or {}, "relatedLink")):
            value = holder.get(key)
            links.extend(value if isinstance(value, list) else [value])
        links.extend(page.links.get("me", ()))
        bio_link = user.get("bioLink")
        if isinstance(bio_link, dict):
            links.append(bio_link.get("link"))

        verified = Tri.UNKNOWN
        if isinstance(user.get("verified"), bool):
            verified = Tri.of(user["verified"])
        elif entity.get("disambiguatingDescription") == "verified":
            verified = Tri.TRUE

        created = parse_datetime(user.get("createTime"))
        if created is None and profile_page is not None:
            created = parse_datetime(profile_page.get("dateCreated"))

        fields: dict[str, Any] = {
            "display_name": name,
            "bio": bio,
            "links": links,
            "followers": followers,
            "verified": verified,
            "created_at": created,
        }
        if user.get("privateAccount") is True:
            fields["account_state"] = AccountState.PRIVATE
        return fields
