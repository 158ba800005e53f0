"""Fixtures: one sandbox per module on the tiny test world (and one on the owner-API test world),
faults and counters reset per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scanner.sandbox import Sandbox, World, load_world

TINY = Path(__file__).with_name("tiny-world.yaml")
API_WORLD = Path(__file__).with_name("api-world.yaml")


@pytest.fixture(scope="module")
def world() -> World:
    return load_world(TINY)


@pytest.fixture(scope="module")
def running(world: World) -> Iterator[Sandbox]:
    with Sandbox(world) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(running: Sandbox) -> Iterator[Sandbox]:
    running.clear_faults()
    running.reset_counters()
    yield running
    running.clear_faults()


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


@pytest.fixture(scope="module")
def api_sandbox() -> Iterator[Sandbox]:
    """The owner-API test world (api-world.yaml)."""
    with Sandbox(load_world(API_WORLD)) as sandbox:
        yield sandbox


@pytest.fixture
def sb(api_sandbox: Sandbox) -> Iterator[Sandbox]:
    """The owner-API sandbox with the world's faults, token states and quotas restored."""
    api_sandbox.clear_faults()
    api_sandbox.reset_counters()
    yield api_sandbox
    api_sandbox.clear_faults()
