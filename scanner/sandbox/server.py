"""The Sandbox: every platform of a world served on 127.0.0.1 from a background thread, with
faults from the world file or set at run time, conditional requests and traffic counters."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import TracebackType
from typing import Any, assert_never
from urllib.parse import urlencode

from scanner.errors import UsageError
from scanner.model import Platform
from scanner.sandbox.blocks import gzip_bomb, huge_body, server_error, waf_page
from scanner.sandbox.faults import (
    API_INAPPLICABLE,
    Fault,
    FaultKind,
    FaultSpecError,
    WafVendor,
    parse_fault,
)
from scanner.sandbox.http import Ending, HttpServer, Request, Response
from scanner.sandbox.keyring import Keyring
from scanner.sandbox.sites import API_SITES, SITES, BodyKind, Ctx, RateWindow, Route, Site
from scanner.sandbox.sites.base import http_date
from scanner.sandbox.world import (
    ApiName,
    CredentialState,
    Target,
    World,
    handle_key,
    load_world,
)

__all__ = ["DEFAULT_RATE_LIMIT", "HOST", "Sandbox", "fault_role"]

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
DEFAULT_RATE_LIMIT = 10_000
"""Per-platform budget (requests per one-second window) advertised when no enforce_rate fault
is set: the real header families are always present, and no client can exhaust this."""

# Sites whose over-the-limit answer carries Retry-After under enforce_rate. GitHub's primary
# limit and Reddit speak through their x-ratelimit headers; Mastodon never sends it
# (rack_attack.rb); Bluesky's xrpc-server does.
_NO_RETRY_AFTER = {Platform.GITHUB, Platform.MASTODON, Platform.REDDIT}
_HEADER_FAMILIES = {Platform.GITHUB, Platform.MASTODON, Platform.BLUESKY, Platform.REDDIT}

Scope = tuple[str, ...]


class _Bucket:
    """Fixed windows aligned to multiples of ``window`` seconds since the epoch."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self.start = 0.0
        self.count = 0

    def take(self, now: float, *, count: bool = True) -> tuple[RateWindow, bool]:
        start = math.floor(now / self.window) * self.window
        if start != self.start:
            self.start, self.count = start, 0
        allowed = self.count < self.limit
        if count and allowed:
            self.count += 1
        remaining = max(0, self.limit - self.count)
        return RateWindow(self.limit, remaining, start + self.window, self.window, now), allowed


@dataclass(frozen=True)
class _Active:
    scope: Scope
    index: int
    fault: Fault


class Sandbox:
    """A local simulator of all platforms for one world.

    Use as a context manager (or ``start()``/``stop()``)::

        with Sandbox(load_world(path)) as sb:
            config = FetchConfig(endpoints=sb.endpoints(), ...)

    Counters (``requests``, ``bytes_sent``, ``request_log``) are safe to read from any thread;
    ``request_log`` entries are ``(method, target, status)`` with ``status`` 0 when the
    connection was reset instead of answered.
    """

    def __init__(
        self,
        world: World | str | Path,
        *,
        port: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``clock`` (epoch seconds) drives rate-limit windows; tests pass a fixed one."""
        self.world = world if isinstance(world, World) else load_world(world)
        self._clock = clock
        self._wanted_port = port
        self._port: int | None = None
        self._lock = threading.Lock()
        self._requests = 0
        self._bytes = 0
        self._log: list[tuple[str, str, int]] = []
        self._account_faults: dict[tuple[Target, str], tuple[Fault, ...]] = {}
        self._host_faults: dict[Target, tuple[Fault, ...]] = {}
        self.keyring = Keyring(self.world)
        """The owner-API tokens and their run-time states (see :meth:`set_credential_state`)."""
        self._bursts: dict[tuple[Scope, int], int] = {}
        self._buckets: dict[Scope, _Bucket] = {}
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: HttpServer | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> Sandbox:
        if self._thread is not None:
            return self
        ready = threading.Event()
        errors: list[OSError] = []
        self._thread = threading.Thread(
            target=self._run, args=(ready, errors), name="rollcall-sandbox", daemon=True
        )
        self._thread.start()
        ready.wait(30)
        if errors:
            self._thread.join(5)
            self._thread = None
            raise UsageError(
                f"cannot listen on {HOST}:{self._wanted_port}: {errors[0].strerror or errors[0]}"
            )
        return self

    def _run(self, ready: threading.Event, errors: list[OSError]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self._server = HttpServer(self._handle, self._count_bytes, asyncio.Event())
        try:
            self._port = loop.run_until_complete(self._server.start(HOST, self._wanted_port))
        except OSError as exc:
            errors.append(exc)
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def stop(self) -> None:
        """Stop serving: open connections are closed, pending delays end at once."""
        thread, loop, server = self._thread, self._loop, self._server
        if thread is None or loop is None or server is None:
            return
        if loop.is_running():
            future = asyncio.run_coroutine_threadsafe(server.close(), loop)
            with contextlib.suppress(Exception):
                future.result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._thread = self._loop = self._server = None

    # -- addresses ----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the sandbox is not running; use it as a context manager")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def endpoints(self) -> dict[str, str]:
        """Every platform and owner API (``meta-graph``, ``x-api``, …) → its base URL, for
        ``FetchConfig.endpoints`` / ``--endpoint``."""
        names = [*(p.value for p in Platform), *(a.value for a in ApiName)]
        return {name: f"{self.base_url}/{name}" for name in names}

    def url(self, target: Target | str, path: str) -> str:
        """``url("github", "/users/acme")`` → ``http://127.0.0.1:PORT/github/users/acme``;
        ``url("x-api", "/2/users/me")`` likewise for an owner API."""
        return f"{self.base_url}/{_target(target).value}{path}"

    # -- counters -----------------------------------------------------------------------------

    @property
    def requests(self) -> int:
        with self._lock:
            return self._requests

    @property
    def bytes_sent(self) -> int:
        """Bytes written to sockets (status line, headers, body), counted once written."""
        with self._lock:
            return self._bytes

    @property
    def request_log(self) -> list[tuple[str, str, int]]:
        with self._lock:
            return list(self._log)

    def reset_counters(self) -> None:
        with self._lock:
            self._requests = 0
            self._bytes = 0
            self._log.clear()

    def _count_bytes(self, request: Request, status: int, sent: int) -> None:
        with self._lock:
            self._bytes += sent

    # -- faults at run time ---------------------------------------------------------------------

    def set_faults(
        self,
        platform: Target | str,
        handle: str,
        faults: Sequence[Fault | str | dict[str, Any]] | None,
    ) -> None:
        """Replace the faults of one account (any handle, present or not) on a platform or an
        owner API; ``None`` restores the world file's. Burst counters and rate windows of that
        account start afresh. An account's world-file faults are its web pages', never its
        API's: API faults are set here or under ``hosts:``."""
        p = _target(platform)
        key = _fault_key(p, handle)
        parsed = None if faults is None else _parse_faults(p, faults)
        with self._lock:
            if parsed is None:
                self._account_faults.pop((p, key), None)
            else:
                self._account_faults[(p, key)] = parsed
            self._forget(("account", p.value, key))

    def set_host_faults(
        self, platform: Target | str, faults: Sequence[Fault | str | dict[str, Any]] | None
    ) -> None:
        """Replace a platform's or owner API's host-level faults; ``None`` restores the world
        file's."""
        p = _target(platform)
        parsed = None if faults is None else _parse_faults(p, faults)
        with self._lock:
            if parsed is None:
                self._host_faults.pop(p, None)
            else:
                self._host_faults[p] = parsed
            self._forget(("host", p.value))

    def set_credential_state(self, token: str, state: CredentialState | str | None) -> None:
        """Expire or revoke a world credential mid-run (``"expired"``, ``"revoked"``, or
        ``"valid"`` again); ``None`` restores the world file's state."""
        self.keyring.set_state(token, None if state is None else CredentialState(state))

    def set_quota(self, token: str, units: int | None) -> None:
        """Give a YouTube key ``units`` quota units (1 per call) from now, after which it
        answers ``quotaExceeded``; ``None``: unlimited."""
        self.keyring.set_quota(token, units)

    def clear_faults(self) -> None:
        """Back to the world file's faults and credentials, with fresh burst counters, rate
        windows and quotas."""
        self.keyring.reset()
        with self._lock:
            self._account_faults.clear()
            self._host_faults.clear()
            self._bursts.clear()
            self._buckets.clear()

    def _forget(self, scope: Scope) -> None:
        for k in [k for k in self._bursts if k[0] == scope]:
            del self._bursts[k]
        self._buckets.pop(scope, None)

    def _faults_for(self, platform: Target, handle: str | None) -> list[_Active]:
        active: list[_Active] = []
        with self._lock:
            if handle is not None:
                key = _fault_key(platform, handle)
                faults = self._account_faults.get((platform, key))
                if faults is None and isinstance(platform, Platform):
                    account = self.world.find(platform, handle)
                    faults = account.faults if account else ()
                faults = faults or ()
                scope: Scope = ("account", platform.value, key)
                active.extend(_Active(scope, i, f) for i, f in enumerate(faults))
            host = self._host_faults.get(platform, self.world.host_faults.get(platform, ()))
            active.extend(_Active(("host", platform.value), i, f) for i, f in enumerate(host))
        return active

    # -- request handling -------------------------------------------------------------------------

    async def _handle(self, req: Request) -> Response:
        try:
            response = self._dispatch(req)
        except Exception:  # a bug here must not look like a platform answer
            log.exception("sandbox failed on %s %s", req.method, req.target)
            response = Response(500, [("Content-Type", "text/plain")], b"sandbox internal error\n")
        with self._lock:
            self._requests += 1
            status = 0 if response.ending == Ending.RESET else response.status
            self._log.append((req.method, req.target, status))
        return response

    def _dispatch(self, req: Request) -> Response:
        parts = req.path.split("/", 2)
        name = parts[1] if len(parts) > 1 else ""
        if name == "":
            return self._index()
        try:
            platform = _target(name)
        except ValueError:
            body = f"unknown platform {name!r}; paths start with /<platform>/\n".encode()
            return Response(404, [("Content-Type", "text/plain; charset=utf-8")], body)
        site: Site = API_SITES[platform] if isinstance(platform, ApiName) else SITES[platform]
        forwarded = req.headers.get("x-forwarded-host", "").split(",")[0].strip().lower()
        ctx = Ctx(
            world=self.world,
            origin=f"http://{req.headers.get('host') or f'{HOST}:{self.port}'}",
            prefix=f"/{platform.value}",
            forwarded_host=forwarded.rsplit(":", 1)[0] if forwarded else None,
            keyring=self.keyring,
        )
        route = site.route(req, "/" + (parts[2] if len(parts) > 2 else ""), ctx)
        return self._answer(req, platform, site, ctx, route)

    def _index(self) -> Response:
        body = {
            "world": self.world.name,
            "as_of": self.world.as_of.isoformat(),
            "endpoints": self.endpoints(),
            "accounts": [f"{a.platform.value}:{a.handle}" for a in self.world.accounts],
        }
        return Response(
            200, [("Content-Type", "application/json")], json.dumps(body, indent=2).encode()
        )

    def _answer(
        self, req: Request, platform: Target, site: Site, ctx: Ctx, route: Route
    ) -> Response:
        active = [] if route.exempt else self._faults_for(platform, route.handle)
        kinds: dict[FaultKind, _Active] = {}
        delay = 0.0
        for a in active:
            if a.fault.kind is FaultKind.LATENCY:
                delay += float(a.fault.get("ms")) / 1000
            kinds.setdefault(a.fault.kind, a)

        if FaultKind.CONNECTION_RESET in kinds:
            return Response(0, ending=Ending.RESET, delay=delay)
        if FaultKind.TIMEOUT in kinds:
            delay += float(kinds[FaultKind.TIMEOUT].fault.get("seconds"))

        normal = route.render()
        etag = last_modified = None
        not_modified = False
        if normal.status == 200 and normal.stream is None:
            etag = 'W/"' + hashlib.sha256(normal.body).hexdigest()[:40] + '"'
            updated = route.account.updated_at if route.account else None
            last_modified = http_date(updated) if updated else None
            not_modified = _not_modified(req, etag, last_modified)

        # GitHub: a 304 answer does not count against the rate limit (events docs).
        counts = not (not_modified and platform is Platform.GITHUB)
        window, allowed = self._take(platform, route, kinds, counts)

        response = self._faulted(req, platform, site, ctx, route, kinds, window, allowed, normal)
        if response is None:
            if not_modified:
                keep = [(k, v) for k, v in normal.headers if k.lower() != "content-type"]
                response = Response(304, keep)
            else:
                response = normal
            if etag:
                response.set_header("ETag", etag)
            if last_modified:
                response.set_header("Last-Modified", last_modified)
            response = _post_modify(response, kinds, route.kind)
        # Owner APIs send their usage headers on every answer (Meta's x-app-usage, X's
        # x-rate-limit-*); those without any return none.
        family = site.rate_headers(window)
        if (
            (platform in _HEADER_FAMILIES or isinstance(platform, ApiName))
            and family
            and response.header(family[0][0]) is None
        ):
            response.headers.extend(family)
        response.delay += delay
        return response

    def _take(
        self, platform: Target, route: Route, kinds: dict[FaultKind, _Active], counts: bool
    ) -> tuple[RateWindow, bool]:
        now = self._clock()
        with self._lock:
            enforce = kinds.get(FaultKind.ENFORCE_RATE)
            if enforce is not None:
                scope = enforce.scope
                bucket = self._buckets.get(scope)
                window = float(enforce.fault.get("window"))
                limit = max(1, round(float(enforce.fault.get("per_second")) * window))
                if bucket is None or (bucket.limit, bucket.window) != (limit, window):
                    bucket = self._buckets[scope] = _Bucket(limit, window)
            else:
                scope = ("default", platform.value)
                bucket = self._buckets.get(scope)
                if bucket is None:
                    bucket = self._buckets[scope] = _Bucket(DEFAULT_RATE_LIMIT, 1.0)
            return bucket.take(now, count=counts)

    def _burst(self, active: _Active) -> bool:
        """True while an http_5xx burst lasts (each call spends one failure)."""
        key = (active.scope, active.index)
        with self._lock:
            used = self._bursts.get(key, 0)
            if used >= int(active.fault.get("count")):
                return False
            self._bursts[key] = used + 1
            return True

    def _faulted(
        self,
        req: Request,
        platform: Target,
        site: Site,
        ctx: Ctx,
        route: Route,
        kinds: dict[FaultKind, _Active],
        window: RateWindow,
        allowed: bool,
        normal: Response,
    ) -> Response | None:
        """The answer a fault replaces the normal one with, in order of precedence; None when
        no replacing fault applies."""
        if not allowed:
            retry = (
                None
                if platform in _NO_RETRY_AFTER
                else max(1, math.ceil(window.reset_at - window.now))
            )
            return site.too_many(ctx, route, window, retry, None)
        for kind in _REPLACING:
            a = kinds.get(kind)
            if a is None:
                continue
            f = a.fault
            if kind is FaultKind.HTTP_5XX:
                if self._burst(a):
                    return server_error(int(f.get("status")))
            elif kind is FaultKind.RATE_LIMIT:
                reset = float(f.get("reset"))
                exhausted = RateWindow(
                    window.limit, 0, window.now + reset, max(reset, 1.0), window.now
                )
                retry = f.get("retry_after")
                return site.too_many(
                    ctx, route, exhausted, None if retry is None else float(retry), f.get("status")
                )
            elif kind is FaultKind.WAF_CHALLENGE:
                return waf_page(WafVendor(f.get("vendor")), route.handle or route.path)
            elif kind is FaultKind.LOGIN_WALL:
                return site.login_wall(ctx, route, req)
            elif kind is FaultKind.REDIRECT_LOOP:
                return _redirect(_loop_target(req, ctx, route))
            elif kind is FaultKind.REDIRECT_PRIVATE:
                return _redirect(str(f.get("target")))
            elif kind is FaultKind.SOFT_404:
                return site.soft_404(ctx, route)
            elif kind is FaultKind.HTML_INSTEAD_OF_JSON:
                return site.app_shell(ctx)
            elif kind is FaultKind.HUGE_BODY:
                total = int(f.get("bytes"))
                ct = normal.header("Content-Type") or "application/octet-stream"
                return Response(
                    200, [("Content-Type", ct)], stream=huge_body(normal.body, total), length=total
                )
            elif kind is FaultKind.GZIP_BOMB:
                length, stream = gzip_bomb(int(f.get("expanded_bytes")))
                ct = normal.header("Content-Type") or "application/octet-stream"
                return Response(
                    200,
                    [("Content-Type", ct), ("Content-Encoding", "gzip")],
                    stream=stream,
                    length=length,
                )
            else:
                raise AssertionError(f"{kind} is not a replacing fault")
        return None


# Faults that replace the answer, strongest first. The rest act on timing (latency, timeout,
# connection_reset, enforce_rate) or alter the normal body (_post_modify).
_REPLACING = (
    FaultKind.HTTP_5XX,
    FaultKind.RATE_LIMIT,
    FaultKind.WAF_CHALLENGE,
    FaultKind.LOGIN_WALL,
    FaultKind.REDIRECT_LOOP,
    FaultKind.REDIRECT_PRIVATE,
    FaultKind.SOFT_404,
    FaultKind.HTML_INSTEAD_OF_JSON,
    FaultKind.HUGE_BODY,
    FaultKind.GZIP_BOMB,
)


def _target(name: Target | str) -> Target:
    """A platform or owner-API name; ValueError for anything else."""
    if isinstance(name, Platform | ApiName):
        return name
    if name in {a.value for a in ApiName}:
        return ApiName(name)
    return Platform(name)


def _fault_key(target: Target, handle: str) -> str:
    if isinstance(target, Platform):
        return handle_key(target, handle)
    return handle.strip().lstrip("@").casefold()


def _parse_faults(
    target: Target, faults: Sequence[Fault | str | dict[str, Any]]
) -> tuple[Fault, ...]:
    parsed = tuple(parse_fault(f) for f in faults)
    for fault in parsed if isinstance(target, ApiName) else ():
        if fault.kind in API_INAPPLICABLE:
            raise FaultSpecError(f"{fault.kind.value} does not apply to an API ({target.value})")
    return parsed


def fault_role(kind: FaultKind) -> str:
    """Which stage acts on a fault: 'timing', 'replace' or 'body' (every kind has one)."""
    match kind:
        case (
            FaultKind.LATENCY
            | FaultKind.TIMEOUT
            | FaultKind.CONNECTION_RESET
            | FaultKind.ENFORCE_RATE
        ):
            return "timing"
        case (
            FaultKind.HTTP_5XX
            | FaultKind.RATE_LIMIT
            | FaultKind.WAF_CHALLENGE
            | FaultKind.LOGIN_WALL
            | FaultKind.REDIRECT_LOOP
            | FaultKind.REDIRECT_PRIVATE
            | FaultKind.SOFT_404
            | FaultKind.HTML_INSTEAD_OF_JSON
            | FaultKind.HUGE_BODY
            | FaultKind.GZIP_BOMB
        ):
            return "replace"
        case FaultKind.WRONG_ENCODING | FaultKind.MALFORMED_BODY | FaultKind.TRUNCATED_BODY:
            return "body"
        case _:
            assert_never(kind)


def _not_modified(req: Request, etag: str, last_modified: str | None) -> bool:
    inm = req.headers.get("if-none-match")
    if inm is not None:
        # Weak comparison (RFC 9110 §13.1.2): W/ prefixes do not matter.
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    ims = req.headers.get("if-modified-since")
    if ims and last_modified:
        try:
            return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


def _redirect(location: str) -> Response:
    return Response(
        302,
        [("Location", location), ("Content-Type", "text/html; charset=utf-8")],
        f'<html><body>Redirecting to <a href="{location}">{location}</a></body></html>'.encode(),
    )


def _loop_target(req: Request, ctx: Ctx, route: Route) -> str:
    """A → B → A: toggle a ``sandbox_loop`` query parameter on the same path."""
    query = {k: v for k, v in req.query.items() if k != "sandbox_loop"}
    if "sandbox_loop" not in req.query:
        query["sandbox_loop"] = ["1"]
    qs = urlencode([(k, v) for k, vs in query.items() for v in vs])
    return ctx.url(route.path) + (f"?{qs}" if qs else "")


def _post_modify(response: Response, kinds: dict[FaultKind, _Active], kind: BodyKind) -> Response:
    if response.status != 200 or response.stream is not None:
        return response
    if FaultKind.WRONG_ENCODING in kinds:
        f = kinds[FaultKind.WRONG_ENCODING].fault
        declared, actual = str(f.get("declared")), str(f.get("actual"))
        text = response.body.decode("utf-8")
        response.body = text.encode(actual, errors="replace")
        ct = (response.header("Content-Type") or "text/plain").split(";")[0]
        response.set_header("Content-Type", f"{ct}; charset={declared}")
    if FaultKind.MALFORMED_BODY in kinds:
        response.body = _malformed(response.body, kind)
    if FaultKind.TRUNCATED_BODY in kinds:
        response.ending = Ending.TRUNCATE
        response.truncate_at = len(response.body) // 2
    return response


def _malformed(body: bytes, kind: BodyKind) -> bytes:
    """Cut the body before its first profile marker and end it with bytes no parser accepts."""
    cut = len(body) * 2 // 5
    if kind is BodyKind.HTML:
        markers: Iterable[bytes] = (b"<title", b'property="og:', b"application/ld+json", b"<script")
        found = [i for m in markers if (i := body.find(m)) > 0]
        cut = min([cut, *found])
    return body[:cut] + b'\x00\xff{"<<' + b"]]>"
