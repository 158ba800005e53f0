"""Endpoint overrides: send a platform's real URLs to another base URL, keeping path and query.

``https://api.example.com/u/acme`` with ``acme=http://127.0.0.1:8080/acme`` becomes
``http://127.0.0.1:8080/acme/u/acme`` when ``example.com`` is one of the platform's hosts.
Politeness stays keyed by the *logical* host (the real one), so one sandbox serving every
platform still sees per-platform limits.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "ANY_HOST",
    "PlatformHosts",
    "Rewritten",
    "belongs_to",
    "host_port",
    "logical_host",
    "rewrite",
    "rewrite_url",
]

ANY_HOST = "*"
"""A platform host entry meaning any DNS name (a federated platform: Mastodon instances)."""

PlatformHosts = Mapping[str, tuple[str, ...]]
"""Platform name → the domains an endpoint override of that platform applies to; each domain
covers its subdomains. Data from the platform specs, handed in by whoever builds the config."""


@dataclass(frozen=True)
class Rewritten:
    """The URL to request, and the original host when an override was applied."""

    url: str
    forwarded_host: str | None = None


def belongs_to(platform: str, host: str, hosts: PlatformHosts) -> bool:
    """True when ``host`` is one of ``platform``'s ``hosts`` (an unknown platform owns none)."""
    host = host.lower().rstrip(".")
    for domain in hosts.get(platform, ()):
        if domain == ANY_HOST:
            # Any instance is a DNS name; an IP literal or localhost is never one we rewrite.
            if host != "localhost" and not _is_ip_literal(host):
                return True
        elif host == domain or host.endswith("." + domain):
            return True
    return False


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def rewrite(
    platform: str | None, url: str, endpoints: Mapping[str, str], hosts: PlatformHosts
) -> Rewritten:
    """Apply ``platform``'s endpoint override to ``url`` when the URL is on one of its
    ``hosts`` (a platform without hosts gets no override).

    A URL elsewhere (an inventory link to a company site, a redirect off the platform) is left
    alone, so it still meets the SSRF guard instead of being silently sent to the override.
    """
    if platform is None or platform not in endpoints:
        return Rewritten(url)
    parts = urlsplit(url)
    host = parts.hostname
    if not host or not belongs_to(platform, host, hosts):
        return Rewritten(url)
    base = urlsplit(endpoints[platform].rstrip("/"))
    path = base.path + (parts.path or "/")
    new = urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))
    return Rewritten(new, forwarded_host=parts.netloc.rpartition("@")[2].lower())


def rewrite_url(
    platform: str | None, url: str, endpoints: Mapping[str, str], hosts: PlatformHosts
) -> str:
    """The URL actually requested for ``url`` (see :func:`rewrite`)."""
    return rewrite(platform, url, endpoints, hosts).url


def logical_host(url: str) -> str:
    """The host politeness is keyed on: the real host, before any override (lower case)."""
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def host_port(url: str) -> tuple[str, int]:
    """``(host, port)`` with the scheme's default port filled in (raises ValueError)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    return host, port
