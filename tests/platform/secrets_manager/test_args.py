"""SecretsManagerArgs: published paths must exist, the key must be an ARN, the recovery window within AWS's range."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

from platformkit.context import Context
from platformkit.environment.model import VaultSettings
from platformkit.secrets_manager import SecretsManagerArgs

SECRETS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/22222222-2222-2222-2222-222222222222"


def _args(ctx: Context, **overrides: Any) -> SecretsManagerArgs:
    fields: dict[str, Any] = {
        "context": ctx,
        "settings": VaultSettings(secrets_manager_paths=["rds.app_password"]),
        "secrets": {"rds.app_password": pulumi.Output.secret("x")},
        "secrets_key_arn": SECRETS_KEY,
    }
    fields.update(overrides)
    return SecretsManagerArgs(**fields)


def test_valid_args(ctx: Context) -> None:
    assert _args(ctx).recovery_window_days == 30


def test_a_published_path_missing_from_the_secrets_is_refused(ctx: Context) -> None:
    with pytest.raises(ValidationError, match=r"secretsManagerPaths lists \['rds.app_password'\]"):
        _args(ctx, secrets={"rds.other": pulumi.Output.secret("do-not-echo")})


@pytest.mark.parametrize("key", ["alias/acme-test-secrets", "22222222-2222-2222-2222-222222222222"])
def test_key_must_be_an_arn(ctx: Context, key: str) -> None:
    with pytest.raises(ValidationError, match="not a KMS key ARN"):
        _args(ctx, secrets_key_arn=key)


@pytest.mark.parametrize("days", [0, 6, 31])
def test_recovery_window_range(ctx: Context, days: int) -> None:
    with pytest.raises(ValidationError):
        _args(ctx, recovery_window_days=days)
