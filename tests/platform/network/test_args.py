"""NetworkArgs: the AZ list must fit the settings and the region; the logs key must be a key ARN."""

from __future__ import annotations

import pulumi
import pytest
from pydantic import ValidationError

from platformkit.context import Context
from platformkit.environment.model import EnvironmentConfig, NetworkSettings
from platformkit.network import NetworkArgs

KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"


def _args(ctx: Context, zones: list[str], az_count: int = 3, key: str | pulumi.Output[str] = KEY_ARN) -> NetworkArgs:
    return NetworkArgs(
        context=ctx,
        settings=NetworkSettings(cidr="10.10.0.0/16", az_count=az_count),
        availability_zones=zones,
        logs_key_arn=key,
    )


def test_zones_matching_settings_and_region_are_accepted(ctx: Context) -> None:
    args = _args(ctx, ["eu-west-1a", "eu-west-1b", "eu-west-1c"])
    assert args.availability_zones == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


@pytest.mark.parametrize("zones", [["eu-west-1a", "eu-west-1b"], ["eu-west-1a", "eu-west-1b", "eu-west-1c", "eu-west-1d"]])
def test_zone_count_must_equal_az_count(ctx: Context, zones: list[str]) -> None:
    with pytest.raises(ValidationError, match=rf"availability_zones lists {len(zones)} zone\(s\).*settings.az_count is 3"):
        _args(ctx, zones)


def test_zones_must_be_distinct(ctx: Context) -> None:
    with pytest.raises(ValidationError, match=r"availability_zones repeats \['eu-west-1a'\]"):
        _args(ctx, ["eu-west-1a", "eu-west-1a", "eu-west-1b"])


def test_zones_must_belong_to_the_contexts_region(ctx: Context) -> None:
    with pytest.raises(ValidationError, match=r"\['us-east-1b'\] are not zone names of region eu-west-1"):
        _args(ctx, ["eu-west-1a", "us-east-1b", "eu-west-1c"])


@pytest.mark.parametrize(
    "key", ["alias/acme-test-logs", "0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e", "arn:aws:kms:eu-west-1:123:key/x"]
)
def test_logs_key_must_be_a_key_arn(ctx: Context, key: str) -> None:
    with pytest.raises(ValidationError, match="is not a KMS key ARN"):
        _args(ctx, ["eu-west-1a", "eu-west-1b", "eu-west-1c"], key=key)


def test_logs_key_may_be_another_resources_output(ctx: Context) -> None:
    key = pulumi.Output.from_input(KEY_ARN)
    assert _args(ctx, ["eu-west-1a", "eu-west-1b", "eu-west-1c"], key=key).logs_key_arn is key


def test_unknown_fields_are_rejected(ctx: Context) -> None:
    with pytest.raises(ValidationError, match="extra"):
        NetworkArgs(
            context=ctx,
            settings=NetworkSettings(cidr="10.10.0.0/16", az_count=2),
            availability_zones=["eu-west-1a", "eu-west-1b"],
            logs_key_arn=KEY_ARN,
            public_ips=True,  # type: ignore[call-arg]  # deliberately wrong arguments: validation must refuse them
        )


def test_every_environment_gives_valid_network_args(environments: dict[str, EnvironmentConfig]) -> None:
    assert environments
    for env in environments.values():
        ctx = Context(
            org=env.org,
            environment=env.name,
            account_id=env.account.id,
            region=env.account.region,
            owner=env.tags.owner,
            cost_centre=env.tags.cost_centre,
            repository=env.repository,
        )
        args = NetworkArgs(
            context=ctx,
            settings=env.network,
            availability_zones=env.availability_zones,
            logs_key_arn=f"arn:aws:kms:{env.account.region}:{env.account.id}:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e",
        )
        assert len(args.availability_zones) == env.network.az_count, env.name
