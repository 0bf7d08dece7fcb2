"""Arguments of the Storage component."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from ..component import ComponentArgs, StrInput
from ..environment.model import StorageSettings


class StorageArgs(ComponentArgs):
    """Inputs of ``Storage``: the environment's bucket lifecycles and the key that encrypts the data buckets."""

    settings: StorageSettings = Field(
        default_factory=StorageSettings,
        description="Lifecycle of each bucket (artifacts, logs, backups) from the environment model. Default: model "
        "defaults (logs kept one year, backup versions 35 days).",
    )
    data_key_arn: StrInput = Field(
        description="ARN of the customer-managed KMS key (the Keys component's data key) that encrypts the artifacts "
        "and backups buckets by default (SSE-KMS with an S3 bucket key). Required: no data bucket falls back to an "
        "AWS-managed key. A full ARN, because uploads naming another key are refused by the bucket policy."
    )

    @model_validator(mode="after")
    def _transition_before_expiry(self) -> Self:
        for role in ("artifacts", "logs", "backups"):
            lifecycle = getattr(self.settings, role)
            expire, transition = lifecycle.expire_after_days, lifecycle.transition_to_infrequent_access_days
            if expire is not None and transition is not None and expire <= transition:
                raise ValueError(
                    f"storage.{role}: expireAfterDays ({expire}) must be greater than "
                    f"transitionToInfrequentAccessDays ({transition}); S3 refuses a lifecycle rule that expires "
                    "objects before (or when) they move to STANDARD_IA. Drop the transition or keep objects longer"
                )
        return self
