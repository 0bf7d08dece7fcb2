"""Database: the environment's PostgreSQL on RDS, private, encrypted and observable by default.

Creates a DB subnet group over the isolated subnets, a security group that only the given
security groups can reach on 5432, a parameter group that forces TLS and logs connections,
an Enhanced Monitoring role, KMS-encrypted log groups for the exported logs, and the
instance itself with an RDS-managed master password (no password in code, config or state).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from ..component import child_opts, token
from ..context import Context
from .args import DatabaseArgs

POSTGRES_PORT = 5432
MASTER_USERNAME = "platform_admin"
"""Name of the RDS master user. Not ``postgres`` (well known, first guess of every scanner); its password is RDS-managed."""
CA_CERT_IDENTIFIER = "rds-ca-rsa2048-g1"
EXPORTED_LOGS: tuple[str, ...] = ("postgresql", "upgrade")
"""Log types exported to CloudWatch Logs; each gets a pre-created, encrypted log group."""
SLOW_STATEMENT_MS = 1000
"""Statements slower than this (milliseconds) are logged with their duration."""
ENHANCED_MONITORING_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"

_ENGINE_VERSION = re.compile(r"^(\d+)(?:\.\d+)*$")


class Database(pulumi.ComponentResource):
    """One RDS PostgreSQL instance reachable only from the given security groups, encrypted with the given keys."""

    subnet_group: aws.rds.SubnetGroup
    security_group: aws.ec2.SecurityGroup
    ingress_rules: list[aws.vpc.SecurityGroupIngressRule]
    parameter_group: aws.rds.ParameterGroup
    monitoring_role: aws.iam.Role
    log_groups: dict[str, aws.cloudwatch.LogGroup]
    instance: aws.rds.Instance
    instance_identifier: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    address: pulumi.Output[str]
    port: pulumi.Output[int]
    security_group_id: pulumi.Output[str]
    master_user_secret_arn: pulumi.Output[str]

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(token("database", "Database"), name, None, opts)
        ctx = args.context
        settings = args.settings
        identifier = ctx.name("postgres")
        family = parameter_group_family(settings.engine_version)

        self.subnet_group = aws.rds.SubnetGroup(
            f"{name}-subnets",
            name=identifier,
            description=f"{identifier}: isolated subnets (no internet route) of the database",
            subnet_ids=args.subnet_ids,
            tags=ctx.tags(Name=identifier),
            opts=child_opts(self),
        )

        # No inline rules and no egress rule: the provider removes AWS's default allow-all egress
        # rule from a new group, and none is needed. Security groups are stateful, so replies to
        # allowed inbound connections flow back anyway; RDS's own traffic (backups, log export,
        # Enhanced Monitoring, Secrets Manager) leaves through AWS's management network, not this
        # group. Only engine features that dial out (aws_s3/aws_lambda extensions, dblink,
        # postgres_fdw) would need egress, and none is enabled.
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            name=identifier,
            description=f"{identifier}: PostgreSQL {POSTGRES_PORT} from the platform's allowed security groups only",
            vpc_id=args.vpc_id,
            revoke_rules_on_delete=True,
            tags=ctx.tags(Name=identifier),
            opts=child_opts(self),
        )
        self.ingress_rules = [
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-ingress-{index}",
                security_group_id=self.security_group.id,
                referenced_security_group_id=source,
                ip_protocol="tcp",
                from_port=POSTGRES_PORT,
                to_port=POSTGRES_PORT,
                description=f"PostgreSQL from allowed security group {index}",
                tags=ctx.tags(Name=ctx.name("postgres", "ingress", str(index))),
                opts=child_opts(self),
            )
            for index, source in enumerate(args.allowed_security_group_ids)
        ]

        self.parameter_group = aws.rds.ParameterGroup(
            f"{name}-params",
            # The family is part of the name so a major upgrade creates the new group beside the old one.
            name=ctx.name(family),
            family=family,
            description=f"{identifier}: TLS only, SCRAM passwords, connection and slow-statement logging",
            parameters=[
                aws.rds.ParameterGroupParameterArgsDict(name=key, value=value, apply_method="immediate")
                for key, value in parameter_values().items()
            ],
            tags=ctx.tags(Name=ctx.name(family)),
            opts=child_opts(self),
        )

        self.monitoring_role = aws.iam.Role(
            f"{name}-monitoring-role",
            name=ctx.name("rds-monitoring", max_length=64),
            description=f"Lets RDS Enhanced Monitoring publish OS metrics of {identifier}",
            assume_role_policy=json.dumps(monitoring_trust_policy(ctx, identifier)),
            tags=ctx.tags(Name=ctx.name("rds-monitoring", max_length=64)),
            opts=child_opts(self),
        )
        monitoring_policy = aws.iam.RolePolicyAttachment(
            f"{name}-monitoring-policy",
            role=self.monitoring_role.name,
            policy_arn=ENHANCED_MONITORING_POLICY_ARN,
            opts=child_opts(self),
        )

        # Pre-created so RDS writes into encrypted groups with a retention instead of creating
        # unencrypted ones that keep logs forever.
        self.log_groups = {
            log: aws.cloudwatch.LogGroup(
                f"{name}-log-{log}",
                name=log_group_name(identifier, log),
                kms_key_id=args.logs_key_arn,
                retention_in_days=settings.log_retention_days,
                tags=ctx.tags(Name=log_group_name(identifier, log)),
                opts=child_opts(self),
            )
            for log in EXPORTED_LOGS
        }

        self.instance = aws.rds.Instance(
            f"{name}-instance",
            identifier=identifier,
            engine="postgres",
            engine_version=settings.engine_version,
            instance_class=settings.instance_class,
            port=POSTGRES_PORT,
            storage_type="gp3",
            allocated_storage=settings.allocated_storage_gib,
            max_allocated_storage=settings.max_allocated_storage_gib,
            storage_encrypted=True,
            kms_key_id=args.data_key_arn,
            multi_az=settings.multi_az,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            publicly_accessible=False,
            parameter_group_name=self.parameter_group.name,
            ca_cert_identifier=CA_CERT_IDENTIFIER,
            username=MASTER_USERNAME,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=args.secrets_key_arn,
            iam_database_authentication_enabled=True,
            backup_retention_period=settings.backup_retention_days,
            backup_window=settings.backup_window,
            maintenance_window=settings.maintenance_window,
            copy_tags_to_snapshot=True,
            delete_automated_backups=False,
            deletion_protection=settings.deletion_protection,
            skip_final_snapshot=False,
            final_snapshot_identifier=ctx.name("postgres-final"),
            auto_minor_version_upgrade=True,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=args.data_key_arn,
            performance_insights_retention_period=settings.performance_insights_retention_days,
            monitoring_interval=settings.monitoring_interval_seconds,
            monitoring_role_arn=self.monitoring_role.arn,
            enabled_cloudwatch_logs_exports=list(EXPORTED_LOGS),
            tags=ctx.tags(Name=identifier),
            # RDS checks the monitoring role's permissions when the instance is created, and creates
            # its own log groups if ours do not exist yet.
            opts=child_opts(self, depends_on=[*self.log_groups.values(), monitoring_policy]),
        )

        self.instance_identifier = self.instance.identifier
        self.endpoint = self.instance.endpoint
        self.address = self.instance.address
        self.port = self.instance.port
        self.security_group_id = self.security_group.id
        self.master_user_secret_arn = self.instance.master_user_secrets.apply(_secret_arn)
        self.register_outputs(
            {
                "instance_identifier": self.instance_identifier,
                "endpoint": self.endpoint,
                "address": self.address,
                "port": self.port,
                "security_group_id": self.security_group_id,
                "master_user_secret_arn": self.master_user_secret_arn,
            }
        )


def parameter_group_family(engine_version: str) -> str:
    """The RDS parameter group family of a PostgreSQL version: its major version, e.g. ``'16.8'`` -> ``'postgres16'``.

    Since PostgreSQL 10 the major version is the first number alone (9.6 was ``postgres9.6``);
    older versions are out of RDS support and refused.
    """
    match = _ENGINE_VERSION.match(engine_version)
    if match is None:
        raise ValueError(f"'{engine_version}' is not a PostgreSQL version such as '16.8' or '16'")
    major = int(match.group(1))
    if major < 10:
        raise ValueError(f"PostgreSQL {engine_version} is older than 10 and no longer supported by RDS; use 13 or later")
    return f"postgres{major}"


def parameter_values() -> dict[str, str]:
    """The parameters the platform sets on every PostgreSQL (10+) parameter group; dynamic ones, applied immediately."""
    return {
        "rds.force_ssl": "1",
        "password_encryption": "scram-sha-256",
        "log_connections": "1",
        "log_disconnections": "1",
        "log_min_duration_statement": str(SLOW_STATEMENT_MS),
    }


def log_group_name(identifier: str, log: str) -> str:
    """The log group RDS exports one log type of one instance to."""
    return f"/aws/rds/instance/{identifier}/{log}"


def monitoring_trust_policy(ctx: Context, identifier: str) -> dict[str, Any]:
    """Trust policy of the Enhanced Monitoring role: RDS monitoring, acting for this account's instance only."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "RdsEnhancedMonitoringForThisInstance",
                "Effect": "Allow",
                "Principal": {"Service": "monitoring.rds.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ctx.account_id},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:rds:{ctx.region}:{ctx.account_id}:db:{identifier}"},
                },
            }
        ],
    }


def _secret_arn(secrets: Sequence[aws.rds.outputs.InstanceMasterUserSecret]) -> str:
    """The ARN of the RDS-managed master-user secret (RDS returns exactly one)."""
    if not secrets or secrets[0].secret_arn is None:
        raise ValueError("RDS returned no master user secret although manage_master_user_password is on")
    return secrets[0].secret_arn
