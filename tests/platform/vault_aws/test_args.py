"""VaultAwsArgs: the OIDC provider and issuer are required; defaults come from the model."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from platformkit.context import Context
from platformkit.vault_aws import VaultAwsArgs


def test_defaults_are_the_models(ctx: Context) -> None:
    args = VaultAwsArgs(context=ctx, oidc_provider_arn="arn", oidc_issuer_url="https://issuer")
    assert (args.settings.server_namespace, args.settings.server_service_account) == ("vault", "vault")
    assert args.key_settings.deletion_window_days == 30


@pytest.mark.parametrize("missing", ["oidc_provider_arn", "oidc_issuer_url"])
def test_oidc_inputs_are_required(ctx: Context, missing: str) -> None:
    fields = {"context": ctx, "oidc_provider_arn": "arn", "oidc_issuer_url": "https://issuer"}
    del fields[missing]
    with pytest.raises(ValidationError, match=missing):
        VaultAwsArgs(**fields)
