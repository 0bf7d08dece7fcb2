"""Secrets: Secrets Manager secrets (customer KMS key, recovery window, replica, rotation schedule)
and SSM parameters (SecureString under a customer key vs plain String holding a password)."""

import pulumi_aws as aws
from corpus_common import ACCOUNT, TAGS, key_admin_statement, policy_document


def secure() -> None:
    key = aws.kms.Key(
        "billing-secrets",
        description="billing secrets and parameters",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=policy_document(
            key_admin_statement(),
            {
                "Sid": "SecretsManagerUse",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/service/billing-api"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:ViaService": ["secretsmanager.eu-west-1.amazonaws.com", "ssm.eu-west-1.amazonaws.com"]}
                },
            },
        ),
        tags=TAGS,
    )
    secret = aws.secretsmanager.Secret(
        "billing-db",
        name="billing/db-credentials",
        description="billing database master credentials",
        kms_key_id=key.arn,
        recovery_window_in_days=30,
        replicas=[
            {
                "region": "eu-central-1",
                "kms_key_id": f"arn:aws:kms:eu-central-1:{ACCOUNT}:key/mrk-0f1e2d3c4b5a69788796a5b4c3d2e1f0",
            }
        ],
        tags=TAGS,
    )
    aws.secretsmanager.SecretRotation(
        "billing-db",
        secret_id=secret.id,
        rotation_lambda_arn=f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:billing-db-rotator",
        rotate_immediately=False,
        rotation_rules={"automatically_after_days": 30, "duration": "3h"},
    )
    aws.ssm.Parameter(
        "billing-api-token",
        name="/billing/api/token",
        description="billing API token for the payment provider",
        type="SecureString",
        key_id=key.arn,
        value="placeholder-rotated-out-of-band",
        tier="Standard",
        data_type="text",
        allowed_pattern="^[A-Za-z0-9-]+$",
        tags=TAGS,
    )


def insecure() -> None:
    key = aws.kms.Key("legacy-secrets", description="legacy secrets", deletion_window_in_days=7)
    aws.secretsmanager.Secret(
        "legacy-db",
        name="legacy/db-credentials",
        description="legacy database credentials",
        kms_key_id="alias/aws/secretsmanager",
        recovery_window_in_days=0,
    )
    api = aws.secretsmanager.Secret("legacy-api", name="legacy/api-key", kms_key_id=key.arn)
    aws.secretsmanager.SecretRotation(
        "legacy-api",
        secret_id=api.id,
        rotation_lambda_arn=f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:legacy-api-rotator",
        rotation_rules={"schedule_expression": "rate(365 days)"},
    )
    aws.ssm.Parameter("legacy-db-password", name="/legacy/db/password", type="String", value="Legacy-Passw0rd-2019")
    aws.ssm.Parameter("legacy-api-token", name="/legacy/api/token", type="SecureString", value="legacy-token-0001")
