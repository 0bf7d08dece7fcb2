"""Compose the platform for one environment (= Pulumi stack).

Layers, in order: AWS provider (pinned to the environment's account) -> keys -> network ->
storage -> cluster -> Kubernetes baseline (through the cluster's Kubernetes provider) ->
database -> secrets: Vault's AWS side, Vault as code (KV, Kubernetes auth, roles, audit),
External Secrets objects and Secrets Manager, fed from the environment's SOPS file. Everything environment-specific comes from the validated ``EnvironmentConfig``;
nothing here branches on the environment's name.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_vault as vault

from platformkit.cluster import Cluster, ClusterArgs
from platformkit.context import Context
from platformkit.database import Database, DatabaseArgs
from platformkit.environment import EnvironmentConfig, load_environment
from platformkit.errors import PlatformError
from platformkit.external_secrets import ExternalSecrets, ExternalSecretsArgs
from platformkit.keys import Keys, KeysArgs
from platformkit.kubernetes_baseline import KubernetesBaseline, KubernetesBaselineArgs
from platformkit.network import Network, NetworkArgs
from platformkit.secrets_manager import SecretsManager, SecretsManagerArgs
from platformkit.storage import Storage, StorageArgs
from platformkit.vault import Vault, VaultArgs
from platformkit.vault_aws import VaultAws, VaultAwsArgs

from .exports import PlatformLayers, exports
from .secrets import environment_secrets


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

    secrets = environment_secrets(env)
    vault_aws = VaultAws(
        "vault-aws",
        VaultAwsArgs(
            context=ctx,
            settings=env.vault,
            key_settings=env.keys,
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_issuer_url=cluster.oidc_issuer_url,
        ),
        opts=on_aws,
    )
    vault_config = Vault(
        "vault",
        VaultArgs(
            context=ctx,
            settings=env.vault,
            secrets=secrets,
            cluster_endpoint=cluster.cluster_endpoint,
            cluster_ca_data=cluster.certificate_authority_data,
            oidc_issuer_url=cluster.oidc_issuer_url,
        ),
        opts=pulumi.ResourceOptions(providers={"vault": vault.Provider("vault", address=env.vault.address)}),
    )
    external_secrets = ExternalSecrets(
        "external-secrets",
        ExternalSecretsArgs(
            context=ctx,
            settings=env.vault,
            kv_mount_path=vault_config.kv_mount_path,
            kubernetes_auth_path=vault_config.kubernetes_auth_path,
            role_names=vault_config.role_names,
            secret_paths=vault_config.secret_paths,
            namespaces={name: ns.metadata.name for name, ns in baseline.namespaces.items()},
        ),
        opts=pulumi.ResourceOptions(providers={"kubernetes": cluster.kubernetes_provider}),
    )
    secrets_manager = SecretsManager(
        "secrets-manager",
        SecretsManagerArgs(context=ctx, settings=env.vault, secrets=secrets, secrets_key_arn=keys.secrets_key_arn),
        opts=on_aws,
    )

    layers = PlatformLayers(
        keys=keys,
        network=network,
        storage=storage,
        cluster=cluster,
        kubernetes_baseline=baseline,
        database=database,
        vault_aws=vault_aws,
        vault=vault_config,
        external_secrets=external_secrets,
        secrets_manager=secrets_manager,
    )
    for key, value in exports(layers).items():
        pulumi.export(key, value)
    return layers
