"""Arguments of the Vault component, and the rules every secret consumer shares (KV layout, path checks)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Self

import pulumi
from pydantic import Field, field_validator, model_validator

from ..component import ComponentArgs, StrInput
from ..context import Context
from ..environment.model import VaultSettings, WorkloadSecrets

VALUE_KEY = "value"
"""The one key inside every KV v2 secret: ``{"value": "<the secret>"}``."""


def kv_secret_name(path: str) -> str:
    """The KV v2 secret (relative to the mount) holding one dotted secrets-file path.

    ``grafana.admin_password`` -> ``grafana/admin_password``. One KV secret per path, so a policy can
    grant exactly the values a workload reads: KV v2 policies cannot reach inside a secret.
    """
    return path.replace(".", "/")


def kv_mount_path(ctx: Context, settings: VaultSettings) -> str:
    """The environment's KV v2 mount: ``settings.kv_mount`` or ``<org>-<env>``."""
    return settings.kv_mount or ctx.name()


def require_known_paths(settings: VaultSettings, available: Collection[str], source: str) -> None:
    """ValueError naming every (workload, Secret key, path) whose path is not in ``available``.

    ``source`` says where the available paths come from, e.g. "the environment's secrets". Messages name
    paths only, never values.
    """
    missing = [
        f"workload '{workload}' reads '{path}' (Secret key '{key}')"
        for workload, spec in sorted(settings.workloads.items())
        for key, path in sorted(spec.secrets.items())
        if path not in available
    ]
    if missing:
        raise ValueError(
            f"{'; '.join(missing)}, which is not among {source}; add the path to the environment's secrets file "
            "or correct platform:vault.workloads.<workload>.secrets"
        )


class VaultArgs(ComponentArgs):
    """Inputs of ``Vault``: the environment's Vault settings, its secrets (as Pulumi secrets) and its EKS cluster."""

    settings: VaultSettings = Field(
        default_factory=VaultSettings,
        description="KV mount, token TTLs, audit target and workloads from the environment model "
        "(EnvironmentConfig.vault). Default: the model's defaults (no workloads).",
    )
    secrets: Mapping[str, pulumi.Output[str]] = Field(
        description="The environment's decrypted secrets keyed by dotted path (e.g. 'grafana.admin_password'), each "
        "value a Pulumi secret output (pulumi.Output.secret). Each entry becomes one KV v2 secret "
        "'<mount>/<path with / for .>' holding {'value': ...}. Required (may be empty). Plain strings are refused, and "
        "values are re-wrapped as secrets, so no value can reach the graph or state in clear.",
    )
    cluster_endpoint: StrInput = Field(
        description="API server URL of the environment's EKS cluster (Cluster.cluster_endpoint). Required: the "
        "Kubernetes auth method sends TokenReview requests there."
    )
    cluster_ca_data: StrInput = Field(
        description="The cluster's certificate authority as EKS reports it (base64 of the PEM, "
        "certificate_authority.data); decoded here. Required: Vault trusts only this CA for the API server."
    )
    oidc_issuer_url: StrInput = Field(
        description="The cluster's OIDC issuer URL (Cluster.oidc_issuer_url). Required: Vault checks the 'iss' claim "
        "of every service-account token against it, so tokens of another cluster are refused."
    )

    @field_validator("secrets")
    @classmethod
    def _dotted_paths(cls, v: Mapping[str, pulumi.Output[str]]) -> Mapping[str, pulumi.Output[str]]:
        bad = sorted(path for path in v if not WorkloadSecrets.SECRET_PATH.fullmatch(path))
        if bad:
            raise ValueError(
                f"secret paths {bad} are not dotted paths such as 'grafana.admin_password' "
                "(letters, digits, '_' and '-' between dots)"
            )
        return v

    @model_validator(mode="after")
    def _workload_paths_exist(self) -> Self:
        require_known_paths(self.settings, self.secrets.keys(), "the environment's secrets")
        return self
