"""Parameters: typed, checked against the runbook and the environment model before Ansible starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from platformkit.environment import load_environment
from platformkit.environment.model import EnvironmentConfig
from platformkit.runbooks.parameters import MASK, ParameterError, Parameters, parse_assignments, resolve
from platformkit.runbooks.registry import load_runbook
from platformkit.runbooks.spec import RunbookSpec

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 10, 12, 0, 0, tzinfo=UTC)
ENV_FILE = "environments/Pulumi.dev.yaml"


@pytest.fixture(scope="module")
def dev() -> EnvironmentConfig:
    return load_environment("dev", REPO)


def spec_of(name: str) -> RunbookSpec:
    return load_runbook(REPO, name).spec


def check(name: str, env: EnvironmentConfig, **given: str) -> Parameters:
    return resolve(spec_of(name), env, given, now=NOW, env_file=ENV_FILE)


def refused(name: str, env: EnvironmentConfig, **given: str) -> str:
    with pytest.raises(ParameterError) as caught:
        check(name, env, **given)
    return " ".join(str(caught.value).split())


def test_bounds_come_from_the_environment_model(dev: EnvironmentConfig) -> None:
    group = dev.cluster.node_groups["workloads"]
    ok = check("capacity-scale", dev, group="workloads", desired=str(group.max_size))
    assert ok.values == {"group": "workloads", "desired": group.max_size, "wait_minutes": 20}
    message = refused("capacity-scale", dev, group="workloads", desired=str(group.max_size + 1))
    assert (
        f"allowed {group.min_size} to {group.max_size} (cluster.nodeGroups.workloads.minSize..maxSize in {ENV_FILE})" in message
    )
    assert f"got {group.max_size + 1}" in message


def test_bounds_follow_the_chosen_group(dev: EnvironmentConfig) -> None:
    system = dev.cluster.node_groups["system"]
    workloads = dev.cluster.node_groups["workloads"]
    assert system.max_size < workloads.max_size
    check("capacity-scale", dev, group="workloads", desired=str(workloads.max_size))
    assert "out of bounds" in refused("capacity-scale", dev, group="system", desired=str(workloads.max_size))


def test_choices_come_from_the_model_and_suggest(dev: EnvironmentConfig) -> None:
    message = refused("capacity-scale", dev, group="workload", desired="1")
    assert "must be one of system, workloads (from cluster.nodeGroups); got 'workload'; did you mean 'workloads'?" in message
    assert "desired" not in message.split("got 'workload'")[1]  # no second error about bounds that cannot be known


def test_every_problem_is_reported_in_one_error(dev: EnvironmentConfig) -> None:
    message = refused("capacity-scale", dev, group="workloads", desired="many", colour="red")
    assert message.startswith("runbook 'capacity-scale' on 'dev':")
    assert "unknown parameter 'colour'" in message
    assert "parameter 'desired' must be a whole number; got 'many'" in message


def test_required_parameters_say_what_they_are(dev: EnvironmentConfig) -> None:
    message = refused("db-restore", dev)
    assert "parameter 'label' is required: Short name of this restore" in message and "(pass -p label=<value>)" in message


def test_parameters_apply_only_when_their_condition_holds(dev: EnvironmentConfig) -> None:
    assert check("db-restore", dev, label="x").values["snapshot"] is None
    assert "'snapshot' applies only when source=snapshot" in refused("db-restore", dev, label="x", snapshot="s1")
    assert "parameter 'snapshot' is required" in refused("db-restore", dev, label="x", source="snapshot")
    assert check("db-restore", dev, label="x", source="snapshot", snapshot="rds:acme-dev-postgres-2026-03-09-02-10").values[
        "snapshot"
    ] == ("rds:acme-dev-postgres-2026-03-09-02-10")


def test_datetimes_need_a_timezone_and_lie_in_the_backup_window(dev: EnvironmentConfig) -> None:
    days = dev.database.backup_retention_days
    inside = (NOW - timedelta(days=days) + timedelta(minutes=1)).astimezone(UTC)
    values = check("db-restore", dev, label="x", source="point-in-time", restore_time=inside.isoformat()).values
    assert values["restore_time"] == inside.strftime("%Y-%m-%dT%H:%M:%SZ")
    offset = check("db-restore", dev, label="x", source="point-in-time", restore_time="2026-03-10T13:30:00+02:00").values
    assert offset["restore_time"] == "2026-03-10T11:30:00Z"
    assert "must include a timezone" in refused(
        "db-restore", dev, label="x", source="point-in-time", restore_time="2026-03-10T11:00:00"
    )
    outside = refused("db-restore", dev, label="x", source="point-in-time", restore_time="2026-03-10T12:05:00Z")
    assert f"database.backupRetentionDays ({days} days back from now) in {ENV_FILE}" in outside
    assert "is not an ISO 8601" not in outside
    assert "ISO 8601" in refused("db-restore", dev, label="x", source="point-in-time", restore_time="yesterday")


def test_static_bounds_and_patterns(dev: EnvironmentConfig) -> None:
    assert "must be at most 720; got 721" in refused("db-restore", dev, label="x", wait_minutes="721")
    assert "must match" in refused("db-restore", dev, label="Bad_Label")
    assert "must match" in refused("db-restore", dev, label="a" * 21)


def test_secrets_are_masked() -> None:
    params = Parameters(
        values={"user": "alice", "password": "hunter2", "token": None}, secret_names=frozenset({"password", "token"})
    )
    assert params.masked() == {"user": "alice", "password": MASK, "token": None}


def test_booleans(dev: EnvironmentConfig) -> None:
    spec = RunbookSpec.model_validate(
        {
            **{k: v for k, v in spec_of("capacity-scale").model_dump().items() if k not in ("parameters", "name")},
            "name": "demo",
            "parameters": [{"name": "force", "type": "boolean", "default": False, "description": "force it"}],
        }
    )
    assert resolve(spec, dev, {"force": "Yes"}, now=NOW, env_file=ENV_FILE).values == {"force": True}
    assert resolve(spec, dev, {}, now=NOW, env_file=ENV_FILE).values == {"force": False}
    with pytest.raises(ParameterError, match="must be true or false"):
        resolve(spec, dev, {"force": "maybe"}, now=NOW, env_file=ENV_FILE)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [(["a=1", "b=x=y", "c="], {"a": "1", "b": "x=y", "c": ""})],
)
def test_assignments_are_split_at_the_first_equals(pairs: list[str], expected: dict[str, Any]) -> None:
    assert parse_assignments(pairs) == expected


@pytest.mark.parametrize(("pairs", "words"), [(["novalue"], "-p takes key=value"), (["a=1", "a=2"], "given twice")])
def test_malformed_assignments(pairs: list[str], words: str) -> None:
    with pytest.raises(ParameterError, match=words):
        parse_assignments(pairs)
