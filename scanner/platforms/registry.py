"""The extractor registry and the per-platform adapter lookup.

Extractors (adapter classes) register under a name with ``@register("github")`` when their
module is imported (the package imports them all); each spec names its extractor.
``adapter_for(platform)`` loads the platform's spec (validated) and returns one shared adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TypeVar

from scanner.errors import ValidationError, merge
from scanner.model import Platform
from scanner.platforms.base import BaseAdapter
from scanner.platforms.interface import PlatformAdapter, PlatformSpec
from scanner.platforms.specs import load_spec, packaged_spec_paths

__all__ = [
    "EXTRACTORS",
    "adapter_for",
    "all_specs",
    "capabilities",
    "register",
    "spec_for",
]

EXTRACTORS: dict[str, type[BaseAdapter]] = {}
"""Extractor name → adapter class, filled by :func:`register`."""

A = TypeVar("A", bound=type[BaseAdapter])


def register(name: str) -> Callable[[A], A]:
    """Class decorator: make an adapter class available to specs as ``extractor: name``."""

    def decorator(cls: A) -> A:
        if name in EXTRACTORS and EXTRACTORS[name] is not cls:
            raise RuntimeError(f"extractor {name!r} registered twice")
        EXTRACTORS[name] = cls
        return cls

    return decorator


@cache
def all_specs() -> dict[Platform, PlatformSpec]:
    """Every shipped spec, validated; all problems of all specs are raised together."""
    paths = packaged_spec_paths()
    specs: dict[Platform, PlatformSpec] = {}
    errors: list[ValidationError] = []
    for platform in Platform:
        path = paths.get(platform)
        if path is None:
            errors.append(
                ValidationError.single(
                    f"scanner/platforms/specs/{platform.value}.yaml",
                    None,
                    f"no spec for platform {platform.value!r}; expected one file per platform",
                )
            )
            continue
        try:
            spec = load_spec(path, extractors=EXTRACTORS.keys())
        except ValidationError as exc:
            errors.append(exc)
            continue
        if spec.platform is not platform:
            errors.append(
                ValidationError.single(
                    str(path),
                    spec.location.line,
                    f"spec declares platform {spec.platform.value!r}; expected "
                    f"{platform.value!r} (the file name)",
                )
            )
            continue
        specs[platform] = spec
    if errors:
        raise merge(errors)
    return specs


def spec_for(platform: Platform) -> PlatformSpec:
    return all_specs()[Platform(platform)]


@cache
def adapter_for(platform: Platform) -> PlatformAdapter:
    """The adapter for ``platform`` (one shared, stateless instance)."""
    spec = spec_for(Platform(platform))
    return EXTRACTORS[spec.extractor](spec)


def capabilities(platform: Platform) -> frozenset[str]:
    """The Observation fields the platform's adapter can fill."""
    return spec_for(Platform(platform)).extracts
