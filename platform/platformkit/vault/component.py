"""Vault: the environment's secrets in Vault, readable by exactly the workloads that need them.

Creates, all parented to the component and managed through the Vault provider the caller passes in
``opts=ResourceOptions(providers={"vault": provider})``:

- a ``file`` audit device (``<org>-<env>-audit``) writing JSON to ``stdout`` by default, values HMAC'd
  (``log_raw`` off), created first so that every later change is audited;
- the KV v2 secrets engine of the environment (``<org>-<env>`` unless ``kvMount`` says otherwise);
- the Kubernetes auth method ``<org>-<env>-kubernetes``, configured for the environment's EKS cluster:
  its API endpoint, its CA (decoded from EKS's base64) and its OIDC issuer, with issuer validation on;
- per workload a policy ``<org>-<env>-<workload>-read`` granting ``read`` on the ``data/`` and
  ``metadata/`` paths of exactly the KV secrets the workload reads (no ``list``, nothing on the mount
  root), and a role ``<workload>`` bound to exactly the workload's namespace and service account, with
  the configured audience and short token TTLs;
- one KV v2 secret per dotted secrets-file path, ``{"value": ...}``, written from a Pulumi secret.

Roles keep Vault's built-in ``default`` policy: it grants a token only operations on itself
(lookup-self, renew-self, revoke-self), which the External Secrets Operator calls to revoke its token
after each sync, and no access to any secret.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable

import pulumi
import pulumi_vault as vault

from ..component import child_opts, token
from .args import VALUE_KEY, VaultArgs, kv_mount_path, kv_secret_name

KV_AREAS: tuple[str, ...] = ("data", "metadata")
"""KV v2 API areas a reader needs: ``data/`` holds the values, ``metadata/`` their versions."""

MAX_VERSIONS = 10
"""Versions kept per KV secret: enough to roll back a bad rotation, few enough that old values expire."""


class Vault(pulumi.ComponentResource):
    """The environment's KV v2 secrets, Kubernetes auth bound to its cluster, least-privilege roles and an audit device."""

    audit: vault.Audit
    kv_mount: vault.Mount
    kubernetes_auth: vault.AuthBackend
    kubernetes_auth_config: vault.kubernetes.AuthBackendConfig
    policies: dict[str, vault.Policy]
    roles: dict[str, vault.kubernetes.AuthBackendRole]
    kv_secrets: dict[str, vault.kv.SecretV2]
    kv_mount_path: pulumi.Output[str]
    kubernetes_auth_path: pulumi.Output[str]
    audit_path: pulumi.Output[str]
    policy_names: dict[str, pulumi.Output[str]]
    role_names: dict[str, pulumi.Output[str]]
    secret_paths: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: VaultArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(token("vault", "Vault"), name, None, opts)
        ctx = args.context
        settings = args.settings
        mount = kv_mount_path(ctx, settings)

        self.audit = vault.Audit(
            f"{name}-audit",
            type="file",
            path=ctx.name("audit"),
            description=f"Audit log of Vault requests for environment {ctx.environment}",
            local=False,
            options=audit_options(settings.audit_file_path),
            opts=child_opts(self),
        )

        self.kv_mount = vault.Mount(
            f"{name}-kv",
            path=mount,
            type="kv",
            options={"version": "2"},
            description=f"Secrets of environment {ctx.environment}, written by Pulumi from its SOPS file",
            opts=child_opts(self, depends_on=[self.audit]),
        )

        self.kubernetes_auth = vault.AuthBackend(
            f"{name}-kubernetes-auth",
            type="kubernetes",
            path=ctx.name("kubernetes"),
            description=f"Service accounts of EKS cluster {ctx.name('eks')}",
            opts=child_opts(self, depends_on=[self.audit]),
        )
        self.kubernetes_auth_config = vault.kubernetes.AuthBackendConfig(
            f"{name}-kubernetes-auth-config",
            backend=self.kubernetes_auth.path,
            kubernetes_host=args.cluster_endpoint,
            kubernetes_ca_cert=pulumi.Output.from_input(args.cluster_ca_data).apply(decode_certificate),
            issuer=args.oidc_issuer_url,
            # Vault skips the 'iss' check by default; with it on, tokens from another cluster's issuer are refused.
            disable_iss_validation=False,
            # Vault runs in this cluster and reviews tokens with its own service account's token.
            disable_local_ca_jwt=False,
            opts=child_opts(self),
        )

        self.policies = {}
        self.roles = {}
        for workload, spec in settings.workloads.items():
            policy = vault.Policy(
                f"{name}-policy-{workload}",
                name=ctx.name(workload, "read"),
                policy=read_policy(mount, (kv_secret_name(path) for path in spec.secrets.values())),
                opts=child_opts(self),
            )
            self.policies[workload] = policy
            self.roles[workload] = vault.kubernetes.AuthBackendRole(
                f"{name}-role-{workload}",
                backend=self.kubernetes_auth_config.backend,
                role_name=workload,
                bound_service_account_names=[spec.service_account],
                bound_service_account_namespaces=[spec.namespace],
                audience=settings.audience,
                alias_name_source="serviceaccount_uid",
                token_policies=[policy.name],
                token_ttl=settings.token_ttl_seconds,
                token_max_ttl=settings.token_max_ttl_seconds,
                token_type="service",
                opts=child_opts(self),
            )

        self.kv_secrets = {}
        for path, value in sorted(args.secrets.items()):
            document: pulumi.Output[str] = pulumi.Output.secret(value.apply(_value_document))
            self.kv_secrets[path] = vault.kv.SecretV2(
                f"{name}-secret-{path}",
                mount=self.kv_mount.path,
                name=kv_secret_name(path),
                data_json=document,
                # Removing a path from the secrets file removes every stored version, not only the latest.
                delete_all_versions=True,
                custom_metadata={
                    "max_versions": MAX_VERSIONS,
                    "data": {"managed-by": "pulumi", "source": "sops", "environment": ctx.environment},
                },
                opts=child_opts(self),
            )

        self.kv_mount_path = self.kv_mount.path
        self.kubernetes_auth_path = self.kubernetes_auth.path
        self.audit_path = self.audit.path
        self.policy_names = {workload: policy.name for workload, policy in self.policies.items()}
        self.role_names = {workload: role.role_name for workload, role in self.roles.items()}
        self.secret_paths = {path: secret.name for path, secret in self.kv_secrets.items()}
        self.register_outputs(
            {
                "kv_mount_path": self.kv_mount_path,
                "kubernetes_auth_path": self.kubernetes_auth_path,
                "audit_path": self.audit_path,
                "policy_names": self.policy_names,
                "role_names": self.role_names,
                "secret_paths": self.secret_paths,
            }
        )


def read_policy(mount: str, kv_names: Iterable[str]) -> str:
    """HCL granting ``read`` on the ``data/`` and ``metadata/`` paths of exactly ``kv_names`` in ``mount``.

    No ``list`` (a reader cannot discover other secrets), no globs, nothing on the mount root.
    """
    blocks = [
        f'path "{mount}/{area}/{kv_name}" {{\n  capabilities = ["read"]\n}}\n'
        for kv_name in sorted(set(kv_names))
        for area in KV_AREAS
    ]
    return "\n".join(blocks)


def audit_options(file_path: str) -> dict[str, str]:
    """Options of the file audit device: JSON, secrets and token accessors HMAC'd, owner-only file mode."""
    options = {"file_path": file_path, "format": "json", "log_raw": "false", "hmac_accessor": "true"}
    if file_path != "stdout":
        options["mode"] = "0600"
    return options


def decode_certificate(data: str) -> str:
    """The PEM certificate EKS reports base64-encoded (``certificateAuthority.data``)."""
    try:
        pem = base64.b64decode(data, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError("the cluster's certificate authority data is not base64 of a PEM certificate") from None
    if "-----BEGIN CERTIFICATE-----" not in pem:
        raise ValueError("the cluster's certificate authority data does not decode to a PEM certificate")
    return pem


def _value_document(value: str) -> str:
    return json.dumps({VALUE_KEY: value})
