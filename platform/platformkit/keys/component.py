"""Keys: the environment's customer-managed KMS keys.

Creates three symmetric keys, each with an alias, yearly automatic rotation and an explicit
key policy:

- ``data``: storage of state (RDS, S3, EBS volumes of nodes, backups);
- ``logs``: CloudWatch Logs (flow logs, EKS control plane, RDS log exports);
- ``secrets``: Kubernetes secrets envelope encryption, RDS master secret, Secrets Manager.

Separate keys keep blast radius and audit trails apart: log readers need no access to data.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from ..component import child_opts, token
from ..context import Context
from .args import KeysArgs

ROLES: tuple[str, ...] = ("data", "logs", "secrets")


class Keys(pulumi.ComponentResource):
    """Per-environment KMS keys with rotation on and a policy that names every service allowed to use them."""

    data_key: aws.kms.Key
    logs_key: aws.kms.Key
    secrets_key: aws.kms.Key
    data_key_arn: pulumi.Output[str]
    logs_key_arn: pulumi.Output[str]
    secrets_key_arn: pulumi.Output[str]

    def __init__(self, name: str, args: KeysArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(token("keys", "Keys"), name, None, opts)
        ctx = args.context
        keys: dict[str, aws.kms.Key] = {}
        for role in ROLES:
            key = aws.kms.Key(
                f"{name}-{role}",
                description=f"{ctx.name(role)}: {role} encryption key ({ctx.environment})",
                key_usage="ENCRYPT_DECRYPT",
                customer_master_key_spec="SYMMETRIC_DEFAULT",
                enable_key_rotation=True,
                rotation_period_in_days=365,
                deletion_window_in_days=args.settings.deletion_window_days,
                policy=json.dumps(key_policy(ctx, role)),
                tags=ctx.tags(Name=ctx.name(role), purpose=role),
                opts=child_opts(self),
            )
            aws.kms.Alias(
                f"{name}-{role}-alias",
                name=f"alias/{ctx.name(role)}",
                target_key_id=key.key_id,
                opts=child_opts(self),
            )
            keys[role] = key
        self.data_key, self.logs_key, self.secrets_key = keys["data"], keys["logs"], keys["secrets"]
        self.data_key_arn = self.data_key.arn
        self.logs_key_arn = self.logs_key.arn
        self.secrets_key_arn = self.secrets_key.arn
        self.register_outputs(
            {"data_key_arn": self.data_key_arn, "logs_key_arn": self.logs_key_arn, "secrets_key_arn": self.secrets_key_arn}
        )


def key_policy(ctx: Context, role: str) -> dict[str, Any]:
    """The explicit key policy of one key: account administration plus the services that role serves."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AccountAdministersKeyThroughIam",
            "Effect": "Allow",
            "Principal": {"AWS": ctx.partition_arn},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    if role == "logs":
        statements.append(
            {
                "Sid": "CloudWatchLogsUsesKeyForThisAccountOnly",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{ctx.region}.amazonaws.com"},
                "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                "Resource": "*",
                "Condition": {
                    "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group:*"}
                },
            }
        )
    if role == "data":
        autoscaling = (
            f"arn:aws:iam::{ctx.account_id}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
        )
        statements.extend(
            [
                {
                    "Sid": "AutoScalingEncryptsNodeVolumes",
                    "Effect": "Allow",
                    "Principal": {"AWS": autoscaling},
                    "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                    "Resource": "*",
                },
                {
                    "Sid": "AutoScalingGrantsForAttachedVolumes",
                    "Effect": "Allow",
                    "Principal": {"AWS": autoscaling},
                    "Action": "kms:CreateGrant",
                    "Resource": "*",
                    "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
                },
            ]
        )
    return {"Version": "2012-10-17", "Statement": statements}
