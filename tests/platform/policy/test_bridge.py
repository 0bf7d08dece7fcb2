"""The bridge's Terraform plan side, its index and ``render``: names, references, unknowns, secrets, files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from platformkit.errors import PlatformError
from platformkit.graph.model import SECRET, UNKNOWN, GraphResource, ResourceGraph
from platformkit.policy.bridge import INDEX_FILE, BridgeIndex, UnmappedResource, render
from platformkit.policy.terraform_plan import (
    PROVIDER_NAME,
    assign_names,
    build_stack_plan,
    plan_values,
    sanitise_name,
    urn_hash,
)

P = "urn:pulumi:dev::platform::"
STACK = P + "pulumi:pulumi:Stack::platform-dev"
AWS_PROVIDER = P + "pulumi:providers:aws::aws"
K8S_PROVIDER = P + "pulumi:providers:kubernetes::k8s"
STORAGE = P + "platform:storage:Storage::storage"
BUCKET = P + "platform:storage:Storage$aws:s3/bucket:Bucket::storage-data"
BLOCK = P + "platform:storage:Storage$aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::storage-data-public-access"
KEY = P + "aws:kms/key:Key::key"
LOGS = P + "aws:cloudwatch/logGroup:LogGroup::logs"
QUEUE = P + "aws:sqs/queue:Queue::queue"
NAMESPACE = P + "kubernetes:core/v1:Namespace::apps"

TYPES = {
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:iam/role:Role": "aws_iam_role",
}
"""The stand-in mapping's types (the bridge takes any object with the mapping's two methods)."""
RENAMES = {"blockDeviceMappings": "block_device_mapping", "ingress": "ingress"}
OPAQUE = {"tags"}


class StandInMapping:
    """``AwsMapping``-compatible: a few types, camelCase -> snake_case, one rename, tag keys untouched."""

    def terraform_type(self, token: str) -> str | None:
        return TYPES.get(token)

    def to_terraform(self, token: str, inputs: dict[str, Any]) -> dict[str, Any]:
        return {self._name(k): v if k in OPAQUE else self._convert(v) for k, v in inputs.items()}

    def _convert(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {self._name(k): self._convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._convert(v) for v in value]
        return value

    @staticmethod
    def _name(name: str) -> str:
        return RENAMES.get(name) or re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


MAPPING = StandInMapping()


def res(
    urn: str,
    inputs: dict[str, Any] | None = None,
    *,
    deps: dict[str, list[str]] | None = None,
    custom: bool = True,
    parent: str | None = STACK,
    position: str | None = "project:///platform/platformkit/storage/component.py#10",
) -> GraphResource:
    type_token, name = urn.rsplit("::", 2)[-2:]
    type_token = type_token.rsplit("$", 1)[-1]
    return GraphResource(
        urn=urn,
        type=type_token,
        name=name,
        parent=parent,
        custom=custom,
        inputs=inputs or {},
        dependencies=sorted({u for urns in (deps or {}).values() for u in urns}),
        property_dependencies=deps or {},
        provider=AWS_PROVIDER if custom and type_token.startswith("aws:") else None,
        source_position=position,
    )


def graph(*resources: GraphResource, stack: str = "dev", source: str = "mocks") -> ResourceGraph:
    base = [
        res(STACK, custom=False, parent=None, position=None),
        res(AWS_PROVIDER, {"region": "eu-west-1"}, position=None),
    ]
    return ResourceGraph(project="platform", stack=stack, source=source, resources=base + list(resources))  # type: ignore[arg-type]  # deliberately loose value: the code under test must cope with it


def bucket_with_block(*, connected: bool = True) -> list[GraphResource]:
    return [
        res(STORAGE, custom=False),
        res(BUCKET, {"bucket": "acme-dev-data", "tags": {"Name": "acme-dev-data", "cost-centre": "CC-1"}}, parent=STORAGE),
        res(
            BLOCK,
            {"bucket": "acme-dev-data", "blockPublicAcls": True, "blockPublicPolicy": True},
            deps={"bucket": [BUCKET] if connected else [], "blockPublicAcls": []},
            parent=STORAGE,
        ),
    ]


def by_address(plan_document: dict[str, Any], section: str) -> dict[str, dict[str, Any]]:
    return {r["address"]: r for r in plan_document[section]["root_module"]["resources"]}


# --- names and addresses -------------------------------------------------------------------------


def test_names_keep_safe_characters_and_replace_the_rest() -> None:
    assert sanitise_name("storage-artifacts_0") == "storage-artifacts_0"
    assert sanitise_name("my.bucket/logs:eu") == "my_bucket_logs_eu"
    assert sanitise_name("0-first") == "_0-first"
    assert sanitise_name("-dash") == "_-dash"
    assert sanitise_name("ünï") == "_n_"


def test_unique_names_stay_plain_and_different_types_may_share_a_name() -> None:
    names = assign_names([("u1", "aws_s3_bucket", "data"), ("u2", "aws_kms_key", "data"), ("u3", "aws_s3_bucket", "logs")])
    assert names == {"u1": "data", "u2": "data", "u3": "logs"}


def test_colliding_names_each_get_a_hash_of_their_own_urn_whatever_the_order() -> None:
    a = P + "platform:storage:Storage$aws:s3/bucket:Bucket::data.eu"
    b = P + "platform:other:Other$aws:s3/bucket:Bucket::data_eu"
    items = [(a, "aws_s3_bucket", "data.eu"), (b, "aws_s3_bucket", "data_eu"), ("u3", "aws_s3_bucket", "logs")]
    names = assign_names(items)
    assert names[a] == f"data_eu_{urn_hash(a)}"
    assert names[b] == f"data_eu_{urn_hash(b)}"
    assert names[a] != names[b]
    assert names["u3"] == "logs"
    assert assign_names(list(reversed(items))) == names
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", n) for n in names.values())


def test_a_hashed_name_never_takes_a_name_already_in_use() -> None:
    a, b = "urn:a", "urn:b"
    squatter = f"x_{urn_hash(a)}"
    names = assign_names([(a, "t", "x"), (b, "t", "x"), ("urn:c", "t", squatter)])
    assert names["urn:c"] == squatter
    assert names[a] not in {squatter, names[b]}
    assert names[a].startswith(f"x_{urn_hash(a)}")


def test_addresses_depend_only_on_the_urns_not_on_order_or_source() -> None:
    resources = bucket_with_block()
    first = build_stack_plan(graph(*resources), MAPPING)
    again = build_stack_plan(graph(*reversed(resources), source="preview"), MAPPING)
    assert {p.resource.urn: p.address for p in first.resources} == {p.resource.urn: p.address for p in again.resources}
    assert {p.address for p in first.resources} == {
        "aws_s3_bucket.storage-data",
        "aws_s3_bucket_public_access_block.storage-data-public-access",
    }


# --- the plan document ----------------------------------------------------------------------------


def test_only_aws_custom_resources_are_written_and_unmapped_types_are_reported() -> None:
    resources = [
        *bucket_with_block(),
        res(K8S_PROVIDER, {"kubeconfig": SECRET}, position=None),
        res(NAMESPACE, {"metadata": {"name": "apps"}}),
        res(QUEUE, {"name": "jobs"}),
    ]
    plan = build_stack_plan(graph(*resources), MAPPING)
    assert [p.resource.urn for p in plan.resources] == [BUCKET, BLOCK]
    assert [r.urn for r in plan.unmapped] == [QUEUE]


def test_every_planned_resource_has_what_checkov_needs() -> None:
    document = build_stack_plan(graph(*bucket_with_block()), MAPPING).document
    assert document["terraform_version"] and document["format_version"]
    for resource in document["planned_values"]["root_module"]["resources"]:
        assert resource["mode"] == "managed"
        assert resource["address"] == f"{resource['type']}.{resource['name']}"
        assert resource["provider_name"] == PROVIDER_NAME
        assert isinstance(resource["values"], dict)
    assert "resource_changes" not in document
    assert "provider_config" not in document["configuration"]


def test_values_use_terraform_names_and_keep_tag_keys() -> None:
    planned = by_address(build_stack_plan(graph(*bucket_with_block()), MAPPING).document, "planned_values")
    block = planned["aws_s3_bucket_public_access_block.storage-data-public-access"]["values"]
    assert block == {"bucket": "acme-dev-data", "block_public_acls": True, "block_public_policy": True}
    bucket = planned["aws_s3_bucket.storage-data"]["values"]
    assert bucket["tags"] == {"Name": "acme-dev-data", "cost-centre": "CC-1"}


def test_property_dependencies_become_references_under_the_terraform_attribute() -> None:
    configuration = by_address(build_stack_plan(graph(*bucket_with_block()), MAPPING).document, "configuration")
    block = configuration["aws_s3_bucket_public_access_block.storage-data-public-access"]
    assert block["expressions"] == {"bucket": {"references": ["aws_s3_bucket.storage-data.id", "aws_s3_bucket.storage-data"]}}
    assert configuration["aws_s3_bucket.storage-data"]["expressions"] == {}


def test_without_a_property_dependency_there_is_no_reference() -> None:
    configuration = by_address(build_stack_plan(graph(*bucket_with_block(connected=False)), MAPPING).document, "configuration")
    assert configuration["aws_s3_bucket_public_access_block.storage-data-public-access"]["expressions"] == {}


def test_an_arn_value_is_referenced_as_arn_and_several_dependencies_are_all_listed() -> None:
    key_arn = "arn:aws:kms:eu-west-1:111111111111:key/1"
    resources = [
        res(KEY, {"description": "logs"}),
        res(P + "aws:kms/key:Key::other", {"description": "other"}),
        res(LOGS, {"kmsKeyId": key_arn, "name": "x"}, deps={"kmsKeyId": [KEY], "name": [KEY, P + "aws:kms/key:Key::other"]}),
    ]
    configuration = by_address(build_stack_plan(graph(*resources), MAPPING).document, "configuration")
    expressions = configuration["aws_cloudwatch_log_group.logs"]["expressions"]
    assert expressions["kms_key_id"] == {"references": ["aws_kms_key.key.arn", "aws_kms_key.key"]}
    assert expressions["name"] == {
        "references": ["aws_kms_key.key.id", "aws_kms_key.key", "aws_kms_key.other.id", "aws_kms_key.other"]
    }


def test_dependencies_on_resources_that_are_not_written_give_no_reference() -> None:
    resources = [
        res(NAMESPACE, {"metadata": {"name": "apps"}}),
        res(QUEUE, {"name": "jobs"}),
        res(LOGS, {"name": "x", "kmsKeyId": "k"}, deps={"name": [NAMESPACE, STORAGE], "kmsKeyId": [QUEUE]}),
    ]
    plan = build_stack_plan(graph(*resources), MAPPING)
    assert plan.resources[0].references == {}


def test_unknown_with_one_dependency_becomes_a_reference_even_inside_blocks() -> None:
    template = P + "aws:ec2/launchTemplate:LaunchTemplate::nodes"
    resources = [
        res(KEY, {"description": "data"}),
        res(
            template,
            {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": UNKNOWN}}]},
            deps={"blockDeviceMappings": [KEY]},
        ),
        res(LOGS, {"name": "x", "kmsKeyId": UNKNOWN}, deps={"kmsKeyId": [KEY]}),
    ]
    plan = {p.address: p for p in build_stack_plan(graph(*resources), MAPPING).resources}
    nodes = plan["aws_launch_template.nodes"]
    assert nodes.values["block_device_mapping"][0]["ebs"] == {"encrypted": "true", "kms_key_id": "aws_kms_key.key.id"}
    assert nodes.unknown == ()
    assert nodes.referenced == ("block_device_mapping[0].ebs.kms_key_id",)
    logs = plan["aws_cloudwatch_log_group.logs"]
    assert logs.values["kms_key_id"] == "aws_kms_key.key.id"
    assert (logs.unknown, logs.referenced) == ((), ("kms_key_id",))
    assert logs.references == {"kms_key_id": ["aws_kms_key.key.id", "aws_kms_key.key"]}


def test_unknown_without_a_single_source_is_left_out_and_recorded() -> None:
    resources = [
        res(KEY, {"description": "a"}),
        res(P + "aws:kms/key:Key::b", {"description": "b"}),
        res(
            LOGS,
            {"name": UNKNOWN, "kmsKeyId": UNKNOWN, "tags": {"Name": UNKNOWN}, "retentionInDays": 30},
            deps={"kmsKeyId": [KEY, P + "aws:kms/key:Key::b"]},
        ),
    ]
    logs = build_stack_plan(graph(*resources), MAPPING).resources[-1]
    assert logs.values == {"tags": {}, "retention_in_days": 30}
    assert set(logs.unknown) == {"name", "kms_key_id", "tags.Name"}
    assert logs.referenced == ()
    # Checkov puts the first reference in place of the absent value, as for a Terraform plan
    assert logs.references["kms_key_id"][0] == "aws_kms_key.key.id"


def test_plan_values_follow_terraform_planned_values() -> None:
    values, unknown, referenced = plan_values(
        {
            "a": UNKNOWN,
            "ids": ["sg-1", UNKNOWN],
            "nested": [{"x": UNKNOWN, "y": 2.0, "z": 2.5}],
            "password": SECRET,
            "policy": '{"Version": "2012-10-17"}',
            "flag": True,
            "nothing": None,
        }
    )
    assert values == {
        "ids": ["sg-1", None],
        "nested": [{"y": 2, "z": 2.5}],
        "password": SECRET,
        "policy": '{"Version": "2012-10-17"}',
        "flag": True,
        "nothing": None,
    }
    assert isinstance(values["nested"][0]["y"], int)
    assert unknown == ["a", "ids[1]", "nested[0].x"]
    assert referenced == []


def test_a_recorded_program_gets_its_references_from_pulumi(record: Any) -> None:
    def program() -> None:
        bucket = aws.s3.Bucket("data", bucket="acme-data")
        aws.s3.BucketPublicAccessBlock(
            "data-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=pulumi.ResourceOptions(parent=bucket),
        )

    plan = build_stack_plan(record(program), MAPPING)
    block = next(p for p in plan.resources if p.terraform_type == "aws_s3_bucket_public_access_block")
    assert block.address == "aws_s3_bucket_public_access_block.data-public-access"
    assert block.references == {"bucket": ["aws_s3_bucket.data.id", "aws_s3_bucket.data"]}
    assert block.values["restrict_public_buckets"] is True


# --- render and the index -------------------------------------------------------------------------


def two_stacks() -> dict[str, ResourceGraph]:
    dev = graph(*bucket_with_block(), res(NAMESPACE, {"metadata": {"name": "apps"}}), res(QUEUE, {"name": "q"}))
    prod_json = json.dumps(graph(*bucket_with_block()).to_json()).replace(":dev::", ":prod::").replace('"dev"', '"prod"')
    return {"dev": dev, "prod": ResourceGraph.from_json(json.loads(prod_json))}


def test_render_writes_one_plan_and_one_manifest_per_stack_and_the_index(tmp_path: Path) -> None:
    result = render(two_stacks(), tmp_path / "out", MAPPING)
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["bridge-index.json", "dev.k8s.yaml", "dev.tfplan.json", "prod.tfplan.json"]
    assert result.written == {
        "dev.tfplan.json": {"terraform_plan": 2},
        "dev.k8s.yaml": {"kubernetes": 1},
        "prod.tfplan.json": {"terraform_plan": 2},
    }
    assert result.expected_resource_count("terraform_plan") == 4
    assert result.expected_resource_count("kubernetes") == 1
    assert result.files() == [out / name for name in result.written]
    plan = json.loads((out / "dev.tfplan.json").read_text())
    assert len(plan["planned_values"]["root_module"]["resources"]) == 2


def test_unmapped_resources_are_listed_in_the_result_and_the_index(tmp_path: Path) -> None:
    result = render(two_stacks(), tmp_path, MAPPING)
    assert result.unmapped == [UnmappedResource("dev", QUEUE, "aws:sqs/queue:Queue")]
    stack, urn, type_token = result.unmapped[0]
    assert (stack, urn, type_token) == ("dev", QUEUE, "aws:sqs/queue:Queue")
    assert json.loads((tmp_path / INDEX_FILE).read_text())["unmapped"] == [
        {"stack": "dev", "urn": QUEUE, "type": "aws:sqs/queue:Queue"}
    ]


def test_the_index_maps_checkov_names_back_per_file(tmp_path: Path) -> None:
    result = render(two_stacks(), tmp_path, MAPPING)
    dev = result.index.lookup("/dev.tfplan.json", "aws_s3_bucket.storage-data")
    prod = result.index.lookup(str(tmp_path / "prod.tfplan.json"), "aws_s3_bucket.storage-data")
    assert dev is not None and prod is not None
    assert (dev.stack, dev.urn, dev.type, dev.name, dev.file) == (
        "dev",
        BUCKET,
        "aws:s3/bucket:Bucket",
        "storage-data",
        "dev.tfplan.json",
    )
    assert dev.source_position == "project:///platform/platformkit/storage/component.py#10"
    assert (dev.framework, dev.checkov_type) == ("terraform_plan", "aws_s3_bucket")
    assert prod.urn == BUCKET.replace(":dev::", ":prod::")
    namespace = result.index.lookup("/out/dev.k8s.yaml", "Namespace.default.apps")
    assert namespace is not None and (namespace.urn, namespace.framework, namespace.checkov_type) == (
        NAMESPACE,
        "kubernetes",
        "Namespace",
    )
    assert result.index.lookup("/dev.tfplan.json", "aws_s3_bucket.missing") is None
    assert result.index.lookup("/staging.tfplan.json", "aws_s3_bucket.storage-data") is None


def test_the_index_file_reads_back_as_written(tmp_path: Path) -> None:
    result = render(two_stacks(), tmp_path, MAPPING)
    again = BridgeIndex.read(tmp_path / INDEX_FILE)
    assert again == result.index
    data = json.loads((tmp_path / INDEX_FILE).read_text())
    assert data["format"] == "platformkit.policy-bridge-index/v1"
    entry = data["files"]["dev.tfplan.json"]["resources"]["aws_s3_bucket.storage-data"]
    assert {"stack", "urn", "type", "name", "file", "sourcePosition"} <= set(entry)


def test_reading_something_else_as_an_index_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"format": "other"}')
    with pytest.raises(PlatformError, match="not a bridge index"):
        BridgeIndex.read(path)


def test_render_replaces_its_own_old_files(tmp_path: Path) -> None:
    render(two_stacks(), tmp_path, MAPPING)
    render({"dev": two_stacks()["dev"]}, tmp_path, MAPPING)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bridge-index.json", "dev.k8s.yaml", "dev.tfplan.json"]


def test_render_refuses_a_folder_with_other_files_checkov_would_scan(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text("")
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(PlatformError, match=r"main\.tf"):
        render(two_stacks(), tmp_path, MAPPING)


def test_render_refuses_a_stack_name_that_cannot_name_a_file(tmp_path: Path) -> None:
    with pytest.raises(PlatformError, match="cannot name a file"):
        render({"../dev": two_stacks()["dev"]}, tmp_path, MAPPING)


def test_no_secret_value_is_invented_and_masked_ones_stay_masked(tmp_path: Path) -> None:
    role = P + "aws:iam/role:Role::role"
    render({"dev": graph(res(role, {"name": "r", "description": SECRET}))}, tmp_path, MAPPING)
    plan = json.loads((tmp_path / "dev.tfplan.json").read_text())
    assert plan["planned_values"]["root_module"]["resources"][0]["values"]["description"] == SECRET
