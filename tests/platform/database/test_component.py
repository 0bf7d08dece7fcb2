"""Database: private, encrypted with the given keys, TLS-only, RDS-managed password, settings followed."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from platformkit.context import Context
from platformkit.database import Database, DatabaseArgs
from platformkit.database.component import parameter_group_family
from platformkit.environment.model import DatabaseSettings
from platformkit.graph.model import GraphResource, ResourceGraph

DATA = "arn:aws:kms:eu-west-1:123456789012:key/11111111-1111-1111-1111-111111111111"
SECRETS = "arn:aws:kms:eu-west-1:123456789012:key/22222222-2222-2222-2222-222222222222"
LOGS = "arn:aws:kms:eu-west-1:123456789012:key/33333333-3333-3333-3333-333333333333"
NODES_SG = "sg-0123456789abcdef0"
OTHER_SG = "sg-0fedcba9876543210"
SUBNETS = ["subnet-aaaa", "subnet-bbbb", "subnet-cccc"]

INSTANCE = "aws:rds/instance:Instance"
COMPONENT = "platform:database:Database"
NOT_TAGGABLE = {"aws:iam/rolePolicyAttachment:RolePolicyAttachment"}


def _args(ctx: Context, settings: DatabaseSettings | None = None, **overrides: Any) -> DatabaseArgs:
    fields: dict[str, Any] = {
        "context": ctx,
        "settings": settings or DatabaseSettings(),
        "vpc_id": "vpc-0123456789abcdef0",
        "subnet_ids": SUBNETS,
        "allowed_security_group_ids": [NODES_SG],
        "data_key_arn": DATA,
        "secrets_key_arn": SECRETS,
        "logs_key_arn": LOGS,
    }
    fields.update(overrides)
    return DatabaseArgs(**fields)


def _db(record, ctx: Context, settings: DatabaseSettings | None = None, **overrides: Any) -> ResourceGraph:
    graph: ResourceGraph = record(lambda: Database("db", _args(ctx, settings, **overrides)))
    return graph


def _instance(graph: ResourceGraph) -> GraphResource:
    (instance,) = graph.of_type(INSTANCE)
    return instance


# --- the pure family derivation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "family"),
    [("16.8", "postgres16"), ("16", "postgres16"), ("17.4", "postgres17"), ("13.20", "postgres13"), ("10.1", "postgres10")],
)
def test_parameter_group_family_is_the_major_version(version: str, family: str) -> None:
    assert parameter_group_family(version) == family


@pytest.mark.parametrize("version", ["9.6.24", "sixteen", "", "16.x", "v16"])
def test_parameter_group_family_refuses_what_rds_has_no_family_for(version: str) -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        parameter_group_family(version)


# --- encryption ---------------------------------------------------------------------------------


def test_storage_and_performance_insights_are_encrypted_with_the_data_key(record, ctx: Context) -> None:
    inputs = _instance(_db(record, ctx)).inputs
    assert inputs["storageEncrypted"] is True
    assert inputs["kmsKeyId"] == DATA
    assert inputs["performanceInsightsEnabled"] is True
    assert inputs["performanceInsightsKmsKeyId"] == DATA


def test_master_password_is_managed_by_rds_and_encrypted_with_the_secrets_key(record, ctx: Context) -> None:
    inputs = _instance(_db(record, ctx)).inputs
    assert inputs["manageMasterUserPassword"] is True
    assert inputs["masterUserSecretKmsKeyId"] == SECRETS
    assert inputs["username"] == "platform_admin"
    assert not {"password", "passwordWo", "passwordWoVersion"} & set(inputs)


def test_no_resource_carries_a_password(record, ctx: Context) -> None:
    graph = _db(record, ctx)
    assert not any("password" in key.lower() and key != "manageMasterUserPassword" for r in graph.resources for key in r.inputs)


def test_log_groups_are_precreated_encrypted_with_the_logs_key(record, ctx: Context) -> None:
    graph = _db(record, ctx, DatabaseSettings(log_retention_days=90))
    groups = {g.inputs["name"]: g for g in graph.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert set(groups) == {"/aws/rds/instance/acme-test-postgres/postgresql", "/aws/rds/instance/acme-test-postgres/upgrade"}
    for group in groups.values():
        assert group.inputs["kmsKeyId"] == LOGS
        assert group.inputs["retentionInDays"] == 90
    instance = _instance(graph)
    assert sorted(instance.inputs["enabledCloudwatchLogsExports"]) == ["postgresql", "upgrade"]
    assert {g.urn for g in groups.values()} <= set(instance.dependencies)


# --- network exposure ---------------------------------------------------------------------------


def test_instance_is_private_in_the_isolated_subnets(record, ctx: Context) -> None:
    graph = _db(record, ctx)
    instance = _instance(graph)
    assert instance.inputs["publiclyAccessible"] is False
    (subnet_group,) = graph.of_type("aws:rds/subnetGroup:SubnetGroup")
    assert subnet_group.inputs["subnetIds"] == SUBNETS
    assert instance.property_dependencies["dbSubnetGroupName"] == [subnet_group.urn]


def test_only_the_database_security_group_is_attached(record, ctx: Context) -> None:
    graph = _db(record, ctx)
    (group,) = graph.of_type("aws:ec2/securityGroup:SecurityGroup")
    instance = _instance(graph)
    assert len(instance.inputs["vpcSecurityGroupIds"]) == 1
    assert instance.property_dependencies["vpcSecurityGroupIds"] == [group.urn]
    assert group.inputs["vpcId"] == "vpc-0123456789abcdef0"
    assert "ingress" not in group.inputs and "egress" not in group.inputs


def test_one_ingress_rule_per_allowed_group_on_5432_only(record, ctx: Context) -> None:
    graph = _db(record, ctx, allowed_security_group_ids=[NODES_SG, OTHER_SG])
    (group,) = graph.of_type("aws:ec2/securityGroup:SecurityGroup")
    rules = graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    # registration order is not deterministic under mocks: compare by logical name
    assert {r.name: r.inputs["referencedSecurityGroupId"] for r in rules} == {"db-ingress-0": NODES_SG, "db-ingress-1": OTHER_SG}
    for rule in rules:
        assert rule.inputs["ipProtocol"] == "tcp"
        assert rule.inputs["fromPort"] == 5432 and rule.inputs["toPort"] == 5432
        assert not {"cidrIpv4", "cidrIpv6", "prefixListId"} & set(rule.inputs)
        assert rule.property_dependencies["securityGroupId"] == [group.urn]
    assert not graph.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    assert not graph.of_type("aws:ec2/securityGroupRule:SecurityGroupRule")


def test_allowed_group_may_be_another_resources_output(record, ctx: Context) -> None:
    def program() -> None:
        nodes = aws.ec2.SecurityGroup("nodes", vpc_id="vpc-0123456789abcdef0")
        Database("db", _args(ctx, allowed_security_group_ids=[nodes.id]))

    graph = record(program)
    (rule,) = graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert rule.property_dependencies["referencedSecurityGroupId"] == [graph.named("nodes").urn]


def test_no_open_cidr_anywhere(record, ctx: Context) -> None:
    graph = _db(record, ctx)
    dumped = json.dumps([r.inputs for r in graph.resources])
    assert "0.0.0.0/0" not in dumped and "::/0" not in dumped


# --- parameter group ----------------------------------------------------------------------------


def test_parameter_group_forces_tls_and_logs_connections(record, ctx: Context) -> None:
    graph = _db(record, ctx)
    (group,) = graph.of_type("aws:rds/parameterGroup:ParameterGroup")
    assert group.inputs["family"] == "postgres16"
    params = {p["name"]: p["value"] for p in group.inputs["parameters"]}
    assert params["rds.force_ssl"] == "1"
    assert params["password_encryption"] == "scram-sha-256"
    assert params["log_connections"] == "1"
    assert params["log_disconnections"] == "1"
    assert int(params["log_min_duration_statement"]) > 0
    instance = _instance(graph)
    assert instance.property_dependencies["parameterGroupName"] == [group.urn]
    assert instance.inputs["parameterGroupName"] == group.inputs["name"]


def test_parameter_group_follows_the_major_version(record, ctx: Context) -> None:
    graph = _db(record, ctx, DatabaseSettings(engine_version="17.4"))
    (group,) = graph.of_type("aws:rds/parameterGroup:ParameterGroup")
    assert group.inputs["family"] == "postgres17"
    assert group.inputs["name"] == "acme-test-postgres17"
    assert _instance(graph).inputs["engineVersion"] == "17.4"


# --- settings, both ways ------------------------------------------------------------------------


def test_defaults_protect_the_data(record, ctx: Context) -> None:
    inputs = _instance(_db(record, ctx)).inputs
    assert inputs["deletionProtection"] is True
    assert inputs["backupRetentionPeriod"] == 14
    assert inputs["multiAz"] is True
    assert inputs["skipFinalSnapshot"] is False
    assert inputs["finalSnapshotIdentifier"] == "acme-test-postgres-final"
    assert inputs["deleteAutomatedBackups"] is False
    assert inputs["copyTagsToSnapshot"] is True


def test_settings_are_followed(record, ctx: Context) -> None:
    settings = DatabaseSettings(
        engine_version="16.4",
        instance_class="db.r7g.large",
        allocated_storage_gib=100,
        max_allocated_storage_gib=500,
        multi_az=False,
        backup_retention_days=3,
        deletion_protection=False,
        performance_insights_retention_days=31,
        monitoring_interval_seconds=15,
        backup_window="01:00-01:30",
        maintenance_window="sat:05:00-sat:06:00",
    )
    inputs = _instance(_db(record, ctx, settings)).inputs
    assert inputs["deletionProtection"] is False
    assert inputs["backupRetentionPeriod"] == 3
    assert inputs["multiAz"] is False
    assert inputs["instanceClass"] == "db.r7g.large"
    assert inputs["engineVersion"] == "16.4"
    assert (inputs["allocatedStorage"], inputs["maxAllocatedStorage"]) == (100, 500)
    assert inputs["performanceInsightsRetentionPeriod"] == 31
    assert inputs["monitoringInterval"] == 15
    assert inputs["backupWindow"] == "01:00-01:30"
    assert inputs["maintenanceWindow"] == "sat:05:00-sat:06:00"
    # a final snapshot is taken even where deletion protection is off
    assert inputs["skipFinalSnapshot"] is False


def test_instance_hardening_that_no_setting_turns_off(record, ctx: Context) -> None:
    inputs = _instance(_db(record, ctx)).inputs
    assert inputs["identifier"] == "acme-test-postgres"
    assert inputs["engine"] == "postgres"
    assert inputs["storageType"] == "gp3"
    assert inputs["port"] == 5432
    assert inputs["iamDatabaseAuthenticationEnabled"] is True
    assert inputs["autoMinorVersionUpgrade"] is True
    assert inputs["caCertIdentifier"] == "rds-ca-rsa2048-g1"


# --- enhanced monitoring ------------------------------------------------------------------------


def test_enhanced_monitoring_role(record, ctx: Context) -> None:
    graph = _db(record, ctx)
    role = graph.named("db-monitoring-role")
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert statement["Condition"]["ArnLike"] == {"aws:SourceArn": "arn:aws:rds:eu-west-1:123456789012:db:acme-test-postgres"}
    attachment = graph.named("db-monitoring-policy")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    assert attachment.property_dependencies["role"] == [role.urn]
    instance = _instance(graph)
    assert instance.inputs["monitoringInterval"] == 60
    assert instance.property_dependencies["monitoringRoleArn"] == [role.urn]
    assert attachment.urn in instance.dependencies


# --- conventions --------------------------------------------------------------------------------


def test_every_taggable_resource_is_tagged(record, ctx: Context) -> None:
    graph = _db(record, ctx)
    aws_resources = [r for r in graph.resources if r.custom and r.type.startswith("aws:")]
    assert len(aws_resources) == 9
    for resource in aws_resources:
        if resource.type in NOT_TAGGABLE:
            continue
        tags = resource.inputs["tags"]
        assert tags["environment"] == "test" and tags["managed-by"] == "pulumi", resource.name
        assert tags["Name"].startswith("acme-test-") or tags["Name"].startswith("/aws/rds/instance/acme-test-"), resource.name


def test_untaggable_types_really_take_no_tags() -> None:
    assert "tags" not in inspect.signature(aws.iam.RolePolicyAttachment._internal_init).parameters


def test_every_child_is_parented_to_the_component(record, ctx: Context) -> None:
    graph = _db(record, ctx)
    (component,) = graph.of_type(COMPONENT)
    children = [r for r in graph.resources if r.custom and not r.is_provider]
    assert children
    for child in children:
        assert child.parent == component.urn, child.name
        assert child.name.startswith("db-"), child.name


def test_no_deprecation_or_other_warnings(record, ctx: Context) -> None:
    assert _db(record, ctx).warnings == []


def test_outputs(record, ctx: Context) -> None:
    seen: dict[str, Any] = {}

    def program() -> None:
        db = Database("db", _args(ctx))
        pulumi.Output.all(
            db.instance_identifier, db.endpoint, db.address, db.port, db.security_group_id, db.master_user_secret_arn
        ).apply(lambda values: seen.update(zip(["id", "endpoint", "address", "port", "sg", "secret"], values, strict=True)))

    graph = record(program)
    assert seen["id"] == "acme-test-postgres"
    assert seen["endpoint"] == f"{seen['address']}:5432"
    assert seen["port"] == 5432
    assert seen["sg"].startswith("sg-")
    assert seen["secret"].startswith("arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-")
    assert graph.named("db").type == COMPONENT
