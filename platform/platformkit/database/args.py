"""Arguments of the Database component."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pulumi
from pydantic import Field, field_validator

from ..component import ComponentArgs, StrInput, StrListInput, require_kms_key_arn
from ..environment.model import DatabaseSettings

_SECURITY_GROUP_ID = re.compile(r"^sg-[0-9a-f]{8,17}$")


class DatabaseArgs(ComponentArgs):
    """Inputs of ``Database``: the environment's database settings, where it lives, who may reach it and its keys."""

    settings: DatabaseSettings = Field(
        default_factory=DatabaseSettings,
        description="Engine version, size, backups, deletion protection, Performance Insights, monitoring and log "
        "retention from the environment model (EnvironmentConfig.database). Default: the model's defaults.",
    )
    vpc_id: StrInput = Field(
        description="VPC the database security group belongs to (the Network component's VPC ID). Required: the group "
        "must live in the VPC of the subnets."
    )
    subnet_ids: StrListInput = Field(
        description="Isolated subnets (no route to the internet) the DB subnet group spans, one per AZ. Required, at "
        "least two AZs: RDS refuses a subnet group covering fewer, and Multi-AZ needs a second zone."
    )
    allowed_security_group_ids: Sequence[StrInput] = Field(
        min_length=1,
        description="Security groups whose members may connect on TCP 5432 (e.g. the EKS cluster/node group). One "
        "ingress rule is created per entry, so the list itself must be known at plan time (its items may be outputs). "
        "Required, at least one: nothing else, and no CIDR, can ever reach the database.",
    )
    data_key_arn: StrInput = Field(
        description="ARN of the KMS key (Keys' data key) encrypting storage, snapshots, automated backups and "
        "Performance Insights. Required: the database is never encrypted with the AWS-managed key only."
    )
    secrets_key_arn: StrInput = Field(
        description="ARN of the KMS key (Keys' secrets key) encrypting the RDS-managed master-user secret in Secrets "
        "Manager. Required: the master password never leaves AWS and is readable only through this key."
    )
    logs_key_arn: StrInput = Field(
        description="ARN of the KMS key (Keys' logs key) encrypting the pre-created PostgreSQL and upgrade log groups. "
        "Required: exported logs can hold query text and user names."
    )

    @field_validator("data_key_arn", "secrets_key_arn", "logs_key_arn")
    @classmethod
    def _key_arn_shape(cls, v: StrInput) -> StrInput:
        return require_kms_key_arn(
            v, "pass the key's ARN, not its ID or alias, so RDS and CloudWatch Logs bind to exactly that key"
        )

    @field_validator("subnet_ids")
    @classmethod
    def _subnets_known_count(cls, v: StrListInput) -> StrListInput:
        if isinstance(v, pulumi.Output):
            return v
        if len(v) < 2:
            raise ValueError(
                f"subnet_ids lists {len(v)} subnet(s); a DB subnet group needs subnets in at least two availability "
                "zones (pass the Network component's isolated subnet IDs)"
            )
        _refuse_duplicates("subnet_ids", v)
        return v

    @field_validator("allowed_security_group_ids")
    @classmethod
    def _security_group_ids(cls, v: Sequence[StrInput]) -> Sequence[StrInput]:
        for item in v:
            if isinstance(item, str) and not _SECURITY_GROUP_ID.match(item):
                raise ValueError(
                    f"'{item}' is not a security group ID (sg-...); database access is granted to security groups "
                    "only, never to CIDR ranges"
                )
        _refuse_duplicates("allowed_security_group_ids", v)
        return list(v)


def _refuse_duplicates(field: str, values: Sequence[StrInput]) -> None:
    known = [x for x in values if isinstance(x, str)]
    duplicates = sorted({x for x in known if known.count(x) > 1})
    if duplicates:
        raise ValueError(f"{field} repeats {duplicates}; list each ID once")
