"""ExternalSecrets: per workload a namespaced Vault store logging in as the workload, and an ExternalSecret; never a Secret."""

from __future__ import annotations

import base64
import json
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from platformkit.context import Context
from platformkit.environment.model import VaultSettings
from platformkit.external_secrets import ExternalSecrets, ExternalSecretsArgs
from platformkit.graph.model import ResourceGraph

STORE = "kubernetes:external-secrets.io/v1:SecretStore"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
CA = "-----BEGIN CERTIFICATE-----\nvault-ca\n-----END CERTIFICATE-----\n"

WORKLOADS: dict[str, Any] = {
    "grafana": {
        "namespace": "observability",
        "serviceAccount": "grafana",
        "secrets": {"admin-password": "grafana.admin_password"},
        "secretName": "grafana-admin",
    },
    "app": {
        "namespace": "apps",
        "serviceAccount": "app-backend",
        "secrets": {"DB_PASSWORD": "app.db.password", "API_TOKEN": "app.api_token"},
    },
}
SECRET_PATHS = {
    "grafana.admin_password": "grafana/admin_password",
    "app.db.password": "app/db/password",
    "app.api_token": "app/api_token",
}


def _record(record, ctx: Context, settings: VaultSettings | None = None, **overrides: Any) -> ResourceGraph:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        fields: dict[str, Any] = {
            "context": ctx,
            "settings": settings or VaultSettings.model_validate({"workloads": WORKLOADS}),
            "kv_mount_path": pulumi.Output.from_input("acme-test"),
            "kubernetes_auth_path": "acme-test-kubernetes",
            "role_names": {"grafana": "grafana", "app": "app"},
            "secret_paths": SECRET_PATHS,
            **overrides,
        }
        ExternalSecrets(
            "external-secrets",
            ExternalSecretsArgs(**fields),
            opts=pulumi.ResourceOptions(providers={"kubernetes": provider}),
        )

    return record(program)


@pytest.fixture
def graph(record, ctx: Context) -> ResourceGraph:
    return _record(record, ctx)


def test_each_workload_gets_a_namespaced_store_logging_in_as_its_own_service_account(graph: ResourceGraph) -> None:
    store = graph.named("external-secrets-store-app").inputs
    assert store["apiVersion"] == "external-secrets.io/v1"
    assert store["kind"] == "SecretStore"
    assert store["metadata"]["name"] == "vault-app"
    assert store["metadata"]["namespace"] == "apps"
    assert store["spec"]["provider"]["vault"] == {
        "server": "https://vault.vault.svc:8200",
        "path": "acme-test",
        "version": "v2",
        "auth": {
            "kubernetes": {
                "mountPath": "acme-test-kubernetes",
                "role": "app",
                "serviceAccountRef": {"name": "app-backend", "audiences": ["vault"]},
            }
        },
    }
    grafana = graph.named("external-secrets-store-grafana").inputs
    assert grafana["metadata"]["namespace"] == "observability"
    assert grafana["spec"]["provider"]["vault"]["auth"]["kubernetes"]["serviceAccountRef"]["name"] == "grafana"


def test_no_cluster_wide_store(graph: ResourceGraph) -> None:
    assert not [r for r in graph.resources if r.type.endswith(":ClusterSecretStore")]


def test_external_secrets_reference_their_own_store_and_kv_paths(graph: ResourceGraph) -> None:
    app = graph.named("external-secrets-external-secret-app")
    assert app.type == EXTERNAL_SECRET
    assert app.inputs["metadata"] == {
        "name": "app",
        "namespace": "apps",
        "labels": app.inputs["metadata"]["labels"],
    }
    spec = app.inputs["spec"]
    assert spec["secretStoreRef"] == {"kind": "SecretStore", "name": "vault-app"}
    assert spec["target"] == {"name": "app", "creationPolicy": "Owner"}
    assert spec["refreshInterval"] == "1h"
    assert spec["data"] == [
        {"secretKey": "API_TOKEN", "remoteRef": {"key": "app/api_token", "property": "value"}},
        {"secretKey": "DB_PASSWORD", "remoteRef": {"key": "app/db/password", "property": "value"}},
    ]
    assert graph.named("external-secrets-store-app").urn in app.dependencies
    grafana = graph.named("external-secrets-external-secret-grafana").inputs
    assert grafana["metadata"]["name"] == "grafana-admin"
    assert grafana["spec"]["target"]["name"] == "grafana-admin"
    assert grafana["spec"]["secretStoreRef"]["name"] == "vault-grafana"


def test_no_kubernetes_secret_and_no_literal_data_is_rendered(graph: ResourceGraph) -> None:
    assert [r for r in graph.resources if r.type == "kubernetes:core/v1:Secret"] == []
    kinds = {r.type for r in graph.resources if r.custom and not r.is_provider}
    assert kinds == {STORE, EXTERNAL_SECRET}
    for resource in graph.resources:
        assert "stringData" not in json.dumps(resource.inputs)


def test_ca_certificate_is_trusted_when_set(record, ctx: Context) -> None:
    settings = VaultSettings.model_validate({"workloads": WORKLOADS, "caCertificate": CA})
    graph = _record(record, ctx, settings)
    vault = graph.named("external-secrets-store-app").inputs["spec"]["provider"]["vault"]
    assert base64.b64decode(vault["caBundle"]).decode() == CA
    default = _record(record, ctx)
    assert "caBundle" not in default.named("external-secrets-store-app").inputs["spec"]["provider"]["vault"]


def test_refresh_interval_and_address_come_from_args_and_settings(record, ctx: Context) -> None:
    settings = VaultSettings.model_validate({"workloads": WORKLOADS, "address": "https://vault.acme.example:8200"})
    graph = _record(record, ctx, settings, refresh_interval="15m")
    assert graph.named("external-secrets-external-secret-app").inputs["spec"]["refreshInterval"] == "15m"
    assert graph.named("external-secrets-store-app").inputs["spec"]["provider"]["vault"]["server"] == (
        "https://vault.acme.example:8200"
    )


def test_without_workloads_nothing_is_created(record, ctx: Context) -> None:
    graph = _record(record, ctx, VaultSettings(), role_names={}, secret_paths={})
    assert [r for r in graph.resources if r.type.startswith("kubernetes:external-secrets.io")] == []


def test_children_are_labelled_parented_and_use_the_kubernetes_provider(graph: ResourceGraph) -> None:
    component = graph.named("external-secrets")
    assert component.type == "platform:external_secrets:ExternalSecrets"
    provider = graph.named("k8s")
    objects = [r for r in graph.resources if r.type in (STORE, EXTERNAL_SECRET)]
    assert len(objects) == 4
    for obj in objects:
        assert obj.parent == component.urn
        assert obj.provider == provider.urn
        assert obj.inputs["metadata"]["labels"]["app.kubernetes.io/component"] == "external-secrets"
        assert obj.inputs["metadata"]["labels"]["acme.platform/environment"] == "test"


def test_recording_raises_no_warnings(graph: ResourceGraph) -> None:
    assert graph.warnings == []


def test_objects_in_a_namespace_this_stack_creates_wait_for_it(record, ctx: Context) -> None:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        on_cluster = pulumi.ResourceOptions(provider=provider)
        apps = k8s.core.v1.Namespace("apps-namespace", metadata={"name": "apps"}, opts=on_cluster)
        ExternalSecrets(
            "external-secrets",
            ExternalSecretsArgs(
                context=ctx,
                settings=VaultSettings.model_validate({"workloads": WORKLOADS}),
                kv_mount_path="acme-test",
                kubernetes_auth_path="acme-test-kubernetes",
                role_names={"grafana": "grafana", "app": "app"},
                secret_paths=SECRET_PATHS,
                namespaces={"apps": apps.metadata.name},
            ),
            opts=pulumi.ResourceOptions(providers={"kubernetes": provider}),
        )

    graph = record(program)
    namespace = graph.named("apps-namespace").urn
    for name in ("external-secrets-store-app", "external-secrets-external-secret-app"):
        obj = graph.named(name)
        assert obj.inputs["metadata"]["namespace"] == "apps"
        assert namespace in obj.property_dependencies["metadata"], name
    grafana = graph.named("external-secrets-store-grafana")
    assert namespace not in grafana.dependencies
