"""The stack's contract: the outputs downstream stacks and tools may read, defined in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from platformkit.cluster import Cluster
from platformkit.database import Database
from platformkit.external_secrets import ExternalSecrets
from platformkit.keys import Keys
from platformkit.kubernetes_baseline import KubernetesBaseline
from platformkit.network import Network
from platformkit.secrets_manager import SecretsManager
from platformkit.storage import Storage
from platformkit.vault import Vault
from platformkit.vault_aws import VaultAws


@dataclass(frozen=True)
class PlatformLayers:
    """The components one environment is made of."""

    keys: Keys
    network: Network
    storage: Storage
    cluster: Cluster
    kubernetes_baseline: KubernetesBaseline
    database: Database
    vault_aws: VaultAws
    vault: Vault
    external_secrets: ExternalSecrets
    secrets_manager: SecretsManager


def exports(layers: PlatformLayers) -> dict[str, Any]:
    """Stack outputs by name; the kubeconfig stays a secret. Renaming one breaks its readers: add, never rename."""
    return {
        "dataKeyArn": layers.keys.data_key_arn,
        "logsKeyArn": layers.keys.logs_key_arn,
        "secretsKeyArn": layers.keys.secrets_key_arn,
        "vpcId": layers.network.vpc_id,
        "privateSubnetIds": layers.network.private_subnet_ids,
        "isolatedSubnetIds": layers.network.isolated_subnet_ids,
        "artifactsBucketName": layers.storage.artifacts_bucket_name,
        "logsBucketName": layers.storage.logs_bucket_name,
        "backupsBucketName": layers.storage.backups_bucket_name,
        "clusterName": layers.cluster.cluster_name,
        "clusterEndpoint": layers.cluster.cluster_endpoint,
        "oidcProviderArn": layers.cluster.oidc_provider_arn,
        "kubeconfig": layers.cluster.kubeconfig,
        "namespaces": layers.kubernetes_baseline.namespace_names,
        "databaseEndpoint": layers.database.endpoint,
        "databaseMasterUserSecretArn": layers.database.master_user_secret_arn,
        "vaultServerRoleArn": layers.vault_aws.server_role_arn,
        "vaultUnsealKeyArn": layers.vault_aws.unseal_key_arn,
        "vaultKvMount": layers.vault.kv_mount_path,
    }
