"""The environment's secrets as Pulumi secret outputs, decrypted through sops into memory only.

A real ``pulumi up``/``preview`` must decrypt (age identity or KMS access) or it stops with
one clear message. The offline plan (``PLATFORMKIT_OFFLINE_PLAN=1``, set by
``platformkit.graph.evaluate``) may run without any identity: it then takes the secret
*keys* from the encrypted file and uses masked placeholders, and says so with a warning.
A file that is tampered with, has no MAC or cannot be read fails closed in every mode.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from typing import Any

import pulumi

from platformkit.environment import EnvironmentConfig, find_root
from platformkit.environment.loader import display_path
from platformkit.graph.evaluate import OFFLINE_PLAN_VARIABLE
from platformkit.graph.model import SECRET
from platformkit.secrets import EncryptedFile, SopsError, SopsFailure, read_secrets, secrets_file
from platformkit.secrets.keypath import dotted


def environment_secrets(env: EnvironmentConfig) -> dict[str, pulumi.Output[str]]:
    """Every encrypted value of the environment's secrets file, by dotted key, as a Pulumi secret."""
    root = find_root()
    try:
        document = read_secrets(env.name, root)
    except SopsError as exc:
        if exc.failure is SopsFailure.NO_KEY and os.environ.get(OFFLINE_PLAN_VARIABLE) == "1":
            return _placeholders(env)
        raise pulumi.RunError(str(exc)) from None
    return {
        dotted(path): pulumi.Output.secret(_as_text(value))
        for path, value in document.leaves()
        if path in document.encrypted_paths
    }


def _placeholders(env: EnvironmentConfig) -> dict[str, pulumi.Output[str]]:
    root = find_root()
    path = secrets_file(root, env.name)
    encrypted = EncryptedFile.read(path, shown=display_path(path, root))
    encrypted.require_mac()
    pulumi.log.warn(
        f"secrets of {env.name} not decrypted (no age identity or KMS access): the plan uses their keys with "
        f"placeholder values; set SOPS_AGE_KEY_FILE to plan with the real (still masked) values"
    )
    return {dotted(leaf.path): pulumi.Output.secret(SECRET) for leaf in encrypted.leaves if leaf.encrypted}


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return json.dumps(value)
