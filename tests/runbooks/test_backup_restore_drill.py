"""backup-restore-drill against moto over HTTP, through the real CLI in a subprocess."""

from __future__ import annotations

import json
from typing import Any

import pytest

RUNBOOK = "backup-restore-drill"
SNAPSHOT = "manual-before-change"
"""The manual snapshot the cloud fixture gives every database (newer than moto's automated one)."""
SCRATCH = "acme-dev-postgres-drill-2026w05"
REPORT_KEY = "backup-drills/dev/2026w05.json"


def drill(env: str, *extra: str, label: str = "2026w05") -> list[str]:
    return ["run", RUNBOOK, "--env", env, "-p", f"label={label}", *extra]


def report(account: Any) -> dict[str, Any] | None:
    s3 = account.client("s3")
    bucket = account.names["buckets"]["logs"]
    try:
        return dict(json.loads(s3.get_object(Bucket=bucket, Key=REPORT_KEY)["Body"].read()))
    except s3.exceptions.NoSuchKey:
        return None


def drill_objects(account: Any) -> list[str]:
    listing = account.client("s3").list_objects_v2(Bucket=account.names["buckets"]["logs"], Prefix="backup-drills/")
    return sorted(o["Key"] for o in listing.get("Contents", []))


def state(account: Any) -> dict[str, Any]:
    return {**{k: v for k, v in account.state().items() if k != "audit_objects"}, "drill_reports": drill_objects(account)}


def test_dry_run_changes_nothing_execute_drills_and_cleans_up_and_a_second_run_changes_nothing(
    cloud: Any, runbook_cli: Any
) -> None:
    dev = cloud.seed("dev")
    before = state(dev)

    dry = runbook_cli(drill("dev"), dev)
    assert dry.code == 0, dry.stdout + dry.stderr
    assert state(dev) == before
    assert dry.line("Restore the snapshot into a scratch instance").startswith("would change")
    assert f"snapshot {SNAPSHOT} taken at " in dry.stdout and f"minutes old) -> {SCRATCH}" in dry.stdout
    assert dry.line("Write the drill report").startswith("skipped")

    done = runbook_cli(drill("dev", "--execute"), dev)
    assert done.code == 0, done.stdout + done.stderr
    assert dev.instance(SCRATCH) is None  # torn down
    assert dev.instance(dev.names["database"])["DBInstanceStatus"] == "available"  # the live database is untouched
    written = report(dev)
    assert written is not None
    assert written["snapshot"] == SNAPSHOT and written["scratch_instance"] == SCRATCH and written["checks"] == "passed"
    assert written["instance_class"] == dev.env.database.instance_class
    assert 0 <= written["restore_seconds"] < 120  # moto restores at once: only the runbook's own overhead
    assert 0 <= written["data_age_seconds"] < 300  # the snapshot was taken when the test seeded the database
    assert f"restored from {SNAPSHOT} in {written['restore_seconds']} s (RTO measured)" in " ".join(done.stdout.split())
    record = done.audit[-1]
    assert record.status == "succeeded"
    assert record.outputs["restore_seconds"] == written["restore_seconds"]
    assert record.outputs["data_age_seconds"] == written["data_age_seconds"]
    assert record.outputs["snapshot"] == SNAPSHOT
    assert record.outputs["report"] == f"s3://{dev.names['buckets']['logs']}/{REPORT_KEY}"
    assert [s.name for s in record.steps if s.changed] == [
        "Restore the snapshot into a scratch instance",
        "Write the drill report",
        "Tear down the scratch instance",
    ]
    after = state(dev)
    assert after["instances"] == before["instances"] and after["snapshots"] == before["snapshots"]

    again = runbook_cli(drill("dev", "--execute"), dev)
    assert again.code == 0, again.stdout + again.stderr
    assert "it is not repeated" in again.stdout
    assert not any(s.changed for s in again.audit[-1].steps)
    assert again.audit[-1].outputs["restore_seconds"] == written["restore_seconds"]
    assert state(dev) == after and report(dev) == written


def test_slow_restore_times_out_then_resume_continues_the_same_drill(cloud: Any, runbook_cli: Any, fault_proxy: Any) -> None:
    dev = cloud.seed("dev")
    # moto makes a restored instance available at once; a real restore takes long. Emulate that for the scratch
    # instance only, so the waiting step times out after the restore has started.
    slow = fault_proxy.rewrite(
        "DescribeDBInstances",
        b"<DBInstanceStatus>available</DBInstanceStatus>",
        b"<DBInstanceStatus>creating</DBInstanceStatus>",
        when=lambda call: SCRATCH.encode() in call.body,
    )
    first = runbook_cli(drill("dev", "-p", "wait_minutes=0", "--execute"), dev, endpoint=fault_proxy.url)
    assert first.code == 1, first.stdout + first.stderr
    assert first.line("Restore the snapshot into a scratch instance").startswith("changed")
    assert first.line("Wait until the scratch instance is available").startswith("FAILED")
    assert "AWS keeps restoring" in first.stdout
    started = {t["Key"]: t["Value"] for t in dev.instance(SCRATCH)["TagList"]}["drill-started-at"]
    resume = first.resume_args()
    assert resume[-2:] == ["--from-step", "Look up an earlier drill report"]  # later steps need the drill's facts

    fault_proxy.faults.remove(slow)  # the restore has finished
    second = runbook_cli(resume, dev, endpoint=fault_proxy.url)
    assert second.code == 0, second.stdout + second.stderr
    assert "Continuing the unfinished drill" in second.stdout
    assert second.line("Restore the snapshot into a scratch instance").startswith("ok")  # the instance exists: reused
    assert fault_proxy.count("RestoreDBInstanceFromDBSnapshot") == 1
    assert dev.instance(SCRATCH) is None
    written = report(dev)
    assert written is not None and written["resumed"] is True and written["started_at"] == started
    assert second.audit[-1].outputs["restore_seconds"] == written["restore_seconds"]


def test_a_database_without_snapshots_is_one_clear_error_and_creates_nothing(cloud: Any, runbook_cli: Any) -> None:
    staging = cloud.account("staging")  # an account without the database, but with its logs bucket
    staging.client("s3").create_bucket(
        Bucket=staging.names["buckets"]["logs"], CreateBucketConfiguration={"LocationConstraint": staging.env.account.region}
    )
    result = runbook_cli(drill("staging", "--execute", "--confirm", "staging"), staging)
    assert result.code == 1, result.stdout + result.stderr
    assert result.line("Check the snapshot").startswith("FAILED")
    assert "acme-staging-postgres has no available snapshot to drill with" in " ".join(result.stdout.split())
    assert "Traceback" not in result.stdout + result.stderr
    assert staging.client("rds").describe_db_instances()["DBInstances"] == []
    assert not any(s.changed for s in result.audit[-1].steps)


def test_prod_without_confirmation_refuses_and_changes_nothing(cloud: Any, runbook_cli: Any) -> None:
    prod = cloud.seed("prod")
    before = state(prod)
    result = runbook_cli(drill("prod", "--execute"), prod)
    assert result.code == 2
    assert "needs confirmation" in result.stderr and "--confirm prod" in result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert state(prod) == before
    assert result.audit[-1].status == "refused"


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ([], ["parameter 'label' is required"]),
        (["label=Week 5"], ["parameter 'label' must match"]),
        (["label=w5", "wait_minutes=-1"], ["'wait_minutes' must be at least 0"]),
        (["label=w5", "wait_minutes=721"], ["'wait_minutes' must be at most 720"]),
    ],
    ids=["missing-label", "bad-label", "negative-wait", "wait-too-long"],
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
