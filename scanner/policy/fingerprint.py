"""Stable finding fingerprints: the same problem on the same account hashes the same across runs,
even when the inventory's lines move (line numbers are never part of it)."""

from __future__ import annotations

import hashlib

from scanner.model import Platform

__all__ = ["fingerprint"]


def fingerprint(
    rule_id: str, platform: Platform | str | None, handle: str | None, account_id: str | None
) -> str:
    """sha256 (hex) of rule id, platform, case-folded handle and account id."""
    parts = (
        rule_id,
        platform.value if isinstance(platform, Platform) else (platform or ""),
        (handle or "").strip().casefold(),
        account_id or "",
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
