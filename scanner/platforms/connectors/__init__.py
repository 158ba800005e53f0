"""Owner-API connectors: observe the brand platforms' accounts through the organization's own
credentials (issue 12), one connector per spec ``api.connector``; ``connector_for`` finds it.
The request builders and parsers they use are in ``scanner.platforms.api``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from scanner.model import Platform
from scanner.platforms.connectors.base import BaseConnector
from scanner.platforms.connectors.github import GitHubOrganization
from scanner.platforms.connectors.interface import (
    CREDENTIAL_INVALID,
    MAX_API_WAIT,
    ApiAccess,
    ApiRun,
    Connector,
    Credential,
    Reply,
    Session,
)
from scanner.platforms.connectors.meta import FacebookPage, InstagramBusiness, ThreadsUser
from scanner.platforms.connectors.others import (
    LinkedInOrganization,
    TikTokUser,
    XUser,
    YouTubeChannel,
)
from scanner.platforms.registry import spec_for

__all__ = [
    "CONNECTORS",
    "CREDENTIAL_INVALID",
    "MAX_API_WAIT",
    "ApiAccess",
    "ApiRun",
    "Connector",
    "Credential",
    "Reply",
    "Session",
    "connector_for",
]

_ALL: tuple[BaseConnector, ...] = (
    FacebookPage(),
    InstagramBusiness(),
    ThreadsUser(),
    XUser(),
    LinkedInOrganization(),
    TikTokUser(),
    YouTubeChannel(),
    GitHubOrganization(),
)

CONNECTORS: Mapping[str, Connector] = MappingProxyType({c.name: c for c in _ALL})
"""Connector name (a spec's ``api.connector``) → the shared, stateless connector."""


def connector_for(platform: Platform) -> Connector | None:
    """The connector of ``platform``'s owner API; None when its spec declares none."""
    api = spec_for(Platform(platform)).api
    return CONNECTORS[api.connector] if api is not None else None
