"""Per-environment KMS keys (data, logs, secrets)."""

from .args import KeysArgs
from .component import Keys

__all__ = ["Keys", "KeysArgs"]
