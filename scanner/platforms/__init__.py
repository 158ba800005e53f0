"""Platforms: one spec per platform (``specs/*.yaml``, data) plus the adapters that read each
platform's public answers into five-state Observations (present, absent, blocked, error,
invalid). ``adapter_for(platform)`` is the entry point.
"""

from __future__ import annotations

from scanner.platforms.interface import (
    ContentKind,
    HandleRules,
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

__all__ = [
    "EXTRACTORS",
    "ContentKind",
    "HandleRules",
    "PlatformAdapter",
    "PlatformSpec",
    "ProbeSpec",
    "RateLimits",
    "SupportLevel",
    "adapter_for",
    "all_specs",
    "capabilities",
    "register",
    "spec_for",
]
