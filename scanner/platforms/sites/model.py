"""The values of an imported site list: one :class:`Site` per definition, normalized from a
WhatsMyName or Sherlock file, with explicit exists and missing signals."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["ACCOUNT", "Method", "Site", "SiteFormat", "SiteList", "SiteSignal"]

ACCOUNT = "{account}"
"""The placeholder of a normalized URL or body template (Sherlock's ``{}`` is rewritten to it)."""


class SiteFormat(enum.StrEnum):
    """Where a site definition came from; each has its own reader and licence (WhatsMyName:
    CC BY-SA 4.0, Sherlock: MIT), which is why Rollcall ships neither list."""

    WHATSMYNAME = "whatsmyname"
    SHERLOCK = "sherlock"


class Method(enum.StrEnum):
    """What Rollcall sends. Sherlock's HEAD is sent as GET: the body is needed to tell a WAF or
    login page from the profile."""

    GET = "GET"
    POST = "POST"


@dataclass(frozen=True)
class SiteSignal:
    """What one answer must show for this signal to hold: a status in ``statuses``, at least one
    of ``contains`` in the body (no body requirement when empty), none of ``lacks``, and a final
    URL starting with ``final_url_prefix`` when set. ``stay`` requires that redirects did not
    take the request to another host or path: a signal without a body marker of the site's own
    cannot tell the site's answer from a proxy's or a login page's."""

    statuses: frozenset[int]
    contains: tuple[str, ...] = ()
    lacks: tuple[str, ...] = ()
    final_url_prefix: str | None = None
    stay: bool = False

    @property
    def weak(self) -> bool:
        """True when nothing but the status (and the absence of some text) speaks for it."""
        return not self.contains and self.final_url_prefix is None


@dataclass(frozen=True)
class Site:
    """One normalized site definition.

    ``url`` is the profile URL shown to people, ``probe_url`` the URL requested (WhatsMyName
    ``uri_check``, Sherlock ``urlProbe``); both use :data:`ACCOUNT`. ``exists`` must hold for
    ``present``; one of ``missing`` must hold for ``absent``; anything else is unverified.
    ``known`` are accounts that exist (WhatsMyName ``known``, Sherlock ``username_claimed``).
    ``disabled`` says why a definition is kept but never probed (WhatsMyName ``valid: false``,
    a request method Rollcall does not send); ``degraded`` why ``rollcall platforms check`` last
    rated the site other than ok: its known account read other than present, or a random name
    did not read absent (skipped until both read right again)."""

    name: str
    format: SiteFormat
    url: str
    probe_url: str
    exists: SiteSignal
    missing: tuple[SiteSignal, ...]
    known: tuple[str, ...]
    categories: tuple[str, ...] = ()
    method: Method = Method.GET
    body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    handle_pattern: str | None = None
    strip_chars: str = ""
    protection: tuple[str, ...] = ()
    disabled: str | None = None
    degraded: str | None = None

    @property
    def id(self) -> str:
        """Unique across formats: ``whatsmyname:GitHub (User)``, ``sherlock:GitHub``."""
        return f"{self.format.value}:{self.name}"

    @property
    def usable(self) -> bool:
        """Whether ``check`` and discovery probe it."""
        return self.disabled is None and self.degraded is None


@dataclass(frozen=True)
class SiteList:
    """Every imported site, with where each format's list came from (file name, SHA-256 and
    import time per format, ``sources``)."""

    sites: tuple[Site, ...] = ()
    sources: tuple[tuple[SiteFormat, str, str, str], ...] = field(default=())
    """(format, file name, sha256, imported_at ISO) of each imported list."""

    def usable(self) -> tuple[Site, ...]:
        return tuple(s for s in self.sites if s.usable)

    def by_id(self) -> dict[str, Site]:
        return {s.id: s for s in self.sites}
