"""VaultSettings: safe defaults, https-only address, exact workload bindings, and one clear message per mistake."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from platformkit.environment import EnvironmentConfig, load_environment
from platformkit.environment.model import VaultSettings, WorkloadSecrets
from platformkit.errors import ConfigErrors

GRAFANA: dict[str, Any] = {
    "namespace": "observability",
    "serviceAccount": "grafana",
    "secrets": {"admin-password": "grafana.admin_password"},
}


def _settings(**fields: Any) -> VaultSettings:
    return VaultSettings.model_validate(fields)


def test_defaults_need_nothing_from_environment_files(environments: dict[str, EnvironmentConfig]) -> None:
    for env in environments.values():
        assert env.vault == VaultSettings()
    defaults = VaultSettings()
    assert defaults.address == "https://vault.vault.svc:8200"
    assert (defaults.server_namespace, defaults.server_service_account) == ("vault", "vault")
    assert defaults.kv_mount is None
    assert defaults.audit_file_path == "stdout"
    assert (defaults.token_ttl_seconds, defaults.token_max_ttl_seconds) == (900, 3600)
    assert defaults.audience == "vault"
    assert defaults.workloads == {} and defaults.secrets_manager_paths == []
    assert defaults.ca_certificate is None


def test_camel_case_keys_as_written_in_environment_files() -> None:
    settings = _settings(
        kvMount="platform/dev",
        auditFilePath="/vault/audit/audit.log",
        tokenTtlSeconds=300,
        tokenMaxTtlSeconds=600,
        secretsManagerPaths=["rds.app_password"],
        workloads={"grafana": {**GRAFANA, "secretName": "grafana-admin"}},
    )
    assert settings.kv_mount == "platform/dev"
    assert settings.workloads["grafana"] == WorkloadSecrets(
        namespace="observability",
        service_account="grafana",
        secrets={"admin-password": "grafana.admin_password"},
        secret_name="grafana-admin",
    )


@pytest.mark.parametrize(
    "address",
    [
        "http://vault.vault.svc:8200",
        "vault.vault.svc:8200",
        "https://vault.example.com/v1",
        "https://vault.example.com/",
        "https://vault.example.com?x=1",
        "https://user:pw@vault.example.com",
        "https://vault.example.com:99999",
        "https://",
    ],
)
def test_address_must_be_https_host_and_port_only(address: str) -> None:
    with pytest.raises(ValidationError, match="https://host"):
        _settings(address=address)


@pytest.mark.parametrize("address", ["https://vault.example.com", "https://vault.example.com:8200", "https://10.0.0.5:8200"])
def test_valid_addresses(address: str) -> None:
    assert _settings(address=address).address == address


@pytest.mark.parametrize("mount", ["sys", "auth/kv", "identity", "cubbyhole/x", "Secrets", "a//b", "/kv", "kv/"])
def test_kv_mount_must_be_a_plain_path_outside_vaults_reserved_ones(mount: str) -> None:
    with pytest.raises(ValidationError, match="kvMount"):
        _settings(kvMount=mount)


@pytest.mark.parametrize("path", ["discard", "audit.log", "/", "/var/log/"])
def test_audit_goes_to_stdout_or_an_absolute_file(path: str) -> None:
    with pytest.raises(ValidationError, match="auditFilePath"):
        _settings(auditFilePath=path)


def test_token_max_ttl_not_below_ttl() -> None:
    with pytest.raises(ValidationError, match="tokenMaxTtlSeconds"):
        _settings(tokenTtlSeconds=1800, tokenMaxTtlSeconds=900)


@pytest.mark.parametrize("ttl", [0, 59, 86401])
def test_token_ttl_range(ttl: int) -> None:
    with pytest.raises(ValidationError):
        _settings(tokenTtlSeconds=ttl)


def test_ca_certificate_must_be_pem() -> None:
    with pytest.raises(ValidationError, match="PEM certificate"):
        _settings(caCertificate="not a certificate")
    pem = "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n"
    assert _settings(caCertificate=pem).ca_certificate == pem


@pytest.mark.parametrize("name", ["Grafana", "-grafana", "grafana-", "g" * 41, "gra_fana", "1grafana"])
def test_workload_names(name: str) -> None:
    with pytest.raises(ValidationError, match="workload name"):
        _settings(workloads={name: GRAFANA})


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("namespace", "Observability", "not a Kubernetes namespace name"),
        ("serviceAccount", "Grafana", "not a Kubernetes object name"),
        ("secretName", "grafana_admin", "not a Kubernetes object name"),
        ("secrets", {}, "at least 1"),
        ("secrets", {"admin password": "grafana.admin_password"}, "not a Kubernetes Secret key"),
        ("secrets", {"admin-password": "grafana/admin_password"}, "not a dotted secrets-file path"),
        ("secrets", {"admin-password": "grafana..admin"}, "not a dotted secrets-file path"),
        ("secrets", {"admin-password": "grafana.*"}, "not a dotted secrets-file path"),
    ],
)
def test_workload_fields(field: str, value: Any, words: str) -> None:
    with pytest.raises(ValidationError, match=words.replace("*", r"\*")):
        _settings(workloads={"grafana": {**GRAFANA, field: value}})


def test_namespace_and_service_account_are_required() -> None:
    for missing in ("namespace", "serviceAccount"):
        workload = {k: v for k, v in GRAFANA.items() if k != missing}
        with pytest.raises(ValidationError, match=f"workloads.grafana.{missing}\n  Field required"):
            _settings(workloads={"grafana": workload})


def test_one_role_per_service_account() -> None:
    with pytest.raises(ValidationError, match="both use service account observability/grafana"):
        _settings(workloads={"grafana": GRAFANA, "grafana-smtp": {**GRAFANA, "secretName": "smtp"}})


def test_two_workloads_cannot_write_the_same_secret() -> None:
    other = {**GRAFANA, "serviceAccount": "loki", "secretName": "grafana"}
    with pytest.raises(ValidationError, match="both write Secret observability/grafana"):
        _settings(workloads={"grafana": GRAFANA, "loki": other})


def test_same_names_in_different_namespaces_are_fine() -> None:
    settings = _settings(
        workloads={"grafana": GRAFANA, "grafana-apps": {**GRAFANA, "namespace": "apps", "secretName": "grafana"}}
    )
    assert len(settings.workloads) == 2


@pytest.mark.parametrize("paths", [["rds/app"], ["rds.app", "rds.app"], [""]])
def test_secrets_manager_paths(paths: list[str]) -> None:
    with pytest.raises(ValidationError):
        _settings(secretsManagerPaths=paths)


def test_environment_file_errors_name_the_vault_key(tmp_path: Path, repo_root: Path) -> None:
    shutil.copy(repo_root / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(repo_root / "environments", tmp_path / "environments")
    path = tmp_path / "environments" / "Pulumi.dev.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"]["platform:vault"] = {"address": "http://vault.example.com"}
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    with pytest.raises(ConfigErrors) as caught:
        load_environment("dev", tmp_path)
    assert any(e.key == "platform:vault.address" and "https only" in e.problem for e in caught.value.errors), str(caught.value)


def test_a_workload_in_an_environment_file_loads(tmp_path: Path, repo_root: Path) -> None:
    shutil.copy(repo_root / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(repo_root / "environments", tmp_path / "environments")
    path = tmp_path / "environments" / "Pulumi.dev.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"]["platform:vault"] = {"workloads": {"grafana": GRAFANA}}
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    env = load_environment("dev", tmp_path)
    assert env.vault.workloads["grafana"].service_account == "grafana"
