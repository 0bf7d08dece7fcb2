"""The project's own four environments pass the gate, with only justified, unexpired suppressions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from platformkit.graph.model import ResourceGraph
from platformkit.policy.gate import GateResult, run_gate
from platformkit.policy.sarif import to_sarif

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def gate(env_graphs: dict[str, ResourceGraph]) -> GateResult:
    return run_gate(env_graphs, REPO)


def test_every_environment_passes_the_gate(gate: GateResult) -> None:
    verdict = gate.verdict
    failures = [f"{o.environment} {o.check_id} {o.name} ({o.type}) at {o.location}: {o.check_name}" for o in verdict.failed]
    undeclared = [f"{n.environment} {n.type} {n.urn}" for n in verdict.undeclared]
    assert (failures, undeclared, verdict.errors) == ([], [], [])
    assert verdict.exit_code == 0


def test_every_environment_and_framework_was_scanned(gate: GateResult, env_graphs: dict[str, ResourceGraph]) -> None:
    verdict = gate.verdict
    assert verdict.environments == list(env_graphs)
    assert {o.environment for o in verdict.outcomes} == set(env_graphs)
    assert verdict.resources_scanned["terraform_plan"] > 100 and verdict.resources_scanned["kubernetes"] > 10
    # The organisation's checks ran, not only Checkov's.
    assert {o.check_id for o in verdict.outcomes if o.check_id.startswith(("CKV_PLAT_", "CKV2_PLAT_"))} >= {
        "CKV_PLAT_001",
        "CKV_PLAT_016",
    }


def test_every_suppression_is_used_and_explained(gate: GateResult) -> None:
    assert gate.verdict.warnings == [], "unused suppressions or unscannable entries: remove them"
    for outcome in gate.verdict.having("suppressed"):
        assert outcome.reason and outcome.owner and outcome.expires and outcome.expires >= date.today()


def test_failures_and_suppressions_point_at_python_lines(gate: GateResult) -> None:
    located = [o for o in gate.verdict.outcomes if o.status in ("failed", "suppressed")]
    assert located, "the environments have suppressed findings"
    assert all(o.source is not None and o.source.path.endswith(".py") and o.source.line for o in located)
    for result in to_sarif(gate.verdict, REPO)["runs"][0]["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert (REPO / uri).is_file(), uri
