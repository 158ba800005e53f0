"""A local platform simulator for tests, the demo and benchmarks: every platform served on
127.0.0.1 with its real paths, statuses, headers and body shapes, generated from a *world* file,
with injectable faults (latency, rate limits, WAF pages, login walls, broken bodies, ...).

    with Sandbox(load_world(example_world_path())) as sandbox:
        sandbox.endpoints()   # {"github": "http://127.0.0.1:PORT/github", ...,
                              #  "meta-graph": "http://127.0.0.1:PORT/meta-graph", ...}

The owner APIs of issue 12 answer from the same world, checking the tokens listed under its
``credentials`` (``DEMO_CREDENTIALS`` for the example world).
"""

from __future__ import annotations

from scanner.sandbox.faults import Fault, FaultKind, FaultSpecError, WafVendor, parse_fault
from scanner.sandbox.server import Sandbox, fault_role
from scanner.sandbox.world import (
    DEMO_CREDENTIALS,
    ApiName,
    CredentialState,
    Post,
    World,
    WorldAccount,
    WorldCredential,
    example_world_path,
    handle_key,
    load_world,
    parse_world,
)

__all__ = [
    "DEMO_CREDENTIALS",
    "ApiName",
    "CredentialState",
    "Fault",
    "FaultKind",
    "FaultSpecError",
    "Post",
    "Sandbox",
    "WafVendor",
    "World",
    "WorldAccount",
    "WorldCredential",
    "example_world_path",
    "fault_role",
    "handle_key",
    "load_world",
    "parse_fault",
    "parse_world",
]
