"""Generic HTML profile pages (X, Instagram, Facebook, LinkedIn, TikTok, Threads): OpenGraph,
``twitter:`` meta, JSON-LD (``ProfilePage``, ``Person``, ``Organization`` with
``interactionStatistic``) and TikTok's rehydration JSON.

These platforms show anonymous clients login walls and script shells more often than
profiles (Sherlock dropped Facebook and TikTok for this), so their specs carry login-wall and
generic-title fingerprints and their support level is ``partial``. No activity date is exposed
on these pages: ``last_activity_at`` stays unknown rather than guessed.
"""

from __future__ import annotations

import re
from typing import Any

from scanner.model import AccountState, Tri
from scanner.platforms.base import BaseAdapter
from scanner.platforms.classify import Verdict
from scanner.platforms.dates import parse_datetime
from scanner.platforms.htmlpage import HtmlPage
from scanner.platforms.interface import HtmlHints
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
        profile_page, found = profile_entity(page)
        entity = found or {}
        user, stats = _rehydrated(page)
        descriptions = [
            page.first_meta("description"),
            page.first_meta("og:description"),
            page.first_meta("twitter:description"),
        ]
        created = parse_datetime(user.get("createTime"))
        if created is None and profile_page is not None:
            created = parse_datetime(profile_page.get("dateCreated"))
        fields: dict[str, Any] = {
            "display_name": _name(page, hints, entity, user),
            "bio": _bio(page, hints, entity, user, descriptions),
            "links": _links(page, entity, profile_page, user),
            "followers": _followers(hints, entity, stats, descriptions),
            "verified": _verified(entity, user),
            "created_at": created,
        }
        if user.get("privateAccount") is True:
            fields["account_state"] = AccountState.PRIVATE
        return fields


def _rehydrated(page: HtmlPage) -> tuple[dict[str, Any], dict[str, Any]]:
    """TikTok's user and its stats from the page's rehydration JSON; empty when it has none."""
    detail = page.rehydration()
    if not detail:
        return {}, {}
    _, user = json_path(detail, "userInfo.user")
    _, stats = json_path(detail, "userInfo.statsV2")
    if not isinstance(stats, dict):
        _, stats = json_path(detail, "userInfo.stats")
    return (user if isinstance(user, dict) else {}), (stats if isinstance(stats, dict) else {})


def _search(pattern: re.Pattern[str] | None, texts: list[str | None]) -> re.Match[str] | None:
    """The pattern's first match in the texts, in order (None without a pattern)."""
    if pattern is None:
        return None
    for text in texts:
        if text and (m := pattern.search(text)):
            return m
    return None


def _name(page: HtmlPage, hints: HtmlHints, entity: dict[str, Any], user: dict[str, Any]) -> Any:
    name = entity.get("name") or user.get("nickname")
    if not name:
        titles = [page.first_meta("og:title"), page.first_meta("twitter:title"), page.title]
        if m := _search(hints.title_pattern, titles):
            name = m.group("name")
    return name


def _bio(
    page: HtmlPage,
    hints: HtmlHints,
    entity: dict[str, Any],
    user: dict[str, Any],
    descriptions: list[str | None],
) -> Any:
    bio = entity.get("description") or user.get("signature")
    if not bio and hints.bio_pattern:
        if m := _search(hints.bio_pattern, descriptions):
            bio = m.group("bio")
    elif not bio:
        bio = page.first_meta("og:description", "twitter:description", "description")
    return bio


def _followers(
    hints: HtmlHints,
    entity: dict[str, Any],
    stats: dict[str, Any],
    descriptions: list[str | None],
) -> Any:
    followers = stats.get("followerCount")
    if followers is None:
        followers = _follow_count(entity)
    if followers is None and (m := _search(hints.followers_pattern, descriptions)):
        followers = m.group("count")
    return followers


def _links(
    page: HtmlPage,
    entity: dict[str, Any],
    profile_page: dict[str, Any] | None,
    user: dict[str, Any],
) -> list[Any]:
    links: list[Any] = []
    for holder, key in ((entity, "sameAs"), (profile_page or {}, "relatedLink")):
        value = holder.get(key)
        links.extend(value if isinstance(value, list) else [value])
    links.extend(page.links.get("me", ()))
    bio_link = user.get("bioLink")
    if isinstance(bio_link, dict):
        links.append(bio_link.get("link"))
    return links


def _verified(entity: dict[str, Any], user: dict[str, Any]) -> Tri:
    if isinstance(user.get("verified"), bool):
        return Tri.of(user["verified"])
    if entity.get("disambiguatingDescription") == "verified":
        return Tri.TRUE
    return Tri.UNKNOWN
