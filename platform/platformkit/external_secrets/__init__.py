"""External Secrets Operator objects that sync each workload's Vault secrets into its namespace."""

from .args import ExternalSecretsArgs
from .component import ExternalSecrets

__all__ = ["ExternalSecrets", "ExternalSecretsArgs"]
