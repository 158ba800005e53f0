"""The simulated platforms, one module per family, filed in ``SITES`` by ``@register``; the
owner APIs, one module each, filed in ``API_SITES`` by ``@register_api``."""

from __future__ import annotations

from scanner.sandbox.sites import bluesky, feeds, github, mastodon, pages, reddit, youtube
from scanner.sandbox.sites.api_base import API_SITES, ApiSite
from scanner.sandbox.sites.api_github import GitHubApi
from scanner.sandbox.sites.api_linkedin import LinkedInApi
from scanner.sandbox.sites.api_meta import MetaGraph
from scanner.sandbox.sites.api_threads import ThreadsApi
from scanner.sandbox.sites.api_tiktok import TikTokApi
from scanner.sandbox.sites.api_x import XApi
from scanner.sandbox.sites.api_youtube import YouTubeDataApi
from scanner.sandbox.sites.base import SITES, BodyKind, Ctx, RateWindow, Route, Site

__all__ = ["API_SITES", "SITES", "ApiSite", "BodyKind", "Ctx", "RateWindow", "Route", "Site"]

# Imported for their @register / @register_api side effect.
_MODULES = (bluesky, feeds, github, mastodon, pages, reddit, youtube)
_APIS = (GitHubApi, LinkedInApi, MetaGraph, ThreadsApi, TikTokApi, XApi, YouTubeDataApi)
