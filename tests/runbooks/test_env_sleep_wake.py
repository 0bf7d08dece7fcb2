"""env-sleep and env-wake against moto over HTTP, through the real CLI in a subprocess."""

from __future__ import annotations

import json
from typing import Any

import pytest

SLEEP = "env-sleep"
WAKE = "env-wake"
SYSTEM = "acme-dev-eks-system"
WORKLOADS = "acme-dev-eks-workloads"


def run(runbook: str, env: str, *extra: str) -> list[str]:
    return ["run", runbook, "--env", env, *extra]


def memory(account: Any) -> dict[str, Any] | None:
    """The sizes env-sleep remembered (the SSM parameter's JSON), or None."""
    ssm = account.client("ssm")
    try:
        value = ssm.get_parameter(Name=account.names["sleep_memory"])["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        return None
    return dict(json.loads(value))


def full_state(account: Any, *, audit: bool = True) -> dict[str, Any]:
    """What the runbooks could change: the fixture's state plus the SSM parameters (values and tags)."""
    ssm = account.client("ssm")
    parameters = {
        p["Name"]: (
            ssm.get_parameter(Name=p["Name"])["Parameter"]["Value"],
            sorted(
                (t["Key"], t["Value"])
                for t in ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=p["Name"])["TagList"]
            ),
        )
        for p in ssm.describe_parameters()["Parameters"]
    }
    state = {**account.state(), "parameters": parameters}
    if not audit:
        del state["audit_objects"]
    return state


def scaling(account: Any) -> dict[str, tuple[int, int, int]]:
    """(min, desired, max) of each node group."""
    return {
        name: (config["minSize"], config["desiredSize"], config["maxSize"])
        for name, config in account.state()["node_groups"].items()
    }


def db_status(account: Any) -> str:
    return str(account.instance(account.names["database"])["DBInstanceStatus"])


def set_scaling(account: Any, group: str, **config: int) -> None:
    """What the autoscaler (or an operator) did before the sleep."""
    account.client("eks").update_nodegroup_config(
        clusterName=account.names["cluster"], nodegroupName=account.names["node_groups"][group], scalingConfig=config
    )


def test_sleep_dry_run_then_a_lost_reply_then_resume_then_again(cloud: Any, runbook_cli: Any, fault_proxy: Any) -> None:
    dev = cloud.seed("dev")
    set_scaling(dev, "system", minSize=1, desiredSize=1)  # min drifted from the model's 0: sleeping still needs min 0
    set_scaling(dev, "workloads", desiredSize=3)  # the autoscaler's size, not the model's desiredSize 1
    before = full_state(dev)
    assert scaling(dev) == {SYSTEM: (1, 1, 3), WORKLOADS: (0, 3, 4)}

    dry = runbook_cli(run(SLEEP, "dev"), dev)
    assert dry.code == 0, dry.stdout + dry.stderr
    assert full_state(dev) == before
    assert "dev (non-production) allows scale-to-zero (cost.allowScaleToZero)" in dry.stdout
    assert "database acme-dev-postgres: available -> stopped" in dry.stdout
    assert f"node group {SYSTEM}: desired 1 -> 0, min 1 -> 0 (max 3)" in dry.stdout
    assert f"node group {WORKLOADS}: desired 3 -> 0, min 0 -> 0 (max 4)" in dry.stdout
    assert dry.line("Scale the node groups to zero").startswith("would change")
    assert "-  desired_size: 3" in dry.stdout and "+  desired_size: 0" in dry.stdout
    record = dry.audit[-1]
    assert (record.mode, record.status) == ("dry-run", "succeeded")
    assert [s.name for s in record.steps if s.changed] == [
        "Remember the node group sizes",
        "Scale the node groups to zero",
        "Stop the database",
    ]

    # The first node group is scaled, then the reply is lost: the step fails with the second group untouched.
    fault_proxy.lose_reply("UpdateNodegroupConfig", protocol="json")
    first = runbook_cli(run(SLEEP, "dev", "--execute"), dev, endpoint=fault_proxy.url)
    assert first.code == 1, first.stdout + first.stderr
    assert first.line("Scale the node groups to zero").startswith("FAILED")
    assert "InjectedFault" in first.stdout and "what to do:" in first.stdout
    assert memory(dev) == {"node_groups": {"system": 1, "workloads": 3}}
    assert scaling(dev) == {SYSTEM: (0, 0, 3), WORKLOADS: (0, 3, 4)}
    assert db_status(dev) == "available"
    resume = first.resume_args()
    assert resume[-2:] == ["--from-step", "Scale the node groups to zero"]

    second = runbook_cli(resume, dev, endpoint=fault_proxy.url)
    assert second.code == 0, second.stdout + second.stderr
    assert fault_proxy.count("UpdateNodegroupConfig") == 2  # one per node group: the first was not sent again
    assert scaling(dev) == {SYSTEM: (0, 0, 3), WORKLOADS: (0, 0, 4)}
    assert db_status(dev) == "stopped"
    assert memory(dev) == {"node_groups": {"system": 1, "workloads": 3}}
    tags = dict(full_state(dev)["parameters"][dev.names["sleep_memory"]][1])
    assert tags["managed-by"] == "runbook/env-sleep" and tags["environment"] == "dev" and tags["Name"] == "acme-dev-env-sleep"
    record = second.audit[-1]
    assert record.status == "succeeded" and record.from_step == "Scale the node groups to zero"
    assert record.outputs == {
        "database": "acme-dev-postgres stopped",
        "node_groups": f"{SYSTEM}, {WORKLOADS} at 0 nodes",
        "remembered_sizes": {"node_groups": {"system": 1, "workloads": 3}},
        "memory": "SSM parameter acme-dev-env-sleep",
    }
    asleep = full_state(dev, audit=False)

    again = runbook_cli(run(SLEEP, "dev", "--execute"), dev)
    assert again.code == 0, again.stdout + again.stderr
    assert not any(s.changed for s in again.audit[-1].steps)
    assert full_state(dev, audit=False) == asleep  # the sizes are still remembered, not overwritten with zeros


def test_wake_restores_the_remembered_sizes_within_the_model_and_resumes_after_a_lost_reply(
    cloud: Any, runbook_cli: Any, fault_proxy: Any
) -> None:
    dev = cloud.seed("dev")
    set_scaling(dev, "system", desiredSize=1)  # model desiredSize 2: waking must bring back 1, not 2
    slept = runbook_cli(run(SLEEP, "dev", "--execute"), dev)
    assert slept.code == 0, slept.stdout + slept.stderr
    assert scaling(dev) == {SYSTEM: (0, 0, 3), WORKLOADS: (0, 0, 4)} and db_status(dev) == "stopped"
    # Someone edits the memory to more than the model allows (workloads maxSize 4): waking keeps within the bounds.
    dev.client("ssm").put_parameter(
        Name=dev.names["sleep_memory"], Value=json.dumps({"node_groups": {"system": 1, "workloads": 9}}), Overwrite=True
    )
    before = full_state(dev)

    dry = runbook_cli(run(WAKE, "dev"), dev)
    assert dry.code == 0, dry.stdout + dry.stderr
    assert full_state(dev) == before
    assert "database acme-dev-postgres: stopped -> available" in dry.stdout
    assert f"node group {SYSTEM}: desired 0 -> 1 (remembered by env-sleep), min 0 -> 0" in dry.stdout
    assert (
        f"node group {WORKLOADS}: desired 0 -> 4 (remembered by env-sleep: 9, kept within the model bounds 0..4), min 0 -> 0"
        in dry.stdout
    )
    assert [s.name for s in dry.audit[-1].steps if s.changed] == [
        "Scale the node groups back",
        "Start the database",
        "Forget the remembered sizes",
    ]

    fault_proxy.lose_reply("StartDBInstance", protocol="query")
    first = runbook_cli(run(WAKE, "dev", "--execute"), dev, endpoint=fault_proxy.url)
    assert first.code == 1, first.stdout + first.stderr
    assert first.line("Start the database").startswith("FAILED")
    assert db_status(dev) == "available"  # the start reached RDS
    assert memory(dev) is not None and scaling(dev)[WORKLOADS] == (0, 4, 4)  # scaled before the database starts
    resume = first.resume_args()
    assert resume[-2:] == ["--from-step", "Start the database"]

    second = runbook_cli(resume, dev, endpoint=fault_proxy.url)
    assert second.code == 0, second.stdout + second.stderr
    assert fault_proxy.count("StartDBInstance") == 1
    assert scaling(dev) == {SYSTEM: (0, 1, 3), WORKLOADS: (0, 4, 4)}
    assert db_status(dev) == "available"
    assert memory(dev) is None
    record = second.audit[-1]
    assert record.status == "succeeded"
    assert record.outputs == {
        "database": "acme-dev-postgres available",
        "node_groups": {
            SYSTEM: {"min_size": 0, "desired_size": 1, "max_size": 3},
            WORKLOADS: {"min_size": 0, "desired_size": 4, "max_size": 4},
        },
    }
    awake = full_state(dev, audit=False)

    again = runbook_cli(run(WAKE, "dev", "--execute"), dev)
    assert again.code == 0, again.stdout + again.stderr
    assert f"node group {WORKLOADS}: desired 4 -> 4 (current size), min 0 -> 0" in again.stdout
    assert not any(s.changed for s in again.audit[-1].steps)
    assert full_state(dev, audit=False) == awake


def test_sleep_refuses_an_environment_whose_model_does_not_allow_scale_to_zero(cloud: Any, runbook_cli: Any) -> None:
    staging = cloud.seed("staging")
    before = full_state(staging)
    result = runbook_cli(run(SLEEP, "staging"), staging)
    assert result.code == 1, result.stdout + result.stderr
    assert result.line("Check that the environment may sleep").startswith("FAILED")
    assert "cost.allowScaleToZero is false in environments/Pulumi.staging.yaml" in " ".join(result.stdout.split())
    assert [s.status for s in result.audit[-1].steps][1:] == ["not-run"] * 9
    assert full_state(staging) == before


@pytest.mark.parametrize("runbook", [SLEEP, WAKE])
def test_prod_is_refused_outright_even_when_confirmed(cloud: Any, runbook_cli: Any, runbook: str) -> None:
    prod = cloud.seed("prod")
    before = full_state(prod)
    result = runbook_cli(run(runbook, "prod", "--execute", "--confirm", "prod"), prod)
    assert result.code == 2
    flat = " ".join(result.stderr.split())
    assert f"runbook '{runbook}' refuses production-tier environments, and 'prod' is tier 'production'" in flat
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert full_state(prod) == before
    assert result.audit[-1].status == "refused" and result.audit[-1].who.aws is None


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (run(SLEEP, "dev", "-p", "wait_minutes=500"), ["parameter 'wait_minutes' must be at most 120; got 500"]),
        (run(WAKE, "dev", "-p", "wait_minutes=soon"), ["'wait_minutes' must be a whole number"]),
        (run(SLEEP, "dev", "-p", "group=system"), ["unknown parameter 'group'"]),
        (run("env-slep", "dev"), ["unknown runbook 'env-slep'", "did you mean 'env-sleep'"]),
        (
            run(WAKE, "dev", "--from-step", "Scale the node groups back"),
            ["cannot resume", "'wake_plan'", "Choose the sizes to restore"],
        ),
    ],
    ids=["wait-out-of-bounds", "wait-not-a-number", "unknown-parameter", "unknown-runbook", "not-a-resume-point"],
)
def test_bad_input_is_one_clear_error(runbook_cli: Any, args: list[str], words: list[str]) -> None:
    result = runbook_cli(args)  # no AWS credentials: refused before any AWS call
    assert result.code == 2, result.stdout + result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    flat = " ".join(result.stderr.split())
    for word in words:
        assert word in flat
    assert result.audit == []
