"""db-rotate-credentials against moto over HTTP, through the real CLI in a subprocess.

moto's RotateSecret runs no rotation (no Lambda, no managed rotation): it only moves the labels to a new, empty
version. The tests therefore check labels, version IDs and the number of RotateSecret calls, never a value.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

RUNBOOK = "db-rotate-credentials"
FAKE_TOKEN = "hvs.FAKE-test-token-not-real-0042"
ANSIBLE_NAMESPACE = uuid.UUID("361E6D51-FAEC-444A-9079-341386DA8E2E")
"""Namespace of Ansible's to_uuid filter."""


def manage_master_password(account: Any) -> str:
    """Turn on the RDS-managed master secret, as the stack's database component does; returns its ARN."""
    rds = account.client("rds")
    rds.modify_db_instance(
        DBInstanceIdentifier=account.names["database"],
        ManageMasterUserPassword=True,
        MasterUserSecretKmsKeyId=account.names["key_aliases"]["secrets"],
        ApplyImmediately=True,
    )
    instance = account.instance(account.names["database"])
    assert instance is not None
    return str(instance["MasterUserSecret"]["SecretArn"])


def stages(account: Any, arn: str) -> dict[str, list[str]]:
    reply = account.client("secretsmanager").describe_secret(SecretId=arn)
    return {k: sorted(v) for k, v in reply["VersionIdsToStages"].items()}


def state(account: Any, arn: str) -> dict[str, Any]:
    return {**{k: v for k, v in account.state().items() if k != "audit_objects"}, "secret": stages(account, arn)}


def expected_version(account: Any, label: str) -> str:
    return str(uuid.uuid5(ANSIBLE_NAMESPACE, f"{account.env.account.id}/{account.names['database']}/master/{label}"))


def rotate(env: str, *extra: str, label: str = "inc42") -> list[str]:
    return ["run", RUNBOOK, "--env", env, "-p", f"label={label}", *extra]


def test_dry_run_changes_nothing_execute_rotates_once_and_a_second_run_changes_nothing(cloud: Any, runbook_cli: Any) -> None:
    dev = cloud.seed("dev")
    arn = manage_master_password(dev)
    before = state(dev, arn)
    (old_version,) = before["secret"]
    new_version = expected_version(dev, "inc42")
    vault = ["-p", "vault_path=db/master", "-p", f"vault_token={FAKE_TOKEN}"]

    dry = runbook_cli(rotate("dev", *vault), dev)
    assert dry.code == 0, dry.stdout + dry.stderr
    assert state(dev, arn) == before
    assert dry.line("Rotate the master credential").startswith("would change")
    assert f"This rotation (label inc42) would create version {new_version} to replace the AWSCURRENT version {old_version}" in (
        " ".join(dry.stdout.split())
    )
    assert "is not reachable or not usable from here" in dry.stdout  # no Vault in the tests
    assert dry.audit[-1].parameters["vault_token"] == "***"

    done = runbook_cli(rotate("dev", "--execute", *vault), dev)
    assert done.code == 0, done.stdout + done.stderr
    assert stages(dev, arn) == {old_version: ["AWSPREVIOUS"], new_version: ["AWSCURRENT"]}
    assert f"version {new_version} is AWSCURRENT, {old_version} is AWSPREVIOUS" in " ".join(done.stdout.split())
    assert "was NOT updated" in done.stdout and "vault kv put -mount=acme-dev db/master" in " ".join(done.stdout.split())
    assert done.line("Copy the new credential to Vault").startswith("skipped")
    record = done.audit[-1]
    assert record.status == "succeeded"
    assert record.outputs["secret"] == arn and record.outputs["new_version"] == new_version
    assert record.outputs["previous_version"] == old_version
    assert record.outputs["vault_copy"] == "not reachable: NOT updated"
    assert [s.name for s in record.steps if s.changed] == ["Rotate the master credential"]
    assert record.parameters["vault_token"] == "***"
    assert record.uploaded_to is not None
    after = state(dev, arn)

    again = runbook_cli(rotate("dev", "--execute", *vault), dev)
    assert again.code == 0, again.stdout + again.stderr
    assert f"created version {new_version} in an earlier run" in again.stdout and "nothing was rotated again" in again.stdout
    assert not any(s.changed for s in again.audit[-1].steps)
    assert state(dev, arn) == after
    for result in (dry, done, again):
        assert FAKE_TOKEN not in result.stdout + result.stderr
    assert FAKE_TOKEN not in (runbook_cli.audit_dir / "runbook-audit.jsonl").read_text()
    assert not any(FAKE_TOKEN in str(record) for record in dev.audit_objects().values())


def test_a_lost_reply_then_resume_rotates_exactly_once(cloud: Any, runbook_cli: Any, fault_proxy: Any) -> None:
    dev = cloud.seed("dev")
    arn = manage_master_password(dev)
    (old_version,) = stages(dev, arn)
    new_version = expected_version(dev, "inc42")
    # Secrets Manager speaks JSON with the action in a header; RotateSecret is the one call carrying RotateImmediately.
    fault = fault_proxy.lose_reply("RotateSecret", protocol="json")
    fault.matches = lambda call: b'"RotateImmediately"' in call.body

    def rotations() -> int:
        return sum(1 for c in fault_proxy.calls if b'"RotateImmediately"' in c.body)

    first = runbook_cli(rotate("dev", "--execute"), dev, endpoint=fault_proxy.url)
    assert first.code == 1, first.stdout + first.stderr
    assert first.line("Rotate the master credential").startswith("FAILED")
    assert "cannot start the rotation" in first.stdout
    assert rotations() == 1
    resume = first.resume_args()
    assert resume[-2:] == ["--from-step", "Rotate the master credential"]

    second = runbook_cli(resume, dev, endpoint=fault_proxy.url)
    assert second.code == 0, second.stdout + second.stderr
    assert second.line("Rotate the master credential").startswith("ok")  # the version exists: not started again
    assert rotations() == 1
    assert stages(dev, arn) == {old_version: ["AWSPREVIOUS"], new_version: ["AWSCURRENT"]}
    assert second.audit[-1].status == "succeeded" and second.audit[-1].outputs["new_version"] == new_version


@pytest.mark.parametrize(
    ("environment", "managed", "words"),
    [
        ("staging", False, "database acme-staging-postgres does not exist"),
        ("dev", False, "database acme-dev-postgres has no RDS-managed master user secret"),
    ],
    ids=["no-database", "no-managed-secret"],
)
def test_a_database_without_a_managed_secret_is_one_clear_error(
    cloud: Any, runbook_cli: Any, environment: str, managed: bool, words: str
) -> None:
    account = cloud.seed(environment) if environment == "dev" else cloud.account(environment)
    before = {k: v for k, v in account.state().items() if k != "audit_objects"} if environment == "dev" else None
    result = runbook_cli(rotate(environment, "--execute", "--confirm", environment), account)
    assert result.code == 1, result.stdout + result.stderr
    assert result.line("Rotate the master credential").startswith("FAILED")
    assert words in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    if before is not None:
        assert {k: v for k, v in account.state().items() if k != "audit_objects"} == before
    assert not any(s.changed for s in result.audit[-1].steps)


def test_prod_without_confirmation_refuses_and_changes_nothing(cloud: Any, runbook_cli: Any) -> None:
    prod = cloud.seed("prod")
    arn = manage_master_password(prod)
    before = state(prod, arn)
    result = runbook_cli(rotate("prod", "--execute"), prod)
    assert result.code == 2
    assert "needs confirmation" in result.stderr and "--confirm prod" in result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert state(prod, arn) == before
    assert result.audit[-1].status == "refused"


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ([], ["parameter 'label' is required"]),
        (["label=INC 42"], ["parameter 'label' must match"]),
        (["label=inc42", "vault_path=/db/master"], ["parameter 'vault_path' must match"]),
        (["label=inc42", "wait_minutes=61"], ["'wait_minutes' must be at most 60"]),
        (["label=inc42", "password=x"], ["unknown parameter 'password'"]),
    ],
    ids=["missing-label", "bad-label", "bad-vault-path", "wait-too-long", "unknown"],
)
def test_bad_parameters_are_one_clear_error(runbook_cli: Any, params: list[str], words: list[str]) -> None:
    args = ["run", RUNBOOK, "--env", "dev"]
    for param in params:
        args += ["-p", param]
    result = runbook_cli(args)  # no AWS credentials: refused before any AWS call
    assert result.code == 2, result.stdout + result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    flat = " ".join(result.stderr.split())
    for word in words:
        assert word in flat
    assert result.audit == []
