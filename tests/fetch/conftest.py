"""Real local servers on 127.0.0.1 for the fetch tests, plus seams: a fake clock, a fake DNS
resolver and a network backend that records every connection attempt and dials only loopback."""

from __future__ import annotations

import asyncio
import enum
import ipaddress
import socket
import struct
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpcore
import pytest


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    method: str
    path: str
    target: str
    headers: dict[str, str]
    raw_headers: tuple[tuple[str, str], ...] = ()


class Trickle(enum.Enum):
    """A slow-loris answer: one piece every ``Reply.every`` seconds, until the client leaves."""

    HEADERS = "headers"
    """The status line, then one header line at a time; the headers never end."""
    BODY = "body"
    """Complete headers announcing a large body, then one body byte at a time."""


MAX_TRICKLE = 600
"""Pieces sent at most, so a handler thread never outlives a forgotten test for long."""


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    """Hold the answer this long (released early when the server stops)."""
    drop: bool = False
    """Reset the connection instead of answering."""
    close_delimited: bool = False
    """Send no Content-Length; the body ends when the connection closes."""
    trickle: Trickle | None = None
    every: float = 1.0


Route = Callable[[Seen], Reply]


class LocalServer:
    """A threaded HTTP/1.1 server with a route table: path → handler, reply or list of replies
    (one per request, the last one repeating)."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.fallback: Route | None = None
        """Answers paths without a route (default: 404)."""
        self.requests: list[Seen] = []
        self.stop = threading.Event()
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def route(self, path: str, *replies: Reply | Route) -> None:
        if len(replies) == 1 and callable(replies[0]):
            self.routes[path] = replies[0]
            return
        queue = [r for r in replies if isinstance(r, Reply)]

        def serve(_: Seen) -> Reply:
            with self._lock:
                return queue.pop(0) if len(queue) > 1 else queue[0]

        self.routes[path] = serve

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self.stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            seen = Seen(
                "GET",
                urlsplit(self.path).path,
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                tuple(self.headers.items()),
            )
            with server._lock:
                server.requests.append(seen)
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            try:
                route = server.routes.get(seen.path, server.fallback)
                reply = route(seen) if route else Reply(404, body=b"no route")
                if reply.delay:
                    server.stop.wait(reply.delay)
                if reply.trickle is not None:
                    self._trickle(reply)
                    return
                if reply.drop:
                    # SO_LINGER 0 turns close() into a TCP RST: a real "connection reset".
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                if reply.close_delimited:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                elif "content-length" not in {k.lower() for k in reply.headers}:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                try:
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
            finally:
                with server._lock:
                    server.in_flight -= 1

        def _trickle(self, reply: Reply) -> None:
            self.close_connection = True
            try:
                headers = reply.trickle is Trickle.HEADERS
                if headers:
                    self.wfile.write(f"HTTP/1.1 {reply.status} OK\r\n".encode())
                else:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "1000000")
                    self.end_headers()
                for n in range(MAX_TRICKLE):
                    if server.stop.wait(reply.every):
                        return
                    self.wfile.write(b"X-Slow-%d: x\r\n" % n if headers else b" ")
            except OSError:  # the client gave up: what a slow-loris test wants
                return

    return Handler


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer()
    srv.start()
    try:
        yield srv
    finally:
        srv.close()


@pytest.fixture
def other_server() -> Iterator[LocalServer]:
    srv = LocalServer()
    srv.start()
    try:
        yield srv
    finally:
        srv.close()


class FakeClock:
    """Time that moves only when someone sleeps; records every sleep."""

    def __init__(self, epoch: float = 1_800_000_000.0) -> None:
        self.mono = 1000.0
        self._offset = epoch - self.mono
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.mono

    def time(self) -> float:
        return self.mono + self._offset

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.mono += max(0.0, seconds)
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Records every TCP connect; dials loopback for real and fails anything else, so no test
    can ever send a packet to 10.0.0.1 or 169.254.169.254."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, int]] = []
        self._real = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.attempts.append((host, port))
        if ipaddress.ip_address(host).is_loopback:
            return await self._real.connect_tcp(host, port, timeout, local_address, socket_options)
        raise httpcore.ConnectError(f"test seam: refusing to dial {host}:{port}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("test seam: no unix sockets")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@pytest.fixture
def backend() -> RecordingBackend:
    return RecordingBackend()


class FakeResolver:
    """DNS from a table. ``turns`` gives a name a different answer on each lookup (the last one
    repeating), which is what a DNS-rebinding attacker does."""

    def __init__(
        self,
        table: dict[str, list[str]],
        turns: dict[str, list[list[str]]] | None = None,
    ) -> None:
        self.table = table
        self.turns = turns or {}
        self.calls: list[str] = []

    async def __call__(self, host: str, port: int) -> Sequence[str]:
        self.calls.append(host)
        if host in self.turns:
            answers = self.turns[host]
            return answers[min(self.calls.count(host), len(answers)) - 1]
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, f"fake DNS: no such name {host}")
        return self.table[host]
