"""The verdict for people (rich text), for GitHub code scanning (SARIF 2.1.0) and for CI test reports (JUnit XML)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from platformkit.policy.junit import to_junit
from platformkit.policy.sarif import fingerprint, to_sarif
from platformkit.policy.verdict import (
    NotScanned,
    Outcome,
    Severities,
    Severity,
    SourceLine,
    Verdict,
    load_severities,
    render_verdict,
)

REPO = Path(__file__).resolve().parents[3]


def outcome(env: str, check: str, name: str, severity: Severity, status: str = "failed", line: int = 10, **extra: Any) -> Outcome:
    return Outcome(
        environment=env,
        check_id=check,
        check_name=f"Ensure {check} holds",
        severity=severity,
        status=status,  # type: ignore[arg-type]  # deliberately loose value: the code under test must cope with it
        framework="terraform_plan",
        resource=f"aws_s3_bucket.{name}",
        scanned_file=f"{env}.tfplan.json",
        name=name,
        urn=f"urn:pulumi:{env}::platform::platform:storage:Storage$aws:s3/bucket:Bucket::{name}",
        type="aws:s3/bucket:Bucket",
        source=SourceLine("platform/platformkit/storage/component.py", line),
        **extra,
    )


SUPPRESSED = {
    "reason": "the access-log bucket must use SSE-S3 (AWS: server access logging does not support SSE-KMS targets)",
    "owner": "platform-team",
    "expires": date(2027, 3, 31),
    "suppressed_by": "policies/suppressions.yaml:20",
}


def verdict() -> Verdict:
    return Verdict(
        target="dev, prod",
        environments=["dev", "prod"],
        outcomes=[
            outcome("dev", "CKV_AWS_18", "storage-data", Severity.LOW),
            outcome("prod", "CKV_AWS_18", "storage-data", Severity.LOW),
            outcome("prod", "CKV_AWS_17", "database-instance", Severity.CRITICAL, line=42),
            outcome("dev", "CKV_AWS_145", "storage-logs", Severity.HIGH, status="suppressed", **SUPPRESSED),
            outcome("dev", "CKV_AWS_21", "storage-data", Severity.MEDIUM, status="passed"),
            replace(outcome("dev", "CKV_AWS_19", "storage-data", Severity.MEDIUM), source=None),
        ],
        not_scanned=[NotScanned("dev", "urn:pulumi:dev::platform::aws:foo/bar:Baz::thing", "aws:foo/bar:Baz", None)],
        errors=["policies/suppressions.yaml:9: the suppression of CKV_AWS_338 on x in dev (owner y) expired on 2026-01-01"],
        warnings=["policies/suppressions.yaml:30: the suppression of CKV_AWS_1 on z in dev (owner y) matched no failed check"],
        checkov_version="3.3.30",
        resources_scanned={"terraform_plan": 12, "kubernetes": 3},
        seconds={"checkov": 2.5},
    )


# --- text ------------------------------------------------------------------------------------


def rendered(v: Verdict) -> str:
    out = Console(record=True, width=200, color_system=None)
    render_verdict(v, out)
    return out.export_text()


def test_failures_are_grouped_by_severity_then_resource_with_the_declaring_line() -> None:
    text = rendered(verdict())
    critical, low = text.index("CRITICAL"), text.index("LOW")
    assert critical < text.index("database-instance") < low < text.index("storage-data  aws:s3/bucket:Bucket  (dev, prod)")
    assert "at platform/platformkit/storage/component.py:42" in text
    assert "CKV_AWS_17  Ensure CKV_AWS_17 holds" in text
    # Without a source line the rendered file and Checkov's id say where to look.
    assert "at dev.tfplan.json (aws_s3_bucket.storage-data)" in text


def test_suppressed_findings_show_reason_owner_expiry_and_where() -> None:
    text = rendered(verdict())
    assert "suppressed 1" in text
    assert "CKV_AWS_145  storage-logs (dev)" in text
    assert "server access logging does not support SSE-KMS" in text
    assert "owner platform-team, expires 2027-03-31; policies/suppressions.yaml:20" in text


def test_run_problems_and_totals_are_shown() -> None:
    text = rendered(verdict())
    assert "NOT SCANNED 1 resource(s)" in text and "aws:foo/bar:Baz x1" in text
    assert "error: policies/suppressions.yaml:9" in text
    assert "warning: policies/suppressions.yaml:30" in text
    assert text.rstrip().endswith("INCOMPLETE  failed 4, suppressed 1, passed 1, skipped 0")


def test_exit_codes() -> None:
    v = verdict()
    assert v.exit_code == 3
    v.not_scanned = []
    assert v.exit_code == 1
    v.outcomes = [o for o in v.outcomes if o.status != "failed"]
    assert v.exit_code == 1  # the expired suppression alone fails the gate
    v.errors = []
    assert v.exit_code == 0
    assert rendered(v).rstrip().endswith("PASS  failed 0, suppressed 1, passed 1, skipped 0")


# --- severities --------------------------------------------------------------------------------


def test_severity_rules_first_match_then_declared_then_default(tmp_path: Path) -> None:
    path = tmp_path / "severities.yaml"
    path.write_text(
        "default: LOW\nrules:\n"
        "  - {severity: CRITICAL, reason: secrets, checks: ['CKV_SECRET_*']}\n"
        "  - {severity: HIGH, reason: encryption, checks: [CKV_AWS_19, CKV_SECRET_2]}\n"
    )
    rules = load_severities(path)
    assert rules.of("CKV_SECRET_2") == Severity.CRITICAL  # the first matching rule wins
    assert rules.of("CKV_AWS_19") == Severity.HIGH
    assert rules.of("CKV_PLAT_101", declared="high") == Severity.HIGH  # the check's own, when no rule names it
    assert rules.of("CKV_AWS_999") == Severity.LOW
    assert Severities().of("CKV_AWS_999") == Severity.MEDIUM


def test_the_repository_severities_name_only_checks_that_exist(checkov_ids: set[str]) -> None:
    rules = load_severities(REPO / "policies" / "severities.yaml")
    named = [p for patterns, _ in rules.rules for p in patterns if "*" not in p and "?" not in p]
    assert named, "the file names checks"
    unknown = sorted(set(named) - checkov_ids)
    assert not unknown, f"policies/severities.yaml names checks Checkov does not have: {unknown}"
    assert len(named) == len(set(named)), "a check is named twice; only the first rule would apply"


@pytest.fixture(scope="module")
def checkov_ids() -> set[str]:
    """Every built-in check id of the frameworks the gate runs (``checkov --list``)."""
    import subprocess

    from platformkit.policy.checkov import checkov_environment, find_checkov

    done = subprocess.run(
        [str(find_checkov()), "--list", "--framework", "terraform", "kubernetes", "secrets", "github_actions",
         "dockerfile", "ansible", "--skip-download"],
        capture_output=True, text=True, timeout=120, check=True, env=checkov_environment(),
    )  # fmt: skip
    return set(re.findall(r"\|\s+\d+\s+\|\s+(CKV2?_[A-Z0-9]+_\d+)\s+\|", done.stdout))


# --- SARIF ------------------------------------------------------------------------------------

LEVELS = {"none", "note", "warning", "error"}


def check_sarif(log: dict[str, Any]) -> None:
    """The SARIF 2.1.0 fields GitHub code scanning requires, and their types."""
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    assert isinstance(log["runs"], list) and log["runs"]
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        assert isinstance(driver["name"], str) and driver["name"]
        rules = driver["rules"]
        ids = [r["id"] for r in rules]
        assert len(ids) == len(set(ids)), "rule ids are unique"
        for rule in rules:
            assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
            assert re.match(r"^https?://", rule["helpUri"])
            assert rule["defaultConfiguration"]["level"] in LEVELS
            assert re.fullmatch(r"\d+(\.\d+)?", rule["properties"]["security-severity"])
        for result in run["results"]:
            assert result["level"] in LEVELS
            assert isinstance(result["message"]["text"], str) and result["message"]["text"]
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
            (location,) = result["locations"]
            physical = location["physicalLocation"]
            assert not physical["artifactLocation"]["uri"].startswith("/"), "relative to %SRCROOT%"
            assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
            assert isinstance(physical["region"]["startLine"], int) and physical["region"]["startLine"] >= 1
            assert all(isinstance(v, str) for v in result["partialFingerprints"].values())
            for suppression in result.get("suppressions", []):
                assert suppression["kind"] in {"inSource", "external"}
                assert suppression["status"] in {"accepted", "underReview", "rejected"}


def test_sarif_has_the_required_structure() -> None:
    log = to_sarif(verdict(), REPO)
    check_sarif(json.loads(json.dumps(log)))


def test_sarif_results_point_at_the_python_line_with_levels_from_severity() -> None:
    run = to_sarif(verdict(), REPO)["runs"][0]
    results = run["results"]
    assert len(results) == 5, "failed and suppressed results only"
    first = results[0]
    assert (first["ruleId"], first["level"]) == ("CKV_AWS_17", "error")
    region = first["locations"][0]["physicalLocation"]
    assert (region["artifactLocation"]["uri"], region["region"]["startLine"]) == ("platform/platformkit/storage/component.py", 42)
    assert first["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].endswith("::database-instance")
    assert {r["ruleId"]: r["level"] for r in results}["CKV_AWS_18"] == "note"
    unlocated = next(r for r in results if r["ruleId"] == "CKV_AWS_19")
    assert unlocated["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "environments/Pulumi.dev.yaml"
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "CKV_AWS_17")
    assert rule["properties"]["security-severity"] == "9.5"


def test_sarif_suppressed_results_carry_the_justification() -> None:
    results = to_sarif(verdict(), REPO)["runs"][0]["results"]
    (suppressed,) = [r for r in results if "suppressions" in r]
    assert suppressed["ruleId"] == "CKV_AWS_145"
    justification = suppressed["suppressions"][0]["justification"]
    assert "SSE-S3" in justification and "platform-team" in justification and "2027-03-31" in justification


def test_fingerprints_are_stable_by_check_and_urn() -> None:
    a = outcome("dev", "CKV_AWS_18", "storage-data", Severity.LOW)
    moved = replace(a, source=SourceLine("platform/platformkit/storage/component.py", 99), severity=Severity.HIGH)
    assert fingerprint(a) == fingerprint(moved), "moving the code keeps the alert"
    assert fingerprint(a) != fingerprint(replace(a, check_id="CKV_AWS_21"))
    assert fingerprint(a) != fingerprint(outcome("prod", "CKV_AWS_18", "storage-data", Severity.LOW))
    first = to_sarif(verdict(), REPO)["runs"][0]["results"]
    second = to_sarif(verdict(), REPO)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in first] == [r["partialFingerprints"] for r in second]


# --- JUnit ------------------------------------------------------------------------------------


def test_junit_has_one_suite_per_environment_and_one_case_per_check_and_resource() -> None:
    root = ET.fromstring(to_junit(verdict()))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == ["dev", "prod", "policy-gate"]
    dev = suites["dev"]
    assert (dev.get("tests"), dev.get("failures"), dev.get("skipped")) == ("4", "2", "1")
    cases = {(c.get("classname"), c.get("name", "").split()[0]): c for c in dev.iter("testcase")}
    failed = cases[("dev.storage-data", "CKV_AWS_18")]
    failure = failed.find("failure")
    assert failure is not None and failure.get("type") == "LOW"
    assert (failed.get("file"), failed.get("line")) == ("platform/platformkit/storage/component.py", "10")
    skipped = cases[("dev.storage-logs", "CKV_AWS_145")].find("skipped")
    assert skipped is not None and "suppressed: the access-log bucket must use SSE-S3" in (skipped.get("message") or "")
    passed = cases[("dev.storage-data", "CKV_AWS_21")]
    assert passed.find("failure") is None and passed.find("skipped") is None
    assert root.get("tests") == "8" and root.get("failures") == "6"


def test_junit_reports_run_problems_as_failures() -> None:
    root = ET.fromstring(to_junit(verdict()))
    gate = next(s for s in root.iter("testsuite") if s.get("name") == "policy-gate")
    messages = [f.get("message") or "" for f in gate.iter("failure")]
    assert any("expired on 2026-01-01" in m for m in messages)
    assert any("aws:foo/bar:Baz" in m and "not scanned" in m for m in messages)
