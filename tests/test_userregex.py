"""User-written patterns: refused when they backtrack catastrophically, searched under a time
limit, and a pattern that keeps timing out stops costing time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import regex

from scanner import userregex
from scanner.errors import UserPatternTimeout
from scanner.inventory import load_inventory
from scanner.userregex import (
    MAX_TIMEOUTS,
    UserPattern,
    UserPatternError,
    compile_user_pattern,
    user_pattern_problem,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "inventories" / "copper-kettle.yaml"
NO_HANG_SECONDS = 5

CATASTROPHIC = [
    r"^(a|aa)+$",
    r"^(\w|[a-z])+$",
    r"(\s|\s\s)*$",
    r"^(.*?,){11}P",
    r"^([0-9]|\d)+$",
    r"^([a-z]|[a-c])*$",
]
SOUND = [
    r"^(a+)+$",  # the regex engine collapses the nested repeat: linear
    r"^(?:[a-z0-9-]+\.)+[a-z]+$",
    r"^Copper Kettle( .+)?$",
    r"(?i)^(?:@|u/|r/|company/)?copper[._-]?kettle[a-z0-9._-]*(?:@[a-z0-9.-]+)?$",
    r"(?<!x)kettle\b",  # look-behind: RE2 would refuse it, people write it
]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_catastrophic_patterns_are_refused(pattern: str) -> None:
    problem = user_pattern_problem(pattern)
    assert problem is not None and "backtracks catastrophically" in problem
    with pytest.raises(UserPatternError, match="backtracks catastrophically"):
        compile_user_pattern(pattern)


@pytest.mark.parametrize("pattern", SOUND)
def test_sound_patterns_are_accepted(pattern: str) -> None:
    assert user_pattern_problem(pattern) is None
    assert user_pattern_problem(pattern, ignore_case=True) is None


def test_example_organization_patterns_are_accepted() -> None:
    naming = load_inventory(EXAMPLE).organization.naming
    assert naming.handle_pattern and naming.display_name_pattern
    assert user_pattern_problem(naming.handle_pattern, ignore_case=True) is None
    assert user_pattern_problem(naming.display_name_pattern) is None


def test_bad_syntax_says_where() -> None:
    assert user_pattern_problem("((") == "bad regular expression '((': missing ) at position 2"


def test_ignore_case() -> None:
    assert compile_user_pattern("^copper", ignore_case=True).search("COPPER kettle")
    assert not compile_user_pattern("^copper").search("COPPER kettle")


def test_timeouts_raise_and_then_stop_costing_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(userregex, "MATCH_TIMEOUT", 0.05)
    pattern = UserPattern("^(a|aa)+$", False, regex.compile("^(a|aa)+$"))
    hostile = "a" * 60 + "!"
    started = time.monotonic()
    for _ in range(MAX_TIMEOUTS):
        with pytest.raises(UserPatternTimeout):
            pattern.search(hostile)
    assert pattern.timeouts == MAX_TIMEOUTS
    # Once known to time out, even a harmless text is not searched.
    with pytest.raises(UserPatternTimeout, match="took longer than"):
        pattern.search("a")
    assert time.monotonic() - started < NO_HANG_SECONDS
