"""Fixtures for the report tests: the realistic audit result and its renderings."""

from __future__ import annotations

import pytest

from scanner.model import AuditResult
from tests.reports.builders import audit_result, minimal_result


@pytest.fixture
def result() -> AuditResult:
    return audit_result()


@pytest.fixture
def empty_result() -> AuditResult:
    return minimal_result()
