"""Built-in cross-account checks a pack can declare with ``check: NAME`` (a registry).

These compare accounts with each other, which a per-account condition cannot express. Each
returns, for the accounts in scope that fail, the evidence that decided it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from scanner.model import JSON, Account
from scanner.platforms import handle_key

__all__ = ["CHECKS", "Check", "register"]

CheckFn = Callable[[Sequence[Account]], Mapping[str, Mapping[str, JSON]]]


@dataclass(frozen=True)
class Check:
    name: str
    doc: str
    locate: str
    """Account field a finding points at."""
    run: CheckFn


CHECKS: dict[str, Check] = {}


def register(name: str, *, locate: str) -> Callable[[CheckFn], CheckFn]:
    def decorator(fn: CheckFn) -> CheckFn:
        CHECKS[name] = Check(name, (fn.__doc__ or "").strip(), locate, fn)
        return fn

    return decorator


@register("duplicate_entries", locate="handle")
def duplicate_entries(accounts: Sequence[Account]) -> Mapping[str, Mapping[str, JSON]]:
    """another inventory entry in scope has the same platform and handle (case-insensitive);
    every entry after the first one is flagged, naming the first."""
    first: dict[tuple[str, str], Account] = {}
    failing: dict[str, Mapping[str, JSON]] = {}
    for account in accounts:
        key = (account.platform.value, handle_key(account.platform, account.handle))
        original = first.setdefault(key, account)
        if original is not account:
            failing[account.id] = {
                "duplicate_of": original.id,
                "duplicate_of_line": original.location.line,
                "platform": account.platform.value,
                "handle": account.handle,
            }
    return failing
