"""incident-bootstrap against moto over HTTP, through the real CLI in a subprocess."""

from __future__ import annotations

import json
from typing import Any

import pytest

RUNBOOK = "incident-bootstrap"
KEY = "incidents/inc42/bootstrap.json"
ALARM = "acme-dev-postgres-cpu"


def bootstrap(env: str, *extra: str, incident: str = "inc42") -> list[str]:
    return ["run", RUNBOOK, "--env", env, "-p", f"incident={incident}", *extra]


def with_alarms(account: Any) -> Any:
    """Two alarms, one firing (moto changes alarm states only through SetAlarmState)."""
    cloudwatch = account.client("cloudwatch")
    for name, metric in ((ALARM, "CPUUtilization"), ("acme-dev-postgres-storage", "FreeStorageSpace")):
        cloudwatch.put_metric_alarm(
            AlarmName=name,
            Namespace="AWS/RDS",
            MetricName=metric,
            Statistic="Average",
            Period=60,
            EvaluationPeriods=3,
            Threshold=80,
            ComparisonOperator="GreaterThanThreshold",
        )
    cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="Threshold Crossed: 3 datapoints > 80")
    cloudwatch.set_alarm_state(AlarmName="acme-dev-postgres-storage", StateValue="OK", StateReason="fine")
    return account


def incidents(account: Any) -> dict[str, Any]:
    """Objects under incidents/ in the logs bucket: key -> (parsed JSON, tags)."""
    s3 = account.client("s3")
    bucket = account.names["buckets"]["logs"]
    listing = s3.list_objects_v2(Bucket=bucket, Prefix="incidents/").get("Contents", [])
    return {
        o["Key"]: (
            json.loads(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()),
            {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key=o["Key"])["TagSet"]},
        )
        for o in listing
    }


def state(account: Any) -> dict[str, Any]:
    return {**account.state(), "incidents": incidents(account)}


def puts_of(proxy: Any, account: Any, key: str) -> int:
    """PutObject calls for ``key`` (not PutObjectTagging, which has the same path and a ?tagging query)."""
    path = f"/{account.names['buckets']['logs']}/{key}"
    return sum(1 for c in proxy.calls if c.method == "PUT" and c.path == path)


def test_dry_run_uploads_nothing_execute_uploads_the_bundle_and_a_second_run_keeps_it(cloud: Any, runbook_cli: Any) -> None:
    dev = with_alarms(cloud.seed("dev"))
    before = state(dev)

    dry = runbook_cli(bootstrap("dev", "-p", "lookback_hours=6"), dev)
    assert dry.code == 0, dry.stdout + dry.stderr
    assert state(dev) == before
    out = " ".join(dry.stdout.split())
    assert "Alarms: 1 of 2 in ALARM" in out
    assert f"ALARM {ALARM} since " in out and ": Threshold Crossed: 3 datapoints > 80" in out
    assert "acme-dev-postgres: DB instance created" in out
    assert "Configuration changes: NOT COLLECTED: cannot look up CloudTrail events (cloudtrail:LookupEvents)" in out
    assert f"Bundle: dry run, not uploaded; --execute uploads it to s3://{dev.names['buckets']['logs']}/{KEY}" in out
    assert dry.line("Upload the incident bundle").startswith("would change")
    assert [s.name for s in dry.audit[-1].steps if s.changed] == ["Upload the incident bundle"]
    assert dry.audit[-1].outputs == {}

    done = runbook_cli(bootstrap("dev", "-p", "lookback_hours=6", "--execute"), dev)
    assert done.code == 0, done.stdout + done.stderr
    uploaded = incidents(dev)
    assert list(uploaded) == [KEY]
    bundle, tags = uploaded[KEY]
    assert (bundle["incident"], bundle["environment"], bundle["account"]) == ("inc42", "dev", "111111111111")
    assert bundle["lookback_hours"] == 6 and bundle["run_id"] == done.audit[-1].run_id
    assert bundle["alarms"]["collected"] is True and bundle["alarms"]["error"] is None
    assert bundle["alarms"]["in_alarm"] == [ALARM]
    assert {a["alarm_name"]: a["state_value"] for a in bundle["alarms"]["items"]} == {
        ALARM: "ALARM",
        "acme-dev-postgres-storage": "OK",
    }
    events = bundle["database_events"]
    assert events["collected"] is True
    assert ("acme-dev-postgres", "DB instance created") in [(e["source_identifier"], e["message"]) for e in events["items"]]
    assert [e["date"] for e in events["items"]] == sorted((e["date"] for e in events["items"]), reverse=True)
    changes = bundle["configuration_changes"]
    assert changes["collected"] is False and "LookupEvents" in changes["error"] and changes["items"] == []
    assert tags["incident"] == "inc42" and tags["managed-by"] == "runbook/incident-bootstrap" and tags["environment"] == "dev"
    record = done.audit[-1]
    assert record.status == "succeeded"
    assert record.outputs == {
        "bundle": f"s3://{dev.names['buckets']['logs']}/{KEY}",
        "uploaded": True,
        "alarms_in_alarm": [ALARM],
        "database_events": len(events["items"]),
        "configuration_changes": "not collected",
    }
    assert "Read it: aws s3 cp s3://" in done.stdout
    after = state(dev)

    # The alarm recovers; the same bundle name keeps the first snapshot, a new name takes a second one.
    dev.client("cloudwatch").set_alarm_state(AlarmName=ALARM, StateValue="OK", StateReason="recovered")
    again = runbook_cli(bootstrap("dev", "-p", "lookback_hours=6", "--execute"), dev)
    assert again.code == 0, again.stdout + again.stderr
    assert not any(s.changed for s in again.audit[-1].steps)
    assert "already existed and was kept" in again.stdout and "Alarms: 0 of 2 in ALARM" in again.stdout
    assert incidents(dev) == after["incidents"]


def test_reply_lost_after_the_upload_then_resume_uploads_once(cloud: Any, runbook_cli: Any, fault_proxy: Any) -> None:
    dev = with_alarms(cloud.seed("dev"))
    path = f"/{dev.names['buckets']['logs']}/{KEY}"
    fault = fault_proxy.lose_reply("PutObject", protocol="xml")
    fault.matches = lambda call: call.method == "PUT" and call.path == path

    first = runbook_cli(bootstrap("dev", "--execute"), dev, endpoint=fault_proxy.url)
    assert first.code == 1, first.stdout + first.stderr
    assert first.line("Upload the incident bundle").startswith("FAILED")
    assert "what to do:" in first.stdout
    assert list(incidents(dev)) == [KEY]  # the object reached S3
    resume = first.resume_args()
    assert resume[-2:] == ["--from-step", "Read the alarm states"]  # collect again: the upload needs the bundle

    second = runbook_cli(resume, dev, endpoint=fault_proxy.url)
    assert second.code == 0, second.stdout + second.stderr
    assert puts_of(fault_proxy, dev, KEY) == 1
    assert "already existed and was kept" in second.stdout
    bundle, tags = incidents(dev)[KEY]
    assert bundle["run_id"] == first.audit[-1].run_id and tags["incident"] == "inc42"  # tagged on resume


def test_prod_without_confirmation_refuses_and_uploads_nothing(cloud: Any, runbook_cli: Any) -> None:
    prod = cloud.seed("prod")
    before = state(prod)
    result = runbook_cli(bootstrap("prod", "--execute"), prod)
    assert result.code == 2
    assert "needs confirmation" in result.stderr and "--confirm prod" in result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert state(prod) == before
    assert result.audit[-1].status == "refused"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["run", RUNBOOK, "--env", "dev"], ["parameter 'incident' is required"]),
        (bootstrap("dev", incident="INC 42"), ["parameter 'incident' must match"]),
        (bootstrap("dev", "-p", "lookback_hours=0"), ["parameter 'lookback_hours' must be at least 1; got 0"]),
        (bootstrap("dev", "-p", "lookback_hours=400"), ["parameter 'lookback_hours' must be at most 336; got 400"]),
        (bootstrap("dev", "-p", "bundle=../escape"), ["parameter 'bundle' must match"]),
        (bootstrap("qa"), ["unknown environment 'qa'"]),
    ],
    ids=["missing-incident", "bad-incident", "lookback-too-short", "lookback-too-long", "bad-bundle", "unknown-environment"],
)
def test_bad_input_is_one_clear_error(runbook_cli: Any, args: list[str], words: list[str]) -> None:
    result = runbook_cli(args)  # no AWS credentials: refused before any AWS call
    assert result.code == 2, result.stdout + result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    flat = " ".join(result.stderr.split())
    for word in words:
        assert word in flat
    assert result.audit == []
