"""Snowflakes injected into the real environments' graphs are caught; the real graphs pass."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from platformkit.environment import EnvironmentConfig
from platformkit.graph.model import GraphResource, ResourceGraph
from platformkit.parity import AllowList, ParityReport, compare, load_allowlist

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def allowlist() -> AllowList:
    return load_allowlist(REPO / "environments" / "parity.yaml")


def with_inputs(graph: ResourceGraph, name: str, **changes: object) -> ResourceGraph:
    """A copy of ``graph`` where resource ``name`` has ``changes`` applied to its inputs (dotted keys)."""
    graph.named(name)  # the resource must exist, or the test would silently change nothing
    resources = []
    for original in graph.resources:
        r = original
        if r.name == name:
            inputs = copy.deepcopy(r.inputs)
            for dotted, value in changes.items():
                node = inputs
                *parents, leaf = dotted.split(".")
                for part in parents:
                    node = node[int(part)] if isinstance(node, list) else node[part]
                node[leaf] = value
            r = replace(r, inputs=inputs)
        resources.append(r)
    return replace(graph, resources=resources)


def with_extra(graph: ResourceGraph, template: GraphResource, new_name: str) -> ResourceGraph:
    extra = replace(template, name=new_name, urn=template.urn.rsplit("::", 1)[0] + "::" + new_name)
    return replace(graph, resources=[*graph.resources, extra])


def check(graphs: dict[str, ResourceGraph], environments: dict[str, EnvironmentConfig], allowlist: AllowList) -> ParityReport:
    return compare(graphs, environments, allowlist)


def test_the_real_environments_have_no_snowflakes(env_graphs, environments, allowlist) -> None:
    report = check(env_graphs, environments, allowlist)
    assert report.ok, [d.to_json() for d in report.violations][:5]
    assert report.unused_entries == [], "allow-list entries that allow nothing should be removed"
    assert {(p.environment, p.reference) for p in report.pairs} >= {
        ("staging", "dev"),
        ("prod", "dev"),
        ("perf", "dev"),
        ("perf", "prod"),
    }


def test_encryption_turned_off_in_one_environment(env_graphs, environments, allowlist) -> None:
    graphs = {**env_graphs, "staging": with_inputs(env_graphs["staging"], "database-instance", storageEncrypted=False)}
    report = check(graphs, environments, allowlist)
    assert not report.ok
    (violation,) = report.violations
    assert (violation.environment, violation.reference, violation.path) == ("staging", "dev", "storageEncrypted")
    assert (violation.reference_value, violation.environment_value) == (True, False)


def test_a_resource_only_in_staging(env_graphs, environments, allowlist) -> None:
    staging = env_graphs["staging"]
    graphs = {**env_graphs, "staging": with_extra(staging, staging.named("storage-artifacts"), "storage-scratch")}
    report = check(graphs, environments, allowlist)
    assert not report.ok
    assert any(v.environment == "staging" and "storage-scratch" in v.resource for v in report.violations)


def test_a_different_engine_version(env_graphs, environments, allowlist) -> None:
    graphs = {**env_graphs, "prod": with_inputs(env_graphs["prod"], "database-instance", engineVersion="15")}
    report = check(graphs, environments, allowlist)
    assert {(v.environment, v.path) for v in report.violations} >= {("prod", "engineVersion")}


def test_perf_node_group_instance_class_differs_from_prod(env_graphs, environments, allowlist) -> None:
    graphs = {**env_graphs, "perf": with_inputs(env_graphs["perf"], "cluster-workloads", instanceTypes=["m7i.large"])}
    report = check(graphs, environments, allowlist)
    # dev and perf may differ in instance types (declared), perf and prod may not (shapeOf).
    assert [(v.environment, v.reference, v.path) for v in report.violations] == [("perf", "prod", "instanceTypes")]


def test_cli_exits_1_and_names_the_snowflake(env_graphs, tmp_path: Path) -> None:
    for name, graph in env_graphs.items():
        target = with_inputs(graph, "database-instance", storageEncrypted=False) if name == "staging" else graph
        target.write(tmp_path / f"{name}.json")
    done = subprocess.run(
        [sys.executable, "-m", "platformkit.cli", "parity", "--graphs", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "storageEncrypted" in done.stdout
    assert "staging vs dev" in done.stdout
