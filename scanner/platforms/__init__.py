"""Platforms: one spec per platform (``specs/*.yaml``, data) plus the adapters that read each
platform's public answers into five-state Observations (present, absent, blocked, error,
invalid). ``adapter_for(platform)`` is the entry point.
"""

from __future__ import annotations

from scanner.platforms import bluesky, feeds, github, htmlprofile, mastodon, reddit, youtube
from scanner.platforms.facts import (
    all_capabilities,
    api_spec,
    api_specs,
    host_limits,
    platform_fetch_config,
    platform_hosts,
    token_env_names,
    token_sources,
)
from scanner.platforms.handles import handle_key, name_part, normalize_handle, page_kind
from scanner.platforms.interface import (
    DEFAULT_KIND,
    ContentKind,
    HandleRules,
    PageKind,
    PlatformAdapter,
    PlatformSpec,
    ProbeSpec,
    RateLimits,
    SupportLevel,
)
from scanner.platforms.registry import (
    EXTRACTORS,
    adapter_for,
    all_specs,
    capabilities,
    register,
    spec_for,
)

_ADAPTER_MODULES = (bluesky, feeds, github, htmlprofile, mastodon, reddit, youtube)
"""Imported for their ``@register`` calls: every extractor is registered before any spec is
loaded (a spec naming an unregistered extractor is refused)."""

__all__ = [
    "DEFAULT_KIND",
    "EXTRACTORS",
    "ContentKind",
    "HandleRules",
    "PageKind",
    "PlatformAdapter",
    "PlatformSpec",
    "ProbeSpec",
    "RateLimits",
    "SupportLevel",
    "adapter_for",
    "all_capabilities",
    "all_specs",
    "api_spec",
    "api_specs",
    "capabilities",
    "handle_key",
    "host_limits",
    "name_part",
    "normalize_handle",
    "page_kind",
    "platform_fetch_config",
    "platform_hosts",
    "register",
    "spec_for",
    "token_env_names",
    "token_sources",
]
