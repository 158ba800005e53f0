"""SSRF guard: refuse destinations that resolve to loopback, private, link-local, multicast,
reserved or unspecified addresses, unless private networks are allowed or the host was named by
an explicit endpoint override.

DNS rebinding: :class:`GuardedBackend` is the network backend of the default transport. It
resolves the host itself, vets every address, and opens the TCP connection to the vetted IP
(TLS still verifies the certificate against the host name), so no second, unchecked lookup ever
happens between the check and the connection.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

import httpcore

__all__ = [
    "GuardedBackend",
    "NetworkGuard",
    "Resolver",
    "SsrfRefused",
    "classify_address",
    "system_resolver",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""``(host, port) -> IP addresses``; raises OSError (socket.gaierror) when the name is unknown."""

# NAT64 (RFC 6052) embeds an IPv4 address in the low 32 bits.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class SsrfRefused(Exception):
    """A destination the guard refused; carries the human reason."""

    def __init__(self, host: str, address: str, category: str) -> None:
        self.host = host
        self.address = address
        self.category = category
        where = host if host == address else f"{host} ({address})"
        super().__init__(
            f"refused to connect to {where}: {category} address; "
            "pass --allow-private-network to allow it"
        )


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """getaddrinfo in the loop's thread pool, so a slow resolver never blocks the event loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for *_, sockaddr in infos:
        address = str(sockaddr[0]).partition("%")[0]  # drop an IPv6 scope id (fe80::1%eth0)
        if address not in addresses:
            addresses.append(address)
    return addresses


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address hidden in a mapped, 6to4, Teredo or NAT64 IPv6 address."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def classify_address(address: str | IPAddress) -> str | None:
    """Why this address is not a public destination (e.g. ``"private"``), or None when it is."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return classify_address(inner)
    checks: tuple[tuple[bool, str], ...] = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
        (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local, "site-local"),
        # Carrier-grade NAT (100.64.0.0/10) and other special-purpose ranges are not global.
        (not ip.is_global, "non-global"),
    )
    for hit, category in checks:
        if hit:
            return category
    return None


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


@dataclass(frozen=True)
class NetworkGuard:
    """The policy: which (host, port) pairs are trusted and whether private networks are fine.

    ``trusted`` holds the ``(host, port)`` of every explicit endpoint override; ``lenient_dns``
    (set when a proxy resolves names for us) lets a name we cannot resolve locally through.
    """

    allow_private_network: bool
    trusted: frozenset[tuple[str, int]]
    resolver: Resolver = system_resolver
    lenient_dns: bool = False

    def is_trusted(self, host: str, port: int) -> bool:
        return self.allow_private_network or (host.lower().rstrip("."), port) in self.trusted

    async def vet(self, host: str, port: int) -> Sequence[str]:
        """Resolve ``host`` and return its addresses when every one is allowed.

        Raises :class:`SsrfRefused` when any address is not public (a name that resolves to a
        public and a private address is refused: the attacker picks which one we would use), and
        OSError when the name cannot be resolved.
        """
        literal = _ip_literal(host)
        if literal is not None:
            addresses: Sequence[str] = [str(literal)]
        else:
            try:
                addresses = await self.resolver(host, port)
            except OSError:
                if self.lenient_dns:
                    return []
                raise
            if not addresses:
                raise socket.gaierror(socket.EAI_NONAME, f"no address for {host}")
        if not self.is_trusted(host, port):
            self._check(host, addresses)
        return addresses

    @staticmethod
    def _check(host: str, addresses: Iterable[str]) -> None:
        for address in addresses:
            category = classify_address(address)
            if category is not None:
                raise SsrfRefused(host, address, category)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to addresses the guard vetted.

    ``inner`` does the actual connecting (tests pass a recording backend that refuses anything
    but loopback, proving no refused destination is ever dialled).
    """

    def __init__(self, guard: NetworkGuard, inner: httpcore.AsyncNetworkBackend) -> None:
        self._guard = guard
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self._guard.vet(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        if last is None:
            raise httpcore.ConnectError(f"no address to connect to for {host}")
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by Rollcall")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
