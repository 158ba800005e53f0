"""Platform facts derived from the specs as plain data, for the layers that must not know a
platform: the fetcher's hosts, tokens and politeness, the policy's capabilities.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from scanner.fetch.config import FetchConfig, HostLimits, TokenSources
from scanner.fetch.rewrite import PlatformHosts
from scanner.model import Platform
from scanner.platforms.registry import all_specs

__all__ = [
    "all_capabilities",
    "host_limits",
    "platform_fetch_config",
    "platform_hosts",
    "token_env_names",
    "token_sources",
]


def platform_hosts() -> PlatformHosts:
    """Platform name → the hosts its endpoint override applies to (each spec's ``hosts``)."""
    return MappingProxyType({p.value: spec.hosts for p, spec in all_specs().items()})


def token_sources() -> TokenSources:
    """Platform name → the tokens its spec reads from the environment (platforms with none are
    left out)."""
    return MappingProxyType({p.value: s.tokens for p, s in all_specs().items() if s.tokens})


def token_env_names() -> tuple[str, ...]:
    """Every environment variable a spec reads a token from, in spec order."""
    names = (source.env for group in token_sources().values() for source in group)
    return tuple(dict.fromkeys(names))


def host_limits() -> dict[str, HostLimits]:
    """Per-platform politeness defaults from the specs (keyed by platform name)."""
    return {
        platform.value: HostLimits(spec.rate_limit.concurrency, spec.rate_limit.min_interval)
        for platform, spec in all_specs().items()
    }


def all_capabilities() -> MappingProxyType[Platform, frozenset[str]]:
    """Platform → the Observation fields its adapter can fill (each spec's ``extracts``)."""
    return MappingProxyType({p: spec.extracts for p, spec in all_specs().items()})


def platform_fetch_config(**settings: Any) -> FetchConfig:
    """A :class:`FetchConfig` carrying the specs' hosts and token sources (so endpoint
    overrides apply and tokens are read from the environment), with ``settings`` on top."""
    settings.setdefault("platform_hosts", platform_hosts())
    settings.setdefault("token_sources", token_sources())
    return FetchConfig(**settings)
