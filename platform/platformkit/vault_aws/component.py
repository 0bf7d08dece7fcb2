"""VaultAws: what the Vault server needs from AWS, and nothing more.

Creates, all parented to the component:

- the IAM role ``<org>-<env>-vault-server`` for the Vault server pods (IRSA): only the service account
  ``system:serviceaccount:<serverNamespace>:<serverServiceAccount>`` of this cluster's OIDC provider can
  assume it, and only with a token for the ``sts.amazonaws.com`` audience;
- the symmetric KMS key ``<org>-<env>-vault-unseal`` (alias ``alias/<org>-<env>-vault-unseal``) Vault's
  ``awskms`` seal wraps its root key with: yearly automatic rotation, the environment's deletion window and
  an explicit key policy in which only the server role may Encrypt, Decrypt and DescribeKey for use, while
  the account can administer (describe, tag, rotate, schedule deletion, change the policy) but not use it;
- the server role's inline policy allowing exactly ``kms:Encrypt``, ``kms:Decrypt`` and ``kms:DescribeKey``
  on that key (what Vault's awskms seal calls).

The role is created before the key, because KMS refuses a key policy naming a principal that does not exist.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from ..cluster.component import irsa_trust
from ..component import child_opts, token
from ..context import Context
from .args import VaultAwsArgs

UNSEAL_ACTIONS: tuple[str, ...] = ("kms:Encrypt", "kms:Decrypt", "kms:DescribeKey")
"""What Vault's awskms seal needs: DescribeKey at start-up, Encrypt/Decrypt to wrap and unwrap its root key."""

ADMIN_ACTIONS: tuple[str, ...] = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)
"""What the account (through IAM: the deploy role, break-glass admins) may do with the key: manage it, never use it.
No ``kms:CreateGrant``: a grant would hand out Decrypt outside the key policy."""


class VaultAws(pulumi.ComponentResource):
    """The Vault server's IRSA role and its KMS auto-unseal key, each usable only by the other's owner."""

    server_role: aws.iam.Role
    unseal_key: aws.kms.Key
    server_role_arn: pulumi.Output[str]
    server_role_name: pulumi.Output[str]
    unseal_key_arn: pulumi.Output[str]
    unseal_key_id: pulumi.Output[str]
    seal_config: pulumi.Output[str]

    def __init__(self, name: str, args: VaultAwsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(token("vault_aws", "VaultAws"), name, None, opts)
        ctx = args.context
        settings = args.settings
        service_account = f"system:serviceaccount:{settings.server_namespace}:{settings.server_service_account}"

        self.server_role = aws.iam.Role(
            f"{name}-server-role",
            name=ctx.name("vault-server"),
            description=f"Vault server ({service_account}) of {ctx.name('eks')}: KMS auto-unseal",
            assume_role_policy=pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer_url).apply(
                lambda v: json.dumps(irsa_trust(v[0], v[1], service_account))
            ),
            max_session_duration=3600,
            tags=ctx.tags(Name=ctx.name("vault-server")),
            opts=child_opts(self),
        )

        self.unseal_key = aws.kms.Key(
            f"{name}-unseal-key",
            description=f"{ctx.name('vault-unseal')}: Vault auto-unseal key ({ctx.environment})",
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            enable_key_rotation=True,
            rotation_period_in_days=365,
            deletion_window_in_days=args.key_settings.deletion_window_days,
            policy=self.server_role.arn.apply(lambda role_arn: json.dumps(unseal_key_policy(ctx, role_arn))),
            tags=ctx.tags(Name=ctx.name("vault-unseal"), purpose="vault-unseal"),
            opts=child_opts(self),
        )
        aws.kms.Alias(
            f"{name}-unseal-key-alias",
            name=f"alias/{ctx.name('vault-unseal')}",
            target_key_id=self.unseal_key.key_id,
            opts=child_opts(self),
        )
        aws.iam.RolePolicy(
            f"{name}-server-role-unseal",
            name=ctx.name("vault-unseal"),
            role=self.server_role.id,
            policy=self.unseal_key.arn.apply(lambda key_arn: json.dumps(server_role_policy(key_arn))),
            opts=child_opts(self),
        )

        self.server_role_arn = self.server_role.arn
        self.server_role_name = self.server_role.name
        self.unseal_key_arn = self.unseal_key.arn
        self.unseal_key_id = self.unseal_key.key_id
        self.seal_config = self.unseal_key.key_id.apply(lambda key_id: seal_stanza(ctx.region, key_id))
        self.register_outputs(
            {
                "server_role_arn": self.server_role_arn,
                "server_role_name": self.server_role_name,
                "unseal_key_arn": self.unseal_key_arn,
                "unseal_key_id": self.unseal_key_id,
                "seal_config": self.seal_config,
            }
        )


def unseal_key_policy(ctx: Context, server_role_arn: str) -> dict[str, Any]:
    """Key policy: the account administers the key without using it; only the Vault server role uses it."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministersKeyWithoutUsingIt",
                "Effect": "Allow",
                "Principal": {"AWS": ctx.partition_arn},
                "Action": list(ADMIN_ACTIONS),
                "Resource": "*",
            },
            {
                "Sid": "VaultServerUnsealsWithKey",
                "Effect": "Allow",
                "Principal": {"AWS": server_role_arn},
                "Action": list(UNSEAL_ACTIONS),
                "Resource": "*",
            },
        ],
    }


def server_role_policy(key_arn: str) -> dict[str, Any]:
    """The server role's only permissions: the unseal operations on the unseal key."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "UnsealWithKey", "Effect": "Allow", "Action": list(UNSEAL_ACTIONS), "Resource": key_arn}],
    }


def seal_stanza(region: str, key_id: str) -> str:
    """The ``seal "awskms"`` block of Vault's server configuration (credentials come from IRSA, never from config)."""
    return f'seal "awskms" {{\n  region     = "{region}"\n  kms_key_id = "{key_id}"\n}}\n'
