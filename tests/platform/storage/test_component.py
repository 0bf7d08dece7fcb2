"""Storage: three private, versioned, encrypted buckets with lifecycles from settings and access logging."""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

import pulumi_aws as aws
import pytest

from platformkit.context import Context
from platformkit.environment.model import BucketLifecycle, StorageSettings
from platformkit.graph.model import GraphResource, ResourceGraph
from platformkit.keys import Keys, KeysArgs
from platformkit.storage import Storage, StorageArgs
from platformkit.storage.component import bucket_name

BUCKET = "aws:s3/bucket:Bucket"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
ROLES = ("artifacts", "logs", "backups")
KMS_ROLES = ("artifacts", "backups")


@pytest.fixture
def graph(record, ctx: Context) -> ResourceGraph:
    return record(lambda: Storage("storage", StorageArgs(context=ctx, data_key_arn=KEY_ARN)))


def child(graph: ResourceGraph, role: str, kind: str) -> GraphResource:
    return graph.named(f"storage-{role}-{kind}")


def statements(graph: ResourceGraph, role: str) -> dict[str, dict[str, Any]]:
    policy = json.loads(child(graph, role, "policy").inputs["policy"])
    assert policy["Version"] == "2012-10-17"
    return {s["Sid"]: s for s in policy["Statement"]}


def rule(graph: ResourceGraph, role: str) -> dict[str, Any]:
    rules = child(graph, role, "lifecycle").inputs["rules"]
    assert len(rules) == 1
    return rules[0]


def test_three_buckets_in_the_account_regional_namespace(graph: ResourceGraph) -> None:
    buckets = {b.name: b for b in graph.of_type(BUCKET)}
    assert sorted(buckets) == ["storage-artifacts", "storage-backups", "storage-logs"]
    for role in ROLES:
        bucket = buckets[f"storage-{role}"]
        assert bucket.inputs["bucket"] == f"acme-test-{role}-123456789012-eu-west-1-an"
        assert bucket.inputs["bucketNamespace"] == "account-regional"
        assert bucket.inputs["tags"]["Name"] == bucket.inputs["bucket"]
        assert not bucket.inputs.get("forceDestroy")
    assert graph.warnings == []


def test_long_names_keep_the_namespace_suffix_within_63_characters() -> None:
    long = Context(
        org="abcdefghijklmnop",
        environment="qrstuvwxyzabcdef",
        account_id="123456789012",
        region="ap-southeast-2",
        owner="o",
        cost_centre="c",
        repository="r",
    )
    names = {role: bucket_name(long, role) for role in ROLES}
    for name in names.values():
        assert len(name) <= 63
        assert name.endswith("-123456789012-ap-southeast-2-an")
        assert name.startswith("abcdefghijklmnop-")
    assert len(set(names.values())) == 3


def test_every_bucket_is_private_with_acls_disabled(graph: ResourceGraph) -> None:
    for role in ROLES:
        bucket = graph.named(f"storage-{role}")
        ownership = child(graph, role, "ownership")
        assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
        assert ownership.property_dependencies["bucket"] == [bucket.urn]
        block = child(graph, role, "public-access")
        for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
            assert block.inputs[flag] is True, (role, flag)
        assert block.property_dependencies["bucket"] == [bucket.urn]


def test_every_bucket_is_versioned(graph: ResourceGraph) -> None:
    for role in ROLES:
        versioning = child(graph, role, "versioning")
        assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
        assert "mfa" not in versioning.inputs
        assert versioning.property_dependencies["bucket"] == [graph.named(f"storage-{role}").urn]


def test_data_buckets_use_the_data_key_with_a_bucket_key(graph: ResourceGraph) -> None:
    for role in KMS_ROLES:
        (encryption,) = child(graph, role, "encryption").inputs["rules"]
        assert encryption["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN}
        assert encryption["bucketKeyEnabled"] is True
        assert encryption["blockedEncryptionTypes"] == ["SSE-C"]


def test_log_bucket_uses_sse_s3_because_access_logging_cannot_target_sse_kms(graph: ResourceGraph) -> None:
    (encryption,) = child(graph, "logs", "encryption").inputs["rules"]
    assert encryption["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    assert "kmsMasterKeyId" not in encryption["applyServerSideEncryptionByDefault"]
    assert encryption["blockedEncryptionTypes"] == ["SSE-C"]


def test_key_arn_from_the_keys_component_is_wired_through(record, ctx: Context) -> None:
    def program() -> None:
        keys = Keys("keys", KeysArgs(context=ctx))
        Storage("storage", StorageArgs(context=ctx, data_key_arn=keys.data_key_arn))

    graph = record(program)
    data_key = graph.named("keys-data")
    for role in KMS_ROLES:
        encryption = child(graph, role, "encryption")
        assert encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"].startswith(
            "arn:aws:kms:eu-west-1:123456789012:key/"
        )
        assert data_key.urn in encryption.property_dependencies["rules"]
        deny_other_key = statements(graph, role)["DenyKmsKeyOtherThanDataKey"]
        key_arn = encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]
        assert deny_other_key["Condition"]["StringNotEquals"]["s3:x-amz-server-side-encryption-aws-kms-key-id"] == key_arn
        assert data_key.urn in child(graph, role, "policy").property_dependencies["policy"]


def test_every_bucket_policy_denies_requests_without_tls(graph: ResourceGraph) -> None:
    for role in ROLES:
        arn = f"arn:aws:s3:::acme-test-{role}-123456789012-eu-west-1-an"
        deny = statements(graph, role)["DenyInsecureTransport"]
        assert deny["Effect"] == "Deny"
        assert deny["Principal"] == "*"
        assert deny["Action"] == "s3:*"
        assert sorted(deny["Resource"]) == [arn, f"{arn}/*"]
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_data_bucket_policies_refuse_other_encryption_only_when_asked_for(graph: ResourceGraph) -> None:
    for role in KMS_ROLES:
        found = statements(graph, role)
        algorithm = found["DenyEncryptionOtherThanKms"]
        assert algorithm["Effect"] == "Deny" and algorithm["Action"] == "s3:PutObject"
        # Uploads without the header still pass (default encryption applies the data key to them).
        assert algorithm["Condition"]["Null"] == {"s3:x-amz-server-side-encryption": "false"}
        assert algorithm["Condition"]["StringNotEquals"] == {"s3:x-amz-server-side-encryption": "aws:kms"}
        key = found["DenyKmsKeyOtherThanDataKey"]
        assert key["Condition"]["Null"] == {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"}
        assert key["Condition"]["StringNotEquals"] == {"s3:x-amz-server-side-encryption-aws-kms-key-id": KEY_ARN}


def test_no_bucket_policy_allows_anyone_but_the_logging_service(graph: ResourceGraph) -> None:
    for role in ROLES:
        for statement in statements(graph, role).values():
            if statement["Effect"] == "Allow":
                assert statement["Principal"] == {"Service": "logging.s3.amazonaws.com"}, role
                assert role == "logs"


def test_log_bucket_lets_the_logging_service_write_each_source_under_its_prefix(graph: ResourceGraph) -> None:
    found = statements(graph, "logs")
    logs_arn = "arn:aws:s3:::acme-test-logs-123456789012-eu-west-1-an"
    for source in KMS_ROLES:
        allow = found[f"ServerAccessLogsFrom{source.capitalize()}"]
        assert allow["Effect"] == "Allow"
        assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
        assert allow["Action"] == "s3:PutObject"
        assert allow["Resource"] == f"{logs_arn}/{source}/*"
        assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
        assert allow["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:s3:::acme-test-{source}-123456789012-eu-west-1-an"}
    # No encryption-header denies here: the logging service sends none, and SSE-S3 is the default.
    assert set(found) == {"DenyInsecureTransport", "ServerAccessLogsFromArtifacts", "ServerAccessLogsFromBackups"}


def test_policies_wait_for_ownership_and_public_access_block(graph: ResourceGraph) -> None:
    for role in ROLES:
        policy = child(graph, role, "policy")
        assert child(graph, role, "ownership").urn in policy.dependencies
        assert child(graph, role, "public-access").urn in policy.dependencies
        assert policy.property_dependencies["bucket"] == [graph.named(f"storage-{role}").urn]


def test_data_buckets_log_to_the_logs_bucket_under_their_own_prefix(graph: ResourceGraph) -> None:
    logs = graph.named("storage-logs")
    loggings = {r.name: r for r in graph.of_type("aws:s3/bucketLogging:BucketLogging")}
    assert sorted(loggings) == ["storage-artifacts-logging", "storage-backups-logging"]
    for role in KMS_ROLES:
        logging = loggings[f"storage-{role}-logging"]
        assert logging.inputs["bucket"] == f"acme-test-{role}-123456789012-eu-west-1-an"
        assert logging.inputs["targetBucket"] == logs.inputs["bucket"]
        assert logging.property_dependencies["targetBucket"] == [logs.urn]
        assert logging.inputs["targetPrefix"] == f"{role}/"
        assert "targetGrants" not in logging.inputs
        assert child(graph, "logs", "policy").urn in logging.dependencies


def test_default_lifecycles_follow_the_model(graph: ResourceGraph) -> None:
    logs = rule(graph, "logs")
    assert logs["status"] == "Enabled" and logs["filter"] == {}
    assert logs["expiration"] == {"days": 365}
    assert logs["transitions"] == [{"days": 30, "storageClass": "STANDARD_IA"}]
    assert logs["noncurrentVersionExpiration"] == {"noncurrentDays": 90}
    backups = rule(graph, "backups")
    assert backups["noncurrentVersionExpiration"] == {"noncurrentDays": 35}
    assert backups["expiration"] == {"expiredObjectDeleteMarker": True}
    assert "transitions" not in backups
    for role in ROLES:
        assert rule(graph, role)["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
        lifecycle = child(graph, role, "lifecycle")
        assert child(graph, role, "versioning").urn in lifecycle.dependencies


def test_lifecycles_change_with_settings(record, ctx: Context) -> None:
    settings = StorageSettings(
        artifacts=BucketLifecycle(
            expire_after_days=120, noncurrent_version_expire_days=7, transition_to_infrequent_access_days=45
        ),
        logs=BucketLifecycle(expire_after_days=30),
        backups=BucketLifecycle(noncurrent_version_expire_days=400, transition_to_infrequent_access_days=60),
    )
    graph = record(lambda: Storage("storage", StorageArgs(context=ctx, settings=settings, data_key_arn=KEY_ARN)))
    artifacts = rule(graph, "artifacts")
    assert artifacts["expiration"] == {"days": 120}
    assert artifacts["noncurrentVersionExpiration"] == {"noncurrentDays": 7}
    assert artifacts["transitions"] == [{"days": 45, "storageClass": "STANDARD_IA"}]
    logs = rule(graph, "logs")
    assert logs["expiration"] == {"days": 30}
    assert "transitions" not in logs
    backups = rule(graph, "backups")
    assert backups["expiration"] == {"expiredObjectDeleteMarker": True}
    assert backups["noncurrentVersionExpiration"] == {"noncurrentDays": 400}
    assert backups["transitions"] == [{"days": 60, "storageClass": "STANDARD_IA"}]


def _resource_class(type_token: str) -> Any:
    module = type_token.split(":")[1].split("/", maxsplit=1)[0]
    return getattr(getattr(aws, module), type_token.rsplit(":", 1)[-1])


_DEPRECATED_GETTER = re.compile(r'@pulumi\.getter(?:\(name="(\w+)"\))?\s*@_utilities\.deprecated\([^\n]*\n\s*def (\w+)')


def test_no_deprecated_resource_or_argument_is_used(graph: ResourceGraph) -> None:
    """The SDK marks deprecated classes with a class-level warning and deprecated arguments with a decorator."""

    def deprecated_class(cls: type) -> bool:
        return "has been deprecated" in inspect.getsource(cls).split("@overload", 1)[0]

    def deprecated_inputs(cls: type) -> set[str]:
        return {m.group(1) or m.group(2) for m in _DEPRECATED_GETTER.finditer(inspect.getsource(cls))}

    # The detectors recognise what they look for, so a pass below means something.
    assert deprecated_class(aws.s3.BucketV2) and not deprecated_class(aws.s3.Bucket)
    assert {"expectedBucketOwner"} <= deprecated_inputs(aws.s3.BucketVersioning)
    assert {"versioning", "serverSideEncryptionConfiguration", "lifecycleRules"} <= deprecated_inputs(aws.s3.Bucket)
    for resource in (r for r in graph.resources if r.custom):
        cls = _resource_class(resource.type)
        assert not deprecated_class(cls), resource.type
        assert not deprecated_inputs(cls) & set(resource.inputs), (resource.name, deprecated_inputs(cls) & set(resource.inputs))


def _accepts_tags(type_token: str) -> bool:
    return "tags" in inspect.signature(_resource_class(type_token)._internal_init).parameters


def test_every_taggable_resource_is_tagged(graph: ResourceGraph) -> None:
    custom = [r for r in graph.resources if r.custom]
    taggable = [r for r in custom if _accepts_tags(r.type)]
    assert {r.type for r in taggable} == {BUCKET}
    for resource in taggable:
        tags = resource.inputs["tags"]
        for key in ("environment", "owner", "cost-centre", "managed-by", "repository", "Name"):
            assert key in tags, (resource.name, key)
        assert tags["environment"] == "test"


def test_every_child_is_parented_to_the_component(graph: ResourceGraph) -> None:
    component = next(r for r in graph.resources if r.type == "platform:storage:Storage")
    custom = [r for r in graph.resources if r.custom]
    assert len(custom) == 3 * 7 + 2  # per bucket: bucket + 6 settings resources; two logging configs
    for resource in custom:
        assert resource.parent == component.urn, resource.name
        assert resource.name.startswith("storage-")


def test_outputs_name_and_arn_each_bucket(record, ctx: Context) -> None:
    seen: dict[str, str] = {}

    def program() -> None:
        storage = Storage("storage", StorageArgs(context=ctx, data_key_arn=KEY_ARN))
        assert set(storage.buckets) == set(ROLES)
        for role in ROLES:
            for attr in ("name", "arn"):
                key = f"{role}_bucket_{attr}"
                getattr(storage, key).apply(lambda value, key=key: seen.__setitem__(key, value))

    record(program)
    for role in ROLES:
        name = f"acme-test-{role}-123456789012-eu-west-1-an"
        assert seen[f"{role}_bucket_name"] == name
        assert seen[f"{role}_bucket_arn"] == f"arn:aws:s3:::{name}"
