"""Stable finding fingerprints: the same problem on the same account hashes the same across runs,
even when the inventory's lines move (line numbers are never part of it)."""

from __future__ import annotations

import hashlib

from scanner.model import Platform

__all__ = ["account_part", "fingerprint"]


def fingerprint(
    rule_id: str, platform: Platform | str | None, handle: str | None, account_id: str | None
) -> str:
    """sha256 (hex) of rule id, platform, case-folded handle and account id."""
    return hashlib.sha256(
        rule_id.encode("utf-8") + account_part(platform, handle, account_id)
    ).hexdigest()


def account_part(
    platform: Platform | str | None, handle: str | None, account_id: str | None
) -> bytes:
    """The bytes after the rule id in a fingerprint; the evaluator computes it once per account."""
    name = platform.value if isinstance(platform, Platform) else (platform or "")
    folded = (handle or "").strip().casefold()
    return f"\x1f{name}\x1f{folded}\x1f{account_id or ''}".encode()
