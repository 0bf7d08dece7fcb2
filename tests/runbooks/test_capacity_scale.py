"""capacity-scale against moto over HTTP, through the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import time
from typing import Any

import pytest

RUNBOOK = "capacity-scale"


def scale(env: str, desired: int, *extra: str, group: str = "workloads") -> list[str]:
    return ["run", RUNBOOK, "--env", env, "-p", f"group={group}", "-p", f"desired={desired}", *extra]


def test_dry_run_changes_nothing_execute_scales_and_a_second_run_changes_nothing(cloud: Any, runbook_cli: Any) -> None:
    dev = cloud.seed("dev")
    before = dev.state()
    assert dev.nodegroup("workloads")["scalingConfig"] == {"minSize": 0, "desiredSize": 1, "maxSize": 4}

    dry = runbook_cli([*scale("dev", 3), "--log-level", "info"], dev)
    assert dry.code == 0, dry.stdout + dry.stderr
    assert dev.state() == before
    assert dry.line("Scale the node group").startswith("would change")
    assert "-desired_size: 1" in dry.stdout and "+desired_size: 3" in dry.stdout
    assert "1 node(s) wanted now, 3 requested, bounds 0..4" in dry.stdout
    record = dry.audit[-1]
    assert (record.mode, record.status, record.runbook, record.environment) == ("dry-run", "succeeded", RUNBOOK, "dev")
    assert record.who.aws is not None and record.who.aws.account == dev.env.account.id
    assert record.parameters == {"group": "workloads", "desired": 3, "wait_minutes": 20}
    assert [(s.name, s.status, s.changed) for s in record.steps] == [
        ("Read the scaling of the node group", "ok", False),
        ("Check the node group against the environment model", "ok", False),
        ("Scale the node group", "changed", True),
        ("Wait until the node group is active", "skipped", False),
        ("Verify the desired size", "skipped", False),
        ("Record the new capacity in the audit record", "skipped", False),
    ]
    logs = [json.loads(line) for line in dry.stderr.splitlines()]
    assert [e["event"] for e in logs][:2] == ["run.requested", "run.started"]
    assert logs[-1]["event"] == "run.finished" and logs[-1]["status"] == "succeeded" and logs[-1]["run_id"] == record.run_id
    assert runbook_cli.leftover_vars_files() == []

    done = runbook_cli(scale("dev", 3, "--execute"), dev)
    assert done.code == 0, done.stdout + done.stderr
    assert dev.nodegroup("workloads")["scalingConfig"] == {"minSize": 0, "desiredSize": 3, "maxSize": 4}
    assert dev.nodegroup("system")["scalingConfig"] == before["node_groups"]["acme-dev-eks-system"]
    record = done.audit[-1]
    assert (record.mode, record.status) == ("execute", "succeeded")
    assert record.outputs == {"node_group": "acme-dev-eks-workloads", "desired_size": 3, "bounds": "0..4"}
    assert record.uploaded_to is not None
    bucket, key = record.uploaded_to.removeprefix("s3://").split("/", 1)
    assert bucket == dev.names["buckets"]["logs"]
    uploaded = dev.audit_objects()
    assert list(uploaded) == [key]
    assert uploaded[key] == json.loads(record.model_copy(update={"uploaded_to": None}).model_dump_json())
    after = dev.state()

    again = runbook_cli(scale("dev", 3, "--execute"), dev)
    assert again.code == 0, again.stdout + again.stderr
    assert not any(s.changed for s in again.audit[-1].steps)
    assert again.line("Scale the node group").startswith("ok")
    assert {k: v for k, v in dev.state().items() if k != "audit_objects"} == {
        k: v for k, v in after.items() if k != "audit_objects"
    }


def test_reply_lost_after_scaling_then_resume_sends_the_update_once(cloud: Any, runbook_cli: Any, fault_proxy: Any) -> None:
    dev = cloud.seed("dev")
    fault_proxy.lose_reply("UpdateNodegroupConfig", protocol="json")

    first = runbook_cli(scale("dev", 4, "--execute"), dev, endpoint=fault_proxy.url)
    assert first.code == 1, first.stdout + first.stderr
    assert first.line("Scale the node group").startswith("FAILED")
    assert "InjectedFault" in first.stdout and "what to do:" in first.stdout
    assert dev.nodegroup("workloads")["scalingConfig"]["desiredSize"] == 4  # the change reached EKS
    failed = first.audit[-1]
    assert failed.status == "failed" and "Scale the node group" in (failed.error or "")
    assert [s.status for s in failed.steps][2:] == ["failed", "not-run", "not-run", "not-run"]
    resume = first.resume_args()
    assert resume[-2:] == ["--from-step", "Scale the node group"]

    second = runbook_cli(resume, dev, endpoint=fault_proxy.url)
    assert second.code == 0, second.stdout + second.stderr
    record = second.audit[-1]
    assert record.from_step == "Scale the node group" and record.status == "succeeded"
    assert [s.status for s in record.steps] == ["not-run", "not-run", "ok", "ok", "ok", "ok"]
    assert fault_proxy.count("UpdateNodegroupConfig") == 1
    assert dev.nodegroup("workloads")["scalingConfig"] == {"minSize": 0, "desiredSize": 4, "maxSize": 4}


def test_an_interrupted_run_stops_ansible_and_is_audited(cloud: Any, runbook_cli: Any, fault_proxy: Any) -> None:
    dev = cloud.seed("dev")
    # EKS takes minutes to update a node group; moto does not. Keep it UPDATING so the run is waiting when interrupted.
    fault_proxy.rewrite(
        "DescribeNodegroup",
        b'"status": "ACTIVE"',
        b'"status": "UPDATING"',
        when=lambda c: fault_proxy.count("UpdateNodegroupConfig") > 0,
    )
    process = runbook_cli.spawn(scale("dev", 2, "-p", "wait_minutes=5", "--execute"), dev, endpoint=fault_proxy.url)
    deadline = time.monotonic() + 60
    while fault_proxy.count("DescribeNodegroup") < 4 and time.monotonic() < deadline:  # read, scale, then waiting
        time.sleep(0.1)
    os.kill(process.pid, signal.SIGINT)
    result = runbook_cli.collect(process)
    assert result.code == 130, result.stdout + result.stderr
    assert "INTERRUPTED" in result.stdout
    assert result.resume_args()[-2:] == ["--from-step", "Wait until the node group is active"]
    record = result.audit[-1]
    assert record.status == "interrupted" and record.mode == "execute"
    assert [s.status for s in record.steps][:3] == ["ok", "ok", "changed"]
    assert runbook_cli.processes_of_this_test() == []
    assert runbook_cli.leftover_vars_files() == []


def test_prod_needs_a_matching_confirmation_and_runs_in_prods_account(cloud: Any, runbook_cli: Any) -> None:
    prod = cloud.seed("prod")
    before = prod.state()

    refused = runbook_cli(scale("prod", 10, "--execute"), prod)
    assert refused.code == 2
    assert "needs confirmation" in refused.stderr and "--confirm prod" in refused.stderr
    assert refused.stderr.count("error:") == 1 and "Traceback" not in refused.stderr
    assert prod.state() == before
    assert refused.audit[-1].status == "refused" and refused.audit[-1].who.aws is None

    wrong = runbook_cli(scale("prod", 10, "--execute", "--confirm", "staging"), prod)
    assert wrong.code == 2 and "does not match" in wrong.stderr
    assert prod.state() == before

    confirmed = runbook_cli(scale("prod", 10, "--execute", "--confirm", "prod"), prod)
    assert confirmed.code == 0, confirmed.stdout + confirmed.stderr
    assert prod.nodegroup("workloads")["scalingConfig"] == {"minSize": 3, "desiredSize": 10, "maxSize": 30}
    assert confirmed.audit[-1].who.aws.account == "333333333333"


def test_a_failed_upload_is_reported_and_kept_in_the_local_record(cloud: Any, runbook_cli: Any) -> None:
    dev = cloud.seed("dev")
    dev.client("s3").delete_bucket(Bucket=dev.names["buckets"]["logs"])
    result = runbook_cli(scale("dev", 2, "--execute"), dev)
    assert result.code == 0, result.stdout + result.stderr  # the scaling itself succeeded
    assert dev.nodegroup("workloads")["scalingConfig"]["desiredSize"] == 2
    assert "WARNING: the audit record was NOT uploaded" in result.stdout
    record = result.audit[-1]
    assert record.uploaded_to is None and "NoSuchBucket" in (record.upload_error or "")
    assert json.loads(result.stderr.splitlines()[-1])["event"] == "audit.upload_failed"


def test_credentials_of_another_account_are_refused_before_anything_runs(cloud: Any, runbook_cli: Any) -> None:
    dev = cloud.seed("dev")
    before = dev.state()
    result = runbook_cli(scale("staging", 2), dev)
    assert result.code == 2
    assert "credentials are for account 111111111111" in result.stderr and "222222222222" in result.stderr
    assert dev.state() == before
    assert result.audit[-1].status == "refused"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["run", "capacity-scal", "--env", "dev"], ["unknown runbook 'capacity-scal'", "did you mean 'capacity-scale'"]),
        (scale("dve", 2), ["unknown environment 'dve'", "did you mean 'dev'"]),
        (["run", RUNBOOK, "--env", "dev", "-p", "group=workloads"], ["parameter 'desired' is required"]),
        (scale("dev", 5), ["'desired' is out of bounds", "0 to 4", "cluster.nodeGroups.workloads.minSize..maxSize"]),
        (scale("dev", 2, group="gpu"), ["'group' must be one of system, workloads"]),
        (scale("dev", -1), ["'desired' is out of bounds"]),
        (scale("dev", 2, "-p", "desird=2"), ["unknown parameter 'desird'"]),
        (
            scale("dev", 2, "--from-step", "Scale the nodes"),
            ["has no step 'Scale the nodes'", "did you mean 'Scale the node group'"],
        ),
        (
            scale("dev", 2, "--from-step", "Verify the desired size"),
            ["cannot resume", "'scaled'", "Wait until the node group is active"],
        ),
        (scale("dev", 2, "--confirm", "dev"), ["--confirm applies only with --execute"]),
    ],
    ids=[
        "unknown-runbook",
        "unknown-environment",
        "missing-parameter",
        "above-model-bounds",
        "unknown-node-group",
        "below-model-bounds",
        "unknown-parameter",
        "unknown-step",
        "not-a-resume-point",
        "confirm-without-execute",
    ],
)
def test_bad_input_is_one_clear_error(runbook_cli: Any, args: list[str], words: list[str]) -> None:
    # No AWS credentials at all: bad input must be refused before any AWS call (and so changes nothing).
    result = runbook_cli(args)
    assert result.code == 2, result.stdout + result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    flat = " ".join(result.stderr.split())
    for word in words:
        assert word in flat
    assert result.stdout == ""
    assert result.audit == []
