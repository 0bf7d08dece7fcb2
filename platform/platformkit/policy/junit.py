"""The verdict as JUnit XML (``platform policy --junit FILE``), for CI test reports.

One ``testsuite`` per environment (``repo`` for the repository scan), one ``testcase`` per
check on a resource: ``classname`` is ``<environment>.<logical name>``, ``name`` the check
id and name, ``file``/``line`` the declaring Python line. A failed check is a ``failure``
(type = severity); a suppressed one, or one Checkov skipped, is ``skipped`` with the reason.
Problems of the run itself (expired suppressions, resources nobody declared unscannable) are
failures in a last suite named ``policy-gate``, so a CI report shows why the gate failed
even when no check did.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from .verdict import Outcome, Verdict

GATE_SUITE = "policy-gate"


def to_junit(verdict: Verdict) -> str:
    """The JUnit XML document of ``verdict``."""
    root = ET.Element("testsuites", name="platform policy")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    seconds = f"{verdict.seconds.get('checkov', 0.0):.3f}"
    for environment in verdict.environments:
        outcomes = sorted(
            (o for o in verdict.outcomes if o.environment == environment), key=lambda o: (o.name, o.check_id, o.resource)
        )
        suite = ET.SubElement(root, "testsuite", name=environment)
        counts = {"tests": len(outcomes), "failures": 0, "skipped": 0}
        for outcome in outcomes:
            _testcase(suite, outcome, counts)
        _set_counts(suite, counts, seconds)
        for key in totals:
            totals[key] += counts[key]
    problems = [*verdict.errors, *(f"{n.environment}: {n.urn} ({n.type}) was not scanned" for n in verdict.undeclared)]
    if problems:
        suite = ET.SubElement(root, "testsuite", name=GATE_SUITE)
        for index, problem in enumerate(problems):
            case = ET.SubElement(suite, "testcase", classname=GATE_SUITE, name=f"gate problem {index + 1}")
            failure = ET.SubElement(case, "failure", message=problem.splitlines()[0], type="GATE")
            failure.text = problem
        counts = {"tests": len(problems), "failures": len(problems), "skipped": 0}
        _set_counts(suite, counts, "0")
        for key in totals:
            totals[key] += counts[key]
    _set_counts(root, totals, seconds)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(verdict: Verdict, path: Path) -> None:
    """Write the JUnit XML of ``verdict`` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_junit(verdict), encoding="utf-8")


def _testcase(suite: ET.Element, outcome: Outcome, counts: dict[str, int]) -> None:
    attrs = {"classname": f"{outcome.environment}.{outcome.name}", "name": f"{outcome.check_id} {outcome.check_name}"}
    if outcome.source is not None:
        attrs["file"] = outcome.source.path
        if outcome.source.line:
            attrs["line"] = str(outcome.source.line)
    case = ET.SubElement(suite, "testcase", attrs)
    if outcome.status == "failed":
        counts["failures"] += 1
        failure = ET.SubElement(
            case, "failure", message=f"[{outcome.severity.value}] {outcome.check_name}", type=outcome.severity.value
        )
        failure.text = "\n".join(
            line
            for line in (
                f"resource: {outcome.name} ({outcome.type or outcome.framework})",
                outcome.details,
                f"urn: {outcome.urn}" if outcome.urn else None,
                f"declared at: {outcome.location}",
                f"checkov: {outcome.resource} in {outcome.scanned_file}",
                f"guideline: {outcome.guideline}" if outcome.guideline else None,
            )
            if line
        )
    elif outcome.status in ("suppressed", "skipped"):
        counts["skipped"] += 1
        if outcome.status == "suppressed":
            expires = outcome.expires.isoformat() if outcome.expires else "never"
            message = f"suppressed: {outcome.reason} (owner {outcome.owner}, expires {expires})"
        else:
            message = f"skipped by Checkov: {outcome.reason or 'no reason given'}"
        ET.SubElement(case, "skipped", message=message)


def _set_counts(element: ET.Element, counts: dict[str, int], seconds: str) -> None:
    element.set("tests", str(counts["tests"]))
    element.set("failures", str(counts["failures"]))
    element.set("errors", "0")
    element.set("skipped", str(counts["skipped"]))
    element.set("time", seconds)
