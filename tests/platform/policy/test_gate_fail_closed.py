"""The gate fails closed: every way Checkov can miss something stops the gate with a clear message, never a pass.

Faults are injected two ways: fake ``checkov`` executables (missing, crash, hang, garbage, a
report that disagrees with its exit code, a logged error, a short report), and real Checkov
given inputs it skips silently (a plan resource without ``mode``, a Kubernetes object
without a name, a file it cannot parse, a custom check that does not load).
"""

from __future__ import annotations

import json
import stat
import sys
import textwrap
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from platformkit.graph.model import ResourceGraph
from platformkit.policy.bridge import BridgeIndex, BridgeResult, IndexEntry, UnmappedResource
from platformkit.policy.checkov import (
    CheckovCrashed,
    CheckovError,
    CheckovMissing,
    CheckovOutputError,
    CheckovTimeout,
    IncompleteScan,
    find_checkov,
)
from platformkit.policy.gate import Policies, run_gate
from platformkit.policy.suppressions import Suppressions, UnscannableTypes, load_suppressions
from platformkit.policy.verdict import Severities

TODAY = date(2026, 6, 1)
GRAPHS: dict[str, ResourceGraph] = {"dev": ResourceGraph(project="platform", stack="dev", source="mocks", resources=[])}

DB = {
    "address": "aws_db_instance.database-instance",
    "mode": "managed",
    "type": "aws_db_instance",
    "name": "database-instance",
    "values": {"engine": "postgres", "publicly_accessible": True, "storage_encrypted": True},
}
BUCKET = {
    "address": "aws_s3_bucket.storage-logs",
    "mode": "managed",
    "type": "aws_s3_bucket",
    "name": "storage-logs",
    "values": {},
}
NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n"


def plan(*resources: dict[str, Any], version: bool = True) -> str:
    doc: dict[str, Any] = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": list(resources)}},
        "configuration": {"root_module": {"resources": []}},
    }
    if version:
        doc["terraform_version"] = "1.9.0"
    return json.dumps(doc)


def entry(file: str, rid: str, name: str, type_token: str, framework: str, line: int) -> IndexEntry:
    return IndexEntry(
        stack="dev",
        urn=f"urn:pulumi:dev::platform::{type_token}::{name}",
        type=type_token,
        name=name,
        file=file,
        source_position=f"project:///platform/platformkit/x/component.py#{line}",
        framework=framework,  # type: ignore[arg-type]  # deliberately loose value: the code under test must cope with it
        checkov_type=rid.split(".", maxsplit=1)[0],
    )


def renderer(
    files: Mapping[str, str],
    written: Mapping[str, Mapping[str, int]],
    ids: Mapping[str, list[tuple[str, str, str]]],
    unmapped: list[UnmappedResource] | None = None,
) -> Callable[[Mapping[str, ResourceGraph], Path], BridgeResult]:
    """A stand-in for bridge.render: writes ``files`` and claims ``written`` / index ``ids`` (file -> (id, name, type))."""

    def render(graphs: Mapping[str, ResourceGraph], out: Path) -> BridgeResult:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (out / name).write_text(text, encoding="utf-8")
        framework = {"tfplan.json": "terraform_plan", "k8s.yaml": "kubernetes"}
        index = BridgeIndex(
            files={
                file: {
                    rid: entry(file, rid, name, token, framework[file.split(".", 1)[1]], 10 + i)
                    for i, (rid, name, token) in enumerate(entries)
                }
                for file, entries in ids.items()
            },
            unmapped=list(unmapped or []),
        )
        return BridgeResult(
            out_dir=out, written={k: dict(v) for k, v in written.items()}, index=index, unmapped=list(unmapped or [])
        )  # type: ignore[misc]  # stand-in object built on purpose for the fault injection

    return render


GOOD = renderer(
    {"dev.tfplan.json": plan(DB, BUCKET), "dev.k8s.yaml": NAMESPACE},
    {"dev.tfplan.json": {"terraform_plan": 2}, "dev.k8s.yaml": {"kubernetes": 1}},
    {
        "dev.tfplan.json": [
            ("aws_db_instance.database-instance", "database-instance", "aws:rds/instance:Instance"),
            ("aws_s3_bucket.storage-logs", "storage-logs", "aws:s3/bucket:Bucket"),
        ],
        "dev.k8s.yaml": [("Namespace.default.apps", "apps", "kubernetes:core/v1:Namespace")],
    },
)


@pytest.fixture
def policies(tmp_path: Path) -> Policies:
    checks = tmp_path / "policies"
    checks.mkdir()
    (checks / "__init__.py").write_text("")
    return Policies(Suppressions([]), UnscannableTypes({}), Severities(), checks, ["dev"])


def fake_checkov(tmp_path: Path, body: str) -> Path:
    """An executable named checkov running ``body`` (Python) with the real interpreter."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    path = folder / "checkov"
    path.write_text(f"#!{sys.executable}\nimport json, sys, time\n{textwrap.dedent(body)}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def gate(policies: Policies, render: Any = GOOD, **kwargs: Any) -> Any:
    return run_gate(GRAPHS, policies.checks_dir.parent, renderer=render, policies=policies, today=TODAY, **kwargs)


# --- the baseline: a real scan passes through --------------------------------------------


def test_a_real_scan_maps_failures_back_to_the_declaring_line(policies: Policies) -> None:
    result = gate(policies)
    verdict = result.verdict
    public = [o for o in verdict.failed if o.check_id == "CKV_AWS_17"]
    assert [(o.environment, o.name, o.type, str(o.source)) for o in public] == [
        ("dev", "database-instance", "aws:rds/instance:Instance", "platform/platformkit/x/component.py:10")
    ]
    assert verdict.exit_code == 1
    assert result.scan.scanned == {
        "dev.tfplan.json": {"aws_db_instance.database-instance", "aws_s3_bucket.storage-logs"},
        "dev.k8s.yaml": {"Namespace.default.apps"},
    }
    assert not any(o.check_id.startswith("CKV_PLATGATE") for o in verdict.outcomes), "the sentinel is never a finding"
    assert verdict.resources_scanned == {"terraform_plan": 2, "kubernetes": 1}


# --- Checkov itself misbehaves (fake executables) ------------------------------------------


def test_missing_checkov_fails_with_the_install_hint(policies: Policies, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("PLATFORM_CHECKOV", raising=False)
    with pytest.raises(CheckovMissing) as exc:
        gate(policies)
    assert "Checkov is not installed" in str(exc.value) and "scripts/setup" in str(exc.value)
    assert exc.value.exit_code == 3


def test_explicit_executable_that_does_not_exist_is_missing(tmp_path: Path) -> None:
    with pytest.raises(CheckovMissing, match=r"PLATFORM_CHECKOV names .* not an executable"):
        find_checkov({"PLATFORM_CHECKOV": str(tmp_path / "nope"), "PATH": ""})


def test_checkov_is_found_on_path_else_in_uvs_tool_folder(tmp_path: Path) -> None:
    fake = fake_checkov(tmp_path, "sys.exit(0)")
    assert find_checkov({"PATH": str(fake.parent)}) == fake
    uv = tmp_path / "uvbin" / "uv"
    uv.parent.mkdir()
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "checkov").symlink_to(fake)
    uv.write_text(f"#!/bin/sh\necho {tools}\n")
    uv.chmod(0o755)
    assert find_checkov({"PATH": str(uv.parent)}) == tools / "checkov"


def test_crash_fails_the_gate(policies: Policies, tmp_path: Path) -> None:
    exe = fake_checkov(tmp_path, "print('Traceback (most recent call last):\\nKeyError: x', file=sys.stderr); sys.exit(2)")
    with pytest.raises(CheckovCrashed, match=r"Checkov crashed \(exit 2\)") as exc:
        gate(policies, executable=exe)
    assert "KeyError: x" in str(exc.value)


def test_hang_is_stopped_by_the_timeout(policies: Policies, tmp_path: Path) -> None:
    exe = fake_checkov(tmp_path, "time.sleep(60)")
    with pytest.raises(CheckovTimeout, match="did not finish within 1 s"):
        gate(policies, executable=exe, timeout=1)


def test_garbage_output_fails_the_gate(policies: Policies, tmp_path: Path) -> None:
    exe = fake_checkov(tmp_path, "print('all good, trust me'); sys.exit(0)")
    with pytest.raises(CheckovOutputError, match=r"not its JSON report.*all good, trust me"):
        gate(policies, executable=exe)


def test_json_of_the_wrong_shape_fails_the_gate(policies: Policies, tmp_path: Path) -> None:
    exe = fake_checkov(tmp_path, "print(json.dumps([{'check_type': 'terraform_plan'}])); sys.exit(0)")
    with pytest.raises(CheckovOutputError, match="not in the expected shape"):
        gate(policies, executable=exe)


def report(framework: str, resources: list[tuple[str, str]], count: int, failed: int = 0) -> dict[str, Any]:
    sentinel = {"terraform_plan": "CKV_PLATGATE_2", "kubernetes": "CKV_PLATGATE_1"}[framework]
    passed = [
        {"check_id": sentinel, "check_name": "s", "file_path": f"/{file}", "resource": rid, "check_result": {"result": "PASSED"}}
        for file, rid in resources
    ]
    fails = [
        {
            "check_id": "CKV_AWS_17",
            "check_name": "x",
            "file_path": f"/{file}",
            "resource": rid,
            "check_result": {"result": "FAILED"},
        }
        for file, rid in resources[:failed]
    ]
    return {
        "check_type": framework,
        "results": {"passed_checks": passed, "failed_checks": fails, "skipped_checks": [], "parsing_errors": []},
        "summary": {"passed": len(passed), "failed": len(fails), "skipped": 0, "parsing_errors": 0, "resource_count": count},
    }


def test_exit_code_that_disagrees_with_the_report_fails_the_gate(policies: Policies, tmp_path: Path) -> None:
    full = [
        report(
            "terraform_plan",
            [("dev.tfplan.json", "aws_db_instance.database-instance"), ("dev.tfplan.json", "aws_s3_bucket.storage-logs")],
            2,
        ),
        report("kubernetes", [("dev.k8s.yaml", "Namespace.default.apps")], 1),
    ]
    exe = fake_checkov(tmp_path, f"print(json.dumps({full!r})); sys.exit(1)")
    with pytest.raises(CheckovCrashed, match="exited 1 but reported 0 failed checks"):
        gate(policies, executable=exe)


def test_a_logged_error_fails_the_gate_even_with_a_clean_report(policies: Policies, tmp_path: Path) -> None:
    full = [
        report(
            "terraform_plan",
            [("dev.tfplan.json", "aws_db_instance.database-instance"), ("dev.tfplan.json", "aws_s3_bucket.storage-logs")],
            2,
        ),
        report("kubernetes", [("dev.k8s.yaml", "Namespace.default.apps")], 1),
    ]
    exe = fake_checkov(
        tmp_path,
        f"print('2026 [MainThread] [ERROR]  Cannot load external check X', file=sys.stderr); print(json.dumps({full!r}))",
    )
    with pytest.raises(CheckovCrashed, match=r"logged an error.*Cannot load external check X"):
        gate(policies, executable=exe)


def test_a_report_with_fewer_resources_fails_the_gate(policies: Policies, tmp_path: Path) -> None:
    short = [
        report("terraform_plan", [("dev.tfplan.json", "aws_db_instance.database-instance")], 1),
        report("kubernetes", [("dev.k8s.yaml", "Namespace.default.apps")], 1),
    ]
    exe = fake_checkov(tmp_path, f"print(json.dumps({short!r}))")
    with pytest.raises(IncompleteScan) as exc:
        gate(policies, executable=exe)
    message = str(exc.value)
    assert "terraform_plan: 1 of 2 resources counted" in message
    assert "dev.tfplan.json: 1 of 2 resources not scanned (aws_s3_bucket.storage-logs)" in message


def test_no_report_at_all_fails_the_gate(policies: Policies, tmp_path: Path) -> None:
    empty = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0, "checkov_version": "3.3.30"}
    exe = fake_checkov(tmp_path, f"print(json.dumps({empty!r}))")
    with pytest.raises(IncompleteScan, match="kubernetes: 0 of 1 resources counted"):
        gate(policies, executable=exe)


def test_checkov_settings_from_the_environment_are_not_passed_on(
    policies: Policies, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # CKV_SKIP_CHECK / CKV_CHECK would silently narrow the scan: the fake prints what it got.
    monkeypatch.setenv("CKV_SKIP_CHECK", "CKV_AWS_17")
    monkeypatch.setenv("BC_API_KEY", "x")
    seen = tmp_path / "env.json"
    exe = fake_checkov(tmp_path, f"import os; open({str(seen)!r}, 'w').write(json.dumps(dict(os.environ))); print('[]')")
    with pytest.raises(CheckovError):
        gate(policies, executable=exe)
    env = json.loads(seen.read_text())
    assert "CKV_SKIP_CHECK" not in env and "BC_API_KEY" not in env and env["LOG_LEVEL"] == "WARNING"


def test_a_checkov_config_file_is_refused(policies: Policies, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".checkov.yaml").write_text("skip-check: [CKV_AWS_17]\n")
    monkeypatch.setenv("HOME", str(home))
    with pytest.raises(CheckovError, match=r"\.checkov\.yaml: Checkov would read settings from this file"):
        gate(policies, executable=fake_checkov(tmp_path, "print('[]')"))


# --- real Checkov, inputs it would skip silently -----------------------------------------


def test_a_plan_resource_checkov_skips_silently_fails_the_gate(policies: Policies) -> None:
    no_mode = {k: v for k, v in BUCKET.items() if k != "mode"}
    render = renderer(
        {"dev.tfplan.json": plan(DB, no_mode)},
        {"dev.tfplan.json": {"terraform_plan": 2}},
        {
            "dev.tfplan.json": [
                ("aws_db_instance.database-instance", "database-instance", "aws:rds/instance:Instance"),
                ("aws_s3_bucket.storage-logs", "storage-logs", "aws:s3/bucket:Bucket"),
            ]
        },
    )
    with pytest.raises(IncompleteScan, match=r"dev.tfplan.json: 1 of 2 resources not scanned \(aws_s3_bucket.storage-logs\)"):
        gate(policies, render=render)


def test_a_plan_without_terraform_version_fails_the_gate(policies: Policies) -> None:
    render = renderer(
        {"dev.tfplan.json": plan(DB, version=False)},
        {"dev.tfplan.json": {"terraform_plan": 1}},
        {"dev.tfplan.json": [("aws_db_instance.database-instance", "database-instance", "aws:rds/instance:Instance")]},
    )
    with pytest.raises(IncompleteScan, match="terraform_plan: 0 of 1 resources counted"):
        gate(policies, render=render)


def test_a_kubernetes_object_without_a_name_fails_the_gate(policies: Policies) -> None:
    render = renderer(
        {
            "dev.k8s.yaml": NAMESPACE
            + "---\napiVersion: v1\nkind: ResourceQuota\nmetadata:\n  namespace: apps\nspec:\n  hard: {pods: '10'}\n"
        },
        {"dev.k8s.yaml": {"kubernetes": 2}},
        {
            "dev.k8s.yaml": [
                ("Namespace.default.apps", "apps", "kubernetes:core/v1:Namespace"),
                ("ResourceQuota.apps.quota", "quota", "kubernetes:core/v1:ResourceQuota"),
            ]
        },
    )
    with pytest.raises(IncompleteScan, match=r"dev.k8s.yaml: 1 of 2 resources not scanned \(ResourceQuota.apps.quota\)"):
        gate(policies, render=render)


def test_a_file_checkov_cannot_parse_fails_the_gate(policies: Policies) -> None:
    render = renderer(
        {"dev.tfplan.json": plan(DB), "staging.tfplan.json": "{ not json"},
        {"dev.tfplan.json": {"terraform_plan": 1}},
        {"dev.tfplan.json": [("aws_db_instance.database-instance", "database-instance", "aws:rds/instance:Instance")]},
    )
    with pytest.raises(CheckovOutputError, match=r"could not parse files.*staging.tfplan.json"):
        gate(policies, render=render)


def raising_check_render() -> Any:
    """A plan on which Checkov 3.3.30's CKV_AWS_379 raises: a public ACL whose bucket policy has one statement.

    (See tests/platform/policy/corpus/s3/mismatches.yaml.) Checkov logs the error and reports nothing for the pair.
    """
    bucket = {"bucket": "acme-dev-public"}
    resources = [
        {"address": f"{t}.public", "mode": "managed", "type": t, "name": "public", "values": {**bucket, **values}}
        for t, values in [
            ("aws_s3_bucket_acl", {"acl": "public-read"}),
            ("aws_s3_bucket_public_access_block", {"block_public_acls": False, "restrict_public_buckets": False}),
            (
                "aws_s3_bucket_policy",
                {"policy": json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]})},
            ),
        ]
    ]
    return renderer(
        {"dev.tfplan.json": plan(*resources)},
        {"dev.tfplan.json": {"terraform_plan": 3}},
        {"dev.tfplan.json": [(r["address"], "public", "aws:s3/x:X") for r in resources]},
    )


def test_a_built_in_check_raising_on_a_resource_fails_it_there(policies: Policies) -> None:
    verdict = gate(policies, render=raising_check_render()).verdict
    raised = [o for o in verdict.failed if o.check_id == "CKV_AWS_379"]
    assert [(o.name, o.type, str(o.source)) for o in raised] == [
        ("public", "aws:s3/x:X", "platform/platformkit/x/component.py:10")
    ]
    assert "raised AttributeError" in str(raised[0].details)
    assert verdict.exit_code == 1


def test_a_built_in_check_raising_is_accepted_only_by_a_suppression(policies: Policies, tmp_path: Path) -> None:
    (tmp_path / "suppressions.yaml").write_text(
        "suppressions:\n"
        "  - {environment: dev, check: CKV_AWS_379, resource: public, reason: Checkov bug on one-statement policies,"
        " owner: platform-team, expires: '2026-12-31'}\n"
        "  - {environment: dev, check: CKV_AWS_20, resource: public, reason: the bucket serves a public website,"
        " owner: platform-team, expires: '2026-12-31'}\n"
    )
    suppressions = load_suppressions(tmp_path / "suppressions.yaml", environments=["dev"], shown="suppressions.yaml")
    accepting = Policies(suppressions, policies.unscannable, policies.severities, policies.checks_dir, ["dev"])
    verdict = gate(accepting, render=raising_check_render()).verdict
    suppressed = [o for o in verdict.having("suppressed") if o.check_id == "CKV_AWS_379"]
    assert [(o.name, o.reason) for o in suppressed] == [("public", "Checkov bug on one-statement policies")]
    assert not [o for o in verdict.failed if o.check_id == "CKV_AWS_379"]


def test_a_custom_check_that_does_not_load_fails_the_gate(policies: Policies) -> None:
    (policies.checks_dir / "BrokenCheck.py").write_text("this is not python(\n")
    with pytest.raises(CheckovCrashed, match="Cannot load external check 'BrokenCheck'"):
        gate(policies)


def test_a_malformed_custom_yaml_check_fails_the_gate(policies: Policies) -> None:
    (policies.checks_dir / "HalfCheck.yaml").write_text("metadata:\n  name: Ensure something\n")
    with pytest.raises(CheckovCrashed, match=r"HalfCheck.yaml is missing required fields"):
        gate(policies)


def test_a_missing_checks_folder_fails_the_gate(policies: Policies, tmp_path: Path) -> None:
    broken = Policies(policies.suppressions, policies.unscannable, policies.severities, tmp_path / "absent", ["dev"])
    with pytest.raises(CheckovError, match="custom checks folder does not exist"):
        gate(broken)
    (tmp_path / "no-init").mkdir()
    broken = Policies(policies.suppressions, policies.unscannable, policies.severities, tmp_path / "no-init", ["dev"])
    with pytest.raises(CheckovError, match=r"has no __init__.py"):
        gate(broken)


# --- types the bridge cannot write -----------------------------------------------------------


def test_an_unmapped_type_not_declared_unscannable_fails_the_gate(policies: Policies) -> None:
    missing = UnmappedResource("dev", "urn:pulumi:dev::platform::aws:foo/bar:Baz::thing", "aws:foo/bar:Baz")
    render = renderer(
        {"dev.tfplan.json": plan(DB)},
        {"dev.tfplan.json": {"terraform_plan": 1}},
        {"dev.tfplan.json": [("aws_db_instance.database-instance", "database-instance", "aws:rds/instance:Instance")]},
        unmapped=[missing],
    )
    verdict = gate(policies, render=render).verdict
    assert [(n.type, n.reason) for n in verdict.undeclared] == [("aws:foo/bar:Baz", None)]
    assert verdict.exit_code == 3

    declared = Policies(
        policies.suppressions,
        UnscannableTypes({"aws:foo/bar:Baz": ("no Checkov check exists for it at all", "policies/unscannable.yaml:2")}),
        policies.severities,
        policies.checks_dir,
        ["dev"],
    )
    verdict = gate(declared, render=render).verdict
    assert verdict.undeclared == [] and [n.reason for n in verdict.not_scanned] == ["no Checkov check exists for it at all"]
    assert verdict.exit_code == 1  # only the real failure (CKV_AWS_17) is left
