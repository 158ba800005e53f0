"""Owner-API connectors: the brand platforms seen through the organization's own credentials.
One module per API (``meta``, ``threads``, ``x``, ``linkedin``, ``tiktok``, ``youtube_data``,
``github_rest``): request builders and pure parsers over Fetched answers; the contract is in
``interface``.
"""

from __future__ import annotations

from scanner.platforms.api.interface import (
    SECRET_PARAMS,
    Activity,
    Answer,
    Api,
    ApiRequest,
    Facts,
    Method,
    Outcome,
    Rule,
    Throttle,
    observation,
    scrub_url,
)

__all__ = [
    "SECRET_PARAMS",
    "Activity",
    "Answer",
    "Api",
    "ApiRequest",
    "Facts",
    "Method",
    "Outcome",
    "Rule",
    "Throttle",
    "observation",
    "scrub_url",
]
