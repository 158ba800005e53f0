"""A small asyncio HTTP/1.1 server for the fetch benchmarks, run in its own process so it does
not compete with the fetcher for the GIL: fixed latency, or a rate limit enforced with a
platform's real headers. Alone: ``python bench/bench_fetch_server.py --latency-ms 100``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.queues import Queue

__all__ = ["ServerSpec", "running_server", "running_sandbox"]


@dataclass(frozen=True)
class ServerSpec:
    latency: float = 0.0
    """Seconds before each answer."""
    per_second: int | None = None
    """Enforce this many requests per window (None: no limit)."""
    window: float = 1.0
    family: str = "github"
    """Which platform's rate-limit headers to send: github, mastodon, bluesky, reddit."""


def _rate_headers(spec: ServerSpec, remaining: int, window_start: float) -> dict[str, str]:
    limit = spec.per_second or 0
    reset_epoch = window_start + spec.window
    if spec.family == "github":
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(int(reset_epoch)),
            "X-RateLimit-Resource": "core",
        }
    if spec.family == "bluesky":
        return {
            "RateLimit-Limit": str(limit),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(int(reset_epoch)),
            "RateLimit-Policy": f"{limit};w={spec.window:g}",
        }
    if spec.family == "mastodon":
        iso = datetime.fromtimestamp(reset_epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": iso,
        }
    if spec.family == "reddit":
        # Reddit sends whole seconds over 600-second windows; with a 1-second window the
        # rounding would dominate, so the bench sends the exact delay.
        return {
            "X-Ratelimit-Used": str(limit - remaining),
            "X-Ratelimit-Remaining": f"{remaining:.1f}",
            "X-Ratelimit-Reset": f"{max(0.0, reset_epoch - time.time()):.3f}",
        }
    raise ValueError(f"unknown family {spec.family}")


class _Limiter:
    def __init__(self, spec: ServerSpec) -> None:
        self.spec = spec
        self.window_start = 0.0
        self.count = 0

    def admit(self) -> tuple[int, dict[str, str]]:
        spec = self.spec
        assert spec.per_second is not None
        now = time.time()
        start = math.floor(now / spec.window) * spec.window
        if start != self.window_start:
            self.window_start, self.count = start, 0
        self.count += 1
        remaining = max(0, spec.per_second - self.count)
        headers = _rate_headers(spec, remaining, start)
        if self.count > spec.per_second:
            if spec.family in ("github", "bluesky"):
                headers["Retry-After"] = str(max(1, math.ceil(start + spec.window - now)))
            # Mastodon's rack-attack sends no Retry-After on 429.
            return 429, headers
        return 200, headers


async def _serve(spec: ServerSpec, ready: Queue[int] | None, port: int = 0) -> None:
    limiter = _Limiter(spec) if spec.per_second else None

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    break
                if spec.latency:
                    await asyncio.sleep(spec.latency)
                status, headers = limiter.admit() if limiter else (200, {})
                body = b'{"id":"1","username":"copperkettle"}' if status == 200 else b"{}"
                reason = "OK" if status == 200 else "Too Many Requests"
                lines = [f"HTTP/1.1 {status} {reason}", "Content-Type: application/json"]
                lines += [f"{k}: {v}" for k, v in headers.items()]
                lines.append(f"Content-Length: {len(body)}")
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    if ready is not None:
        ready.put(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


def _run(spec: ServerSpec, ready: Queue[int]) -> None:
    asyncio.run(_serve(spec, ready))


@contextmanager
def running_server(spec: ServerSpec) -> Iterator[str]:
    """Start the server in a child process; yields its base URL."""
    context = multiprocessing.get_context("spawn")
    ready: Queue[int] = context.Queue()
    process = context.Process(target=_run, args=(spec, ready), daemon=True)
    process.start()
    try:
        port = ready.get(timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.join(timeout=5)


@contextmanager
def running_sandbox(host_faults: dict[str, list[dict[str, object]]]) -> Iterator[str]:
    """The project's sandbox (scanner.sandbox, a thread in this process) with host-level faults
    and one ``copperkettle`` account per platform; yields its base URL."""
    import json
    import tempfile
    from pathlib import Path

    from scanner.sandbox import Sandbox, load_world

    handles = {
        "github": "copperkettle",
        "mastodon": "copperkettle@mastodon.social",
        "bluesky": "copperkettle.bsky.social",
        "reddit": "u/copperkettle",
        "medium": "@copperkettle",
        "youtube": "@copperkettle",
        "tumblr": "copperkettle",
        "x": "copperkettle",
    }
    lines = ["name: bench", "as_of: 2026-11-15", "hosts:"]
    lines += [f"  {p}: {{faults: {json.dumps(f)}}}" for p, f in host_faults.items()]
    lines.append("accounts:")
    for platform, handle in handles.items():
        lines += [f"  - platform: {platform}", f"    handle: {json.dumps(handle)}"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "bench-world.yaml")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        world = load_world(path)
    with Sandbox(world) as sandbox:
        yield sandbox.base_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--per-second", type=int, default=None)
    parser.add_argument("--family", default="github")
    args = parser.parse_args()
    spec = ServerSpec(args.latency_ms / 1000, args.per_second, family=args.family)
    print(f"serving on http://127.0.0.1:{args.port} ({spec})")
    asyncio.run(_serve(spec, None, args.port))


if __name__ == "__main__":
    main()
