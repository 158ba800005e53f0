"""Fetching profiles politely and safely: the Fetcher contract and its httpx implementation."""

from __future__ import annotations

from scanner.fetch.client import FetchEvent, FetchStats, HttpFetcher, ProgressHook
from scanner.fetch.config import (
    DEFAULT_HOST_LIMITS,
    TOKEN_SOURCES,
    FetchConfig,
    HostLimits,
    Timeouts,
    effective_limits,
    tokens_from_env,
)
from scanner.fetch.deadline import AccountBudget, RunDeadline
from scanner.fetch.guard import SsrfRefused, classify_address
from scanner.fetch.interface import Fetched, Fetcher, FetchFailed, FetchOutcome
from scanner.fetch.politeness import Clock, SystemClock
from scanner.fetch.ratelimit import RateLimitInfo, parse_rate_limit
from scanner.fetch.rewrite import logical_host, rewrite, rewrite_url

__all__ = [
    "DEFAULT_HOST_LIMITS",
    "TOKEN_SOURCES",
    "AccountBudget",
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
    "RunDeadline",
    "SsrfRefused",
    "SystemClock",
    "Timeouts",
    "classify_address",
    "effective_limits",
    "logical_host",
    "parse_rate_limit",
    "rewrite",
    "rewrite_url",
    "tokens_from_env",
]
