"""What the corpus programs share: the organisation's tags, the account and region, and IAM policy document builders.

Only what is truly the same across groups lives here; each ``<group>/program.py`` still spells out its own
resources and every statement particular to them. The HCL twins stay self-contained and write these
values out literally (see ``README.md``): a change here must be made in the ``main.tf`` files as well.
"""

import json
from typing import Any

from platformkit.policy import fidelity

TAGS = {
    "environment": "corpus",
    "owner": "platform-team",
    "cost-centre": "CC-0000",
    "managed-by": "pulumi",
    "repository": "github.com/acme/platform",
}
"""The organisation's tags, carried by every resource of the secure variants that takes tags."""

# The account and region the corpus is recorded in (the mocks'), re-exported for the programs.
ACCOUNT = fidelity.ACCOUNT
REGION = fidelity.REGION


def policy_document(*statements: dict[str, Any]) -> str:
    """An IAM policy document (version 2012-10-17) holding ``statements``, as JSON."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def key_admin_statement(sid: str = "AccountAdministration") -> dict[str, Any]:
    """The key policy statement that lets the account's root administer the key (``kms:*``)."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


def account_key_policy(sid: str = "AccountAdministration") -> str:
    """A key policy with the account root's administration statement only."""
    return policy_document(key_admin_statement(sid))


def logs_key_statement(sid: str, log_group_arn: str, operator: str = "ArnLike") -> dict[str, Any]:
    """The key policy statement that lets CloudWatch Logs use the key for the log groups ``operator`` matches with ``log_group_arn``."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        "Resource": "*",
        "Condition": {operator: {"kms:EncryptionContext:aws:logs:arn": log_group_arn}},
    }


def assume_role_policy(service: str) -> str:
    """A trust policy letting ``service`` (``eks.amazonaws.com``...) assume the role, without conditions."""
    return policy_document({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def deny_insecure_transport(action: str, resource: str | list[str]) -> dict[str, Any]:
    """The resource policy statement denying ``action`` on ``resource`` to anyone over plain HTTP."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
