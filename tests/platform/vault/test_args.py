"""VaultArgs: every path a workload reads must exist; secret values must be outputs, keyed by dotted paths."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

from platformkit.context import Context
from platformkit.environment.model import VaultSettings
from platformkit.vault import VaultArgs

SETTINGS = VaultSettings.model_validate(
    {
        "workloads": {
            "grafana": {
                "namespace": "observability",
                "serviceAccount": "grafana",
                "secrets": {"admin-password": "grafana.admin_password"},
            }
        }
    }
)


def _args(ctx: Context, **overrides: Any) -> VaultArgs:
    fields: dict[str, Any] = {
        "context": ctx,
        "settings": SETTINGS,
        "secrets": {"grafana.admin_password": pulumi.Output.secret("x")},
        "cluster_endpoint": "https://example.eks.amazonaws.com",
        "cluster_ca_data": "Zm9v",
        "oidc_issuer_url": "https://oidc.eks.eu-west-1.amazonaws.com/id/X",
    }
    fields.update(overrides)
    return VaultArgs(**fields)


def test_valid_args(ctx: Context) -> None:
    args = _args(ctx)
    assert set(args.secrets) == {"grafana.admin_password"}
    assert args.settings.workloads["grafana"].namespace == "observability"


def test_a_workload_reading_a_missing_path_is_refused_naming_path_and_workload(ctx: Context) -> None:
    with pytest.raises(ValidationError) as raised:
        _args(ctx, secrets={"grafana.admin_pasword": pulumi.Output.secret("do-not-echo")})
    message = str(raised.value)
    assert "workload 'grafana' reads 'grafana.admin_password'" in message
    assert "Secret key 'admin-password'" in message
    assert "do-not-echo" not in message


def test_plain_string_values_are_refused(ctx: Context) -> None:
    with pytest.raises(ValidationError):
        _args(ctx, secrets={"grafana.admin_password": "plain"})


@pytest.mark.parametrize("path", ["", "grafana..admin", ".grafana", "grafana/admin", "grafana.admin password", "a.*"])
def test_secret_keys_must_be_dotted_paths(ctx: Context, path: str) -> None:
    with pytest.raises(ValidationError, match="not dotted paths"):
        _args(ctx, settings=VaultSettings(), secrets={path: pulumi.Output.secret("x")})


def test_an_empty_secret_set_is_fine_without_workloads(ctx: Context) -> None:
    assert _args(ctx, settings=VaultSettings(), secrets={}).secrets == {}
