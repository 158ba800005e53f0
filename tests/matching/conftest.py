"""The labelled set's figures in the pytest terminal summary (seen without ``-s``)."""

from __future__ import annotations

from typing import Any

import pytest

FIGURES_KEY = pytest.StashKey[list[str]]()


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> list[str]:
    """Lines a test leaves for the terminal summary."""
    return request.config.stash.setdefault(FIGURES_KEY, [])


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    lines = config.stash.get(FIGURES_KEY, [])
    if lines:
        terminalreporter.section("matching: labelled lookalike set")
        for line in lines:
            terminalreporter.write_line(line)
