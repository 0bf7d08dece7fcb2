"""ExternalSecretsArgs: every workload needs a Vault role, every path it reads must have been written to Vault."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from platformkit.context import Context
from platformkit.environment.model import VaultSettings
from platformkit.external_secrets import ExternalSecretsArgs

SETTINGS = VaultSettings.model_validate(
    {
        "workloads": {
            "grafana": {"namespace": "observability", "serviceAccount": "grafana", "secrets": {"pw": "grafana.admin_password"}}
        }
    }
)


def _args(ctx: Context, **overrides: Any) -> ExternalSecretsArgs:
    fields: dict[str, Any] = {
        "context": ctx,
        "settings": SETTINGS,
        "kv_mount_path": "acme-test",
        "kubernetes_auth_path": "acme-test-kubernetes",
        "role_names": {"grafana": "grafana"},
        "secret_paths": {"grafana.admin_password": "grafana/admin_password"},
    }
    fields.update(overrides)
    return ExternalSecretsArgs(**fields)


def test_valid_args(ctx: Context) -> None:
    assert _args(ctx).refresh_interval == "1h"


def test_a_workload_without_a_role_is_refused(ctx: Context) -> None:
    with pytest.raises(ValidationError, match=r"workloads \['grafana'\] have no Vault role"):
        _args(ctx, role_names={})


def test_a_path_not_written_to_vault_is_refused_naming_path_and_workload(ctx: Context) -> None:
    with pytest.raises(ValidationError, match=r"workload 'grafana' reads 'grafana.admin_password' \(Secret key 'pw'\)"):
        _args(ctx, secret_paths={"grafana.other": "grafana/other"})


@pytest.mark.parametrize("interval", ["0h", "1d", "15", "1h30m", ""])
def test_refresh_interval_shape(ctx: Context, interval: str) -> None:
    with pytest.raises(ValidationError):
        _args(ctx, refresh_interval=interval)
