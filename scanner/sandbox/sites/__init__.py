"""The simulated platforms, one module per family, filed in ``SITES`` by ``@register``."""

from __future__ import annotations

from scanner.sandbox.sites import bluesky, feeds, github, mastodon, pages, reddit, youtube
from scanner.sandbox.sites.base import SITES, BodyKind, Ctx, RateWindow, Route, Site

__all__ = ["SITES", "BodyKind", "Ctx", "RateWindow", "Route", "Site"]

# Imported for their @register side effect.
_MODULES = (bluesky, feeds, github, mastodon, pages, reddit, youtube)
