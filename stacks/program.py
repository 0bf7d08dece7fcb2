"""Compose the platform for one environment (= Pulumi stack).

Layers, in order: AWS provider (pinned to the environment's account) -> keys -> network ->
storage -> cluster -> Kubernetes baseline (through the cluster's Kubernetes provider) ->
database. Everything environment-specific comes from the validated ``EnvironmentConfig``;
nothing here branches on the environment's name.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from platformkit.cluster import Cluster, ClusterArgs
from platformkit.context import Context
from platformkit.database import Database, DatabaseArgs
from platformkit.environment import EnvironmentConfig, load_environment
from platformkit.errors import PlatformError
from platformkit.keys import Keys, KeysArgs
from platformkit.kubernetes_baseline import KubernetesBaseline, KubernetesBaselineArgs
from platformkit.network import Network, NetworkArgs
from platformkit.storage import Storage, StorageArgs

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


def build(env: EnvironmentConfig) -> PlatformLayers:
    """Create every layer of ``env`` and export the stack's contract."""
    ctx = Context.for_environment(env)
    aws_provider = aws.Provider(
        "aws",
        region=env.account.region,
        # A stack can only ever touch its own account: wrong credentials fail before any change.
        allowed_account_ids=[env.account.id],
    )
    on_aws = pulumi.ResourceOptions(providers={"aws": aws_provider})

    keys = Keys("keys", KeysArgs(context=ctx, settings=env.keys), opts=on_aws)
    network = Network(
        "network",
        NetworkArgs(context=ctx, settings=env.network, availability_zones=env.availability_zones, logs_key_arn=keys.logs_key_arn),
        opts=on_aws,
    )
    storage = Storage("storage", StorageArgs(context=ctx, settings=env.storage, data_key_arn=keys.data_key_arn), opts=on_aws)
    cluster = Cluster(
        "cluster",
        ClusterArgs(
            context=ctx,
            settings=env.cluster,
            vpc_id=network.vpc_id,
            subnet_ids=network.private_subnet_ids,
            secrets_key_arn=keys.secrets_key_arn,
            logs_key_arn=keys.logs_key_arn,
            data_key_arn=keys.data_key_arn,
        ),
        opts=on_aws,
    )
    baseline = KubernetesBaseline(
        "kubernetes-baseline",
        KubernetesBaselineArgs(context=ctx, settings=env.kubernetes),
        opts=pulumi.ResourceOptions(providers={"kubernetes": cluster.kubernetes_provider}),
    )
    database = Database(
        "database",
        DatabaseArgs(
            context=ctx,
            settings=env.database,
            vpc_id=network.vpc_id,
            subnet_ids=network.isolated_subnet_ids,
            allowed_security_group_ids=[cluster.node_security_group_id],
            data_key_arn=keys.data_key_arn,
            secrets_key_arn=keys.secrets_key_arn,
            logs_key_arn=keys.logs_key_arn,
        ),
        opts=on_aws,
    )

    layers = PlatformLayers(
        keys=keys, network=network, storage=storage, cluster=cluster, kubernetes_baseline=baseline, database=database
    )
    for key, value in exports(layers).items():
        pulumi.export(key, value)
    return layers
