"""The AWS side of the environment's Vault server: its KMS auto-unseal key and IRSA role."""

from .args import VaultAwsArgs
from .component import VaultAws

__all__ = ["VaultAws", "VaultAwsArgs"]
