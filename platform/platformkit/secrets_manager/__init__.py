"""Secrets Manager copies of the environment's secrets, for AWS-native consumers that cannot read Vault."""

from .args import SecretsManagerArgs
from .component import SecretsManager

__all__ = ["SecretsManager", "SecretsManagerArgs"]
