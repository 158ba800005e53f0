"""Owner-API connectors: the brand platforms seen through the organization's own credentials.
One module per API (``meta``, ``threads``, ``x``, ``linkedin``, ``tiktok``, ``youtube_data``):
request builders and pure parsers over Fetched answers; the contract is in ``interface``.
"""

from __future__ import annotations

from scanner.platforms.api.interface import (
    AUTH_PLACEMENT,
    DEFAULT_BASES,
    SECRET_PARAMS,
    Activity,
    Answer,
    Api,
    ApiRequest,
    AuthPlacement,
    Facts,
    Method,
    Outcome,
    Rule,
    Throttle,
    authorize,
    observation,
    scrub_url,
)

__all__ = [
    "AUTH_PLACEMENT",
    "DEFAULT_BASES",
    "SECRET_PARAMS",
    "Activity",
    "Answer",
    "Api",
    "ApiRequest",
    "AuthPlacement",
    "Facts",
    "Method",
    "Outcome",
    "Rule",
    "Throttle",
    "authorize",
    "observation",
    "scrub_url",
]
