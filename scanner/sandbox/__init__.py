"""A local platform simulator for tests, the demo and benchmarks: every platform served on
127.0.0.1 with its real paths, statuses, headers and body shapes, generated from a *world* file,
with injectable faults (latency, rate limits, WAF pages, login walls, broken bodies, ...).

    with Sandbox(load_world(example_world_path())) as sandbox:
        sandbox.endpoints()   # {"github": "http://127.0.0.1:PORT/github", ...}
"""

from __future__ import annotations

from scanner.sandbox.faults import Fault, FaultKind, FaultSpecError, WafVendor, parse_fault
from scanner.sandbox.server import Sandbox, fault_role
from scanner.sandbox.world import (
    Post,
    World,
    WorldAccount,
    example_world_path,
    handle_key,
    load_world,
    parse_world,
)

__all__ = [
    "Fault",
    "FaultKind",
    "FaultSpecError",
    "Post",
    "Sandbox",
    "WafVendor",
    "World",
    "WorldAccount",
    "example_world_path",
    "fault_role",
    "handle_key",
    "load_world",
    "parse_fault",
    "parse_world",
]
