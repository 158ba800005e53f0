"""SARIF 2.1.0: valid against the official schema, severities mapped, waivers suppressed."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from scanner.model import AuditResult, FindingStatus, Severity
from scanner.reports import formatter_for
from scanner.reports.sarif import artifact_uri, level_for
from tests.reports.builders import audit_result, minimal_result

SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)


def _validate(doc: object) -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = list(validator.iter_errors(doc))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


@pytest.mark.parametrize("build", [audit_result, minimal_result], ids=["full", "empty"])
def test_validates_against_the_sarif_schema(build: object) -> None:
    _validate(json.loads(formatter_for("sarif").render(build())))  # type: ignore[operator]


def test_schema_rejects_a_broken_log() -> None:
    broken = json.loads(formatter_for("sarif").render(audit_result()))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(AssertionError):
        _validate(broken)


@pytest.mark.parametrize("severity", list(Severity))
def test_level_for_every_severity(severity: Severity) -> None:
    expected = {
        "critical": "error",
        "high": "error",
        "medium": "warning",
        "low": "note",
        "info": "note",
    }
    assert level_for(severity) == expected[severity.value]


def test_rules_results_locations_and_suppressions(result: AuditResult) -> None:
    run = json.loads(formatter_for("sarif").render(result))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(set(ids)) and "DSC-001" in ids  # one descriptor per rule id
    own = next(r for r in rules if r["id"] == "OWN-001")
    assert own["shortDescription"]["text"] == "Owner assigned"
    assert own["fullDescription"]["text"] and own["help"]["text"].startswith("Name an owner")
    assert own["defaultConfiguration"]["level"] == "error"

    results = run["results"]
    listed = [f for f in result.findings if f.status is not FindingStatus.PASS]
    assert len(results) == len(listed)
    for r in results:
        assert ids[r["ruleIndex"]] == r["ruleId"]
    by_key = {
        (r["ruleId"], r["properties"]["accountId"], r["properties"]["status"]): r for r in results
    }

    critical = by_key[("IDN-001", "reddit-sub", "fail")]
    assert critical["level"] == "error" and critical["kind"] == "fail"
    loc = critical["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "inventories/copper-kettle.yaml"
    assert loc["region"]["startLine"] == 108
    assert critical["partialFingerprints"]["rollcallFingerprint/v1"] == next(
        f.fingerprint for f in result.findings if f.rule_id == "IDN-001"
    )
    assert by_key[("ACT-001", "ig-retail", "fail")]["level"] == "warning"
    assert by_key[("PUR-002", "gh-main", "fail")]["level"] == "note"
    unverified = by_key[("ACT-001", "x-main", "error")]
    assert unverified["kind"] == "review" and unverified["level"] == "none"

    waived = by_key[("SEC-002", "gh-main", "waived")]
    assert waived["suppressions"][0]["status"] == "accepted"
    assert "W-001" in waived["suppressions"][0]["justification"]
    assert not [r for r in results if r["properties"]["status"] == "fail" and "suppressions" in r]


def test_artifact_uri_is_relative_to_the_working_directory(tmp_path: Path) -> None:
    inventory = tmp_path / "org files" / "inv.yaml"
    assert artifact_uri(str(inventory), base=tmp_path) == "org%20files/inv.yaml"
    assert artifact_uri("inventories/x.yaml") == "inventories/x.yaml"
    assert artifact_uri(str(inventory), base=tmp_path / "elsewhere").startswith("file:///")


def test_hostile_text_stays_valid_json(result: AuditResult) -> None:
    text = formatter_for("sarif").render(result)
    text.encode("utf-8")
    assert "\\u0000" not in text and "\\u001b" not in text


def test_render_findings_for_other_commands(result: AuditResult) -> None:
    from scanner.reports.sarif import render_findings

    doc = json.loads(render_findings(result.findings, tool_name="rollcall review"))
    _validate(doc)
    run = doc["runs"][0]
    assert run["tool"]["driver"]["name"] == "rollcall review"
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {f.rule_id for f in result.findings}
    assert len(run["results"]) == len(result.findings)
