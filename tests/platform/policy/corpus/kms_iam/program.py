"""KMS and IAM: a customer key with its alias and key policy, service and CI roles with trust policies,
managed and inline policies, policy attachments, and (insecure only) an IAM user with an inline policy."""

import pulumi_aws as aws
from corpus_common import ACCOUNT, TAGS, key_admin_statement, policy_document

GITHUB_OIDC = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"


def secure() -> None:
    key = aws.kms.Key(
        "ledger",
        description="ledger service data key",
        key_usage="ENCRYPT_DECRYPT",
        customer_master_key_spec="SYMMETRIC_DEFAULT",
        enable_key_rotation=True,
        rotation_period_in_days=180,
        deletion_window_in_days=30,
        is_enabled=True,
        multi_region=False,
        policy=policy_document(
            key_admin_statement(),
            {
                "Sid": "LedgerServiceUse",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/service/ledger-api"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
            },
        ),
        tags=TAGS,
    )
    aws.kms.Alias("ledger", name="alias/ledger-data", target_key_id=key.key_id)

    role = aws.iam.Role(
        "ledger-api",
        name="ledger-api",
        path="/service/",
        description="ledger API tasks",
        assume_role_policy=policy_document(
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            },
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:TagSession",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            },
        ),
        max_session_duration=3600,
        permissions_boundary=f"arn:aws:iam::{ACCOUNT}:policy/platform-boundary",
        force_detach_policies=True,
        tags=TAGS,
    )
    read = aws.iam.Policy(
        "ledger-read",
        name="ledger-read",
        path="/service/",
        description="read the ledger table and its export bucket",
        policy=policy_document(
            {
                "Sid": "ReadLedgerTable",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                "Resource": f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/ledger",
            },
            {
                "Sid": "ReadLedgerExports",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::acme-corpus-ledger-exports/*",
            },
        ),
        tags=TAGS,
    )
    aws.iam.RolePolicy(
        "ledger-api-kms",
        name="ledger-api-kms",
        role=role.id,
        policy=policy_document(
            {
                "Sid": "UseLedgerKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1f2e3d4c-5b6a-4789-8abc-def012345678",
            },
            {
                "Sid": "WriteLedgerLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/ecs/ledger-api:*",
            },
        ),
    )
    aws.iam.RolePolicyAttachment("ledger-api-read", role=role.name, policy_arn=read.arn)
    aws.iam.RolePolicyAttachment("ledger-api-xray", role=role.name, policy_arn="arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess")

    aws.iam.Role(
        "ledger-deploy",
        name="ledger-deploy",
        path="/ci/",
        description="GitHub Actions deployments of the ledger service",
        assume_role_policy=policy_document(
            {
                "Effect": "Allow",
                "Principal": {"Federated": GITHUB_OIDC},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                        "token.actions.githubusercontent.com:sub": "repo:acme/ledger:ref:refs/heads/main",
                    }
                },
            }
        ),
        max_session_duration=3600,
        permissions_boundary=f"arn:aws:iam::{ACCOUNT}:policy/platform-boundary",
        tags=TAGS,
    )


def insecure() -> None:
    key = aws.kms.Key(
        "sandbox",
        description="sandbox key",
        enable_key_rotation=False,
        deletion_window_in_days=7,
        is_enabled=False,
        policy=policy_document(
            {
                "Sid": "EveryoneMayUse",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ),
    )
    aws.kms.Alias("sandbox", name="alias/sandbox-data", target_key_id=key.key_id)

    admin = aws.iam.Role(
        "sandbox-admin",
        name="sandbox-admin",
        assume_role_policy=policy_document(
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "sts:AssumeRole"},
        ),
        max_session_duration=43200,
    )
    everything = aws.iam.Policy(
        "sandbox-everything",
        name="sandbox-everything",
        description="temporary: allow everything",
        policy=policy_document({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    )
    aws.iam.RolePolicy(
        "sandbox-admin-iam",
        name="sandbox-admin-iam",
        role=admin.id,
        policy=policy_document(
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Allow", "Action": ["s3:*", "kms:*"], "Resource": "*"},
        ),
    )
    aws.iam.RolePolicyAttachment("sandbox-admin-everything", role=admin.name, policy_arn=everything.arn)
    aws.iam.RolePolicyAttachment(
        "sandbox-admin-managed", role=admin.name, policy_arn="arn:aws:iam::aws:policy/AdministratorAccess"
    )

    ci = aws.iam.Role(
        "sandbox-ci",
        name="sandbox-ci",
        assume_role_policy=policy_document(
            {
                "Effect": "Allow",
                "Principal": {"Federated": GITHUB_OIDC},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "*"}},
            }
        ),
    )
    aws.iam.RolePolicyAttachment("sandbox-ci-iam", role=ci.name, policy_arn="arn:aws:iam::aws:policy/IAMFullAccess")

    user = aws.iam.User("sandbox-deployer", name="sandbox-deployer", path="/", force_destroy=True)
    aws.iam.UserPolicy(
        "sandbox-deployer",
        name="sandbox-deployer",
        user=user.name,
        policy=policy_document({"Effect": "Allow", "Action": ["s3:*", "ec2:*", "lambda:*"], "Resource": "*"}),
    )
