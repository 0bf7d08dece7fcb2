"""Arguments of the ExternalSecrets component."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

from pydantic import Field, model_validator

from ..component import ComponentArgs, StrInput
from ..environment.model import VaultSettings
from ..vault.args import require_known_paths


class ExternalSecretsArgs(ComponentArgs):
    """Inputs of ``ExternalSecrets``: the workloads to serve and where the Vault component put their secrets and roles."""

    settings: VaultSettings = Field(
        default_factory=VaultSettings,
        description="Vault address, CA, audience and workloads from the environment model (EnvironmentConfig.vault). "
        "Default: the model's defaults (no workloads, so nothing is created).",
    )
    kv_mount_path: StrInput = Field(
        description="Path of the environment's KV v2 mount (Vault.kv_mount_path). Required: the stores read only there."
    )
    kubernetes_auth_path: StrInput = Field(
        description="Path of the Kubernetes auth method bound to this cluster (Vault.kubernetes_auth_path). Required."
    )
    role_names: Mapping[str, StrInput] = Field(
        description="Vault role of each workload, by workload name (Vault.role_names). Required: one per workload in "
        "settings; passing the Vault component's outputs also makes every store wait for its role."
    )
    secret_paths: Mapping[str, StrInput] = Field(
        description="KV secret name (relative to the mount) of each dotted secrets-file path (Vault.secret_paths). "
        "Required: every path a workload reads must be there; passing the Vault component's outputs makes every "
        "ExternalSecret wait until its values are written."
    )
    namespaces: Mapping[str, StrInput] = Field(
        default_factory=dict,
        description="Outputs naming namespaces this stack creates, by name (e.g. the KubernetesBaseline namespaces' "
        "metadata.name). A workload whose namespace is listed refers to it through the output, so its objects wait "
        "until the namespace exists. Default none: namespaces are referred to by name only.",
    )
    refresh_interval: str = Field(
        default="1h",
        pattern=r"^[1-9]\d*(s|m|h)$",
        description="How often the operator re-reads Vault and updates the Kubernetes Secret, e.g. '15m'. Default "
        "'1h': a rotated value reaches workloads within the hour without polling Vault constantly.",
    )

    @model_validator(mode="after")
    def _every_workload_served(self) -> Self:
        without_role = sorted(set(self.settings.workloads) - set(self.role_names))
        if without_role:
            raise ValueError(
                f"workloads {without_role} have no Vault role in role_names; pass Vault.role_names from the Vault "
                "component built with the same settings"
            )
        require_known_paths(self.settings, self.secret_paths.keys(), "the secrets written to Vault (secret_paths)")
        return self
