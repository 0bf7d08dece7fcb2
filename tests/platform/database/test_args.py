"""DatabaseArgs: refuses inputs that would give a database RDS cannot place, or access rules nobody meant."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

from platformkit.context import Context
from platformkit.database import DatabaseArgs

DATA = "arn:aws:kms:eu-west-1:123456789012:key/11111111-1111-1111-1111-111111111111"
SECRETS = "arn:aws:kms:eu-west-1:123456789012:key/22222222-2222-2222-2222-222222222222"
LOGS = "arn:aws:kms:eu-west-1:123456789012:key/33333333-3333-3333-3333-333333333333"
NODES_SG = "sg-0123456789abcdef0"


def _args(ctx: Context, **overrides: Any) -> DatabaseArgs:
    fields: dict[str, Any] = {
        "context": ctx,
        "vpc_id": "vpc-0123456789abcdef0",
        "subnet_ids": ["subnet-a", "subnet-b", "subnet-c"],
        "allowed_security_group_ids": [NODES_SG],
        "data_key_arn": DATA,
        "secrets_key_arn": SECRETS,
        "logs_key_arn": LOGS,
    }
    fields.update(overrides)
    return DatabaseArgs(**fields)


def test_valid_args_keep_settings_defaults(ctx: Context) -> None:
    args = _args(ctx)
    assert args.settings.deletion_protection is True
    assert list(args.allowed_security_group_ids) == [NODES_SG]


@pytest.mark.parametrize("field", ["data_key_arn", "secrets_key_arn", "logs_key_arn"])
@pytest.mark.parametrize(
    "value", ["alias/acme-test-data", "11111111-1111-1111-1111-111111111111", "arn:aws:kms:eu-west-1:123456789012:alias/x"]
)
def test_key_must_be_a_key_arn(ctx: Context, field: str, value: str) -> None:
    with pytest.raises(ValidationError, match="is not a KMS key ARN"):
        _args(ctx, **{field: value})


def test_outputs_are_accepted_where_values_come_later(ctx: Context) -> None:
    later = pulumi.Output.from_input(DATA)
    args = _args(ctx, data_key_arn=later, subnet_ids=pulumi.Output.from_input(["subnet-a"]))
    assert args.data_key_arn is later


def test_subnet_group_needs_two_subnets(ctx: Context) -> None:
    with pytest.raises(ValidationError, match="at least two availability zones"):
        _args(ctx, subnet_ids=["subnet-a"])


def test_subnets_listed_once(ctx: Context) -> None:
    with pytest.raises(ValidationError, match="repeats"):
        _args(ctx, subnet_ids=["subnet-a", "subnet-a"])


def test_at_least_one_allowed_security_group(ctx: Context) -> None:
    with pytest.raises(ValidationError, match="at least 1 item"):
        _args(ctx, allowed_security_group_ids=[])


@pytest.mark.parametrize("source", ["0.0.0.0/0", "10.0.0.0/16", "default"])
def test_access_is_granted_to_security_groups_only(ctx: Context, source: str) -> None:
    with pytest.raises(ValidationError, match="is not a security group ID"):
        _args(ctx, allowed_security_group_ids=[source])


def test_allowed_security_groups_listed_once(ctx: Context) -> None:
    with pytest.raises(ValidationError, match="repeats"):
        _args(ctx, allowed_security_group_ids=[NODES_SG, NODES_SG])


def test_allowed_security_groups_must_be_a_list_known_at_plan_time(ctx: Context) -> None:
    with pytest.raises(ValidationError):
        _args(ctx, allowed_security_group_ids=pulumi.Output.from_input([NODES_SG]))


def test_unknown_fields_are_refused(ctx: Context) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        _args(ctx, password="hunter2")
