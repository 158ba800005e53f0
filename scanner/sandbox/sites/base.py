"""What every simulated platform provides, the registry, and the helpers bodies are built with.

A site turns a request path (below ``/<platform>``) into a :class:`Route`: which account it is
about (for per-account faults), what body kind the client expects, and how to render the normal
answer. It also knows its platform's answers to trouble: rate-limit headers and 429 body, login
wall, soft 404 and bare app shell.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, TypeVar

from scanner.model import Platform
from scanner.sandbox.http import Request, Response
from scanner.sandbox.keyring import Keyring
from scanner.sandbox.world import World, WorldAccount

__all__ = [
    "SITES",
    "BodyKind",
    "Ctx",
    "RateWindow",
    "Route",
    "Site",
    "esc",
    "html_response",
    "http_date",
    "iso_ms",
    "iso_s",
    "json_response",
    "register",
    "rfc822",
    "stable_int",
    "stable_token",
    "xml_response",
]


class BodyKind(enum.StrEnum):
    """What the client asked for; html_instead_of_json and friends depend on it."""

    JSON = "json"
    HTML = "html"
    XML = "xml"


@dataclass(frozen=True)
class Ctx:
    """Per-request context: the world, the sandbox's own origin and the platform prefix."""

    world: World
    origin: str
    """``http://127.0.0.1:PORT`` as the client addressed us (for redirects back into the sandbox)."""
    prefix: str
    """``/github`` etc."""
    forwarded_host: str | None
    """The real host the fetcher rewrote (X-Forwarded-Host), lower-case, without port."""
    keyring: Keyring | None = None
    """The owner-API tokens (API sites only)."""

    def url(self, path: str) -> str:
        return f"{self.origin}{self.prefix}{path}"


@dataclass(frozen=True)
class Route:
    """A resolved request. ``handle`` keys per-account faults (None: not about one account)."""

    handle: str | None
    account: WorldAccount | None
    kind: BodyKind
    render: Callable[[], Response]
    path: str = ""
    """The path below the prefix, e.g. ``/users/acme`` (used for redirect loops)."""
    exempt: bool = False
    """A page the sandbox itself redirects to (a login page): never faulted, or a login wall
    would redirect to itself forever."""


@dataclass(frozen=True)
class RateWindow:
    """The rate-limit budget a response reports."""

    limit: int
    remaining: int
    reset_at: float
    """Epoch seconds when the window ends."""
    window: float
    now: float


class Site:
    """Base class: the platform-independent defaults; subclasses override what differs."""

    platform: Platform
    app_title: str = "Page"

    def route(self, req: Request, path: str, ctx: Ctx) -> Route:
        raise NotImplementedError

    # -- trouble answers ---------------------------------------------------------------------

    def rate_headers(self, w: RateWindow) -> list[tuple[str, str]]:
        """The platform's rate-limit header family (none for sites that publish none)."""
        return []

    def too_many(
        self, ctx: Ctx, route: Route, w: RateWindow, retry_after: float | None, status: int | None
    ) -> Response:
        """The platform's over-the-limit answer."""
        headers = self.rate_headers(w)
        if retry_after is not None:
            headers.append(("Retry-After", str(int(retry_after))))
        page = (
            "<!DOCTYPE html><html><head><title>429 Too Many Requests</title></head>"
            "<body><h1>429 Too Many Requests</h1><p>You have sent too many requests in a given "
            "amount of time. Please slow down.</p></body></html>"
        )
        return html_response(status or 429, page, headers)

    def login_wall(self, ctx: Ctx, route: Route, req: Request) -> Response:
        raise NotImplementedError

    def soft_404(self, ctx: Ctx, route: Route) -> Response:
        raise NotImplementedError

    def app_shell(self, ctx: Ctx) -> Response:
        """A bare page with only the site's generic title: no profile markers at all."""
        page = (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(self.app_title)}'
            "</title></head><body><noscript>You need to enable JavaScript to run this app."
            '</noscript><div id="root"></div></body></html>'
        )
        return html_response(200, page)


SITES: dict[Platform, Site] = {}

S = TypeVar("S", bound=type[Site])


def register(platform: Platform) -> Callable[[S], S]:
    """Class decorator: instantiate the site and file it under its platform."""

    def decorator(cls: S) -> S:
        site = cls()
        site.platform = platform
        SITES[platform] = site
        return cls

    return decorator


# --------------------------------------------------------------------------- helpers


def json_response(
    status: int,
    obj: Any,
    headers: list[tuple[str, str]] | None = None,
    content_type: str = "application/json; charset=utf-8",
) -> Response:
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status, [("Content-Type", content_type), *(headers or [])], body)


def html_response(status: int, page: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(
        status, [("Content-Type", "text/html; charset=utf-8"), *(headers or [])], page.encode()
    )


def xml_response(
    status: int, text: str, content_type: str, headers: list[tuple[str, str]] | None = None
) -> Response:
    return Response(status, [("Content-Type", content_type), *(headers or [])], text.encode())


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def stable_int(*parts: object, digits: int = 9) -> int:
    """A deterministic number from the parts, so ids never change between runs."""
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    n: int = int.from_bytes(h[:16], "big") % (10**digits)
    floor: int = 10 ** (digits - 1)
    return max(n, floor)


def stable_token(*parts: object, length: int = 22, alphabet: str = "") -> str:
    """A deterministic token: url-safe base64 by default, else drawn from ``alphabet``."""
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    h += hashlib.sha256(h).digest()
    if not alphabet:
        return base64.urlsafe_b64encode(h).decode().rstrip("=")[:length]
    n = int.from_bytes(h, "big")
    out = []
    for _ in range(length):
        n, r = divmod(n, len(alphabet))
        out.append(alphabet[r])
    return "".join(out)


def iso_s(dt: datetime) -> str:
    """``2015-03-01T10:00:00Z`` (GitHub)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(dt: datetime) -> str:
    """``2026-08-01T13:52:55.413Z`` (Mastodon, Bluesky)."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def rfc822(dt: datetime) -> str:
    """``Fri, 24 Nov 2023 18:27:40 GMT`` (RSS pubDate)."""
    return format_datetime(dt.astimezone(UTC), usegmt=True)


def http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(UTC), usegmt=True)


def compact_count(n: int) -> str:
    """``1.2K``, ``783.4K``, ``3.9M`` as profile pages print follower counts."""
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if n >= size:
            value = f"{n / size:.1f}".rstrip("0").rstrip(".")
            return f"{value}{suffix}"
    return str(n)
