"""db-restore against moto over HTTP, through the real CLI in a subprocess."""

from __future__ import annotations

from typing import Any

import pytest

RUNBOOK = "db-restore"
SNAPSHOT = "manual-before-change"
"""The manual snapshot the cloud fixture gives every database (newer than moto's automated one)."""
TARGET = "acme-dev-postgres-restore-inc42"


def restore(env: str, *extra: str, label: str = "inc42") -> list[str]:
    return ["run", RUNBOOK, "--env", env, "-p", f"label={label}", *extra]


def test_dry_run_changes_nothing_execute_restores_and_a_second_run_changes_nothing(cloud: Any, runbook_cli: Any) -> None:
    dev = cloud.seed("dev")
    before = dev.state()

    dry = runbook_cli(restore("dev"), dev)
    assert dry.code == 0, dry.stdout + dry.stderr
    assert dev.state() == before
    assert dry.line("Restore into a new instance").startswith("would change")
    assert f"Restore point: snapshot {SNAPSHOT} at " in dry.stdout
    assert "Cut-over" in dry.stdout and f"--new-db-instance-identifier {dev.names['database']}" in dry.stdout
    assert dry.audit[-1].mode == "dry-run" and dry.audit[-1].status == "succeeded"

    done = runbook_cli(restore("dev", "--execute"), dev)
    assert done.code == 0, done.stdout + done.stderr
    restored = dev.instance(TARGET)
    assert restored is not None and restored["DBInstanceStatus"] == "available"
    assert restored["DBInstanceClass"] == dev.env.database.instance_class
    assert restored["MultiAZ"] is dev.env.database.multi_az
    assert restored["PubliclyAccessible"] is False and restored["StorageEncrypted"] is True
    assert restored["DBSubnetGroup"]["DBSubnetGroupName"] == dev.names["database_subnet_group"]
    assert [g["DBParameterGroupName"] for g in restored["DBParameterGroups"]] == [dev.names["database_parameter_group"]]
    tags = {t["Key"]: t["Value"] for t in restored["TagList"]}
    assert tags["restored-from"] == SNAPSHOT and tags["restored-from-kind"] == "snapshot" and tags["restore-label"] == "inc42"
    assert tags["managed-by"] == "runbook/db-restore" and tags["environment"] == "dev"
    assert dev.instance(dev.names["database"])["DBInstanceStatus"] == "available"  # the live database is untouched
    record = done.audit[-1]
    assert record.status == "succeeded"
    assert record.outputs["restored_instance"] == TARGET
    assert record.outputs["restored_from"] == f"snapshot {SNAPSHOT}"
    assert record.outputs["data_as_of"] == tags["restore-point"]
    assert [s.name for s in record.steps if s.changed] == ["Restore into a new instance"]
    assert record.uploaded_to is not None
    after = dev.state()

    again = runbook_cli(restore("dev", "--execute"), dev)
    assert again.code == 0, again.stdout + again.stderr
    assert "Earlier restore found" in again.stdout
    assert not any(s.changed for s in again.audit[-1].steps)
    assert {k: v for k, v in dev.state().items() if k != "audit_objects"} == {
        k: v for k, v in after.items() if k != "audit_objects"
    }
    assert runbook_cli.leftover_vars_files() == []


def test_point_in_time_restore_is_tagged_with_its_restore_point(cloud: Any, runbook_cli: Any) -> None:
    dev = cloud.seed("dev")
    done = runbook_cli(restore("dev", "-p", "source=point-in-time", "--execute", label="pitr"), dev)
    assert done.code == 0, done.stdout + done.stderr
    restored = dev.instance("acme-dev-postgres-restore-pitr")
    assert restored is not None
    tags = {t["Key"]: t["Value"] for t in restored["TagList"]}
    assert tags["restored-from-kind"] == "point-in-time" and tags["restored-from"] == dev.names["database"]
    assert done.audit[-1].outputs["data_as_of"] == tags["restore-point"]
    assert [s.name for s in done.audit[-1].steps if s.changed] == ["Restore into a new instance", "Tag the restored instance"]


def test_slow_restore_times_out_then_resume_waits_without_restoring_again(cloud: Any, runbook_cli: Any, fault_proxy: Any) -> None:
    dev = cloud.seed("dev")
    # moto makes a restored instance available at once; a real restore takes long. Emulate that
    # for the new instance only, so the waiting step times out after the restore has started.
    slow = fault_proxy.rewrite(
        "DescribeDBInstances",
        b"<DBInstanceStatus>available</DBInstanceStatus>",
        b"<DBInstanceStatus>creating</DBInstanceStatus>",
        when=lambda call: TARGET.encode() in call.body,
    )
    first = runbook_cli(restore("dev", "-p", "wait_minutes=0", "--execute"), dev, endpoint=fault_proxy.url)
    assert first.code == 1, first.stdout + first.stderr
    assert first.line("Restore into a new instance").startswith("changed")
    assert first.line("Wait until the restored instance is available").startswith("FAILED"), first.stdout
    assert "AWS keeps restoring" in first.stdout
    resume = first.resume_args()
    assert resume[-2:] == ["--from-step", "Wait until the restored instance is available"]
    assert [s.status for s in first.audit[-1].steps][-4:] == ["failed", "not-run", "not-run", "not-run"]

    fault_proxy.faults.remove(slow)  # the restore has finished
    second = runbook_cli(resume, dev, endpoint=fault_proxy.url)
    assert second.code == 0, second.stdout + second.stderr
    record = second.audit[-1]
    assert record.status == "succeeded" and record.from_step == "Wait until the restored instance is available"
    assert {s.name: s.status for s in record.steps}["Restore into a new instance"] == "not-run"
    assert record.outputs["restored_instance"] == TARGET
    assert fault_proxy.count("RestoreDBInstanceFromDBSnapshot") == 1
    restores = [i for i in dev.state()["instances"] if i.startswith("acme-dev-postgres-restore-")]
    assert restores == [TARGET]


def test_a_snapshot_that_does_not_exist_is_one_clear_error_and_restores_nothing(cloud: Any, runbook_cli: Any) -> None:
    dev = cloud.seed("dev")
    before = dev.state()
    result = runbook_cli(restore("dev", "-p", "source=snapshot", "-p", "snapshot=no-such-snapshot", "--execute"), dev)
    assert result.code == 1
    assert result.line("Check the restore point").startswith("FAILED")
    assert f"no available snapshot no-such-snapshot of {dev.names['database']}; available snapshots:" in result.stdout
    assert SNAPSHOT in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert {k: v for k, v in dev.state().items() if k != "audit_objects"} == {
        k: v for k, v in before.items() if k != "audit_objects"
    }
    record = result.audit[-1]
    assert record.status == "failed" and "no-such-snapshot" in (record.error or "")
    assert not any(s.changed for s in record.steps)


def test_prod_without_confirmation_refuses_and_changes_nothing(cloud: Any, runbook_cli: Any) -> None:
    prod = cloud.seed("prod")
    before = prod.state()
    result = runbook_cli(restore("prod", "--execute"), prod)
    assert result.code == 2
    assert "needs confirmation" in result.stderr and "--confirm prod" in result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert prod.state() == before
    assert result.audit[-1].status == "refused" and result.audit[-1].environment == "prod"


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["-p", "label=INC_42"], ["parameter 'label' must match"]),
        (["-p", "snapshot=x"], ["'snapshot' applies only when source=snapshot"]),
        (["-p", "source=snapshot"], ["parameter 'snapshot' is required"]),
        (["-p", "source=point-in-time", "-p", "restore_time=2020-01-01T00:00:00Z"], ["out of bounds", "backupRetentionDays"]),
        (["-p", "source=point-in-time", "-p", "restore_time=2026-01-01T00:00:00"], ["must include a timezone"]),
        (["-p", "source=yesterday"], ["must be one of latest-snapshot, snapshot, point-in-time"]),
        (["-p", "wait_minutes=ten"], ["'wait_minutes' must be a whole number"]),
    ],
    ids=[
        "bad-label",
        "snapshot-without-source",
        "missing-snapshot",
        "restore-time-outside-window",
        "naive-time",
        "bad-source",
        "bad-number",
    ],
)
def test_bad_parameters_are_one_clear_error(runbook_cli: Any, extra: list[str], words: list[str]) -> None:
    args = ["run", RUNBOOK, "--env", "dev", *extra]
    if not any(e.startswith("label=") for e in extra):
        args[4:4] = ["-p", "label=inc42"]
    result = runbook_cli(args)  # no AWS credentials: refused before any AWS call
    assert result.code == 2, result.stdout + result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    flat = " ".join(result.stderr.split())
    for word in words:
        assert word in flat
    assert result.audit == []


def test_missing_label_is_refused_without_aws(runbook_cli: Any) -> None:
    result = runbook_cli(["run", RUNBOOK, "--env", "dev"])
    assert result.code == 2
    assert "parameter 'label' is required" in " ".join(result.stderr.split())
