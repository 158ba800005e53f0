"""Builds Fetched answers from the fixture bodies here (no sockets: the parsers are pure)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from scanner.fetch.interface import Fetched

FIXTURES = Path(__file__).parent / "fixtures"
FETCHED_AT = datetime(2026, 12, 3, 6, 0, 0, tzinfo=UTC)


def body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def answer(
    name: str | None,
    *,
    status: int = 200,
    url: str = "https://api.example.test/",
    headers: Mapping[str, str] | None = None,
    raw: bytes | None = None,
) -> Fetched:
    """A Fetched whose body is fixture ``name`` (or ``raw``), JSON unless headers say else."""
    data = raw if raw is not None else body(name) if name else b""
    all_headers = {"content-type": "application/json; charset=UTF-8", **(headers or {})}
    return Fetched(
        url=url,
        final_url=url,
        status=status,
        headers=all_headers,
        body=data,
        fetched_at=FETCHED_AT,
    )
