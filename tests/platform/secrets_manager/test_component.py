"""SecretsManager: only the listed paths, encrypted with the environment's secrets key, values only as secrets."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from platformkit.context import Context
from platformkit.environment.model import VaultSettings
from platformkit.graph.model import ResourceGraph
from platformkit.secrets_manager import SecretsManager, SecretsManagerArgs

SECRETS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/22222222-2222-2222-2222-222222222222"
PLAINTEXT = {"rds.app_password": "plain-rds-Lm41qz", "grafana.admin_password": "plain-grafana-Pq09we"}
SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"


def _record(record, ctx: Context, **overrides: Any) -> ResourceGraph:
    def program() -> None:
        fields: dict[str, Any] = {
            "context": ctx,
            "settings": VaultSettings(secrets_manager_paths=["rds.app_password"]),
            "secrets": {path: pulumi.Output.secret(value) for path, value in PLAINTEXT.items()},
            "secrets_key_arn": SECRETS_KEY,
            **overrides,
        }
        SecretsManager("secrets-manager", SecretsManagerArgs(**fields))

    return record(program)


@pytest.fixture
def graph(record, ctx: Context) -> ResourceGraph:
    return _record(record, ctx)


def test_only_listed_paths_are_published(graph: ResourceGraph) -> None:
    assert [s.inputs["name"] for s in graph.of_type(SECRET)] == ["acme-test/rds/app_password"]
    assert len(graph.of_type(VERSION)) == 1


def test_secrets_are_encrypted_with_the_environments_secrets_key(graph: ResourceGraph) -> None:
    secret = graph.named("secrets-manager-secret-rds.app_password").inputs
    assert secret["kmsKeyId"] == SECRETS_KEY
    assert secret["recoveryWindowInDays"] == 30
    assert secret["tags"]["Name"] == "acme-test/rds/app_password"
    assert secret["tags"]["environment"] == "test"


def test_versions_carry_the_value_only_as_a_secret(graph: ResourceGraph) -> None:
    version = graph.named("secrets-manager-version-rds.app_password")
    assert version.inputs["secretString"] == "[secret]"
    assert "secretBinary" not in version.inputs
    assert version.property_dependencies["secretId"] == [graph.named("secrets-manager-secret-rds.app_password").urn]
    document = json.dumps(graph.to_json())
    for value in PLAINTEXT.values():
        assert value not in document


def test_plain_outputs_are_still_written_as_secrets(record, ctx: Context) -> None:
    graph = _record(record, ctx, secrets={"rds.app_password": pulumi.Output.from_input(PLAINTEXT["rds.app_password"])})
    assert PLAINTEXT["rds.app_password"] not in json.dumps(graph.to_json())


def test_nothing_is_published_by_default(record, ctx: Context) -> None:
    graph = _record(record, ctx, settings=VaultSettings())
    assert graph.of_type(SECRET) == [] and graph.of_type(VERSION) == []


def test_children_are_parented_to_the_component(graph: ResourceGraph) -> None:
    component = graph.named("secrets-manager")
    assert component.type == "platform:secrets_manager:SecretsManager"
    for child in [*graph.of_type(SECRET), *graph.of_type(VERSION)]:
        assert child.parent == component.urn


def test_recording_raises_no_warnings(graph: ResourceGraph) -> None:
    assert graph.warnings == []
