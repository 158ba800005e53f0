"""Handle normalisation, one implementation for every layer: each platform's spec ``handle``
block says which prefix it ignores and which part of a handle is the name.
"""

from __future__ import annotations

from scanner.model import Platform
from scanner.platforms.interface import PageKind
from scanner.platforms.registry import spec_for

__all__ = ["handle_key", "name_part", "normalize_handle", "page_kind"]


def normalize_handle(platform: Platform, handle: str) -> str:
    """``handle`` as the platform's URLs use it: whitespace and the spec's ``strip_prefix``
    (``@`` on most platforms, ``company/`` on LinkedIn) dropped."""
    return spec_for(platform).handle.normalize(handle)


def handle_key(platform: Platform, handle: str) -> str:
    """What every way of writing one account's handle shares (normalized, case folded unless
    the platform tells case apart): ``@CopperKettle`` and ``copperkettle`` on X are one key."""
    return spec_for(platform).handle.key(handle)


def name_part(platform: Platform, handle: str) -> str | None:
    """The name a naming convention is about (``u/NAME``, ``NAME@instance``,
    ``NAME.bsky.social``); None for an opaque id with no name (a YouTube channel id, a DID)."""
    return spec_for(platform).handle.name_of(handle)


def page_kind(platform: Platform, handle: str) -> PageKind:
    """The kind of page a handle names (``r/name`` a community, ``u/name`` a user on Reddit),
    from the spec's ``handle.kinds``; one kind on platforms that declare none."""
    return spec_for(platform).handle.kind_of(handle)
