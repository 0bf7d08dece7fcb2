"""VaultAws: a rotated unseal key only the Vault server role can use, and a role only the Vault server can assume."""

from __future__ import annotations

import json
from typing import Any

import pytest

from platformkit.context import Context
from platformkit.environment.model import KeySettings, VaultSettings
from platformkit.graph.model import ResourceGraph
from platformkit.vault_aws import VaultAws, VaultAwsArgs

OIDC_ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF"
ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF"
ISSUER_HOST = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF"
ROLE_ARN = "arn:aws:iam::123456789012:role/acme-test-vault-server"
CRYPTO = {"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:CreateGrant"}


def _record(record, ctx: Context, **overrides: Any) -> ResourceGraph:
    fields: dict[str, Any] = {"context": ctx, "oidc_provider_arn": OIDC_ARN, "oidc_issuer_url": ISSUER, **overrides}
    return record(lambda: VaultAws("vault-aws", VaultAwsArgs(**fields)))


@pytest.fixture
def graph(record, ctx: Context) -> ResourceGraph:
    return _record(record, ctx)


def _statements(document: str) -> list[dict[str, Any]]:
    return list(json.loads(document)["Statement"])


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def test_unseal_key_rotates_yearly_with_the_environments_deletion_window(record, ctx: Context) -> None:
    graph = _record(record, ctx, key_settings=KeySettings(deletion_window_days=7))
    key = graph.named("vault-aws-unseal-key").inputs
    assert key["enableKeyRotation"] is True
    assert key["rotationPeriodInDays"] == 365
    assert key["deletionWindowInDays"] == 7
    assert key["keyUsage"] == "ENCRYPT_DECRYPT"
    assert key["customerMasterKeySpec"] == "SYMMETRIC_DEFAULT"


def test_only_the_vault_server_role_may_use_the_key(graph: ResourceGraph) -> None:
    statements = _statements(graph.named("vault-aws-unseal-key").inputs["policy"])
    users = [s for s in statements if _actions(s) & CRYPTO or any(a.endswith("*") for a in _actions(s))]
    assert len(users) == 1
    assert users[0]["Principal"] == {"AWS": ROLE_ARN}
    assert _actions(users[0]) == {"kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"}
    assert all(s["Effect"] == "Allow" and "Condition" not in s for s in statements)


def test_the_account_administers_the_key_without_using_it(graph: ResourceGraph) -> None:
    statements = _statements(graph.named("vault-aws-unseal-key").inputs["policy"])
    admin = next(s for s in statements if s["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"})
    actions = _actions(admin)
    assert not actions & CRYPTO
    assert not any("*" in a for a in actions)
    assert {"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DescribeKey", "kms:GetKeyPolicy"} <= actions
    for statement in statements:
        assert statement["Principal"] not in ("*", {"AWS": "*"})


def test_key_policy_waits_for_the_role_it_names(graph: ResourceGraph) -> None:
    role = graph.named("vault-aws-server-role")
    assert graph.named("vault-aws-unseal-key").property_dependencies["policy"] == [role.urn]


def test_role_trusts_only_the_vault_service_account_of_this_cluster(graph: ResourceGraph) -> None:
    role = graph.named("vault-aws-server-role").inputs
    assert role["name"] == "acme-test-vault-server"
    [statement] = _statements(role["assumeRolePolicy"])
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Federated": OIDC_ARN}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {
            f"{ISSUER_HOST}:sub": "system:serviceaccount:vault:vault",
            f"{ISSUER_HOST}:aud": "sts.amazonaws.com",
        }
    }


def test_service_account_comes_from_settings(record, ctx: Context) -> None:
    settings = VaultSettings(server_namespace="secrets", server_service_account="vault-server")
    graph = _record(record, ctx, settings=settings)
    [statement] = _statements(graph.named("vault-aws-server-role").inputs["assumeRolePolicy"])
    assert statement["Condition"]["StringEquals"][f"{ISSUER_HOST}:sub"] == "system:serviceaccount:secrets:vault-server"


def test_role_may_only_unseal_with_that_key(graph: ResourceGraph) -> None:
    policy = graph.named("vault-aws-server-role-unseal")
    key = graph.named("vault-aws-unseal-key")
    [statement] = _statements(policy.inputs["policy"])
    assert statement["Effect"] == "Allow"
    assert _actions(statement) == {"kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"}
    assert statement["Resource"].startswith("arn:aws:kms:eu-west-1:123456789012:key/")
    assert policy.property_dependencies["policy"] == [key.urn]
    assert policy.inputs["role"] == "acme-test-vault-server"
    assert len(graph.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")) == 0


def test_alias_points_at_the_unseal_key(graph: ResourceGraph) -> None:
    alias = graph.named("vault-aws-unseal-key-alias")
    assert alias.inputs["name"] == "alias/acme-test-vault-unseal"
    assert alias.property_dependencies["targetKeyId"] == [graph.named("vault-aws-unseal-key").urn]


def test_seal_config_names_the_key_and_region(record, ctx: Context) -> None:
    seen: dict[str, str] = {}

    def program() -> None:
        component = VaultAws("vault-aws", VaultAwsArgs(context=ctx, oidc_provider_arn=OIDC_ARN, oidc_issuer_url=ISSUER))
        component.seal_config.apply(lambda text: seen.setdefault("seal", text))
        component.unseal_key_id.apply(lambda key_id: seen.setdefault("key_id", key_id))

    record(program)
    assert seen["seal"] == f'seal "awskms" {{\n  region     = "eu-west-1"\n  kms_key_id = "{seen["key_id"]}"\n}}\n'


def test_tags_on_every_taggable_resource_and_parented_to_the_component(graph: ResourceGraph) -> None:
    component = graph.named("vault-aws")
    assert component.type == "platform:vault_aws:VaultAws"
    children = [r for r in graph.resources if r.type.startswith("aws:")]
    assert len(children) == 4
    for child in children:
        assert child.parent == component.urn
        if child.type in ("aws:kms/key:Key", "aws:iam/role:Role"):
            assert child.inputs["tags"]["environment"] == "test"
            assert child.inputs["tags"]["Name"].startswith("acme-test-vault-")


def test_recording_raises_no_warnings(graph: ResourceGraph) -> None:
    assert graph.warnings == []
