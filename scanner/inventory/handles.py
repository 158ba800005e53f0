"""The *form* of a handle per platform (``name@instance`` for Mastodon, ``u/``/``r/`` for Reddit…).

Only the shape is checked here, so a spreadsheet mistake is caught before anything is fetched;
the platforms' own rules (length, allowed characters) belong to ``scanner.platforms``.
"""

from __future__ import annotations

import re
from typing import assert_never

from scanner.model import Platform

__all__ = ["check_handle_form", "handle_form"]

_BARE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_MASTODON = re.compile(
    r"^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$"
)
_REDDIT = re.compile(r"^[ur]/[A-Za-z0-9_-]+$")
_LINKEDIN = re.compile(r"^company/[^/\s]+$")
# A YouTube handle is @name; a channel id is "UC" followed by 22 base64url characters.
_YOUTUBE = re.compile(r"^(?:@[A-Za-z0-9._-]+|UC[A-Za-z0-9_-]{22})$")
_BLUESKY = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]*$")

_BARE_TEXT = "a bare handle without '@', '/' or spaces (e.g. copperkettle)"
# Medium writes its users as medium.com/@name, so both forms are the same account.
_MEDIUM = re.compile(r"^@?[A-Za-z0-9][A-Za-z0-9._-]*$")


def handle_form(platform: Platform) -> tuple[re.Pattern[str], str]:
    """The handle shape for ``platform`` and the words that describe it."""
    match platform:
        case Platform.MASTODON:
            return _MASTODON, "name@instance (e.g. copperkettle@mastodon.social)"
        case Platform.REDDIT:
            return _REDDIT, "u/name for a user or r/name for a subreddit"
        case Platform.LINKEDIN:
            return _LINKEDIN, "company/slug (e.g. company/copper-kettle-coffee)"
        case Platform.YOUTUBE:
            return _YOUTUBE, "@handle or a channel id 'UC' + 22 characters"
        case Platform.BLUESKY:
            return _BLUESKY, "a domain handle (name.bsky.social or a custom domain)"
        case Platform.MEDIUM:
            return _MEDIUM, "the author name, with or without '@' (e.g. copperkettle)"
        case (
            Platform.X
            | Platform.INSTAGRAM
            | Platform.FACEBOOK
            | Platform.TIKTOK
            | Platform.THREADS
            | Platform.GITHUB
            | Platform.TUMBLR
        ):
            return _BARE, _BARE_TEXT
        case _:
            assert_never(platform)


def check_handle_form(platform: Platform, handle: str) -> tuple[str, str | None] | None:
    """None when ``handle`` has the platform's form, else (expected, hint)."""
    pattern, expected = handle_form(platform)
    if pattern.fullmatch(handle):
        return None
    hint: str | None = None
    if handle.startswith(("http://", "https://")):
        hint = "put the profile URL in 'url' and only the handle here"
    elif handle.startswith("@") and pattern.fullmatch(handle[1:]):
        hint = "drop the leading '@'"
    elif platform is Platform.YOUTUBE and pattern.fullmatch("@" + handle):
        hint = "YouTube handles start with '@'"
    elif platform is Platform.REDDIT and pattern.fullmatch(handle.lstrip("/")):
        hint = "drop the leading '/'"
    elif platform is Platform.LINKEDIN and _BARE.fullmatch(handle):
        hint = f"write company/{handle}"
    return expected, hint
