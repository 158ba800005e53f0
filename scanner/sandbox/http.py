"""A small HTTP/1.1 server on asyncio streams, with the misbehaviours real servers show.

``http.server`` cannot send a TCP reset, lie about Content-Length or stream a lazily generated
gigabyte, and a thread per slow request does not scale to benchmark concurrency; this can.
Requests are GET/HEAD, or POST with a body kept in ``Request.body``; keep-alive is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

__all__ = ["Ending", "Handler", "HttpServer", "Request", "Response"]

MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Request:
    """One parsed request. ``headers`` keys are lower-case; ``query`` keeps repeated keys."""

    method: str
    target: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    version: str = "HTTP/1.1"
    body: bytes = b""
    """The request body (TikTok's video/list is a POST with a JSON body)."""

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    @classmethod
    def parse(cls, head: bytes) -> Request:
        text = head.decode("latin-1")
        lines = text.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            raise ValueError(f"bad request line {lines[0]!r}")
        method, target, version = parts
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, sep, value = line.partition(":")
            if not sep:
                raise ValueError(f"bad header line {line!r}")
            headers[name.strip().lower()] = value.strip()
        split = urlsplit(target)
        return cls(
            method=method.upper(),
            target=target,
            path=split.path or "/",
            query=parse_qs(split.query, keep_blank_values=True),
            headers=headers,
            version=version,
        )


class Ending:
    """How a response ends (besides a normal, complete send)."""

    NORMAL = "normal"
    RESET = "reset"
    """Send nothing; close with a TCP RST (SO_LINGER 0)."""
    TRUNCATE = "truncate"
    """Announce the full Content-Length, send ``truncate_at`` body bytes, then close."""


@dataclass
class Response:
    """What to send. ``stream`` (with ``length``) replaces ``body`` for lazily generated bodies."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    stream: Callable[[], Iterable[bytes]] | None = None
    length: int | None = None
    ending: str = Ending.NORMAL
    truncate_at: int | None = None
    delay: float = 0.0
    """Seconds to wait before sending anything (latency and timeout faults)."""

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    def set_header(self, name: str, value: str) -> None:
        lname = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != lname]
        self.headers.append((name, value))

    @property
    def content_length(self) -> int:
        return (
            self.length if self.stream is not None and self.length is not None else len(self.body)
        )


Handler = Callable[[Request], Awaitable[Response]]
Observer = Callable[[Request, int, int], None]
"""Called after each exchange with (request, status sent or 0 for none, bytes written)."""


class HttpServer:
    """Serves ``handler`` on a listening socket inside the running event loop."""

    def __init__(self, handler: Handler, observer: Observer, stopping: asyncio.Event) -> None:
        self._handler = handler
        self._observer = observer
        self._stopping = stopping
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, host: str, port: int) -> int:
        self._server = await asyncio.start_server(
            self._on_connection, host, port, limit=MAX_HEAD_BYTES, backlog=1024, reuse_address=True
        )
        sock = self._server.sockets[0]
        return int(sock.getsockname()[1])

    async def close(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
        # Let closing transports finish so nothing is left unclosed when the loop closes.
        await asyncio.sleep(0.01)

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        except asyncio.CancelledError:
            # Shutdown: end quietly (asyncio's stream callback would report a cancelled task).
            pass
        finally:
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while not self._stopping.is_set():
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            try:
                request = Request.parse(head[:-4])
            except ValueError:
                await self._send_simple(writer, 400, b"bad request\n")
                return
            length = request.headers.get("content-length")
            if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
                await self._send_simple(writer, 413, b"request body too large\n")
                return
            if length and length.isdigit() and int(length) > 0:
                body = await reader.readexactly(int(length))
                request = replace(request, body=body)
            response = await self._handler(request)
            keep = await self._send(request, response, writer)
            if not keep:
                return

    async def _send_simple(self, writer: asyncio.StreamWriter, status: int, body: bytes) -> None:
        phrase = HTTPStatus(status).phrase
        head = (
            f"HTTP/1.1 {status} {phrase}\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode("latin-1")
        writer.write(head + body)
        await writer.drain()

    async def _send(
        self, request: Request, response: Response, writer: asyncio.StreamWriter
    ) -> bool:
        if response.delay > 0:
            # close() cancels this task, so a long 'timeout' fault never holds up shutdown.
            await asyncio.sleep(response.delay)
        if response.ending == Ending.RESET:
            _reset(writer)
            self._observer(request, 0, 0)
            return False
        keep_alive = (
            request.version == "HTTP/1.1"
            and request.headers.get("connection", "").lower() != "close"
            and response.ending == Ending.NORMAL
        )
        head = _head(response, keep_alive)
        sent = 0
        try:
            if request.method == "HEAD" or response.status in (204, 304) or response.status < 200:
                writer.write(head)
                sent = len(head)
                await writer.drain()
                return keep_alive
            if response.ending == Ending.TRUNCATE:
                part = head + response.body[: response.truncate_at or 0]
                writer.write(part)
                sent = len(part)
                await writer.drain()
                return False
            if response.stream is None:
                # One write: a separate small header segment would meet delayed ACKs.
                writer.write(head + response.body)
                sent = len(head) + len(response.body)
                await writer.drain()
                return keep_alive
            writer.write(head)
            sent = len(head)
            for chunk in response.stream():
                if self._stopping.is_set():
                    return False
                writer.write(chunk)
                sent += len(chunk)
                await writer.drain()
        finally:
            self._observer(request, response.status, sent)
        return keep_alive


def _head(response: Response, keep_alive: bool) -> bytes:
    try:
        phrase = HTTPStatus(response.status).phrase
    except ValueError:
        phrase = "Unknown"
    lines = [f"HTTP/1.1 {response.status} {phrase}"]
    names = {k.lower() for k, _ in response.headers}
    if "date" not in names:
        lines.append(f"Date: {formatdate(usegmt=True)}")
    for key, value in response.headers:
        lines.append(f"{key}: {value}")
    if "content-length" not in names and response.status not in (204, 304):
        lines.append(f"Content-Length: {response.content_length}")
    lines.append(f"Connection: {'keep-alive' if keep_alive else 'close'}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST: SO_LINGER on with a zero timeout makes close() abort the connection."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
