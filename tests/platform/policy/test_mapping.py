"""The generated pulumi-aws -> Terraform mapping: known facts, coverage of the environments, the generator."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from platformkit.graph.model import ResourceGraph
from platformkit.policy.mapping import (
    FORMAT,
    MAPPING_FILE,
    AwsMapping,
    MappingError,
    ResourceMapping,
    default_name,
    load_mapping,
)

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "gen_aws_terraform_mapping.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI_METADATA = FIXTURES / "bridge-metadata-mini.json"
"""Hand-written, in the structure of pulumi-aws's bridge-metadata.json (no upstream data)."""
MINI_EXPECTED = FIXTURES / "expected-mapping-mini.json"
MINI_TOKENS = [
    "aws:autoscaling/group:Group",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:eks/accessEntry:AccessEntry",
    "aws:rds/instance:Instance",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:example/missing:Missing",
]
SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")

LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"


@pytest.fixture(scope="module")
def mapping() -> AwsMapping:
    return load_mapping()


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_aws_terraform_mapping", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# --- the rule and the file ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pulumi", "terraform"),
    [
        ("kmsKeyId", "kms_key_id"),
        ("publiclyAccessible", "publicly_accessible"),
        ("cidrIpv4", "cidr_ipv4"),
        ("s3Import", "s3_import"),
        ("ipv6CidrBlock", "ipv6_cidr_block"),
        ("bucket", "bucket"),
    ],
)
def test_default_name_is_camel_to_snake(pulumi: str, terraform: str) -> None:
    assert default_name(pulumi) == terraform


def test_the_file_records_its_sources() -> None:
    document = json.loads(MAPPING_FILE.read_text())
    assert document["format"] == FORMAT
    assert document["pulumiAws"] == "7.51.1"
    bridge = document["bridgeMetadata"]
    assert bridge["repository"] == "pulumi/pulumi-aws"
    assert bridge["path"] == "provider/cmd/pulumi-resource-aws/bridge-metadata.json"
    assert re.fullmatch(r"[0-9a-f]{40}", bridge["commit"])


def test_the_file_is_sorted_and_stores_only_exceptions() -> None:
    text = MAPPING_FILE.read_text()
    document = json.loads(text)
    assert list(document["resources"]) == sorted(document["resources"])
    for token, entry in document["resources"].items():
        renames = entry.get("renames", {})
        assert list(renames) == sorted(renames), token
        assert entry.get("opaque", []) == sorted(set(entry.get("opaque", []))), token
        for path, name in renames.items():
            assert name != default_name(path.rsplit(".", 1)[-1]), f"{token} {path}: not an exception"
            assert SNAKE.fullmatch(name), f"{token} {path} -> {name}"
    assert len(text) < 64_000, "the table should stay small: exceptions only"


def test_the_installed_pulumi_aws_is_the_one_mapped(mapping: AwsMapping) -> None:
    from importlib import metadata

    assert metadata.version("pulumi_aws") == mapping.pulumi_aws


# --- known facts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "terraform_type"),
    [
        ("aws:rds/instance:Instance", "aws_db_instance"),
        ("aws:s3/bucket:Bucket", "aws_s3_bucket"),
        (LIFECYCLE, "aws_s3_bucket_lifecycle_configuration"),
        (
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws_s3_bucket_server_side_encryption_configuration",
        ),
        ("aws:s3/bucketVersioning:BucketVersioning", "aws_s3_bucket_versioning"),
        ("aws:s3/bucketLogging:BucketLogging", "aws_s3_bucket_logging"),
        ("aws:s3/bucketAcl:BucketAcl", "aws_s3_bucket_acl"),
        ("aws:ec2/securityGroup:SecurityGroup", "aws_security_group"),
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws_vpc_security_group_ingress_rule"),
        ("aws:eks/cluster:Cluster", "aws_eks_cluster"),
        ("aws:eks/nodeGroup:NodeGroup", "aws_eks_node_group"),
        ("aws:eks/accessEntry:AccessEntry", "aws_eks_access_entry"),
        ("aws:kms/key:Key", "aws_kms_key"),
        ("aws:lb/loadBalancer:LoadBalancer", "aws_lb"),
        ("aws:alb/loadBalancer:LoadBalancer", "aws_alb"),  # Terraform's alias of aws_lb, as pulumi-aws maps it
        ("aws:cloudwatch/logGroup:LogGroup", "aws_cloudwatch_log_group"),
        ("aws:sns/topicSubscription:TopicSubscription", "aws_sns_topic_subscription"),
        ("aws:elasticache/replicationGroup:ReplicationGroup", "aws_elasticache_replication_group"),
        ("aws:wafv2/webAcl:WebAcl", "aws_wafv2_web_acl"),
    ],
)
def test_terraform_types(mapping: AwsMapping, token: str, terraform_type: str) -> None:
    assert mapping.terraform_type(token) == terraform_type


def test_an_unknown_type_has_no_terraform_type(mapping: AwsMapping) -> None:
    assert mapping.terraform_type("aws:example/nothing:Nothing") is None
    assert mapping.terraform_type("kubernetes:apps/v1:Deployment") is None


def test_lifecycle_rules_become_rule_blocks_with_nested_renames(mapping: AwsMapping) -> None:
    inputs = {
        "bucket": "b",
        "rules": [
            {
                "id": "r",
                "status": "Enabled",
                "filter": {"and": {"prefix": "logs/", "tags": {"keepMe": "x", "Name": "y"}}},
                "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
                "noncurrentVersionExpiration": {"noncurrentDays": 14},
                "noncurrentVersionTransitions": [{"noncurrentDays": 30, "storageClass": "GLACIER"}],
                "transitions": [{"days": 30, "storageClass": "STANDARD_IA"}],
            }
        ],
    }
    assert mapping.to_terraform(LIFECYCLE, inputs) == {
        "bucket": "b",
        "rule": [
            {
                "id": "r",
                "status": "Enabled",
                "filter": {"and": {"prefix": "logs/", "tags": {"keepMe": "x", "Name": "y"}}},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                "noncurrent_version_expiration": {"noncurrent_days": 14},
                "noncurrent_version_transition": [{"noncurrent_days": 30, "storage_class": "GLACIER"}],
                "transition": [{"days": 30, "storage_class": "STANDARD_IA"}],
            }
        ],
    }
    assert mapping.terraform_name(LIFECYCLE, "rules") == "rule"
    assert mapping.terraform_name(LIFECYCLE, "rules.noncurrentVersionTransitions") == "noncurrent_version_transition"


def test_security_group_ingress_and_egress_keep_their_names(mapping: AwsMapping) -> None:
    rule = {"fromPort": 443, "toPort": 443, "protocol": "tcp", "cidrBlocks": ["10.0.0.0/8"], "securityGroups": ["sg-1"]}
    converted = mapping.to_terraform(SECURITY_GROUP, {"ingress": [rule], "egress": [rule], "vpcId": "vpc-1"})
    expected_rule = {
        "from_port": 443,
        "to_port": 443,
        "protocol": "tcp",
        "cidr_blocks": ["10.0.0.0/8"],
        "security_groups": ["sg-1"],
    }
    assert converted == {"ingress": [expected_rule], "egress": [expected_rule], "vpc_id": "vpc-1"}


def test_eks_cluster_vpc_config(mapping: AwsMapping) -> None:
    converted = mapping.to_terraform(
        "aws:eks/cluster:Cluster",
        {"vpcConfig": {"endpointPublicAccess": False, "subnetIds": ["s"]}, "defaultAddonsToRemoves": ["x"]},
    )
    assert converted == {
        "vpc_config": {"endpoint_public_access": False, "subnet_ids": ["s"]},
        "default_addons_to_remove": ["x"],
    }


def test_split_s3_resources_whose_args_class_is_shadowed(mapping: AwsMapping) -> None:
    # their SDK input class is <Class>InitArgs: <Class>Args is the legacy bucket's nested type of that name
    sse = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    rules = [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "k"}, "bucketKeyEnabled": True}]
    assert mapping.to_terraform(sse, {"bucket": "b", "rules": rules}) == {
        "bucket": "b",
        "rule": [
            {
                "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": "k"},
                "bucket_key_enabled": True,
            }
        ],
    }
    assert mapping.terraform_name("aws:s3/bucketLogging:BucketLogging", "targetGrants") == "target_grant"
    versioning = mapping.to_terraform(
        "aws:s3/bucketVersioning:BucketVersioning", {"versioningConfiguration": {"status": "Enabled"}}
    )
    assert versioning == {"versioning_configuration": {"status": "Enabled"}}


def test_every_resource_is_read_through_its_own_args_class(mapping: AwsMapping, generator: ModuleType) -> None:
    registry = generator.sdk_resource_classes()
    for token in sorted(mapping.tokens):
        cls = generator.sdk_resource_class(token, registry)
        args = generator.args_class(cls)
        assert args is not None, token
        assert args.__module__ == cls.__module__, token


def test_rds_publicly_accessible(mapping: AwsMapping) -> None:
    assert mapping.to_terraform("aws:rds/instance:Instance", {"publiclyAccessible": True}) == {"publicly_accessible": True}


@pytest.mark.parametrize(
    ("token", "path", "terraform"),
    [
        ("aws:autoscaling/group:Group", "tags", "tag"),
        ("aws:autoscaling/group:Group", "vpcZoneIdentifiers", "vpc_zone_identifier"),
        ("aws:iam/role:Role", "inlinePolicies", "inline_policy"),
        ("aws:rds/parameterGroup:ParameterGroup", "parameters", "parameter"),
        ("aws:eks/nodeGroup:NodeGroup", "taints", "taint"),
        ("aws:eks/fargateProfile:FargateProfile", "selectors", "selector"),
        ("aws:lambda/function:Function", "code", "filename"),
        ("aws:lambda/permission:Permission", "function", "function_name"),
        ("aws:sns/topicSubscription:TopicSubscription", "topic", "topic_arn"),
        ("aws:cloudwatch/metricAlarm:MetricAlarm", "name", "alarm_name"),
        ("aws:apigateway/stage:Stage", "restApi", "rest_api_id"),
        ("aws:lb/listener:Listener", "defaultActions", "default_action"),
        ("aws:dynamodb/table:Table", "attributes", "attribute"),
        ("aws:route53/record:Record", "aliases", "alias"),
        ("aws:s3/bucket:Bucket", "lifecycleRules", "lifecycle_rule"),
        ("aws:wafv2/webAcl:WebAcl", "rules", "rule"),
        ("aws:wafv2/webAcl:WebAcl", "rules.statement.byteMatchStatement.textTransformations", "text_transformation"),
    ],
)
def test_renames_from_the_bridge_metadata(mapping: AwsMapping, token: str, path: str, terraform: str) -> None:
    assert mapping.terraform_name(token, path) == terraform


def test_opaque_values_are_copied_unchanged(mapping: AwsMapping) -> None:
    tags = {"Name": "x", "cost-centre": "CC-1", "someKey": "v"}
    assert mapping.to_terraform("aws:kms/key:Key", {"tags": tags})["tags"] == tags
    labels = {"nodeRole": "system"}
    assert mapping.to_terraform("aws:eks/nodeGroup:NodeGroup", {"labels": labels})["labels"] == labels
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}
    assert mapping.to_terraform("aws:iam/role:Role", {"assumeRolePolicy": document}) == {"assume_role_policy": document}
    archive = {"assets": {"index.js": "ignoredHash"}, "sourceCodeHash": "x"}
    assert mapping.to_terraform("aws:lambda/function:Function", {"code": archive}) == {"filename": archive}
    # autoscaling group tags are a list of objects (Terraform ``tag`` blocks), not a map
    tag = {"key": "k", "value": "v", "propagateAtLaunch": True}
    assert mapping.to_terraform("aws:autoscaling/group:Group", {"tags": [tag]}) == {
        "tag": [{"key": "k", "value": "v", "propagate_at_launch": True}]
    }


def test_an_unknown_type_is_converted_by_the_default_rule_with_tags_untouched(mapping: AwsMapping) -> None:
    converted = mapping.to_terraform("aws:example/thing:Thing", {"someProp": {"innerProp": 1}, "tags": {"aB": "c"}})
    assert converted == {"some_prop": {"inner_prop": 1}, "tags": {"aB": "c"}}


def test_malformed_documents_are_refused(tmp_path: Path) -> None:
    with pytest.raises(MappingError):
        AwsMapping.from_document({"format": "other"})
    with pytest.raises(MappingError):
        AwsMapping.from_document({"format": FORMAT, "resources": {"aws:a/b:B": {"renames": {}}}})
    missing = tmp_path / "missing.json"
    with pytest.raises(MappingError):
        load_mapping.__wrapped__(missing)


def test_a_hand_built_mapping_follows_paths_through_lists() -> None:
    mapping = AwsMapping({"aws:x/y:Y": ResourceMapping("aws_y", {"items": "item", "items.subThings": "sub_thing"}, frozenset())})
    assert mapping.to_terraform("aws:x/y:Y", {"items": [{"subThings": [{"aB": 1}]}]}) == {"item": [{"sub_thing": [{"a_b": 1}]}]}
    assert mapping.tokens == frozenset({"aws:x/y:Y"})


# --- coverage: the SDK and the environments ----------------------------------------------------------


def test_every_mapped_type_exists_in_the_installed_sdk(mapping: AwsMapping, generator: ModuleType) -> None:
    registry = generator.sdk_resource_classes()
    missing = sorted(t for t in mapping.tokens if generator.sdk_resource_class(t, registry) is None)
    assert missing == []


def test_the_curated_list_is_mapped(mapping: AwsMapping, generator: ModuleType) -> None:
    assert set(generator.CURATED) <= mapping.tokens
    assert 60 <= len(generator.CURATED) <= 110


def test_property_supplements_are_in_the_table(mapping: AwsMapping, generator: ModuleType) -> None:
    # The table cannot be regenerated without the metadata file; a supplement must also be in the committed table.
    for token, renames in generator.PROPERTY_SUPPLEMENT.items():
        for path, terraform in renames.items():
            assert mapping.terraform_name(token, path) == terraform, (token, path)


def test_dynamodb_index_key_schemas_are_key_schema_blocks(mapping: AwsMapping) -> None:
    inputs = {"globalSecondaryIndexes": [{"name": "by-customer", "keySchemas": [{"attributeName": "id", "keyType": "HASH"}]}]}
    assert mapping.to_terraform("aws:dynamodb/table:Table", inputs) == {
        "global_secondary_index": [{"name": "by-customer", "key_schema": [{"attribute_name": "id", "key_type": "HASH"}]}]
    }


def aws_resources(graph: ResourceGraph) -> list[Any]:
    return [r for r in graph.resources if r.custom and not r.is_provider and r.type.startswith("aws:")]


def test_every_aws_type_the_environments_use_is_mapped(mapping: AwsMapping, env_graphs: dict[str, ResourceGraph]) -> None:
    used = {r.type for g in env_graphs.values() for r in aws_resources(g)}
    assert used, "the environments create AWS resources"
    assert sorted(t for t in used if mapping.terraform_type(t) is None) == []


def test_environment_inputs_become_snake_case(mapping: AwsMapping, env_graphs: dict[str, ResourceGraph]) -> None:
    bad: set[tuple[str, str]] = set()

    def check(token: str, value: Any, prefix: str, opaque: frozenset[str]) -> None:
        if isinstance(value, list):
            for item in value:
                check(token, item, prefix, opaque)
        elif isinstance(value, dict):
            for key, item in value.items():
                if not SNAKE.fullmatch(key):
                    bad.add((token, prefix + key))
                if prefix + key not in opaque:
                    check(token, item, f"{prefix}{key}.", opaque)

    converted = 0
    for graph in env_graphs.values():
        for resource in aws_resources(graph):
            entry = mapping.resource(resource.type)
            assert entry is not None
            out = mapping.to_terraform(resource.type, dict(resource.inputs))
            # opaque paths in Terraform names: the converted name of each opaque Pulumi path
            opaque = frozenset(_terraform_path(mapping, resource.type, p) for p in entry.opaque)
            check(resource.type, out, "", opaque)
            converted += 1
    assert converted > 50
    assert sorted(bad) == []


def _terraform_path(mapping: AwsMapping, token: str, path: str) -> str:
    parts = path.split(".")
    return ".".join(mapping.terraform_name(token, ".".join(parts[: i + 1])) for i in range(len(parts)))


def test_tags_of_environment_resources_are_kept_verbatim(mapping: AwsMapping, env_graphs: dict[str, ResourceGraph]) -> None:
    tagged = [r for g in env_graphs.values() for r in aws_resources(g) if isinstance(r.inputs.get("tags"), dict)]
    assert tagged
    for resource in tagged:
        assert mapping.to_terraform(resource.type, {"tags": resource.inputs["tags"]}) == {"tags": resource.inputs["tags"]}


# --- the generator -----------------------------------------------------------------------------------


def test_the_generator_gives_the_expected_table_from_a_small_metadata(generator: ModuleType) -> None:
    bridge = generator.load_bridge_metadata(MINI_METADATA)
    document, failed, _ = generator.generate(bridge, MINI_TOKENS, commit="0" * 40, pulumi_aws="7.51.1")
    assert document["bridgeMetadata"].pop("sha256") == hashlib.sha256(MINI_METADATA.read_bytes()).hexdigest()
    assert document == json.loads(MINI_EXPECTED.read_text())
    assert failed == {
        "aws:example/missing:Missing": "not a resource of the installed pulumi-aws",
        "aws:s3/bucketPolicy:BucketPolicy": "not in the bridge metadata (nor in SUPPLEMENT)",
    }


def test_the_generator_is_deterministic(generator: ModuleType, tmp_path: Path) -> None:
    outputs = []
    for run in range(2):
        out = tmp_path / f"run{run}.json"
        argv = ["--bridge-metadata", str(MINI_METADATA), "--commit", "0" * 40, "--output", str(out), "--quiet"]
        for token in MINI_TOKENS if run == 0 else reversed(MINI_TOKENS):
            argv += ["--only", token]
        assert generator.main(argv) == 1  # two tokens cannot be mapped
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].endswith(b"}\n")


def test_the_generator_reuses_the_recorded_commit_only_for_the_same_file(generator: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "mapping.json"
    base = ["--bridge-metadata", str(MINI_METADATA), "--output", str(out), "--quiet", "--only", "aws:rds/instance:Instance"]
    assert generator.main([*base, "--commit", "a" * 40]) == 0
    assert generator.main(base) == 0
    assert json.loads(out.read_text())["bridgeMetadata"]["commit"] == "a" * 40
    other = tmp_path / "other-metadata.json"
    other.write_text(MINI_METADATA.read_text() + "\n")
    with pytest.raises(SystemExit):
        generator.main(["--bridge-metadata", str(other), "--output", str(out), "--quiet", "--only", "aws:rds/instance:Instance"])


def test_renamed_resources_take_names_from_their_former_token(generator: ModuleType) -> None:
    bridge = generator.load_bridge_metadata(MINI_METADATA)
    registry = generator.sdk_resource_classes()
    entry = generator.build_entry(LIFECYCLE, registry, bridge)
    former = "BucketLifecycleConfigurationV2"
    assert entry.source_token == f"aws:s3/b{former[1:]}:{former}"
    bucket = generator.build_entry("aws:s3/bucket:Bucket", registry, bridge)
    assert bucket.terraform_type == "aws_s3_bucket", "the *_legacy shim of the old token is never used"
