"""A tiny platform server on 127.0.0.1 serving fixture bodies by path, and a real HttpFetcher
pointed at it through endpoint overrides (every platform → ``{base}/{platform}``)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import pytest

from scanner.fetch import FetchConfig, HostLimits, HttpFetcher
from scanner.fetch.fake import Reply
from scanner.model import Observation, Platform
from scanner.platforms import adapter_for, platform_fetch_config

FIXTURES = Path(__file__).parent / "fixtures"
T = TypeVar("T")

CONTENT_TYPES = {
    ".json": "application/json; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".xml": "text/xml; charset=UTF-8",
}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> Any:
    return json.loads(fixture(name))


@dataclass
class Route:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class FixtureServer:
    """Answers GETs from a route table keyed by path+query; unknown paths get a plain 599."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                server.log.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path)
                if route is None:
                    route = Route(599, b"no route", {"content-type": "text/plain"})
                etag = route.headers.get("etag")
                if etag and self.headers.get("if-none-match") == etag:
                    self.send_response(304)
                    self.send_header("etag", etag)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                self.send_response(route.status)
                for key, value in route.headers.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FixtureServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add(
        self,
        platform: str,
        path: str,
        *,
        status: int = 200,
        body: bytes | str = b"",
        file: str | None = None,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if file is not None:
            body = fixture(file)
            content_type = content_type or CONTENT_TYPES[Path(file).suffix]
        data = body.encode() if isinstance(body, str) else body
        hdrs = {"content-type": content_type or "text/html; charset=utf-8", **(headers or {})}
        self.routes[f"/{platform}{path}"] = Route(status, data, hdrs)

    def requested(self, platform: str) -> list[str]:
        return [p for p, _ in self.log if p.startswith(f"/{platform}/")]

    def endpoints(self) -> dict[str, str]:
        return {p.value: f"{self.base_url}/{p.value}" for p in Platform}


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as srv:
        yield srv


def fetch_config(endpoints: dict[str, str], **overrides: Any) -> FetchConfig:
    settings: dict[str, Any] = {
        "endpoints": endpoints,
        "max_retries": 1,
        "backoff_base": 0.01,
        "backoff_max": 0.02,
        "max_rate_limit_wait": 0.05,
        "tokens": {},
    }
    settings.update(overrides)
    return platform_fetch_config(**settings)


FAST_LIMITS = {p.value: HostLimits(concurrency=8, min_interval=0.0) for p in Platform} | {
    "default": HostLimits(concurrency=8, min_interval=0.0)
}


def run_with_fetcher(
    endpoints: dict[str, str], body: Callable[[HttpFetcher], Awaitable[T]], **overrides: Any
) -> T:
    async def go() -> T:
        async with HttpFetcher(fetch_config(endpoints, **overrides), FAST_LIMITS) as fetcher:
            return await body(fetcher)

    return asyncio.run(go())


@pytest.fixture
def look(server: FixtureServer) -> Callable[..., Observation]:
    """``look(platform, handle, previous=None, url=None)`` → Observation via the fixture server."""

    def do(
        platform: Platform, handle: str, previous: Observation | None = None, url: str | None = None
    ) -> Observation:
        adapter = adapter_for(platform)
        return run_with_fetcher(
            server.endpoints(),
            lambda f: adapter.observe(handle, f, previous, url=url),
        )

    return do


def reply(file: str, status: int = 200, **headers: str) -> Reply:
    """A fixture body as a canned answer for :class:`scanner.fetch.fake.FakeFetcher`."""
    content_type = CONTENT_TYPES[Path(file).suffix]
    return Reply(status, fixture(file), {"content-type": content_type, **headers})
