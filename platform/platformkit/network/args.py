"""Arguments of the Network component."""

from __future__ import annotations

import re
from typing import Self

from pydantic import Field, field_validator, model_validator

from ..component import ComponentArgs, StrInput, require_kms_key_arn
from ..environment.model import NetworkSettings


class NetworkArgs(ComponentArgs):
    """Inputs of ``Network``: the environment's network settings, its AZ names and the logs key."""

    settings: NetworkSettings = Field(
        description="CIDR, AZ count, NAT layout and flow-log retention from the environment model. Required: the VPC "
        "CIDR has no sensible default (it must not overlap another environment's)."
    )
    availability_zones: list[str] = Field(
        description="AZ names to place subnets in, in order (index i gets the i-th subnet of each tier). Pass "
        "EnvironmentConfig.availability_zones; must list exactly settings.az_count distinct zones of the context's "
        "region. No default: zone choice is the environment's."
    )
    logs_key_arn: StrInput = Field(
        description="ARN of the KMS key (the Keys component's logs key) encrypting the flow-log group. Required: flow "
        "logs reveal who talks to whom and are never stored with AWS-owned keys only."
    )

    @field_validator("logs_key_arn")
    @classmethod
    def _key_arn_shape(cls, v: StrInput) -> StrInput:
        return require_kms_key_arn(v, "CloudWatch Logs needs the key's ARN, not its ID or alias")

    @model_validator(mode="after")
    def _zones_match_settings(self) -> Self:
        zones = self.availability_zones
        if len(zones) != self.settings.az_count:
            raise ValueError(
                f"availability_zones lists {len(zones)} zone(s) {zones} but settings.az_count is {self.settings.az_count}; "
                "pass EnvironmentConfig.availability_zones, which always has az_count entries"
            )
        duplicates = sorted({z for z in zones if zones.count(z) > 1})
        if duplicates:
            raise ValueError(f"availability_zones repeats {duplicates}; each subnet tier needs distinct zones")
        region = self.context.region
        foreign = [z for z in zones if not re.fullmatch(re.escape(region) + r"[a-z]", z)]
        if foreign:
            raise ValueError(f"availability_zones {foreign} are not zone names of region {region} (expected e.g. '{region}a')")
        return self
