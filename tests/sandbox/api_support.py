"""Calls the sandbox's owner APIs over real sockets the way the shared design of issue 12 says
the scanner does (token in a header, never in the URL) and hands back a ``Fetched`` for the
scanner's parsers; also reads the research fixtures those parsers are tested on."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx

from scanner.fetch.interface import Fetched
from scanner.platforms.api.interface import Api, ApiRequest
from scanner.sandbox import Sandbox

API_WORLD = Path(__file__).with_name("api-world.yaml")
FIXTURES = Path(__file__).parents[1] / "platforms" / "api" / "fixtures"


def headers_for(api: Api, token: str | None) -> dict[str, str]:
    """The secret where the shared design puts it: YouTube's key in X-Goog-Api-Key, every
    other API's token as a bearer."""
    if token is None:
        return {}
    if api is Api.YOUTUBE_API:
        return {"X-Goog-Api-Key": token}
    return {"Authorization": f"Bearer {token}"}


def fetch(
    sandbox: Sandbox, client: httpx.Client, request: ApiRequest, token: str | None
) -> Fetched:
    url = request.url(sandbox.endpoints()[request.api.value])
    headers = {**dict(request.headers), **headers_for(request.api, token)}
    content = request.body.encode() if request.body is not None else None
    r = client.request(request.method.value, url, headers=headers, content=content)
    return Fetched(
        url=url,
        final_url=str(r.url),
        status=r.status_code,
        headers={k.lower(): v for k, v in r.headers.items()},
        body=r.content,
        fetched_at=datetime.now(UTC),
    )


def fixture(name: str, status: int = 200) -> Fetched:
    """A research fixture as the answer of a real API."""
    return Fetched(
        url="https://api.example.test/",
        final_url="https://api.example.test/",
        status=status,
        headers={"content-type": "application/json; charset=UTF-8"},
        body=(FIXTURES / name).read_bytes(),
        fetched_at=datetime.now(UTC),
    )


__all__ = ["API_WORLD", "FIXTURES", "fetch", "fixture", "headers_for"]
