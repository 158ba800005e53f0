"""The fetch layer's contract: what the platforms layer asks for and what it gets back.

A fetch never raises for network trouble: it returns :class:`Fetched` when any HTTP response
arrived (whatever its status; the platform decides what a 403 or 429 means) and
:class:`FetchFailed` when none did (timeout, reset, refused by the SSRF guard, body over the size
cap, decompression bomb, redirect loop). Both carry the evidence a verdict needs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeAlias

from scanner.model import Reason

__all__ = ["FetchFailed", "FetchOutcome", "Fetched", "Fetcher", "FetcherFactory"]


@dataclass(frozen=True)
class Fetched:
    """An HTTP response. ``headers`` keys are lower-case. ``url`` is the URL requested after any
    endpoint override; ``final_url`` where redirects ended; ``redirects`` the hops in between."""

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    fetched_at: datetime
    redirects: tuple[str, ...] = ()
    not_modified: bool = False
    """True when the server answered 304 to a conditional request (``body`` is empty)."""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def is_json(self) -> bool:
        ct = self.content_type
        return ct == "application/json" or ct.endswith("+json")

    def text(self) -> str:
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """Parse the body as JSON; raises ValueError when it is not."""
        return json.loads(self.body)


@dataclass(frozen=True)
class FetchFailed:
    """No usable response. ``reason.code`` is one of: ``timeout`` (an attempt or the account's
    budget ran out), ``run_deadline`` (the run's budget ran out), ``rate_limited`` (the host
    asked us to wait longer than ``timeouts.max_wait``; nothing was sent), ``connect_error``,
    ``connection_reset``, ``ssrf_refused``, ``too_large``, ``decompression_bomb``,
    ``redirect_limit``, ``bad_url``, ``protocol_error``."""

    url: str
    reason: Reason
    fetched_at: datetime
    final_url: str | None = None
    http_status: int | None = None
    redirects: tuple[str, ...] = field(default=())


FetchOutcome: TypeAlias = Fetched | FetchFailed


class Fetcher(Protocol):
    """What platforms use to fetch. Implemented by :class:`scanner.fetch.client.HttpFetcher`,
    and for tests by :class:`scanner.fetch.fake.FakeFetcher`.

    ``platform`` selects endpoint overrides, per-host politeness defaults and tokens. ``etag`` and
    ``last_modified`` make the request conditional (a 304 comes back as ``not_modified=True``).
    ``credential`` names which of the platform's credentials to send (a named credential of the
    config file); None sends its default one. Callers never pass a secret: the fetcher adds it.
    Politeness, retries with backoff for transient failures, rate-limit pauses, size caps, the
    redirect limit, the SSRF guard and the deadlines all happen inside ``get`` and ``post``.
    """

    async def get(
        self,
        url: str,
        *,
        platform: str | None = None,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        credential: str | None = None,
    ) -> FetchOutcome: ...

    async def post(
        self,
        url: str,
        body: bytes,
        *,
        platform: str | None = None,
        headers: Mapping[str, str] | None = None,
        credential: str | None = None,
    ) -> FetchOutcome:
        """Send ``body`` (its type in ``headers``, e.g. ``content-type: application/json``) and
        read the answer as ``get`` does; a 301/302/303 redirect continues as a GET."""
        ...

    def for_account(self) -> Fetcher:
        """A view whose requests share one account's time budget: the orchestrator takes one
        per account, so a slow account ends ``timeout`` instead of holding its host."""
        ...


class FetcherFactory(Protocol):
    """How a run gets its fetcher: the CLI passes the real one
    (:class:`scanner.fetch.factory.HttpFetcherFactory`), tests a fake
    (:class:`scanner.fetch.fake.FakeFetcherFactory`).

    Each phase of a run (observe, discover) runs its own event loop, so each opens its own
    fetcher. ``accounts`` counts the accounts the phase will observe per platform name: the run's
    deadline can only be set once they are known (the factory scales it to them, unless a run
    budget was configured, which then covers every phase it opens).
    """

    def __call__(self, accounts: Mapping[str, int]) -> AbstractAsyncContextManager[Fetcher]: ...
