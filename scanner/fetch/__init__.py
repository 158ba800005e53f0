"""Fetching profiles politely and safely: the Fetcher contract and its httpx implementation."""

from __future__ import annotations

from scanner.fetch.client import FetchEvent, FetchStats, HttpFetcher, ProgressHook
from scanner.fetch.config import (
    DEFAULT_HOST_LIMITS,
    TOKEN_SOURCES,
    FetchConfig,
    HostLimits,
    Timeouts,
    tokens_from_env,
)
from scanner.fetch.guard import SsrfRefused, classify_address
from scanner.fetch.interface import Fetched, Fetcher, FetchFailed, FetchOutcome
from scanner.fetch.politeness import Clock, SystemClock
from scanner.fetch.ratelimit import RateLimitInfo, parse_rate_limit
from scanner.fetch.rewrite import logical_host, rewrite, rewrite_url

__all__ = [
    "DEFAULT_HOST_LIMITS",
    "TOKEN_SOURCES",
    "Clock",
    "FetchConfig",
    "FetchEvent",
    "FetchFailed",
    "FetchOutcome",
    "FetchStats",
    "Fetched",
    "Fetcher",
    "HostLimits",
    "HttpFetcher",
    "ProgressHook",
    "RateLimitInfo",
    "SsrfRefused",
    "SystemClock",
    "Timeouts",
    "classify_address",
    "logical_host",
    "parse_rate_limit",
    "rewrite",
    "rewrite_url",
    "tokens_from_env",
]
