"""A :class:`~scanner.fetch.interface.Fetcher` that answers from a table: no sockets, no
politeness, no waiting. For tests of the logic above the network; every request is recorded.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, TypeAlias

from scanner.fetch.interface import Fetched, Fetcher, FetchFailed, FetchOutcome
from scanner.fetch.politeness import Clock, SystemClock
from scanner.model import Reason

__all__ = [
    "Answer",
    "FakeFetcher",
    "FakeFetcherFactory",
    "FakeRequest",
    "Failure",
    "Reply",
    "Responder",
]


@dataclass(frozen=True)
class Reply:
    """A canned HTTP answer; the fake makes it a :class:`Fetched` for the URL asked (header
    names are lower-cased, as the real fetcher's are)."""

    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of_json(cls, data: Any, status: int = 200, **headers: str) -> Reply:
        """A JSON answer (``content-type: application/json`` unless ``headers`` say otherwise)."""
        merged = {"content-type": "application/json", **headers}
        return cls(status, json.dumps(data), merged)


@dataclass(frozen=True)
class Failure:
    """A canned failure: no response arrived (``code`` as in :class:`FetchFailed`)."""

    code: str
    text: str = ""


Answer: TypeAlias = Reply | Failure | Fetched | FetchFailed
"""What the table holds: a Fetched or FetchFailed is returned exactly as given."""


@dataclass(frozen=True)
class FakeRequest:
    """One ``get`` the fake received; ``account`` numbers the :meth:`FakeFetcher.for_account`
    view that sent it (0: the fetcher itself)."""

    url: str
    platform: str | None
    headers: Mapping[str, str]
    etag: str | None
    last_modified: str | None
    account: int
    method: str = "GET"
    body: bytes = b""
    credential: str | None = None
    """The credential the caller asked for (None: the platform's default one)."""


Responder: TypeAlias = Callable[[FakeRequest], Answer | None]
"""Answers a request, or None when it has no answer for it."""

UNANSWERED = "connect_error"
"""The reason code of a request the table has no answer for: like a host that cannot be
reached, the account ends ``error`` (unverified), never ``absent``."""


class FakeFetcher:
    """Answers every ``get`` and ``post`` from ``answers``: a table of URL → :data:`Answer`, or a
    :data:`Responder`. A URL without an answer fails as :data:`UNANSWERED` and is listed in
    ``unanswered``; ``requests`` holds every request in the order received."""

    def __init__(
        self, answers: Mapping[str, Answer] | Responder | None = None, *, clock: Clock | None = None
    ) -> None:
        self._answers = answers if answers is not None else {}
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._accounts = 0
        self.requests: list[FakeRequest] = []
        self.unanswered: list[str] = []
        """The URLs requested that had no answer, in order."""

    @property
    def urls(self) -> list[str]:
        """The URLs requested, in order."""
        return [r.url for r in self.requests]

    def factory(self) -> FakeFetcherFactory:
        """A :class:`~scanner.fetch.interface.FetcherFactory` that opens this fetcher."""
        return FakeFetcherFactory(self)

    def for_account(self) -> Fetcher:
        self._accounts += 1
        return _FakeAccount(self, self._accounts)

    async def get(
        self,
        url: str,
        *,
        platform: str | None = None,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        credential: str | None = None,
    ) -> FetchOutcome:
        return self.answer(
            url, platform, headers, etag, last_modified, account=0, credential=credential
        )

    async def post(
        self,
        url: str,
        body: bytes,
        *,
        platform: str | None = None,
        headers: Mapping[str, str] | None = None,
        credential: str | None = None,
    ) -> FetchOutcome:
        return self.answer(
            url, platform, headers, None, None, account=0, credential=credential, sent=body
        )

    def answer(
        self,
        url: str,
        platform: str | None,
        headers: Mapping[str, str] | None,
        etag: str | None,
        last_modified: str | None,
        *,
        account: int,
        credential: str | None = None,
        sent: bytes | None = None,
    ) -> FetchOutcome:
        """Record the request and return its answer (``get`` and ``post`` of the fetcher and
        its views; ``sent`` is a POST's body, None for a GET)."""
        request = FakeRequest(
            url,
            platform,
            MappingProxyType(dict(headers or {})),
            etag,
            last_modified,
            account,
            "GET" if sent is None else "POST",
            sent or b"",
            credential,
        )
        self.requests.append(request)
        found = self._lookup(request)
        now = datetime.fromtimestamp(self._clock.time(), UTC)
        match found:
            case None:
                self.unanswered.append(url)
                return FetchFailed(url, Reason(UNANSWERED, f"no canned answer for {url}"), now)
            case Reply(status=status, body=body, headers=reply_headers):
                return Fetched(
                    url=url,
                    final_url=url,
                    status=status,
                    headers=MappingProxyType({k.lower(): v for k, v in reply_headers.items()}),
                    body=body.encode() if isinstance(body, str) else body,
                    fetched_at=now,
                    not_modified=status == 304,
                )
            case Failure(code=code, text=text):
                return FetchFailed(url, Reason(code, text or code), now)
            case Fetched() | FetchFailed():
                return found

    def _lookup(self, request: FakeRequest) -> Answer | None:
        if callable(self._answers):
            return self._answers(request)
        return self._answers.get(request.url)


class _FakeAccount:
    """One account's view of a :class:`FakeFetcher`: same table, requests numbered by view."""

    def __init__(self, fetcher: FakeFetcher, number: int) -> None:
        self._fetcher = fetcher
        self.number = number

    async def get(
        self,
        url: str,
        *,
        platform: str | None = None,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        credential: str | None = None,
    ) -> FetchOutcome:
        return self._fetcher.answer(
            url, platform, headers, etag, last_modified, account=self.number, credential=credential
        )

    async def post(
        self,
        url: str,
        body: bytes,
        *,
        platform: str | None = None,
        headers: Mapping[str, str] | None = None,
        credential: str | None = None,
    ) -> FetchOutcome:
        return self._fetcher.answer(
            url,
            platform,
            headers,
            None,
            None,
            account=self.number,
            credential=credential,
            sent=body,
        )

    def for_account(self) -> Fetcher:
        return self._fetcher.for_account()


class FakeFetcherFactory:
    """Opens the same :class:`FakeFetcher` for every phase; ``opened`` records each phase's
    ``accounts`` and ``closed`` counts the phases that closed their fetcher again."""

    def __init__(self, fetcher: FakeFetcher) -> None:
        self.fetcher = fetcher
        self.opened: list[dict[str, int]] = []
        self.closed = 0

    @asynccontextmanager
    async def __call__(self, accounts: Mapping[str, int]) -> AsyncIterator[Fetcher]:
        self.opened.append(dict(accounts))
        try:
            yield self.fetcher
        finally:
            self.closed += 1
