"""User-written regular expressions (naming conventions, rule ``matches`` values): the one place
that compiles them, with the ``regex`` engine, refuses patterns that backtrack catastrophically,
and searches under a time limit so a hostile pattern or text can never hang a run.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import regex

from scanner.errors import UserPatternTimeout

__all__ = [
    "MATCH_TIMEOUT",
    "PROBE_TIMEOUT",
    "UserPattern",
    "UserPatternError",
    "UserPatternTimeout",
    "compile_user_pattern",
    "user_pattern_problem",
]

MATCH_TIMEOUT = 0.25
"""Seconds one search may take. A handle, display name or bio is matched in microseconds; only
catastrophic backtracking comes near this."""

PROBE_TIMEOUT = 0.2
"""Seconds one adversarial probe may take at validation. A pattern that backtracks
exponentially needs far longer on a probe of PROBE_LENGTH characters; a sound one needs
microseconds, so the margin is wide on a loaded machine too."""

PROBE_LENGTH = 48
MAX_TIMEOUTS = 3
"""After this many timeouts in one run a pattern is taken to time out on every text: each later
search would otherwise spend MATCH_TIMEOUT per account for the same verdict."""

_MAX_UNITS = 12
# A representative character for each class escape, so `\d+` is probed with digits.
_CLASS_EXAMPLES = {"d": "1", "w": "a", "s": " ", "D": "a", "W": "!", "S": "a", "b": "", "B": ""}
_META = frozenset(".^$*+?{}[]()|\\")
# Characters that end a probe: each should make the overall match fail at the very end, which is
# what forces a backtracking engine to try every way of splitting the run before it.
_TAILS = ("\x00", "!", "")


class UserPatternError(ValueError):
    """A user pattern that cannot be used: bad syntax or catastrophic backtracking."""


@dataclass
class UserPattern:
    """A compiled user pattern. ``search`` raises UserPatternTimeout instead of hanging."""

    text: str
    ignore_case: bool
    compiled: regex.Pattern[str]
    timeouts: int = 0

    def search(self, value: str) -> bool:
        if self.timeouts >= MAX_TIMEOUTS:
            raise UserPatternTimeout(self.text, MATCH_TIMEOUT)
        try:
            return self.compiled.search(value, timeout=MATCH_TIMEOUT) is not None
        except TimeoutError:
            self.timeouts += 1
            raise UserPatternTimeout(self.text, MATCH_TIMEOUT) from None


def compile_user_pattern(text: str, *, ignore_case: bool = False) -> UserPattern:
    """Compile ``text`` or raise UserPatternError saying why it cannot be used."""
    problem = user_pattern_problem(text, ignore_case=ignore_case)
    if problem is not None:
        raise UserPatternError(problem)
    return UserPattern(text, ignore_case, _compile(text, ignore_case))


@functools.lru_cache(maxsize=512)
def user_pattern_problem(text: str, *, ignore_case: bool = False) -> str | None:
    """Why ``text`` cannot be used as a pattern, else None. Cached: validation and the run that
    follows ask about the same patterns."""
    try:
        compiled = _compile(text, ignore_case)
    except regex.error as exc:
        return f"bad regular expression {text!r}: {exc}"
    for probe in _probes(text):
        try:
            compiled.search(probe, timeout=PROBE_TIMEOUT)
        except TimeoutError:
            shown = probe[:12] + "…" if len(probe) > 12 else probe
            return (
                f"regular expression {text!r} backtracks catastrophically (a search of "
                f"{len(probe)} characters like {shown!r} ran over {PROBE_TIMEOUT} s); "
                "rewrite it without alternatives or repeats that can match the same text "
                "in more than one way, e.g. (a|aa)+ or (\\w|[a-z])+"
            )
    return None


def _compile(text: str, ignore_case: bool) -> regex.Pattern[str]:
    return regex.compile(text, regex.IGNORECASE if ignore_case else 0)


def _probes(text: str) -> list[str]:
    """Adversarial inputs for ``text``: long runs of the characters (and pairs of them) that the
    pattern itself names, each ended by a character that makes the match fail late."""
    alphabet = _alphabet(text)
    units = [*alphabet, *("".join(p) for p in itertools.permutations(alphabet[:6], 2))]
    probes: list[str] = []
    for unit in units:
        run = unit * (PROBE_LENGTH // len(unit))
        probes.extend(run + tail for tail in _TAILS)
    return probes


def _alphabet(text: str) -> list[str]:
    """Literal characters of the pattern, class escapes as an example each, then a few common
    ones; at most _MAX_UNITS, in order of appearance."""
    seen: dict[str, None] = {}
    escaped = False
    for ch in text:
        if escaped:
            example = _CLASS_EXAMPLES.get(ch, "" if ch.isalnum() else ch)
            if example:
                seen.setdefault(example)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch not in _META and ch.isprintable():
            seen.setdefault(ch)
    for ch in "a1 ._-":
        seen.setdefault(ch)
    return list(seen)[:_MAX_UNITS]
