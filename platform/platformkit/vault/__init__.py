"""Vault as code: the environment's KV v2 mount, Kubernetes auth, workload roles and policies, audit, secret writes."""

from .args import VaultArgs
from .component import Vault

__all__ = ["Vault", "VaultArgs"]
