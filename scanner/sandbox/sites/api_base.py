"""What every simulated owner API shares: its registry by endpoint name (``/meta-graph/…``), the
token check before any answer, and helpers for ids, paging cursors and field lists.

An API site reads the secret from a header only (``Authorization: Bearer`` or YouTube's
``X-Goog-Api-Key``): a token sent in a URL is not looked at, as the shared design keeps secrets
out of URLs, logs and paging links.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from typing import TypeVar

from scanner.sandbox.http import Request, Response
from scanner.sandbox.keyring import TokenProblem
from scanner.sandbox.sites.base import BodyKind, Ctx, Route, Site
from scanner.sandbox.world import ApiName, WorldAccount, WorldCredential

__all__ = [
    "API_SITES",
    "ApiSite",
    "decode_cursor",
    "encode_cursor",
    "fields_of",
    "register_api",
    "stable_id",
]


class ApiSite(Site):
    """Base class of the owner APIs: the token is checked first, then :meth:`serve` answers."""

    api: ApiName

    def route(self, req: Request, path: str, ctx: Ctx) -> Route:
        if ctx.keyring is None:
            raise RuntimeError("an API site needs the sandbox's keyring")
        check = ctx.keyring.check(self.api, self.secret(req))
        if check.problem is not None:
            problem = check.problem
            return Route(None, None, BodyKind.JSON, lambda: self.token_error(problem), path)
        assert check.credential is not None
        return self.serve(req, path, ctx, check.credential)

    def secret(self, req: Request) -> str | None:
        """The bearer token of the Authorization header (X, LinkedIn, TikTok, Graph APIs)."""
        scheme, _, token = req.headers.get("authorization", "").partition(" ")
        return token.strip() or None if scheme.lower() == "bearer" else None

    def serve(self, req: Request, path: str, ctx: Ctx, credential: WorldCredential) -> Route:
        raise NotImplementedError

    def token_error(self, problem: TokenProblem) -> Response:
        """The API's own answer to a missing, unknown, expired or revoked token."""
        raise NotImplementedError

    def login_wall(self, ctx: Ctx, route: Route, req: Request) -> Response:
        raise AssertionError("login_wall does not apply to an API (faults.API_INAPPLICABLE)")

    def soft_404(self, ctx: Ctx, route: Route) -> Response:
        raise AssertionError("soft_404 does not apply to an API (faults.API_INAPPLICABLE)")

    @staticmethod
    def about(
        account: WorldAccount | None,
        path: str,
        render: Callable[[], Response],
        handle: str | None = None,
    ) -> Route:
        """A JSON route about ``account`` (its handle keys per-account faults)."""
        key = account.handle if account is not None else handle
        return Route(key, account, BodyKind.JSON, render, path)


API_SITES: dict[ApiName, ApiSite] = {}

A = TypeVar("A", bound=type[ApiSite])


def register_api(api: ApiName) -> Callable[[A], A]:
    """Class decorator: instantiate the API site and file it under its endpoint name."""

    def decorator(cls: A) -> A:
        site = cls()
        site.api = api
        API_SITES[api] = site
        return cls

    return decorator


def stable_id(*parts: object, digits: int) -> int:
    """A deterministic id of exactly ``digits`` digits, spread evenly over that range
    (``base.stable_int`` lifts small values to one floor, which ids must not share)."""
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    floor: int = 10 ** (digits - 1)
    spread: int = int.from_bytes(h[:16], "big") % (9 * floor)
    return floor + spread


def fields_of(req: Request, name: str, default: Sequence[str]) -> tuple[str, ...]:
    """A comma-separated field list parameter (``fields=``, ``user.fields=``), else ``default``."""
    raw = req.arg(name)
    if raw is None:
        return tuple(default)
    return tuple(f.strip() for f in raw.split(",") if f.strip())


def encode_cursor(offset: int) -> str:
    """An opaque paging cursor (Graph's look base64 too: ``MTA0NzI5Mzk5``)."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The offset behind a cursor; None for a cursor this sandbox did not make."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    head, _, number = text.partition(":")
    return int(number) if head == "offset" and number.isdigit() else None
