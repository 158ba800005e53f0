"""Fetching profiles politely and safely: the Fetcher contract and its httpx implementation."""

from __future__ import annotations

from scanner.fetch.client import FetchEvent, FetchStats, HttpFetcher, ProgressHook
from scanner.fetch.config import (
    DEFAULT_HOST_LIMITS,
    FetchConfig,
    HostLimits,
    Timeouts,
    TokenSource,
    TokenSources,
    effective_limits,
    tokens_from_env,
)
from scanner.fetch.deadline import AccountBudget, RunDeadline
from scanner.fetch.factory import HttpFetcherFactory, run_budget
from scanner.fetch.guard import SsrfRefused, classify_address
from scanner.fetch.interface import Fetched, Fetcher, FetcherFactory, FetchFailed, FetchOutcome
from scanner.fetch.politeness import Clock, SystemClock
from scanner.fetch.ratelimit import RateLimitInfo, parse_rate_limit
from scanner.fetch.rewrite import ANY_HOST, PlatformHosts, logical_host, rewrite, rewrite_url

__all__ = [
    "ANY_HOST",
    "DEFAULT_HOST_LIMITS",
    "AccountBudget",
    "Clock",
    "FetchConfig",
    "FetchEvent",
    "FetchFailed",
    "FetchOutcome",
    "FetchStats",
    "Fetched",
    "Fetcher",
    "FetcherFactory",
    "HostLimits",
    "HttpFetcher",
    "PlatformHosts",
    "HttpFetcherFactory",
    "ProgressHook",
    "RateLimitInfo",
    "RunDeadline",
    "SsrfRefused",
    "SystemClock",
    "Timeouts",
    "TokenSource",
    "TokenSources",
    "classify_address",
    "effective_limits",
    "logical_host",
    "parse_rate_limit",
    "rewrite",
    "rewrite_url",
    "run_budget",
    "tokens_from_env",
]
