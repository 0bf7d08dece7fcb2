"""SOPS secrets per environment: a thin wrapper over the real sops binary, generated ``.sops.yaml``,
and the repository check. Decrypted values live in memory only. See README.md."""

from __future__ import annotations

from pathlib import Path

from ..environment import find_root
from ..environment.loader import display_path, require_known
from .check import CheckReport, Finding, check_repository
from .document import MASK, EncryptedFile, KmsRecipient, Recipients, SecretsDocument, SecretsFileError, SecretTypeError
from .keypath import KeyPathError, parse_key_path
from .rules import (
    SOPS_CONFIG_FILE,
    encryption_context,
    kms_key_arn,
    prescribed_recipients,
    render_rules,
    rules_are_fresh,
    secrets_file,
    write_rules,
)
from .sops import INSTALL_HINT, SOPS_VERSION, Sops, SopsError, SopsFailure


def read_secrets(env_name: str, root: Path | None = None, *, sops: Sops | None = None) -> SecretsDocument:
    """Decrypt (into memory) the secrets file of environment ``env_name``."""
    root = root or find_root()
    require_known(root, env_name)
    path = secrets_file(root, env_name)
    runner = sops or Sops.locate(config=root / SOPS_CONFIG_FILE)
    return runner.decrypt(path, shown=display_path(path, root))


__all__ = [
    "INSTALL_HINT",
    "MASK",
    "SOPS_CONFIG_FILE",
    "SOPS_VERSION",
    "CheckReport",
    "EncryptedFile",
    "Finding",
    "KeyPathError",
    "KmsRecipient",
    "Recipients",
    "SecretTypeError",
    "SecretsDocument",
    "SecretsFileError",
    "Sops",
    "SopsError",
    "SopsFailure",
    "check_repository",
    "encryption_context",
    "kms_key_arn",
    "parse_key_path",
    "prescribed_recipients",
    "read_secrets",
    "render_rules",
    "rules_are_fresh",
    "secrets_file",
    "write_rules",
]
