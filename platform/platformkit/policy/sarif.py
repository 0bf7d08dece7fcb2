"""The verdict as SARIF 2.1.0, for GitHub code scanning (``platform policy --sarif FILE``).

One run; one rule per check that failed or was suppressed; one result per failed or
suppressed check on a resource in an environment. A result points at the Python line that
declared the resource (relative to the repository root, ``%SRCROOT%``), so GitHub annotates
the code to change; its logical location is the resource's URN. ``partialFingerprints``
hash the check id and the URN (for the repository scan: the file and Checkov's resource id),
so an alert keeps its identity when code moves. Suppressed results carry a SARIF
``suppressions`` entry with the reason, owner and expiry. Level follows the gate's severity
(CRITICAL/HIGH: error, MEDIUM: warning, LOW: note), and ``security-severity`` lets GitHub
rank alerts the same way.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from .verdict import Outcome, Severity, Verdict

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "platformPolicy/v1"
TOOL_NAME = "platform policy"
TOOL_URI = "https://www.checkov.io/"

LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "2.0"}
"""GitHub's bands: >= 9 critical, 7-8.9 high, 4-6.9 medium, < 4 low."""

_POLICY_INDEX = {
    "terraform_plan": "terraform",
    "terraform": "terraform",
    "kubernetes": "kubernetes",
    "secrets": "secrets",
    "github_actions": "github_actions",
    "dockerfile": "dockerfile",
    "ansible": "ansible",
}


def help_uri(outcome: Outcome) -> str:
    """The check's guideline, else Checkov's policy index page of its framework."""
    if outcome.guideline and outcome.guideline.startswith(("https://", "http://")):
        return outcome.guideline
    page = _POLICY_INDEX.get(outcome.framework, "all")
    return f"https://www.checkov.io/5.Policy%20Index/{page}.html"


def fingerprint(outcome: Outcome) -> str:
    """Stable identity of an alert: check id + URN (repository scan: check + file + Checkov resource id)."""
    identity = outcome.urn or f"{outcome.environment}:{outcome.scanned_file}:{outcome.resource}"
    return hashlib.sha256(f"{outcome.check_id}|{identity}".encode()).hexdigest()[:32]


def to_sarif(verdict: Verdict, root: Path | None = None) -> dict[str, Any]:
    """The SARIF log of ``verdict``. ``root`` lets unlocated resources point at their environment file."""
    reported = sorted(
        (o for o in verdict.outcomes if o.status in ("failed", "suppressed")),
        key=lambda o: (o.severity.rank, o.check_id, o.environment, o.name),
    )
    rules: list[dict[str, Any]] = []
    rule_index: dict[str, int] = {}
    for outcome in reported:
        if outcome.check_id not in rule_index:
            rule_index[outcome.check_id] = len(rules)
            rules.append(_rule(outcome))
    results = [_result(o, rule_index[o.check_id], root) for o in reported]
    driver: dict[str, Any] = {
        "name": TOOL_NAME,
        "fullName": f"platform policy gate (Checkov {verdict.checkov_version or 'unknown'})",
        "informationUri": TOOL_URI,
        "rules": rules,
    }
    if verdict.checkov_version:
        driver["version"] = verdict.checkov_version
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "automationDetails": {"id": f"platform-policy/{'-'.join(verdict.environments)}/"},
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The repository root."}}},
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [{"level": "error", "message": {"text": e}} for e in verdict.errors]
                        + [{"level": "warning", "message": {"text": w}} for w in verdict.warnings],
                    }
                ],
            }
        ],
    }


def _rule(outcome: Outcome) -> dict[str, Any]:
    uri = help_uri(outcome)
    return {
        "id": outcome.check_id,
        "name": outcome.check_id,
        "shortDescription": {"text": outcome.check_name},
        "fullDescription": {"text": outcome.check_name},
        "helpUri": uri,
        "help": {"text": _help_text(outcome, uri), "markdown": f"{outcome.check_name}\n\n[{outcome.check_id}]({uri})"},
        "defaultConfiguration": {"level": LEVELS[outcome.severity]},
        "properties": {
            "tags": ["security", "policy", outcome.framework],
            "security-severity": SECURITY_SEVERITY[outcome.severity],
            "precision": "high",
        },
    }


def _result(outcome: Outcome, index: int, root: Path | None) -> dict[str, Any]:
    path, line = _place(outcome, root)
    region = {"startLine": line}
    what = f"{outcome.name} ({outcome.type})" if outcome.type else outcome.name
    result: dict[str, Any] = {
        "ruleId": outcome.check_id,
        "ruleIndex": index,
        "level": LEVELS[outcome.severity],
        "message": {"text": _message(outcome, what)},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}, "region": region},
                "logicalLocations": [
                    {"name": outcome.name, "fullyQualifiedName": outcome.urn or f"{outcome.scanned_file}:{outcome.resource}"}
                ],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(outcome)},
        "properties": {"environment": outcome.environment, "severity": outcome.severity.value, "resource": outcome.resource},
    }
    if outcome.status == "suppressed":
        expires = outcome.expires.isoformat() if outcome.expires else "never"
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{outcome.reason} (owner {outcome.owner}, expires {expires}; {outcome.suppressed_by})",
            }
        ]
    return result


def _help_text(outcome: Outcome, uri: str) -> str:
    guide = f"\nGuideline: {outcome.guideline}" if outcome.guideline and outcome.guideline != uri else ""
    return f"{outcome.check_name}\n{uri}{guide}"


def _message(outcome: Outcome, what: str) -> str:
    details = f" ({outcome.details})" if outcome.details else ""
    return f"{outcome.check_name}: {what} in {outcome.environment}{details} [{outcome.severity.value}]"


def _place(outcome: Outcome, root: Path | None) -> tuple[str, int]:
    if outcome.source is not None:
        return outcome.source.path, outcome.source.line or 1
    # A resource without a source line: point at the environment's file, which is in the repository.
    env_file = f"environments/Pulumi.{outcome.environment}.yaml"
    if root is None or (root / env_file).is_file():
        return env_file, 1
    return "Pulumi.yaml", 1
