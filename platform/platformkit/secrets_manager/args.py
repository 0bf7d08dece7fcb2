"""Arguments of the SecretsManager component."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

import pulumi
from pydantic import Field, field_validator, model_validator

from ..component import ComponentArgs, StrInput, require_kms_key_arn
from ..environment.model import VaultSettings


class SecretsManagerArgs(ComponentArgs):
    """Inputs of ``SecretsManager``: which paths to publish, their values (Pulumi secrets) and the key to encrypt with."""

    settings: VaultSettings = Field(
        default_factory=VaultSettings,
        description="secretsManagerPaths from the environment model (EnvironmentConfig.vault): the dotted paths to "
        "publish. Default: the model's defaults (none, so nothing is created).",
    )
    secrets: Mapping[str, pulumi.Output[str]] = Field(
        description="The environment's decrypted secrets keyed by dotted path, each a Pulumi secret output "
        "(pulumi.Output.secret). Required; must hold every path in settings.secretsManagerPaths. Only those paths "
        "are published; values are re-wrapped as secrets so none reaches the graph or state in clear."
    )
    secrets_key_arn: StrInput = Field(
        description="ARN of the environment's secrets KMS key (Keys.secrets_key_arn) encrypting every published "
        "secret. Required: never the AWS-managed aws/secretsmanager key, whose use cannot be restricted by key policy."
    )
    recovery_window_days: int = Field(
        default=30,
        ge=7,
        le=30,
        description="Days a deleted secret can still be restored (7-30). Default 30, the maximum: a path removed from "
        "the secrets file by mistake can be recovered.",
    )

    @field_validator("secrets_key_arn")
    @classmethod
    def _key_arn_shape(cls, v: StrInput) -> StrInput:
        return require_kms_key_arn(v, "pass the key's ARN so Secrets Manager binds to exactly that key")

    @model_validator(mode="after")
    def _published_paths_exist(self) -> Self:
        missing = sorted(set(self.settings.secrets_manager_paths) - set(self.secrets))
        if missing:
            raise ValueError(
                f"secretsManagerPaths lists {missing}, which are not among the environment's secrets; add them to the "
                "environment's secrets file or remove them from platform:vault.secretsManagerPaths"
            )
        return self
