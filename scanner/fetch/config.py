"""Fetch settings as one frozen value: endpoint overrides, network policy, limits and tokens.

Tokens are read from the environment once, when the config is built, and never shown: the repr
masks them, so a config can be logged or put in an error message safely.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import httpx

from scanner import __version__
from scanner.errors import UsageError
from scanner.fetch.rewrite import PlatformHosts

__all__ = [
    "DEFAULT_HOST_LIMITS",
    "FetchConfig",
    "HostLimits",
    "Timeouts",
    "TokenSource",
    "TokenSources",
    "check_endpoint",
    "effective_limits",
    "tokens_from_env",
]


@dataclass(frozen=True)
class HostLimits:
    """Politeness for one logical host: at most ``concurrency`` requests in flight and at least
    ``min_interval`` seconds between the starts of two requests."""

    concurrency: int = 2
    min_interval: float = 0.0

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise UsageError(f"host concurrency must be at least 1, got {self.concurrency}")
        if self.min_interval < 0:
            raise UsageError(f"host min_interval must not be negative, got {self.min_interval}")


DEFAULT_HOST_LIMITS = HostLimits(concurrency=2, min_interval=0.25)
"""For a platform that neither the specs nor the config file give limits for (key ``default``)."""


@dataclass(frozen=True)
class Timeouts:
    """Deadlines in seconds.

    ``connect``, ``read``, ``write`` and ``pool`` bound each phase of one attempt (see
    :class:`httpx.Timeout`); a read timeout restarts with every byte, so a server that trickles
    one byte or one header line every few seconds never trips it. ``attempt`` bounds one attempt
    whole, connect to last body byte. ``account`` bounds one account: the time its requests
    (retries, redirects and follow-up activity requests included) spend holding a connection
    or backing off; time queued behind other accounts does not count. ``run`` bounds the whole
    run; None means scaled to the run's targets (``scanner.fetch.factory.run_budget``).
    """

    connect: float = 5.0
    read: float = 15.0
    write: float = 10.0
    pool: float = 30.0
    attempt: float = 20.0
    account: float = 60.0
    run: float | None = None

    def __post_init__(self) -> None:
        for name in ("connect", "read", "write", "pool", "attempt", "account", "run"):
            value = getattr(self, name)
            if value is not None and not (value > 0 and math.isfinite(value)):
                raise UsageError(
                    f"timeouts.{name} must be a number of seconds above 0, got {value}"
                )

    def to_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


@dataclass(frozen=True)
class TokenSource:
    """A credential a platform's spec names: read from environment variable ``env`` and sent
    only over HTTPS to exactly ``host`` (or to the endpoint override configured for the
    platform), as header ``header`` (``scheme`` + space + token, or the bare token when
    ``scheme`` is empty, as API keys in their own header are sent). ``name`` is empty for the
    spec's default credential, else a named credential of the config file, sent only when a
    request asks for it."""

    env: str
    host: str
    header: str
    scheme: str
    name: str = ""

    def header_value(self, token: str) -> str:
        return f"{self.scheme} {token}" if self.scheme else token


TokenSources = Mapping[str, tuple[TokenSource, ...]]
"""Platform name → its token sources (data from the platform specs)."""

_FROM_ENVIRONMENT: Mapping[str, str] = MappingProxyType({})
"""Marks ``FetchConfig.tokens`` as "not given": read the sources' variables when built."""


def tokens_from_env(
    sources: TokenSources, environ: Mapping[str, str] | None = None
) -> Mapping[str, str]:
    """Variable name → token for every source's variable that is set and non-empty."""
    env = os.environ if environ is None else environ
    names = dict.fromkeys(s.env for group in sources.values() for s in group)
    return MappingProxyType({n: env[n].strip() for n in names if env.get(n, "").strip()})


def check_endpoint(base_url: str) -> str | None:
    """Why ``base_url`` cannot be an endpoint override, or None when it can."""
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        return f"expected an http(s) base URL, got {base_url!r} ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return (
            f"expected an http(s) base URL such as http://127.0.0.1:8080/github, got {base_url!r}"
        )
    if parts.query or parts.fragment:
        return f"a base URL takes no query or fragment, got {base_url!r}"
    return None


@dataclass(frozen=True, repr=False)
class FetchConfig:
    """Everything the fetcher needs; build it once per run.

    ``endpoints`` maps a platform name to a base URL that replaces the scheme and host of every
    URL built for that platform (the sandbox, a self-hosted instance), but only URLs on the
    platform's ``platform_hosts``: a config without them applies no override. ``host_limits``
    overrides per-platform politeness (the platform specs give the defaults). ``token_sources``
    says which environment variable's token goes to which host; ``tokens`` (variable name →
    token) defaults to reading those variables once, now (:func:`tokens_from_env`).
    ``platform_hosts`` and ``token_sources`` are platform facts: the code that builds the config
    passes them from the platform specs (this layer knows no platform). ``transport`` is a seam
    for tests: when given, it is used instead of the guarded network transport (the SSRF
    pre-check still runs).
    """

    endpoints: Mapping[str, str] = field(default_factory=dict)
    allow_private_network: bool = False
    contact_url: str | None = None
    proxy: str | None = None
    timeouts: Timeouts = field(default_factory=Timeouts)
    max_body_bytes: int = 5 * 1024 * 1024
    max_decompression_ratio: float = 100.0
    max_redirects: int = 5
    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    max_rate_limit_wait: float = 60.0
    """The most seconds one host may hold its requests, over the whole run, with Retry-After
    and rate-limit pauses; a host that asks for more is given up on (``rate_limited``). Set by
    ``max_wait`` in the config file's ``[timeouts]`` table or ``--timeout max_wait=S``."""
    global_concurrency: int = 32
    host_limits: Mapping[str, HostLimits] = field(default_factory=dict)
    platform_hosts: PlatformHosts = field(default_factory=dict)
    token_sources: TokenSources = field(default_factory=dict)
    tokens: Mapping[str, str] = field(default_factory=lambda: _FROM_ENVIRONMENT)
    transport: httpx.AsyncBaseTransport | None = None
    api_versions: Mapping[str, str] = field(default_factory=dict)
    """Owner-API endpoint name → the version to call (``[apis.meta-graph] version`` in the
    config file); the specs give the defaults."""

    def __post_init__(self) -> None:
        endpoints: dict[str, str] = {}
        for platform, base in self.endpoints.items():
            problem = check_endpoint(base)
            if problem:
                raise UsageError(f"endpoint for {platform}: {problem}")
            endpoints[platform] = base.rstrip("/")
        object.__setattr__(self, "endpoints", MappingProxyType(endpoints))
        object.__setattr__(self, "host_limits", MappingProxyType(dict(self.host_limits)))
        object.__setattr__(self, "api_versions", MappingProxyType(dict(self.api_versions)))
        hosts = {p: tuple(h.lower() for h in hs) for p, hs in self.platform_hosts.items()}
        object.__setattr__(self, "platform_hosts", MappingProxyType(hosts))
        sources = {p: tuple(group) for p, group in self.token_sources.items()}
        object.__setattr__(self, "token_sources", MappingProxyType(sources))
        if self.tokens is _FROM_ENVIRONMENT:
            object.__setattr__(self, "tokens", tokens_from_env(self.token_sources))
        else:
            object.__setattr__(self, "tokens", MappingProxyType(dict(self.tokens)))
        for name in ("max_body_bytes", "global_concurrency"):
            if getattr(self, name) < 1:
                raise UsageError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("max_redirects", "max_retries"):
            if getattr(self, name) < 0:
                raise UsageError(f"{name} must not be negative, got {getattr(self, name)}")
        if not (self.max_rate_limit_wait >= 0 and math.isfinite(self.max_rate_limit_wait)):
            raise UsageError(
                "timeouts.max_wait must be a number of seconds (0 or more), "
                f"got {self.max_rate_limit_wait}"
            )
        if self.max_decompression_ratio <= 1:
            raise UsageError(
                f"max_decompression_ratio must be above 1, got {self.max_decompression_ratio}"
            )

    @property
    def user_agent(self) -> str:
        """Honest and contactable: ``rollcall/<version> (+<contact_url>)``."""
        if self.contact_url:
            return f"rollcall/{__version__} (+{self.contact_url})"
        return f"rollcall/{__version__}"

    def __repr__(self) -> str:
        shown: dict[str, Any] = {
            "endpoints": dict(self.endpoints),
            "allow_private_network": self.allow_private_network,
            "contact_url": self.contact_url,
            "proxy": _mask_userinfo(self.proxy),
            "timeouts": self.timeouts,
            "max_body_bytes": self.max_body_bytes,
            "max_redirects": self.max_redirects,
            "max_retries": self.max_retries,
            "max_rate_limit_wait": self.max_rate_limit_wait,
            "global_concurrency": self.global_concurrency,
            "host_limits": dict(self.host_limits),
            "api_versions": dict(self.api_versions),
            "tokens": dict.fromkeys(self.tokens, "***"),
        }
        body = ", ".join(f"{k}={v!r}" for k, v in shown.items())
        return f"FetchConfig({body})"

    __str__ = __repr__


def effective_limits(
    platform: str | None, spec_limits: Mapping[str, HostLimits], config: FetchConfig
) -> HostLimits:
    """The politeness for ``platform``'s hosts: the config file's limits win over the specs'
    (``spec_limits``), and ``default`` (else :data:`DEFAULT_HOST_LIMITS`) covers the rest."""
    merged = {**spec_limits, **config.host_limits}
    if platform is not None and platform in merged:
        return merged[platform]
    return merged.get("default", DEFAULT_HOST_LIMITS)


def _mask_userinfo(url: str | None) -> str | None:
    """A proxy URL may carry a password (``http://user:pw@proxy:3128``): never show it."""
    if url is None or "@" not in url:
        return url
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}***@{rest.rpartition('@')[2]}" if sep else "***"
