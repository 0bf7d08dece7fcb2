"""ClusterArgs: node group names and architectures the component can build."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

from platformkit.cluster import ClusterArgs
from platformkit.context import Context
from platformkit.environment.model import ClusterSettings


def args(ctx: Context, groups: dict[str, Any], **overrides: Any) -> ClusterArgs:
    fields: dict[str, Any] = {
        "context": ctx,
        "settings": ClusterSettings.model_validate({"nodeGroups": groups}),
        "vpc_id": "vpc-1",
        "subnet_ids": ["subnet-a", "subnet-b"],
        "secrets_key_arn": "arn:secrets",
        "logs_key_arn": "arn:logs",
        "data_key_arn": "arn:data",
    }
    fields.update(overrides)
    return ClusterArgs(**fields)


def group(*instance_types: str) -> dict[str, Any]:
    return {"instanceTypes": list(instance_types), "minSize": 1, "desiredSize": 1, "maxSize": 2}


def test_valid_args_accept_outputs_for_later_values(ctx: Context) -> None:
    built = args(ctx, {"system": group("m7i.large", "m6i.large")}, vpc_id=pulumi.Output.from_input("vpc-2"))
    assert isinstance(built.vpc_id, pulumi.Output)


@pytest.mark.parametrize(
    "name", ["eks", "logs", "oidc", "kubernetes", "node-role", "admin-0", "addon-coredns", "x-launch-template"]
)
def test_group_names_that_collide_with_own_children_are_refused(ctx: Context, name: str) -> None:
    with pytest.raises(ValidationError, match="collides with the cluster's own resources"):
        args(ctx, {name: group("m7i.large")})


def test_a_group_may_not_mix_architectures(ctx: Context) -> None:
    with pytest.raises(ValidationError, match="mixes arm64 and x86_64"):
        args(ctx, {"mixed": group("m7g.large", "m7i.large")})


def test_unknown_fields_are_refused(ctx: Context) -> None:
    with pytest.raises(ValidationError):
        args(ctx, {"system": group("m7i.large")}, public=True)


@pytest.mark.parametrize(
    ("instance_type", "arch"),
    [
        ("m7g.large", "arm64"),
        ("c7gn.xlarge", "arm64"),
        ("t4g.medium", "arm64"),
        ("im4gn.large", "arm64"),
        ("g5g.xlarge", "arm64"),
        ("g5.xlarge", "x86_64"),
        ("m7i.large", "x86_64"),
        ("t3.large", "x86_64"),
        ("g4ad.xlarge", "x86_64"),
    ],
)
def test_architecture_from_instance_type(instance_type: str, arch: str) -> None:
    from platformkit.cluster.args import architecture

    assert architecture(instance_type) == arch
