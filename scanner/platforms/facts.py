"""Platform facts derived from the specs as plain data, for the layers that must not know a
platform: the fetcher's hosts, tokens and politeness, the policy's capabilities.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from scanner.fetch.config import FetchConfig, HostLimits, TokenSources
from scanner.fetch.rewrite import PlatformHosts
from scanner.model import Platform
from scanner.platforms.api.interface import Api
from scanner.platforms.interface import ApiSpec
from scanner.platforms.registry import all_specs

__all__ = [
    "all_capabilities",
    "api_spec",
    "api_specs",
    "host_limits",
    "platform_fetch_config",
    "platform_hosts",
    "token_env_names",
    "token_sources",
]


@cache
def api_specs() -> Mapping[Api, ApiSpec]:
    """Owner API → the spec block that declares it. Every endpoint a spec names is declared in
    exactly one spec (its one home); anything else is a packaging bug, raised at once."""
    declared: dict[Api, ApiSpec] = {}
    named: set[Api] = set()
    for spec in all_specs().values():
        if spec.api is None:
            continue
        named.add(spec.api.endpoint)
        if spec.api.declares:
            if spec.api.endpoint in declared:
                raise RuntimeError(f"API {spec.api.endpoint} is declared in two specs")
            declared[spec.api.endpoint] = spec.api
    if named - set(declared):
        raise RuntimeError(f"API {sorted(named - set(declared))} named but declared nowhere")
    return MappingProxyType(declared)


def api_spec(endpoint: Api) -> ApiSpec:
    return api_specs()[Api(endpoint)]


def platform_hosts() -> PlatformHosts:
    """Platform or API endpoint name → the hosts its endpoint override applies to (each spec's
    ``hosts``, each API's ``hosts``)."""
    hosts = {p.value: spec.hosts for p, spec in all_specs().items()}
    hosts.update({api.value: spec.hosts for api, spec in api_specs().items()})
    return MappingProxyType(hosts)


def token_sources() -> TokenSources:
    """Platform or API endpoint name → the tokens its spec reads from the environment (those
    with none are left out)."""
    sources = {p.value: s.tokens for p, s in all_specs().items() if s.tokens}
    sources.update({a.value: (s.token,) for a, s in api_specs().items() if s.token})
    return MappingProxyType(sources)


def token_env_names() -> tuple[str, ...]:
    """Every environment variable a spec reads a token from, in spec order."""
    names = (source.env for group in token_sources().values() for source in group)
    return tuple(dict.fromkeys(names))


def host_limits() -> dict[str, HostLimits]:
    """Per-platform politeness defaults from the specs (keyed by platform name)."""
    limits = {
        platform.value: HostLimits(spec.rate_limit.concurrency, spec.rate_limit.min_interval)
        for platform, spec in all_specs().items()
    }
    for api, spec in api_specs().items():
        if spec.rate_limit is not None:
            limits[api.value] = HostLimits(
                spec.rate_limit.concurrency, spec.rate_limit.min_interval
            )
    return limits


def all_capabilities() -> MappingProxyType[Platform, frozenset[str]]:
    """Platform → the Observation fields its adapter can fill (each spec's ``extracts``)."""
    return MappingProxyType({p: spec.extracts for p, spec in all_specs().items()})


def platform_fetch_config(**settings: Any) -> FetchConfig:
    """A :class:`FetchConfig` carrying the specs' hosts and token sources (so endpoint
    overrides apply and tokens are read from the environment), with ``settings`` on top."""
    settings.setdefault("platform_hosts", platform_hosts())
    settings.setdefault("token_sources", token_sources())
    return FetchConfig(**settings)
