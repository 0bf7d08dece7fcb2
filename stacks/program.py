"""Compose the platform for one environment (= Pulumi stack).

Layers, in order: provider -> keys -> network -> storage -> cluster -> Kubernetes baseline
-> database. Everything environment-specific comes from the validated ``EnvironmentConfig``;
nothing here branches on the environment's name.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from platformkit.context import Context
from platformkit.environment import EnvironmentConfig, load_environment
from platformkit.errors import PlatformError
from platformkit.keys import Keys, KeysArgs

from .exports import PlatformLayers, exports


def main() -> None:
    """Entry point for ``pulumi up`` and the offline plan: load the stack's environment, build it."""
    build(load_stack_environment(pulumi.get_stack()))


def load_stack_environment(stack: str) -> EnvironmentConfig:
    """The validated environment of ``stack``; config errors end the run with one clear message."""
    try:
        return load_environment(stack)
    except PlatformError as exc:
        raise pulumi.RunError(str(exc)) from None


def context_for(env: EnvironmentConfig) -> Context:
    """The naming and tagging context every component of ``env`` receives."""
    return Context(
        org=env.org,
        environment=env.name,
        account_id=env.account.id,
        region=env.account.region,
        owner=env.tags.owner,
        cost_centre=env.tags.cost_centre,
        repository=env.repository,
        extra_tags=env.tags.extra,
    )


def build(env: EnvironmentConfig) -> PlatformLayers:
    """Create every layer of ``env`` and export the stack's contract."""
    ctx = context_for(env)
    aws_provider = aws.Provider(
        "aws",
        region=env.account.region,
        allowed_account_ids=[env.account.id],
    )
    aws_only = pulumi.ResourceOptions(providers={"aws": aws_provider})

    keys = Keys("keys", KeysArgs(context=ctx, settings=env.keys), opts=aws_only)

    layers = PlatformLayers(keys=keys)
    for key, value in exports(layers).items():
        pulumi.export(key, value)
    return layers
