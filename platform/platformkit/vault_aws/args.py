"""Arguments of the VaultAws component."""

from __future__ import annotations

from pydantic import Field

from ..component import ComponentArgs, StrInput
from ..environment.model import KeySettings, VaultSettings


class VaultAwsArgs(ComponentArgs):
    """Inputs of ``VaultAws``: where the Vault server runs and the cluster's OIDC provider it authenticates through."""

    settings: VaultSettings = Field(
        default_factory=VaultSettings,
        description="Namespace and service account of the Vault server from the environment model "
        "(EnvironmentConfig.vault). Default: the model's defaults (vault/vault).",
    )
    key_settings: KeySettings = Field(
        default_factory=KeySettings,
        description="Deletion window of the unseal key from the environment model (EnvironmentConfig.keys), like the "
        "environment's other keys. Default: the model's defaults (30 days).",
    )
    oidc_provider_arn: StrInput = Field(
        description="ARN of the cluster's IAM OIDC provider (Cluster.oidc_provider_arn). Required: the server role "
        "trusts only tokens issued by this cluster."
    )
    oidc_issuer_url: StrInput = Field(
        description="The cluster's OIDC issuer URL (Cluster.oidc_issuer_url); its host prefixes the 'sub' and 'aud' "
        "conditions of the trust policy. Required."
    )
