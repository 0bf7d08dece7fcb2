"""Vault: least-privilege roles and policies, Kubernetes auth bound to the cluster, audit, secrets written only as secrets."""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi
import pulumi_vault as vault
import pytest

from platformkit.context import Context
from platformkit.environment.model import VaultSettings
from platformkit.graph.model import ResourceGraph
from platformkit.vault import Vault, VaultArgs

ENDPOINT = "https://0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com"
ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF"
CA_PEM = "-----BEGIN CERTIFICATE-----\ntest-cluster-ca\n-----END CERTIFICATE-----\n"
CA_DATA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCnRlc3QtY2x1c3Rlci1jYQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg=="

PLAINTEXT: dict[str, str] = {
    "grafana.admin_password": "plain-grafana-Zq81xv",
    "grafana.smtp_password": "plain-smtp-Kw72mn",
    "app.db.password": "plain-appdb-Jr55tb",
    "app.api_token": "plain-token-Hy39ud",
}
"""Test values that must never appear in a graph."""

WORKLOADS: dict[str, Any] = {
    "grafana": {
        "namespace": "observability",
        "serviceAccount": "grafana",
        "secrets": {"admin-password": "grafana.admin_password"},
    },
    "app": {
        "namespace": "apps",
        "serviceAccount": "app-backend",
        "secrets": {"DB_PASSWORD": "app.db.password", "API_TOKEN": "app.api_token"},
    },
}

VAULT_TYPES = {
    "audit": "vault:index/audit:Audit",
    "mount": "vault:index/mount:Mount",
    "auth": "vault:index/authBackend:AuthBackend",
    "auth_config": "vault:kubernetes/authBackendConfig:AuthBackendConfig",
    "role": "vault:kubernetes/authBackendRole:AuthBackendRole",
    "policy": "vault:index/policy:Policy",
    "secret": "vault:kv/secretV2:SecretV2",
}


def _settings(**overrides: Any) -> VaultSettings:
    return VaultSettings.model_validate({"workloads": WORKLOADS, **overrides})


def _record(record, ctx: Context, settings: VaultSettings | None = None) -> ResourceGraph:
    def program() -> None:
        provider = vault.Provider("vault-provider", address="https://vault.example.com:8200")
        Vault(
            "vault",
            VaultArgs(
                context=ctx,
                settings=settings or _settings(),
                secrets={path: pulumi.Output.secret(value) for path, value in PLAINTEXT.items()},
                cluster_endpoint=ENDPOINT,
                cluster_ca_data=CA_DATA,
                oidc_issuer_url=ISSUER,
            ),
            opts=pulumi.ResourceOptions(providers={"vault": provider}),
        )

    return record(program)


@pytest.fixture
def graph(record, ctx: Context) -> ResourceGraph:
    return _record(record, ctx)


def test_policies_grant_read_on_exactly_each_workloads_own_paths(graph: ResourceGraph) -> None:
    grafana = graph.named("vault-policy-grafana").inputs
    assert grafana["name"] == "acme-test-grafana-read"
    assert grafana["policy"] == (
        'path "acme-test/data/grafana/admin_password" {\n  capabilities = ["read"]\n}\n'
        "\n"
        'path "acme-test/metadata/grafana/admin_password" {\n  capabilities = ["read"]\n}\n'
    )
    app = graph.named("vault-policy-app").inputs
    assert app["policy"] == (
        'path "acme-test/data/app/api_token" {\n  capabilities = ["read"]\n}\n'
        "\n"
        'path "acme-test/metadata/app/api_token" {\n  capabilities = ["read"]\n}\n'
        "\n"
        'path "acme-test/data/app/db/password" {\n  capabilities = ["read"]\n}\n'
        "\n"
        'path "acme-test/metadata/app/db/password" {\n  capabilities = ["read"]\n}\n'
    )


def test_no_policy_lists_globs_writes_or_reaches_the_mount_root(graph: ResourceGraph) -> None:
    policies = graph.of_type(VAULT_TYPES["policy"])
    assert len(policies) == 2
    for policy in policies:
        text = policy.inputs["policy"]
        assert re.findall(r"capabilities = (\[.*?\])", text) == ['["read"]'] * text.count("path ")
        assert "*" not in text and "+" not in text
        paths = re.findall(r'path "([^"]+)"', text)
        assert all(p.startswith(("acme-test/data/", "acme-test/metadata/")) and p.count("/") >= 2 for p in paths)
        assert "grafana/smtp_password" not in text, "a path no workload asked for is granted"


def test_each_role_is_bound_to_exactly_its_namespace_and_service_account(graph: ResourceGraph) -> None:
    grafana = graph.named("vault-role-grafana")
    assert grafana.inputs["roleName"] == "grafana"
    assert grafana.inputs["boundServiceAccountNamespaces"] == ["observability"]
    assert grafana.inputs["boundServiceAccountNames"] == ["grafana"]
    assert grafana.inputs["tokenPolicies"] == ["acme-test-grafana-read"]
    app = graph.named("vault-role-app")
    assert app.inputs["boundServiceAccountNamespaces"] == ["apps"]
    assert app.inputs["boundServiceAccountNames"] == ["app-backend"]
    assert app.inputs["tokenPolicies"] == ["acme-test-app-read"]
    policy = graph.named("vault-policy-app")
    assert app.property_dependencies["tokenPolicies"] == [policy.urn]


def test_roles_issue_short_lived_tokens_for_the_vault_audience_only(graph: ResourceGraph) -> None:
    for role in graph.of_type(VAULT_TYPES["role"]):
        assert role.inputs["tokenTtl"] == 900
        assert role.inputs["tokenMaxTtl"] == 3600
        assert role.inputs["audience"] == "vault"
        assert role.inputs["backend"] == "acme-test-kubernetes"
        assert "*" not in json.dumps(role.inputs)


def test_token_ttls_come_from_settings(record, ctx: Context) -> None:
    graph = _record(record, ctx, _settings(tokenTtlSeconds=300, tokenMaxTtlSeconds=600, audience="vault.acme"))
    role = graph.named("vault-role-grafana")
    assert (role.inputs["tokenTtl"], role.inputs["tokenMaxTtl"], role.inputs["audience"]) == (300, 600, "vault.acme")


def test_roles_wait_for_the_auth_method_configuration(graph: ResourceGraph) -> None:
    config = graph.named("vault-kubernetes-auth-config")
    for role in graph.of_type(VAULT_TYPES["role"]):
        assert role.property_dependencies["backend"] == [config.urn]


def test_kubernetes_auth_is_bound_to_the_given_cluster(graph: ResourceGraph) -> None:
    auth = graph.named("vault-kubernetes-auth")
    assert auth.inputs["type"] == "kubernetes"
    assert auth.inputs["path"] == "acme-test-kubernetes"
    config = graph.named("vault-kubernetes-auth-config").inputs
    assert config["backend"] == "acme-test-kubernetes"
    assert config["kubernetesHost"] == ENDPOINT
    assert config["kubernetesCaCert"] == CA_PEM
    assert config["issuer"] == ISSUER
    assert config["disableIssValidation"] is False
    assert "tokenReviewerJwt" not in config


def test_audit_device_logs_to_stdout_hashing_secrets_before_anything_else(graph: ResourceGraph) -> None:
    audit = graph.named("vault-audit")
    assert audit.type == VAULT_TYPES["audit"]
    assert audit.inputs["type"] == "file"
    assert audit.inputs["path"] == "acme-test-audit"
    assert audit.inputs["options"] == {"file_path": "stdout", "format": "json", "log_raw": "false", "hmac_accessor": "true"}
    assert audit.urn in graph.named("vault-kv").dependencies
    assert audit.urn in graph.named("vault-kubernetes-auth").dependencies


def test_audit_to_a_file_is_owner_only(record, ctx: Context) -> None:
    graph = _record(record, ctx, _settings(auditFilePath="/vault/audit/audit.log"))
    options = graph.named("vault-audit").inputs["options"]
    assert options["file_path"] == "/vault/audit/audit.log"
    assert options["mode"] == "0600"
    assert options["log_raw"] == "false"


def test_kv_v2_mount_per_environment(graph: ResourceGraph, record, ctx: Context) -> None:
    mount = graph.named("vault-kv").inputs
    assert mount["type"] == "kv"
    assert mount["options"] == {"version": "2"}
    assert mount["path"] == "acme-test"
    custom = _record(record, ctx, _settings(kvMount="platform/test"))
    assert custom.named("vault-kv").inputs["path"] == "platform/test"
    assert 'path "platform/test/data/grafana/admin_password"' in custom.named("vault-policy-grafana").inputs["policy"]


def test_every_secret_is_written_once_as_a_secret(graph: ResourceGraph) -> None:
    secrets = {s.inputs["name"]: s for s in graph.of_type(VAULT_TYPES["secret"])}
    assert set(secrets) == {"grafana/admin_password", "grafana/smtp_password", "app/db/password", "app/api_token"}
    mount = graph.named("vault-kv")
    for secret in secrets.values():
        assert secret.inputs["dataJson"] == "[secret]"
        assert secret.inputs["mount"] == "acme-test"
        assert secret.property_dependencies["mount"] == [mount.urn]
        assert secret.inputs["deleteAllVersions"] is True
        assert secret.inputs["customMetadata"]["maxVersions"] == 10


def test_no_plaintext_value_appears_anywhere_in_the_graph(graph: ResourceGraph) -> None:
    document = json.dumps(graph.to_json())
    for path, value in PLAINTEXT.items():
        assert value not in document, path
    assert document.count('"[secret]"') >= len(PLAINTEXT)


def test_plain_values_are_written_as_secrets_even_if_the_caller_forgot(record, ctx: Context) -> None:
    def program() -> None:
        provider = vault.Provider("vault-provider", address="https://vault.example.com:8200")
        Vault(
            "vault",
            VaultArgs(
                context=ctx,
                settings=VaultSettings(),
                secrets={"grafana.admin_password": pulumi.Output.from_input(PLAINTEXT["grafana.admin_password"])},
                cluster_endpoint=ENDPOINT,
                cluster_ca_data=CA_DATA,
                oidc_issuer_url=ISSUER,
            ),
            opts=pulumi.ResourceOptions(providers={"vault": provider}),
        )

    graph = record(program)
    assert PLAINTEXT["grafana.admin_password"] not in json.dumps(graph.to_json())
    assert graph.named("vault-secret-grafana.admin_password").inputs["dataJson"] == "[secret]"


def test_without_workloads_there_are_no_roles_or_policies(record, ctx: Context) -> None:
    graph = _record(record, ctx, VaultSettings())
    assert graph.of_type(VAULT_TYPES["role"]) == []
    assert graph.of_type(VAULT_TYPES["policy"]) == []
    assert len(graph.of_type(VAULT_TYPES["secret"])) == len(PLAINTEXT)


def test_every_child_is_parented_to_the_component_and_uses_the_vault_provider(graph: ResourceGraph) -> None:
    component = graph.named("vault")
    assert component.type == "platform:vault:Vault"
    provider = graph.named("vault-provider")
    children = [r for r in graph.resources if r.type.startswith("vault:")]
    assert {r.type for r in children} == set(VAULT_TYPES.values())
    for child in children:
        assert child.parent == component.urn, child.name
        assert child.provider == provider.urn, child.name


def test_recording_raises_no_warnings(graph: ResourceGraph) -> None:
    assert graph.warnings == []
