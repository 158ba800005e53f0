"""The JSON report follows the published audit-report schema and keeps the contract's shape."""

from __future__ import annotations

import io
import json

import jsonschema
import pytest

from scanner.model import AuditResult, ObservationStatus
from scanner.reports import formatter_for
from scanner.reports.json_report import (
    JsonFormatter,
    report_document,
    report_schema,
    write_report,
)
from scanner.reports.sanitize import json_text
from tests.reports.builders import HOSTILE_BIO, audit_result, minimal_result

OBSERVATION_FIELDS = {
    "platform", "handle", "status", "url", "fetched_at", "reason", "http_status", "final_url",
    "signal", "display_name", "bio", "links", "followers", "verified", "created_at",
    "last_activity_at", "no_activity_since", "account_state", "etag", "last_modified",
    "body_sha256", "not_modified",
}  # fmt: skip


def _validate(doc: object) -> None:
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


@pytest.mark.parametrize(
    "build",
    [audit_result, minimal_result, lambda: audit_result(baseline=None, trends=(), complete=False)],
    ids=["full", "offline-empty", "no-baseline-incomplete"],
)
def test_every_json_output_validates(build: object) -> None:
    result = build()  # type: ignore[operator]
    text = formatter_for("json").render(result)
    text.encode("utf-8")  # strict: no lone surrogates survive
    _validate(json.loads(text))


def test_contract_shape(result: AuditResult) -> None:
    doc = json.loads(formatter_for("json").render(result))
    assert list(doc) == [
        "schema_version", "run", "summary", "accounts", "findings", "passed", "rules",
        "discoveries", "baseline", "trends",
    ]  # fmt: skip
    assert doc["run"]["inventory"] == {"path": "inventories/copper-kettle.yaml", "sha256": "a" * 64}
    assert doc["run"]["complete"] is True and doc["run"]["started_at"] == "2026-11-15T08:00:00Z"
    assert doc["summary"]["accounts_by_observation"] == {
        "present": 4, "absent": 1, "blocked": 1, "error": 1, "invalid": 0, "not_observed": 1,
    }  # fmt: skip
    assert doc["summary"]["findings_by_status"] == {"fail": 11, "waived": 1, "error": 2, "warn": 1}
    assert doc["summary"]["findings_by_severity"]["critical"]["fail"] == 2

    ig = next(a for a in doc["accounts"] if a["id"] == "ig-retail")
    assert set(ig["observation"]) == OBSERVATION_FIELDS
    # Markup stays (JSON is not HTML); escapes and controls go, so printing it is safe.
    assert ig["observation"]["bio"] == json_text(HOSTILE_BIO)
    assert "<script>" in ig["observation"]["bio"] and "\x1b" not in ig["observation"]["bio"]
    assert ig["profile_url"].startswith("https://")
    x = next(a for a in doc["accounts"] if a["id"] == "x-main")
    assert x["observation"]["status"] == ObservationStatus.BLOCKED.value
    assert x["last_known_good"]["status"] == "present"

    waived = next(f for f in doc["findings"] if f["status"] == "waived")
    assert waived["waiver"] == {
        "id": "W-001", "expires": "2027-01-31", "reason": "hardware keys arrive in January",
        "approved_by": "vera.lang@copperkettle.coffee",
    }  # fmt: skip
    assert waived["location"] == {
        "file": "inventories/copper-kettle.yaml",
        "line": 10,
        "column": None,
    }
    assert set(waived) >= {"rule_id", "severity", "status", "account_id", "platform", "handle",
                           "message", "remediation", "evidence", "location", "fingerprint"}  # fmt: skip

    rogue = next(d for d in doc["discoveries"] if d["classification"] == "rogue")
    assert rogue["score"] == 91 and rogue["matched_account_id"] == "x-main"

    base = doc["baseline"]
    still = {e["rule_id"]: e for e in base["still_open"]}
    assert still["OWN-002"]["first_seen"] == "2026-06-15T08:00:00Z"
    assert still["OWN-002"]["age_days"] == 153
    assert [f["rule_id"] for f in base["resolved"]] == ["OWN-002"]
    assert doc["trends"][-1]["open_findings"]["high"] == 5


def test_lone_surrogates_become_replacement_characters(result: AuditResult) -> None:
    doc = json.loads(formatter_for("json").render(result))
    masto = next(
        f for f in doc["findings"] if f["account_id"] == "masto-hr" and f["rule_id"] == "ACT-001"
    )
    assert masto["evidence"]["lone"] == "surrogate \ufffd here"


def test_passed_rules_are_compact_unless_asked_for(result: AuditResult) -> None:
    """By default each account names the rules it passed and the long array is null; with
    --include-passed (``include_passed``) the array lists every pair, and both validate."""
    compact = json.loads(formatter_for("json").render(result))
    full = json.loads(JsonFormatter(include_passed=True).render(result))
    _validate(compact)
    _validate(full)
    assert compact["passed"] is None
    assert full["passed"] == [{"rule_id": r, "account_id": a} for r, a in result.passed]
    named = {(r, a["id"]) for a in compact["accounts"] for r in a["passed"]}
    assert named == set(result.passed) and named
    assert compact["summary"]["passed"] == len(result.passed)


@pytest.mark.parametrize("include_passed", [False, True])
def test_streamed_file_is_the_document_dumped_whole(
    result: AuditResult, include_passed: bool
) -> None:
    """The file is written an item at a time, yet byte for byte what dumping the whole
    document would give (indentation included), hostile strings sanitized the same way."""
    out = io.StringIO()
    write_report(result, out, include_passed=include_passed)
    whole = report_document(result, include_passed=include_passed)
    assert out.getvalue() == json.dumps(whole, indent=2, ensure_ascii=False) + "\n"
    empty = io.StringIO()
    write_report(minimal_result(), empty)
    assert json.loads(empty.getvalue())["findings"] == []
