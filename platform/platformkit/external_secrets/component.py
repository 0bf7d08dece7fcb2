"""ExternalSecrets: each workload's secrets synced from Vault into one Kubernetes Secret in its namespace.

Creates, per workload of ``VaultSettings.workloads``, in the workload's namespace (all parented to the component;
the Kubernetes provider comes from the caller's ``opts=ResourceOptions(providers={"kubernetes": ...})``):

- a ``SecretStore`` ``vault-<workload>`` (``external-secrets.io/v1``) pointing at the environment's KV v2 mount
  and logging in through the Kubernetes auth method as the workload's own service account, with the workload's
  Vault role and a token minted for the Vault audience only. A namespaced store (not a ``ClusterSecretStore``)
  means a workload's namespace can never borrow another workload's identity;
- an ``ExternalSecret`` named like the target Secret, mapping each Secret key to ``{"value"}`` of its KV secret.

The Kubernetes ``Secret`` is written by the operator inside the cluster: no ``Secret`` object, and no secret value,
is ever part of this program or its plan.
"""

from __future__ import annotations

import base64
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ..component import child_opts, token
from ..environment.model import VaultSettings, WorkloadSecrets
from ..vault.args import VALUE_KEY
from .args import ExternalSecretsArgs

COMPONENT = "external-secrets"
"""Value of the ``app.kubernetes.io/component`` label on every object."""

API_VERSION = "external-secrets.io/v1"
"""The External Secrets Operator API (v1 since operator 0.17)."""


def store_name(workload: str) -> str:
    """Name of the workload's ``SecretStore``."""
    return f"vault-{workload}"


class ExternalSecrets(pulumi.ComponentResource):
    """One Vault-backed SecretStore and one ExternalSecret per workload; no Kubernetes Secret is ever rendered."""

    secret_stores: dict[str, k8s.apiextensions.CustomResource]
    external_secrets: dict[str, k8s.apiextensions.CustomResource]
    secret_store_names: dict[str, str]
    secret_names: dict[str, str]

    def __init__(self, name: str, args: ExternalSecretsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(token("external_secrets", "ExternalSecrets"), name, None, opts)
        labels = args.context.labels(COMPONENT)
        settings = args.settings

        self.secret_stores = {}
        self.external_secrets = {}
        self.secret_store_names = {}
        self.secret_names = {}
        for workload, spec in settings.workloads.items():
            namespace = args.namespaces.get(spec.namespace, spec.namespace)
            store = k8s.apiextensions.CustomResource(
                f"{name}-store-{workload}",
                api_version=API_VERSION,
                kind="SecretStore",
                metadata={"name": store_name(workload), "namespace": namespace, "labels": labels},
                spec={"provider": {"vault": vault_provider(settings, spec, args, args.role_names[workload])}},
                opts=child_opts(self),
            )
            target = spec.secret_name or workload
            self.external_secrets[workload] = k8s.apiextensions.CustomResource(
                f"{name}-external-secret-{workload}",
                api_version=API_VERSION,
                kind="ExternalSecret",
                metadata={"name": target, "namespace": namespace, "labels": labels},
                spec={
                    "refreshInterval": args.refresh_interval,
                    "secretStoreRef": {"kind": "SecretStore", "name": store_name(workload)},
                    # The operator owns the Secret it creates: deleting the ExternalSecret deletes the Secret.
                    "target": {"name": target, "creationPolicy": "Owner"},
                    "data": [
                        {"secretKey": key, "remoteRef": {"key": args.secret_paths[path], "property": VALUE_KEY}}
                        for key, path in sorted(spec.secrets.items())
                    ],
                },
                opts=child_opts(self, depends_on=[store]),
            )
            self.secret_stores[workload] = store
            self.secret_store_names[workload] = store_name(workload)
            self.secret_names[workload] = target

        self.register_outputs({"secret_store_names": self.secret_store_names, "secret_names": self.secret_names})


def vault_provider(
    settings: VaultSettings, spec: WorkloadSecrets, args: ExternalSecretsArgs, role: pulumi.Input[str]
) -> dict[str, Any]:
    """The ``spec.provider.vault`` block of a workload's store: KV v2 mount, Kubernetes login as the workload."""
    provider: dict[str, Any] = {
        "server": settings.address,
        "path": args.kv_mount_path,
        "version": "v2",
        "auth": {
            "kubernetes": {
                "mountPath": args.kubernetes_auth_path,
                "role": role,
                "serviceAccountRef": {"name": spec.service_account, "audiences": [settings.audience]},
            }
        },
    }
    if settings.ca_certificate is not None:
        provider["caBundle"] = base64.b64encode(settings.ca_certificate.encode("ascii")).decode("ascii")
    return provider
