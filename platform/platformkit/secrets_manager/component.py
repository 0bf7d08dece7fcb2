"""SecretsManager: selected secrets of the environment in AWS Secrets Manager, for consumers that speak only AWS.

Creates, per dotted path in ``VaultSettings.secrets_manager_paths`` (all parented to the component):

- a secret ``<org>-<env>/<path with / for .>`` (e.g. ``acme-dev/rds/app_password``) encrypted with the
  environment's secrets KMS key, with a 30-day recovery window by default; the shared ``<org>-<env>/`` prefix
  lets IAM policies grant one environment's secrets by ARN prefix;
- its current version, whose ``secret_string`` is the value as a Pulumi secret.

Everything else stays in Vault only: a copy nobody reads is only more exposure.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..component import child_opts, token
from ..vault.args import kv_secret_name
from .args import SecretsManagerArgs


class SecretsManager(pulumi.ComponentResource):
    """Secrets Manager secrets encrypted with the environment's secrets key, written only from Pulumi secrets."""

    secrets: dict[str, aws.secretsmanager.Secret]
    secret_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: SecretsManagerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(token("secrets_manager", "SecretsManager"), name, None, opts)
        ctx = args.context

        self.secrets = {}
        for path in args.settings.secrets_manager_paths:
            secret_name = f"{ctx.name()}/{kv_secret_name(path)}"
            secret = aws.secretsmanager.Secret(
                f"{name}-secret-{path}",
                name=secret_name,
                description=f"{path} of environment {ctx.environment}, written by Pulumi from its SOPS file",
                kms_key_id=args.secrets_key_arn,
                recovery_window_in_days=args.recovery_window_days,
                tags=ctx.tags(Name=secret_name),
                opts=child_opts(self),
            )
            value: pulumi.Output[str] = pulumi.Output.secret(args.secrets[path])
            aws.secretsmanager.SecretVersion(
                f"{name}-version-{path}",
                secret_id=secret.id,
                secret_string=value,
                opts=child_opts(self),
            )
            self.secrets[path] = secret

        self.secret_arns = {path: secret.arn for path, secret in self.secrets.items()}
        self.register_outputs({"secret_arns": self.secret_arns})
