"""The bridge on the four real environments: valid manifests, and one Checkov run that reads everything written.

The module renders the four environments, plus two one-bucket stacks (one whose public access block
references its bucket, one whose does not), into one folder, and runs Checkov once over it. Two probe checks
(written to a temporary external-checks folder) pass on every AWS resource and every Kubernetes object,
so the results name every resource Checkov scanned, file by file: Checkov's CLI leaves out the report of a
framework none of whose checks applied, and with it the resource count.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from platformkit.environment import EnvironmentConfig
from platformkit.graph.model import GraphResource, ResourceGraph
from platformkit.graph.preview import read_preview
from platformkit.policy.bridge import BridgeResult, Framework, render
from platformkit.policy.terraform_plan import AwsMappingLike, build_stack_plan

ENVIRONMENTS = ["dev", "perf", "prod", "staging"]
PREVIEW_DEV = Path(__file__).resolve().parents[1] / "graph" / "fixtures" / "preview-dev.json"
CHECKOV_TIMEOUT_SECONDS = 300

PROBE_CHECKS = """
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class BridgeProbeAws(BaseResourceCheck):
    def __init__(self):
        super().__init__(name="Ensure the probe sees every AWS resource", id="CKV_BRIDGEPROBE_1",
                         categories=[CheckCategories.CONVENTION], supported_resources=["aws_*"])

    def scan_resource_conf(self, conf):
        return CheckResult.PASSED


class BridgeProbeKubernetes(BaseK8Check):
    def __init__(self):
        super().__init__(name="Ensure the probe sees every Kubernetes object", id="CKV_BRIDGEPROBE_2",
                         categories=[CheckCategories.CONVENTION], supported_entities=["*"])

    def scan_spec_conf(self, conf):
        return CheckResult.PASSED


aws_probe = BridgeProbeAws()
kubernetes_probe = BridgeProbeKubernetes()
"""
PROBES = {"terraform_plan": "CKV_BRIDGEPROBE_1", "kubernetes": "CKV_BRIDGEPROBE_2"}


def load_mapping() -> AwsMappingLike:
    """The generated pulumi-aws -> Terraform mapping (this module tests the bridge with the real one only)."""
    from platformkit.policy import mapping

    loaded: AwsMappingLike = mapping.load_mapping()
    return loaded


def checkov_executable() -> str | None:
    """Checkov from PATH, else from uv's tool bin folder (where the README's setup installs it)."""
    found = shutil.which("checkov")
    if found:
        return found
    uv = shutil.which("uv")
    if uv is None:
        return None
    done = subprocess.run([uv, "tool", "dir", "--bin"], capture_output=True, text=True, check=False)
    candidate = Path(done.stdout.strip()) / "checkov"
    return str(candidate) if done.returncode == 0 and candidate.is_file() else None


def bucket_stack(stack: str, *, connected: bool) -> ResourceGraph:
    prefix = f"urn:pulumi:{stack}::platform::"
    bucket = prefix + "aws:s3/bucket:Bucket::data"
    block = prefix + "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::data-public-access"
    flags = {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True}
    return ResourceGraph(
        project="platform",
        stack=stack,
        source="mocks",
        resources=[
            GraphResource(urn=bucket, type="aws:s3/bucket:Bucket", name="data", parent=None, custom=True, inputs={"bucket": "b"}),
            GraphResource(
                urn=block,
                type="aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                name="data-public-access",
                parent=None,
                custom=True,
                inputs={"bucket": "b", **flags},
                property_dependencies={"bucket": [bucket] if connected else []},
            ),
        ],
    )


@pytest.fixture(scope="module")
def bridged(env_graphs: dict[str, ResourceGraph], tmp_path_factory: pytest.TempPathFactory) -> BridgeResult:
    """The four environments and the two one-bucket stacks, rendered into one folder."""
    assert sorted(env_graphs) == ENVIRONMENTS
    graphs = {
        **env_graphs,
        "connected": bucket_stack("connected", connected=True),
        "disconnected": bucket_stack("disconnected", connected=False),
    }
    return render(graphs, tmp_path_factory.mktemp("bridge") / "out", load_mapping())


@pytest.fixture(scope="module")
def checkov(bridged: BridgeResult, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Checkov's JSON report per framework, from ONE run over the folder.

    One ``-d`` only: with two, Checkov 3.3.30 prints one document per folder, and the plan runner
    reports the first folder's plans again for the second instead of scanning it.
    """
    executable = checkov_executable()
    assert executable is not None, "Checkov is not installed: run scripts/setup (it installs Checkov as a uv tool)"
    probes = tmp_path_factory.mktemp("probes")
    (probes / "__init__.py").write_text("")
    (probes / "BridgeProbe.py").write_text(PROBE_CHECKS)
    command = [executable, "-d", str(bridged.out_dir), "--framework", "terraform_plan", "kubernetes"]
    command += ["--skip-download", "-o", "json", "--compact", "--external-checks-dir", str(probes)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=CHECKOV_TIMEOUT_SECONDS, check=False)
    assert done.returncode in (0, 1), f"Checkov crashed (exit {done.returncode}):\n{done.stderr[-3000:]}"
    reports = json.loads(done.stdout)
    return {report["check_type"]: report for report in (reports if isinstance(reports, list) else [reports])}


def results(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from report["results"]["passed_checks"]
    yield from report["results"]["failed_checks"]


def outcomes(report: dict[str, Any], check_id: str) -> dict[tuple[str, str], str]:
    """(file name, resource) -> PASSED / FAILED for one check."""
    return {
        (Path(r["file_path"]).name, r["resource"]): r["check_result"]["result"]
        for r in results(report)
        if r["check_id"] == check_id
    }


# --- what is written ------------------------------------------------------------------------------


def test_rendering_the_four_environments_is_fast(env_graphs: dict[str, ResourceGraph], tmp_path: Path) -> None:
    mapping = load_mapping()
    start = time.perf_counter()
    result = render(env_graphs, tmp_path, mapping)
    seconds = time.perf_counter() - start
    print(f"\nbridge render, four environments: {seconds * 1000:.0f} ms, {result.written}")
    assert seconds < 5


def test_every_aws_resource_is_written_or_reported(bridged: BridgeResult, env_graphs: dict[str, ResourceGraph]) -> None:
    for stack, graph in env_graphs.items():
        aws = [r for r in graph.resources if r.custom and r.type.startswith("aws:")]
        unmapped = [u for u in bridged.unmapped if u.stack == stack]
        assert bridged.written[f"{stack}.tfplan.json"]["terraform_plan"] + len(unmapped) == len(aws)
        kubernetes = [r for r in graph.resources if r.custom and r.type.startswith("kubernetes:")]
        entries = bridged.index.files[f"{stack}.k8s.yaml"].values()
        assert {e.urn for e in entries} == {r.urn for r in kubernetes}


def test_the_stacks_use_no_aws_type_without_mapping(bridged: BridgeResult) -> None:
    assert bridged.unmapped == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_manifests_validate_strictly_against_the_cluster_version(
    bridged: BridgeResult, environments: dict[str, EnvironmentConfig], env: str
) -> None:
    version = environments[env].cluster.version
    docs = list(yaml.safe_load_all((bridged.out_dir / f"{env}.k8s.yaml").read_text()))
    assert len(docs) == len(bridged.index.files[f"{env}.k8s.yaml"])
    for doc in docs:
        kubernetes_validate.validate(doc, version, strict=True)


def test_kubernetes_validate_cli_accepts_the_files(bridged: BridgeResult, environments: dict[str, EnvironmentConfig]) -> None:
    executable = shutil.which("kubernetes-validate", path=str(Path(sys.executable).parent))
    assert executable is not None, "kubernetes-validate is a dev dependency: uv sync"
    for env in ENVIRONMENTS:
        done = subprocess.run(
            [
                executable,
                "--strict",
                "--quiet",
                "-k",
                f"{environments[env].cluster.version}.0",
                str(bridged.out_dir / f"{env}.k8s.yaml"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_addresses_are_the_same_from_a_preview_and_from_the_mocks(env_graphs: dict[str, ResourceGraph]) -> None:
    mapping = load_mapping()
    mocks = {p.resource.urn: p.address for p in build_stack_plan(env_graphs["dev"], mapping).resources}
    preview = {p.resource.urn: p.address for p in build_stack_plan(read_preview(PREVIEW_DEV), mapping).resources}
    common = set(mocks) & set(preview)
    assert len(common) >= 8
    assert {urn: preview[urn] for urn in common} == {urn: mocks[urn] for urn in common}


# --- what Checkov makes of it ---------------------------------------------------------------------


@pytest.mark.parametrize("framework", ["terraform_plan", "kubernetes"])
def test_checkov_parses_everything(checkov: dict[str, Any], framework: Framework) -> None:
    report = checkov[framework]
    assert report["summary"]["parsing_errors"] == 0
    assert report["results"]["parsing_errors"] == []


@pytest.mark.parametrize("framework", ["terraform_plan", "kubernetes"])
def test_checkov_counts_every_resource_written(checkov: dict[str, Any], bridged: BridgeResult, framework: Framework) -> None:
    expected = bridged.expected_resource_count(framework)
    assert checkov[framework]["summary"]["resource_count"] == expected


@pytest.mark.parametrize("framework", ["terraform_plan", "kubernetes"])
def test_checkov_scans_each_stacks_resources_under_the_indexed_names(
    checkov: dict[str, Any], bridged: BridgeResult, framework: Framework
) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for r in results(checkov[framework]):
        if r["check_id"] == PROBES[framework]:
            seen[Path(r["file_path"]).name].add(r["resource"])
    files = [file for file, counts in bridged.written.items() if framework in counts]
    assert {f"{env}.{'tfplan.json' if framework == 'terraform_plan' else 'k8s.yaml'}" for env in ENVIRONMENTS} <= set(files)
    for file in files:
        assert seen[file] == set(bridged.index.files[file]), file
        assert len(seen[file]) == bridged.written[file][framework], file


@pytest.mark.parametrize("framework", ["terraform_plan", "kubernetes"])
def test_every_checkov_result_maps_back_to_the_program(checkov: dict[str, Any], bridged: BridgeResult, framework: str) -> None:
    for r in results(checkov[framework]):
        entry = bridged.index.lookup(r["file_path"], r["resource"])
        assert entry is not None, (r["file_path"], r["resource"], r["check_id"])
        if entry.stack in ENVIRONMENTS:
            assert entry.source_position and entry.source_position.startswith("project:///"), entry


def test_graph_check_connects_a_bucket_to_its_public_access_block_through_the_reference(checkov: dict[str, Any]) -> None:
    found = outcomes(checkov["terraform_plan"], "CKV2_AWS_6")
    assert found[("connected.tfplan.json", "aws_s3_bucket.data")] == "PASSED"
    assert found[("disconnected.tfplan.json", "aws_s3_bucket.data")] == "FAILED"
    for env in ENVIRONMENTS:
        buckets = {resource: outcome for (file, resource), outcome in found.items() if file == f"{env}.tfplan.json"}
        assert buckets == {
            "aws_s3_bucket.storage-artifacts": "PASSED",
            "aws_s3_bucket.storage-backups": "PASSED",
            "aws_s3_bucket.storage-logs": "PASSED",
        }


def test_graph_check_sees_the_flow_log_of_the_vpc(checkov: dict[str, Any]) -> None:
    found = outcomes(checkov["terraform_plan"], "CKV2_AWS_11")
    assert {found[(f"{env}.tfplan.json", "aws_vpc.network-vpc")] for env in ENVIRONMENTS} == {"PASSED"}


def test_graph_check_sees_kms_default_encryption_on_the_split_encryption_resource(checkov: dict[str, Any]) -> None:
    # Checkov on the equivalent HCL (aws_s3_bucket + aws_s3_bucket_server_side_encryption_configuration with a
    # `rule { apply_server_side_encryption_by_default { sse_algorithm = "aws:kms" } }` block) passes CKV_AWS_145:
    # the graph check follows the bucket reference and reads `rule`, the Terraform name of Pulumi's `rules`.
    found = outcomes(checkov["terraform_plan"], "CKV_AWS_145")
    for env in ENVIRONMENTS:
        for bucket in ("aws_s3_bucket.storage-artifacts", "aws_s3_bucket.storage-backups"):
            assert found[(f"{env}.tfplan.json", bucket)] == "PASSED", (
                f"{env} {bucket}: CKV_AWS_145 fails, so the encryption configuration's rules did not reach Checkov as `rule`"
            )


def test_single_resource_checks_read_terraform_attribute_names(checkov: dict[str, Any]) -> None:
    report = checkov["terraform_plan"]
    # IMDSv2 (metadata_options block of the launch template) and KMS on log groups
    imds = outcomes(report, "CKV_AWS_79")
    assert imds[("prod.tfplan.json", "aws_launch_template.cluster-system-launch-template")] == "PASSED"
    kms = outcomes(report, "CKV_AWS_158")
    assert kms[("prod.tfplan.json", "aws_cloudwatch_log_group.cluster-logs")] == "PASSED"
    # the EKS API is public (restricted to declared CIDRs): Checkov's check says so
    public = outcomes(report, "CKV_AWS_39")
    assert public[("dev.tfplan.json", "aws_eks_cluster.cluster-eks")] == "FAILED"
