"""s3-restore-objects against moto over HTTP, through the real CLI in a subprocess."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

RUNBOOK = "s3-restore-objects"
PREFIX = "reports/"


def versions(account: Any, bucket: str) -> list[tuple[str, str, bool, bool]]:
    """Every version and delete marker of the bucket: (key, version id, is latest, is a delete marker)."""
    listing = account.client("s3").list_object_versions(Bucket=bucket)
    items = [(v["Key"], v["VersionId"], v["IsLatest"], False) for v in listing.get("Versions", [])]
    items += [(m["Key"], m["VersionId"], m["IsLatest"], True) for m in listing.get("DeleteMarkers", [])]
    return sorted(items)


def line_with(text: str, part: str) -> str:
    found = [line for line in text.splitlines() if part in line]
    assert found, f"no line with {part!r} in:\n{text}"
    return found[0]


def content(account: Any, bucket: str, key: str) -> bytes | None:
    s3 = account.client("s3")
    try:
        return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except s3.exceptions.NoSuchKey:
        return None


def seed_damaged_bucket(account: Any, *, wait: bool = True) -> tuple[str, str, dict[str, str]]:
    """The artifacts bucket (versioned) with objects written, then damaged a second later; returns the bucket, a restore
    point between the two and the version IDs written before it. ``wait=False``: no second between them, for tests
    that stop before the restore."""
    bucket = account.names["buckets"]["artifacts"]
    s3 = account.client("s3")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": account.env.account.region})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    good = {}
    for key, body in [
        ("reports/a.txt", b"a-good"),
        ("reports/b.txt", b"b-good"),
        ("reports/d.txt", b"d-good"),
        ("reports/e.txt", b"e-good"),
        ("other/x.txt", b"x-good"),
    ]:
        good[key] = s3.put_object(Bucket=bucket, Key=key, Body=body, Tagging="team=data")["VersionId"]
    # S3 (and moto) keep second-precision times: leave a whole second on each side of the restore point.
    if wait:
        time.sleep(1.05 - (time.time() % 1))
    point = datetime.now(UTC).replace(microsecond=0)
    if wait:
        time.sleep(1.05)
    s3.put_object(Bucket=bucket, Key="reports/a.txt", Body=b"a-bad")  # overwritten
    s3.delete_object(Bucket=bucket, Key="reports/b.txt")  # deleted
    s3.put_object(Bucket=bucket, Key="reports/c.txt", Body=b"c-new")  # created after: kept
    s3.put_object(Bucket=bucket, Key="reports/e.txt", Body=b"e-bad")  # overwritten, then deleted
    s3.delete_object(Bucket=bucket, Key="reports/e.txt")
    s3.delete_object(Bucket=bucket, Key="other/x.txt")  # outside the prefix: not touched
    return bucket, point.strftime("%Y-%m-%dT%H:%M:%SZ"), good


def restore(env: str, point: str, *extra: str, prefix: str = PREFIX) -> list[str]:
    return [
        "run",
        RUNBOOK,
        "--env",
        env,
        "-p",
        "bucket=artifacts",
        "-p",
        f"prefix={prefix}",
        "-p",
        f"restore_point={point}",
        *extra,
    ]


def test_dry_run_changes_nothing_execute_restores_and_a_second_run_changes_nothing(cloud: Any, runbook_cli: Any) -> None:
    dev = cloud.seed("dev")
    bucket, point, good = seed_damaged_bucket(dev)
    before = versions(dev, bucket)

    dry = runbook_cli(restore("dev", point), dev)
    assert dry.code == 0, dry.stdout + dry.stderr
    assert versions(dev, bucket) == before
    assert dry.line("Restore the objects").startswith("would change")
    assert f"3 of 5 key(s) under s3://{bucket}/{PREFIX} were deleted or overwritten after {point}:" in dry.stdout
    assert f"-> version {good['reports/b.txt']} written at " in line_with(dry.stdout, "reports/b.txt: deleted at ")
    assert "reports/c.txt" not in dry.stdout  # created after the restore point
    assert dry.audit[-1].mode == "dry-run" and dry.audit[-1].status == "succeeded"

    done = runbook_cli(restore("dev", point, "--execute"), dev)
    assert done.code == 0, done.stdout + done.stderr
    for key in ("reports/a.txt", "reports/b.txt", "reports/d.txt", "reports/e.txt"):
        assert content(dev, bucket, key) == key.split("/")[1][0].encode() + b"-good", key
    assert content(dev, bucket, "reports/c.txt") == b"c-new"
    assert content(dev, bucket, "other/x.txt") is None
    s3 = dev.client("s3")
    # The deleted key got its own old version back (delete marker removed, nothing copied) ...
    assert s3.head_object(Bucket=bucket, Key="reports/b.txt")["VersionId"] == good["reports/b.txt"]
    # ... the overwritten ones a copy of it, tagged with where it came from, keeping the old version's tags.
    tags = {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key="reports/a.txt")["TagSet"]}
    assert tags == {"team": "data", "restored-from-version": good["reports/a.txt"]}
    record = done.audit[-1]
    assert record.status == "succeeded"
    assert record.outputs["restored_keys"] == ["reports/a.txt", "reports/b.txt", "reports/e.txt"]
    assert record.outputs["restored_count"] == 3 and record.outputs["bucket"] == bucket
    assert [s.name for s in record.steps if s.changed] == ["Restore the objects"]
    after = versions(dev, bucket)

    again = runbook_cli(restore("dev", point, "--execute"), dev)
    assert again.code == 0, again.stdout + again.stderr
    assert "0 of 5 key(s)" in again.stdout and "nothing to restore" in again.stdout
    assert not any(s.changed for s in again.audit[-1].steps)
    assert versions(dev, bucket) == after


def test_a_lost_reply_mid_restore_then_resume_restores_each_key_once(cloud: Any, runbook_cli: Any, fault_proxy: Any) -> None:
    dev = cloud.seed("dev")
    bucket, point, _ = seed_damaged_bucket(dev)
    # The copy of the last key reaches S3 but its reply is lost: the step fails after two keys and a half.
    fault_proxy.lose_reply(f"PUT /{bucket}/reports/e.txt", protocol="xml")
    first = runbook_cli(restore("dev", point, "--execute"), dev, endpoint=fault_proxy.url)
    assert first.code == 1, first.stdout + first.stderr
    assert first.line("Restore the objects").startswith("FAILED")
    assert "cannot restore s3://" in first.stdout and "reports/e.txt" in first.stdout
    resume = first.resume_args()
    assert resume[-2:] == ["--from-step", "Restore the objects"]

    second = runbook_cli(resume, dev, endpoint=fault_proxy.url)
    assert second.code == 0, second.stdout + second.stderr
    record = second.audit[-1]
    assert record.status == "succeeded" and record.from_step == "Restore the objects"
    assert not any(s.changed for s in record.steps)  # everything was restored by the first run
    assert fault_proxy.count(f"PUT /{bucket}/reports/a.txt") == 1
    assert fault_proxy.count(f"PUT /{bucket}/reports/e.txt") == 1
    assert fault_proxy.count(f"DELETE /{bucket}/reports/b.txt") == 1
    for key in ("reports/a.txt", "reports/b.txt", "reports/e.txt"):
        assert content(dev, bucket, key) == key.split("/")[1][0].encode() + b"-good", key


@pytest.mark.parametrize(
    ("bucket_role", "prefix", "words"),
    [
        ("artifacts", "no-such-prefix/", "no object and no previous version under s3://acme-dev-artifacts-"),
        ("backups", PREFIX, "bucket acme-dev-backups-"),
    ],
    ids=["prefix-without-objects", "bucket-missing"],
)
def test_a_prefix_or_bucket_that_does_not_exist_is_one_clear_error(
    cloud: Any, runbook_cli: Any, bucket_role: str, prefix: str, words: str
) -> None:
    dev = cloud.seed("dev")
    bucket, point, _ = seed_damaged_bucket(dev, wait=False)
    before = versions(dev, bucket)
    args = restore("dev", point, "--execute", prefix=prefix)
    args[args.index("bucket=artifacts")] = f"bucket={bucket_role}"
    result = runbook_cli(args, dev)
    assert result.code == 1
    assert result.line("Find what changed after the restore point").startswith("FAILED")
    assert words in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert versions(dev, bucket) == before
    assert not any(s.changed for s in result.audit[-1].steps)


def test_prod_without_confirmation_refuses_and_changes_nothing(cloud: Any, runbook_cli: Any) -> None:
    prod = cloud.seed("prod")
    bucket, point, _ = seed_damaged_bucket(prod, wait=False)
    before = versions(prod, bucket)
    result = runbook_cli(restore("prod", point, "--execute"), prod)
    assert result.code == 2
    assert "needs confirmation" in result.stderr and "--confirm prod" in result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert versions(prod, bucket) == before
    assert result.audit[-1].status == "refused"


def _point(days_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("params", "words"),
    [
        (["bucket=artifacts", "prefix=reports/"], ["parameter 'restore_point' is required"]),
        (["prefix=reports/", f"restore_point={_point(1)}"], ["parameter 'bucket' is required"]),
        (["bucket=artifacts", "prefix=/reports", f"restore_point={_point(1)}"], ["parameter 'prefix' must match"]),
        (["bucket=media", "prefix=reports/", f"restore_point={_point(1)}"], ["must be one of artifacts, logs, backups"]),
        (
            ["bucket=artifacts", "prefix=reports/", f"restore_point={_point(20)}"],
            ["out of bounds", "storage.artifacts.noncurrentVersionExpireDays (14 days back from now)"],
        ),
        (["bucket=artifacts", "prefix=reports/", f"restore_point={_point(-1)}"], ["out of bounds"]),
        (["bucket=artifacts", "prefix=reports/", f"restore_point={_point(1)}", "max_objects=0"], ["must be at least 1"]),
    ],
    ids=["missing-time", "missing-bucket", "leading-slash", "unknown-bucket", "older-than-versions-kept", "future", "zero"],
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
