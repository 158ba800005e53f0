"""The guarded transport: an httpx transport over httpcore's connection pool on the SSRF guard's
network backend, so every TCP connection goes to an address vetted at that moment. Written on
httpx's and httpcore's public APIs only (httpx's own transport takes no network backend).
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterable, AsyncIterator, Iterator, Mapping
from contextlib import contextmanager

import httpcore
import httpx

__all__ = ["EXCEPTIONS", "GuardedTransport"]

EXCEPTIONS: Mapping[type[Exception], type[httpx.TransportError]] = {
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
}
"""httpcore's exceptions and the httpx ones they become; an exception takes the entry of its
nearest class (a ReadTimeout is httpx's ReadTimeout, not just a TimeoutException)."""


@contextmanager
def _mapped(request: httpx.Request) -> Iterator[None]:
    """Raise httpcore's exceptions as httpx's (see :data:`EXCEPTIONS`); any other exception,
    such as the guard's SsrfRefused, passes through unchanged."""
    try:
        yield
    except Exception as exc:
        target = next((EXCEPTIONS[c] for c in type(exc).__mro__ if c in EXCEPTIONS), None)
        if target is None:
            raise
        raise target(str(exc), request=request) from exc


class _ResponseStream(httpx.AsyncByteStream):
    """httpcore's response body as an httpx stream, read as it arrives (the fetcher caps it)."""

    def __init__(self, stream: AsyncIterable[bytes], request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped(self._request):
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        # Closing httpcore's stream hands the connection back to the pool (or drops it when the
        # body was not read to the end); its type is only AsyncIterable in httpcore's API.
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            await close()


class GuardedTransport(httpx.AsyncBaseTransport):
    """One connection pool of ``limits`` size over ``backend`` (a
    :class:`~scanner.fetch.guard.GuardedBackend`), with the TLS context ``ssl_context``."""

    def __init__(
        self,
        limits: httpx.Limits,
        backend: httpcore.AsyncNetworkBackend,
        ssl_context: ssl.SSLContext,
    ) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(request.stream, httpx.AsyncByteStream):
            raise TypeError("GuardedTransport needs a request with an async body stream")
        url = request.url
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _mapped(request):
            response = await self._pool.handle_async_request(core)
        if not isinstance(response.stream, AsyncIterable):
            raise TypeError("httpcore's async pool answered with a sync body stream")
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream, request),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()
