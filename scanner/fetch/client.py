"""The polite HTTP fetcher: :class:`HttpFetcher` implements the Fetcher protocol on
``httpx.AsyncClient`` with per-host politeness, rate-limit pauses, retries, size caps, manual
redirects, the SSRF guard and deadlines (attempt, account, run). It never raises for network
trouble (see interface.py).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType, TracebackType
from typing import Self
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from scanner.fetch.body import BodyLimits, BodyRefused, read_body
from scanner.fetch.config import FetchConfig, HostLimits, TokenSource, effective_limits
from scanner.fetch.deadline import AccountBudget, RunDeadline
from scanner.fetch.guard import GuardedBackend, NetworkGuard, Resolver, SsrfRefused, system_resolver
from scanner.fetch.interface import Fetched, Fetcher, FetchFailed, FetchOutcome
from scanner.fetch.politeness import Clock, HostGate, HostGaveUp, SystemClock, backoff_delay
from scanner.fetch.ratelimit import parse_rate_limit
from scanner.fetch.rewrite import (
    ANY_HOST,
    Rewritten,
    host_port,
    logical_host,
    rewrite,
)
from scanner.fetch.transport import GuardedTransport
from scanner.model import Reason

__all__ = ["FetchEvent", "FetchStats", "HttpFetcher", "ProgressHook", "build_transport"]

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({502, 503, 504})
"""Transient server trouble. 403 and 404 are answers, never retried; 500 is usually a bug that a
retry will not fix."""
RETRY_FAILURES = frozenset({"timeout", "connect_error", "connection_reset"})


@dataclass(frozen=True)
class FetchStats:
    """Counters since the fetcher was created (a snapshot; ``fetcher.stats`` makes a new one).

    ``requests`` counts HTTP requests sent (every attempt and redirect hop), ``bytes_received``
    body bytes read off the wire (before decoding), ``rate_limit_waits`` and ``wait_seconds``
    the pauses a host's rate limits imposed.
    """

    requests: int = 0
    bytes_received: int = 0
    retries: int = 0
    redirects: int = 0
    rate_limit_waits: int = 0
    wait_seconds: float = 0.0
    not_modified: int = 0
    statuses: Mapping[int, int] = field(default_factory=dict)
    failures: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class FetchEvent:
    """One finished ``get`` (all retries and redirects included), for progress display."""

    platform: str | None
    url: str
    status: int | None
    failure: str | None
    stats: FetchStats


ProgressHook = Callable[[FetchEvent], None]


class _Counters:
    def __init__(self) -> None:
        self.requests = 0
        self.bytes_received = 0
        self.retries = 0
        self.redirects = 0
        self.rate_limit_waits = 0
        self.wait_seconds = 0.0
        self.not_modified = 0
        self.statuses: Counter[int] = Counter()
        self.failures: Counter[str] = Counter()

    def snapshot(self) -> FetchStats:
        return FetchStats(
            requests=self.requests,
            bytes_received=self.bytes_received,
            retries=self.retries,
            redirects=self.redirects,
            rate_limit_waits=self.rate_limit_waits,
            wait_seconds=self.wait_seconds,
            not_modified=self.not_modified,
            statuses=MappingProxyType(dict(sorted(self.statuses.items()))),
            failures=MappingProxyType(dict(sorted(self.failures.items()))),
        )

    def add_bytes(self, count: int) -> None:
        self.bytes_received += count


@dataclass(frozen=True)
class _Response:
    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class _Failure:
    code: str
    text: str


@dataclass(frozen=True)
class _Call:
    """What one request sends besides its URL and headers: the method, a body, and which of
    the platform's credentials (None: the default one)."""

    method: str = "GET"
    body: bytes | None = None
    credential: str | None = None

    def after_redirect(self, status: int) -> _Call:
        # Browsers and httpx turn a POST into a GET (dropping the body) on 301, 302 and 303;
        # 307 and 308 repeat the request as it was.
        if self.method != "GET" and status in (301, 302, 303):
            return _Call(credential=self.credential)
        return self


SHARD = "rollcall.shard"
"""Request extension naming the connection pool (logical host, pool size) a request uses."""


class _ShardedTransport(httpx.AsyncBaseTransport):
    """One connection pool per logical host.

    httpcore's pool scans all its connections for every request it places, which grows with
    connections × waiting requests; a small pool per host keeps that cost flat (measured by
    bench/bench_fetch_concurrency.py) and caps each host's connections at its concurrency.
    """

    def __init__(self, make: Callable[[int], httpx.AsyncBaseTransport]) -> None:
        self._make = make
        self._shards: dict[str, httpx.AsyncBaseTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host, size = request.extensions.get(SHARD, ("", 8))
        shard = self._shards.get(host)
        if shard is None:
            shard = self._shards[host] = self._make(size)
        return await shard.handle_async_request(request)

    async def aclose(self) -> None:
        shards, self._shards = list(self._shards.values()), {}
        for shard in shards:
            await shard.aclose()


def build_transport(
    config: FetchConfig,
    guard: NetworkGuard,
    network_backend: httpcore.AsyncNetworkBackend | None = None,
) -> httpx.AsyncBaseTransport:
    """The transport the fetcher uses: ``config.transport`` when given (a test seam), else one
    pool per logical host, each an httpx proxy transport when ``config.proxy`` is set (the proxy
    resolves and connects, so only the pre-flight check applies) or the guarded transport."""
    if config.transport is not None:
        return config.transport
    inner = network_backend if network_backend is not None else httpcore.AnyIOBackend()
    # One TLS context for every pool: loading the CA bundle costs ~20 ms each time.
    tls = httpx.create_ssl_context(trust_env=False)

    def make(size: int) -> httpx.AsyncBaseTransport:
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        if config.proxy:
            return httpx.AsyncHTTPTransport(
                limits=limits, proxy=config.proxy, trust_env=False, verify=tls
            )
        return GuardedTransport(limits, GuardedBackend(guard, inner), tls)

    return _ShardedTransport(make)


class HttpFetcher:
    """An async context manager implementing :class:`scanner.fetch.Fetcher`.

    ``host_limits`` maps a platform name (or ``default``) to :class:`HostLimits`, normally from
    the platform specs; ``config.host_limits`` (the config file) wins over it. Limits apply per
    *logical* host, the real host before any endpoint override: every Mastodon instance and
    every platform served by one sandbox gets its own gate.

    Seams for tests and benchmarks: ``clock`` (monotonic/time/sleep), ``resolver`` (DNS),
    ``network_backend`` (the httpcore backend that opens sockets, behind the SSRF guard),
    ``rand`` (backoff jitter) and ``progress`` (called after every ``get``).

    Deadlines: every attempt ends within ``config.timeouts.attempt``, connect to last byte;
    :meth:`for_account` gives the view whose requests share one account's budget; once
    ``run_deadline`` (else ``config.timeouts.run`` from entering the context) has passed,
    every request ends at once as ``run_deadline``.
    """

    def __init__(
        self,
        config: FetchConfig,
        host_limits: Mapping[str, HostLimits] | None = None,
        *,
        progress: ProgressHook | None = None,
        clock: Clock | None = None,
        resolver: Resolver | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
        rand: Callable[[], float] | None = None,
        run_deadline: RunDeadline | None = None,
    ) -> None:
        self.config = config
        self._spec_limits = dict(host_limits or {})
        self._run_deadline = run_deadline
        self._progress = progress
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._rand = rand if rand is not None else random.random
        self._trusted = frozenset(host_port(base) for base in config.endpoints.values())
        self._guard = NetworkGuard(
            allow_private_network=config.allow_private_network,
            trusted=self._trusted,
            resolver=resolver if resolver is not None else system_resolver,
            lenient_dns=bool(config.proxy) and config.transport is None,
        )
        self._network_backend = network_backend
        self._transport: httpx.AsyncBaseTransport | None = None
        self._timeout = config.timeouts.to_httpx().as_dict()
        self._base_headers = {
            "User-Agent": config.user_agent,
            "Accept": "*/*",
            # Only the codings body.py decodes under its bomb guard (no br, no zstd).
            "Accept-Encoding": "gzip, deflate",
        }
        self._global = asyncio.Semaphore(config.global_concurrency)
        self._gates: dict[str, HostGate] = {}
        self._counters = _Counters()
        self._body_limits = BodyLimits(config.max_body_bytes, config.max_decompression_ratio)

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Self:
        # The transport is driven directly, without httpx.AsyncClient: no cookie jar carried
        # from one account's page to the next, no client-side redirect or auth machinery (we do
        # both ourselves), and less work per request (bench/bench_fetch_concurrency.py).
        self._transport = build_transport(self.config, self._guard, self._network_backend)
        if self._run_deadline is None and self.config.timeouts.run is not None:
            self._run_deadline = RunDeadline.start(
                self.config.timeouts.run, self._clock.monotonic()
            )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._transport is not None:
            await self._transport.aclose()
            self._transport = None

    @property
    def stats(self) -> FetchStats:
        return self._counters.snapshot()

    def limits_for(self, platform: str | None) -> HostLimits:
        """The politeness that applies to ``platform``'s hosts."""
        return effective_limits(platform, self._spec_limits, self.config)

    def for_account(self) -> Fetcher:
        """A view of this fetcher whose requests share one account's time budget
        (``config.timeouts.account``); politeness, pools and counters stay shared."""
        return _AccountFetcher(self, AccountBudget(self.config.timeouts.account))

    # ------------------------------------------------------------------ the protocol

    async def get(
        self,
        url: str,
        *,
        platform: str | None = None,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        credential: str | None = None,
        budget: AccountBudget | None = None,
    ) -> FetchOutcome:
        """The protocol's ``get``; ``budget`` is the account's (see :meth:`for_account`)."""
        call = _Call(credential=credential)
        return await self._run(url, platform, headers or {}, etag, last_modified, budget, call)

    async def post(
        self,
        url: str,
        body: bytes,
        *,
        platform: str | None = None,
        headers: Mapping[str, str] | None = None,
        credential: str | None = None,
        budget: AccountBudget | None = None,
    ) -> FetchOutcome:
        """The protocol's ``post``; ``budget`` is the account's (see :meth:`for_account`)."""
        call = _Call("POST", body, credential)
        return await self._run(url, platform, headers or {}, None, None, budget, call)

    async def _run(
        self,
        url: str,
        platform: str | None,
        headers: Mapping[str, str],
        etag: str | None,
        last_modified: str | None,
        budget: AccountBudget | None,
        call: _Call,
    ) -> FetchOutcome:
        outcome = await self._get(url, platform, headers, etag, last_modified, budget, call)
        if isinstance(outcome, FetchFailed):
            self._counters.failures[outcome.reason.code] += 1
        elif outcome.not_modified:
            self._counters.not_modified += 1
        if self._progress is not None:
            self._progress(
                FetchEvent(
                    platform=platform,
                    url=url,
                    status=outcome.status if isinstance(outcome, Fetched) else None,
                    failure=outcome.reason.code if isinstance(outcome, FetchFailed) else None,
                    stats=self.stats,
                )
            )
        return outcome

    async def _get(
        self,
        url: str,
        platform: str | None,
        headers: Mapping[str, str],
        etag: str | None,
        last_modified: str | None,
        budget: AccountBudget | None,
        call: _Call,
    ) -> FetchOutcome:
        """Fetch ``url`` hop by hop, each hop with its retries, following redirects until an
        answer that is not one, a refused redirect, a loop or a failure."""
        problem = _check_url(url)
        if problem:
            return self._failed(url, "bad_url", problem)
        origin = logical_host(url)
        hop = first = self._rewrite(platform, url, origin)
        requested = hop.url
        gate = self._gate(origin, platform)
        redirects: list[str] = []
        seen = {hop.url}
        while True:
            result = await self._attempts(
                gate, hop, platform, headers, etag, last_modified, budget, call
            )
            if isinstance(result, _Failure):
                return self._failed(requested, result.code, result.text, hop.url, redirects)
            location = result.headers.get("location")
            if result.status not in REDIRECT_STATUSES or not location:
                return self._fetched(requested, hop, result, redirects)
            target = urljoin(hop.url, location.strip())
            refused = self._refused_redirect(requested, hop, target, redirects, result.status)
            if refused is not None:
                return refused
            redirects.append(hop.url)
            hop = self._rewrite(platform, target, origin, first)
            if hop.url in seen:
                return self._failed(
                    requested,
                    "redirect_limit",
                    f"redirect loop: {hop.url} was already visited",
                    hop.url,
                    redirects,
                    result.status,
                )
            seen.add(hop.url)
            call = call.after_redirect(result.status)
            self._counters.redirects += 1

    def _fetched(
        self, requested: str, hop: Rewritten, result: _Response, redirects: list[str]
    ) -> Fetched:
        """The answer that ends a fetch: the last hop's, reported under the requested URL."""
        return Fetched(
            url=requested,
            final_url=hop.url,
            status=result.status,
            headers=result.headers,
            body=result.body,
            fetched_at=self._now(),
            redirects=tuple(redirects),
            not_modified=result.status == 304,
        )

    def _refused_redirect(
        self, requested: str, hop: Rewritten, target: str, redirects: list[str], status: int
    ) -> FetchFailed | None:
        """Why ``hop``'s redirect to ``target`` is not followed: a URL we refuse, or one redirect
        more than ``max_redirects`` (counting this one); None to follow it."""
        problem = _check_url(target)
        if problem:
            return self._failed(
                requested, "bad_url", f"redirect refused: {problem}", hop.url, redirects, status
            )
        if len(redirects) + 1 > self.config.max_redirects:
            return self._failed(
                requested,
                "redirect_limit",
                f"more than {self.config.max_redirects} redirects",
                hop.url,
                [*redirects, hop.url],
                status,
            )
        return None

    # ------------------------------------------------------------------ one hop, with retries

    async def _attempts(
        self,
        gate: HostGate,
        hop: Rewritten,
        platform: str | None,
        headers: Mapping[str, str],
        etag: str | None,
        last_modified: str | None,
        budget: AccountBudget | None,
        call: _Call,
    ) -> _Response | _Failure:
        refused = await self._preflight(hop.url)
        if refused is not None:
            return refused
        request_headers = self._headers(hop, platform, headers, etag, last_modified, call)
        attempt = 0
        while True:
            result = await self._attempt(gate, hop.url, request_headers, budget, call)
            exhausted = attempt >= self.config.max_retries
            if isinstance(result, _Failure):
                if exhausted or result.code not in RETRY_FAILURES:
                    return result
                if not await self._backoff(attempt, hop.url, result.code, budget):
                    return result
            elif result.status == 429 or result.status in RETRY_STATUSES:
                info = parse_rate_limit(result.headers, self._clock.time())
                wait = info.retry_after
                if wait is None and result.status == 429:
                    # Mastodon sends no Retry-After on 429, only X-RateLimit-Reset (rack_attack.rb).
                    wait = info.reset_after
                if wait is not None:
                    # The host said when to come back: hold every request to it, not just ours,
                    # unless that passes its max_wait: then the host is given up on, and this
                    # answer goes to the platform layer, which reports rate_limited.
                    log.debug(
                        "%s answered %d: pausing its host %.2fs", hop.url, result.status, wait
                    )
                    if not gate.pause(wait):
                        return result
                if exhausted:
                    return result
                if wait is None and not await self._backoff(
                    attempt, hop.url, str(result.status), budget
                ):
                    return result
            else:
                return result
            attempt += 1
            self._counters.retries += 1

    async def _backoff(
        self, attempt: int, url: str, cause: str, budget: AccountBudget | None
    ) -> bool:
        """Sleep before a retry; False, without sleeping, when the account's budget or the run
        would be over before the retry could start."""
        delay = backoff_delay(
            attempt, self.config.backoff_base, self.config.backoff_max, self._rand
        )
        left = self._run_left()
        if (budget is not None and delay >= budget.remaining) or (
            left is not None and delay >= left
        ):
            log.debug("not retrying %s after %s: no time left", url, cause)
            return False
        log.debug("retrying %s in %.2fs after %s", url, delay, cause)
        await self._clock.sleep(delay)
        if budget is not None:
            budget.spend(delay)
        return True

    def _run_left(self) -> float | None:
        """Seconds until the run deadline; None when the run has none."""
        if self._run_deadline is None:
            return None
        return self._run_deadline.remaining(self._clock.monotonic())

    def _run_over(self) -> _Failure:
        seconds = self._run_deadline.seconds if self._run_deadline is not None else 0.0
        return _Failure("run_deadline", f"the run's {seconds:g} s budget ran out (timeouts.run)")

    async def _attempt(
        self,
        gate: HostGate,
        url: str,
        headers: Mapping[str, str],
        budget: AccountBudget | None,
        call: _Call,
    ) -> _Response | _Failure:
        """One attempt, within the run deadline (waiting for the host's turn included)."""
        if budget is not None and budget.exhausted:
            return _account_over(budget)
        left = self._run_left()
        if left is not None and left <= 0:
            return self._run_over()
        try:
            async with asyncio.timeout(left):
                return await self._admitted(gate, url, headers, budget, call)
        except TimeoutError:
            # Only the run's timeout reaches here: _admitted turns its own into a _Failure.
            return self._run_over()
        except HostGaveUp as exc:
            return _Failure("rate_limited", str(exc))

    async def _admitted(
        self,
        gate: HostGate,
        url: str,
        headers: Mapping[str, str],
        budget: AccountBudget | None,
        call: _Call,
    ) -> _Response | _Failure:
        async with gate.turn() as paused, self._global:
            if paused > 0:
                self._counters.rate_limit_waits += 1
                self._counters.wait_seconds += paused
            limit = self.config.timeouts.attempt
            if budget is not None:
                if budget.exhausted:  # spent by this account's other requests while we queued
                    return _account_over(budget)
                limit = min(limit, budget.remaining)
            started = self._clock.monotonic()
            try:
                # httpx's timeouts restart with every byte read; this one bounds the whole
                # exchange, so a server trickling a byte or a header line at a time ends here.
                async with asyncio.timeout(limit):
                    return await self._exchange(gate, url, headers, call)
            except TimeoutError:
                if budget is not None and limit < self.config.timeouts.attempt:
                    return _account_over(budget)
                return _Failure(
                    "timeout",
                    f"no complete answer within {limit:g} s (timeouts.attempt)",
                )
            finally:
                if budget is not None:
                    budget.spend(self._clock.monotonic() - started)

    async def _exchange(
        self, gate: HostGate, url: str, headers: Mapping[str, str], call: _Call
    ) -> _Response | _Failure:
        """Send one request and read its whole answer (inside the gate's turn)."""
        transport = self._transport
        assert transport is not None, "use HttpFetcher as an async context manager"
        self._counters.requests += 1
        try:
            merged = httpx.Headers(self._base_headers)
            merged.update(headers)  # case-insensitive: a caller's "accept" replaces ours
            request = httpx.Request(
                call.method,
                url,
                headers=merged,
                content=call.body,
                extensions={
                    "timeout": self._timeout,
                    SHARD: (gate.host, gate.limits.concurrency),
                },
            )
            response = await transport.handle_async_request(request)
            log.debug("%s %s -> %d", call.method, url, response.status_code)
            try:
                self._counters.statuses[response.status_code] += 1
                lowered = {k.lower(): v for k, v in response.headers.items()}
                gate.note(parse_rate_limit(lowered, self._clock.time()))
                if response.status_code in REDIRECT_STATUSES or response.status_code == 304:
                    body = b""
                elif response.is_stream_consumed:
                    # A transport seam (httpx.MockTransport) handed over a response it had
                    # already read and decoded.
                    body = response.content
                else:
                    body = await read_body(
                        response.aiter_raw(),
                        content_encoding=lowered.get("content-encoding", ""),
                        content_length=lowered.get("content-length"),
                        limits=self._body_limits,
                        on_wire_bytes=self._counters.add_bytes,
                    )
            finally:
                await response.aclose()
        except SsrfRefused as exc:
            return _Failure("ssrf_refused", str(exc))
        except BodyRefused as exc:
            return _Failure(exc.code, exc.text)
        except httpx.InvalidURL as exc:
            return _Failure("bad_url", str(exc))
        except httpx.HTTPError as exc:
            return _classify(exc)
        return _Response(response.status_code, MappingProxyType(lowered), body)

    # ------------------------------------------------------------------ helpers

    async def _preflight(self, url: str) -> _Failure | None:
        """Refuse a private destination before anything is sent (whatever the transport)."""
        host, port = host_port(url)
        if self._guard.is_trusted(host, port):
            return None
        try:
            await self._guard.vet(host, port)
        except SsrfRefused as exc:
            return _Failure("ssrf_refused", str(exc))
        except OSError as exc:
            return _Failure("connect_error", f"cannot resolve {host}: {exc}")
        return None

    def _rewrite(
        self, platform: str | None, url: str, origin: str, first: Rewritten | None = None
    ) -> Rewritten:
        """Apply the endpoint override unless the URL already points at an override host; a
        Mastodon override (every instance) applies to redirects only on the same instance.

        A redirect that stays on the override host of the first request (``first``) still
        stands for the same real host, so it keeps that X-Forwarded-Host: the sandbox needs it
        to tell one tumblr blog or Mastodon instance from another.
        """
        try:
            where = host_port(url)
        except ValueError:
            return Rewritten(url)
        if where in self._trusted:
            if first is not None and first.forwarded_host and where == host_port(first.url):
                return Rewritten(url, forwarded_host=first.forwarded_host)
            return Rewritten(url)
        hosts = self.config.platform_hosts
        hop = rewrite(platform, url, self.config.endpoints, hosts)
        any_host = platform is not None and ANY_HOST in hosts.get(platform, ())
        if hop.forwarded_host is not None and any_host and logical_host(url) != origin:
            return Rewritten(url)
        return hop

    def _headers(
        self,
        hop: Rewritten,
        platform: str | None,
        headers: Mapping[str, str],
        etag: str | None,
        last_modified: str | None,
        call: _Call,
    ) -> dict[str, str]:
        # Callers never set credentials: tokens come from the config and go to one host only.
        sources = self.config.token_sources.get(platform, ()) if platform else ()
        secret = {"authorization", *(s.header.lower() for s in sources)}
        result = {k: v for k, v in headers.items() if k.lower() not in secret}
        if etag:
            result["If-None-Match"] = etag
        if last_modified:
            result["If-Modified-Since"] = last_modified
        if hop.forwarded_host is not None:
            result["X-Forwarded-Host"] = hop.forwarded_host
        for source in sources:
            if source.name != (call.credential or ""):
                continue  # another credential of the platform (or its default one)
            token = self.config.tokens.get(source.env)
            if token and _may_carry(source, hop):
                result[source.header] = source.header_value(token)
        return result

    def _gate(self, host: str, platform: str | None) -> HostGate:
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = HostGate(
                self.limits_for(platform),
                self._clock,
                host,
                max_wait=self.config.max_rate_limit_wait,
            )
        return gate

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock.time(), UTC)

    def _failed(
        self,
        url: str,
        code: str,
        text: str,
        final_url: str | None = None,
        redirects: list[str] | None = None,
        http_status: int | None = None,
    ) -> FetchFailed:
        return FetchFailed(
            url=url,
            reason=Reason(code, text),
            fetched_at=self._now(),
            final_url=final_url,
            http_status=http_status,
            redirects=tuple(redirects or ()),
        )


class _AccountFetcher:
    """One account's view of an :class:`HttpFetcher` (see :meth:`HttpFetcher.for_account`)."""

    def __init__(self, fetcher: HttpFetcher, budget: AccountBudget) -> None:
        self._fetcher = fetcher
        self.budget = budget

    async def get(
        self,
        url: str,
        *,
        platform: str | None = None,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        credential: str | None = None,
    ) -> FetchOutcome:
        return await self._fetcher.get(
            url,
            platform=platform,
            headers=headers,
            etag=etag,
            last_modified=last_modified,
            credential=credential,
            budget=self.budget,
        )

    async def post(
        self,
        url: str,
        body: bytes,
        *,
        platform: str | None = None,
        headers: Mapping[str, str] | None = None,
        credential: str | None = None,
    ) -> FetchOutcome:
        return await self._fetcher.post(
            url,
            body,
            platform=platform,
            headers=headers,
            credential=credential,
            budget=self.budget,
        )

    def for_account(self) -> Fetcher:
        return self._fetcher.for_account()


def _may_carry(source: TokenSource, hop: Rewritten) -> bool:
    """A token goes to its own host over HTTPS, or to the endpoint override the user configured
    for its platform (``forwarded_host`` is set only when that override replaced the token's
    host); a redirect to any other host goes without it."""
    parts = urlsplit(hop.url)
    if parts.scheme == "https" and parts.hostname == source.host:
        return True
    return hop.forwarded_host is not None and hop.forwarded_host == source.host


def _account_over(budget: AccountBudget) -> _Failure:
    return _Failure(
        "timeout",
        f"the account's {budget.seconds:g} s budget ran out (timeouts.account), "
        "retries and follow-up requests included",
    )


def _check_url(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        return f"bad URL {url!r}: {exc}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"not an http(s) URL: {url!r}"
    return None


def _classify(exc: httpx.HTTPError) -> _Failure:
    """httpx errors to FetchFailed reason codes."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return _Failure("timeout", f"timed out ({type(exc).__name__})")
    if isinstance(exc, httpx.ConnectError):
        return _Failure("connect_error", text)
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return _Failure("connection_reset", text)
    if isinstance(exc, httpx.RemoteProtocolError) and "without sending" in text:
        # "Server disconnected without sending a response": the connection was dropped.
        return _Failure("connection_reset", text)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return _Failure("bad_url", text)
    return _Failure("protocol_error", text)
