"""Every kind of bad environment file gets one clear message naming the file and the key."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from platformkit.environment import load_all, load_environment
from platformkit.errors import ConfigError, ConfigErrors, PlatformError

Mutation = Callable[[dict[str, Any]], None]


@pytest.fixture
def repo(tmp_path: Path, repo_root: Path) -> Path:
    """A copy of the repository's project file and environments to break."""
    shutil.copy(repo_root / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(repo_root / "environments", tmp_path / "environments")
    return tmp_path


def edit(repo: Path, env: str, mutate: Mutation) -> Path:
    path = repo / "environments" / f"Pulumi.{env}.yaml"
    document = yaml.safe_load(path.read_text())
    mutate(document["config"])
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def messages(exc: PlatformError) -> str:
    return str(exc)


def setter(section: str, *path: str, value: Any) -> Mutation:
    def mutate(config: dict[str, Any]) -> None:
        node = config.setdefault(f"platform:{section}", {})
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value

    return mutate


def rename(section: str, old: str, new: str) -> Mutation:
    def mutate(config: dict[str, Any]) -> None:
        node = config[f"platform:{section}"]
        node[new] = node.pop(old)

    return mutate


def drop_section(section: str) -> Mutation:
    return lambda config: config.pop(f"platform:{section}")


CASES: list[tuple[str, str, Mutation, str, str]] = [
    # id, environment, mutation, key named, words in the problem
    (
        "misspelt key",
        "dev",
        rename("network", "natGateways", "natGatways"),
        "platform:network.natGatways",
        "did you mean 'natGateways'",
    ),
    ("unknown section", "dev", lambda c: c.__setitem__("platform:netwrok", {}), "platform:netwrok", "did you mean 'network'"),
    ("foreign namespace", "dev", lambda c: c.__setitem__("aws:region", "eu-west-1"), "aws:region", "platform:account.region"),
    ("wrong type", "staging", setter("network", "azCount", value="three"), "platform:network.azCount", "valid integer"),
    ("invalid cidr", "dev", setter("network", "cidr", value="10.0.0.300/16"), "platform:network.cidr", "IPv4 network"),
    ("public cidr", "dev", setter("network", "cidr", value="8.8.0.0/16"), "platform:network.cidr", "not a private"),
    ("cidr too small", "dev", setter("network", "cidr", value="10.10.0.0/24"), "platform:network.cidr", "/16 to /20"),
    (
        "overlapping cidr",
        "staging",
        setter("network", "cidr", value="10.10.128.0/17"),
        "platform:network.cidr",
        "overlaps dev's 10.10.0.0/16",
    ),
    (
        "az count out of range",
        "dev",
        setter("network", "azCount", value=7),
        "platform:network.azCount",
        "less than or equal to 4",
    ),
    (
        "az names vs count",
        "dev",
        setter("network", "availabilityZones", value=["eu-west-1a"]),
        "platform:network",
        "azCount is 2",
    ),
    (
        "min above max nodes",
        "staging",
        setter("cluster", "nodeGroups", "system", "minSize", value=9),
        "platform:cluster.nodeGroups.system",
        "minSize <= desiredSize <= maxSize",
    ),
    (
        "scale to zero not allowed",
        "staging",
        setter("cluster", "nodeGroups", "system", "minSize", value=0),
        "platform:cluster.nodeGroups.system.minSize",
        "allowScaleToZero",
    ),
    (
        "open api endpoint",
        "dev",
        setter("cluster", "publicAccessCidrs", value=["0.0.0.0/0"]),
        "platform:cluster.publicAccessCidrs",
        "expose the Kubernetes API",
    ),
    (
        "prod without deletion protection",
        "prod",
        setter("database", "deletionProtection", value=False),
        "platform:database.deletionProtection",
        "tier 'production' requires it",
    ),
    (
        "prod single nat",
        "prod",
        setter("network", "natGateways", value="single"),
        "platform:network.natGateways",
        "tier 'production'",
    ),
    (
        "perf smaller than prod",
        "perf",
        setter("database", "instanceClass", value="db.t4g.medium"),
        "platform:database.instanceClass",
        "must keep prod's shape",
    ),
    (
        "perf fewer nodes than prod",
        "perf",
        setter("cluster", "nodeGroups", "workloads", "maxSize", value=10),
        "platform:cluster.nodeGroups.workloads.maxSize",
        "prod has 30, perf has 10",
    ),
    ("missing required key", "dev", drop_section("account"), "platform:account", "required but missing"),
    (
        "bad retention",
        "dev",
        setter("network", "flowLogRetentionDays", value=45),
        "platform:network.flowLogRetentionDays",
        "not a CloudWatch Logs retention",
    ),
    (
        "shapeOf unknown",
        "perf",
        lambda c: c.__setitem__("platform:shapeOf", "prdo"),
        "platform:shapeOf",
        "not another environment",
    ),
]


@pytest.mark.parametrize(("env", "mutate", "key", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_value_names_file_key_and_problem(repo: Path, env: str, mutate: Mutation, key: str, words: str) -> None:
    edit(repo, env, mutate)
    with pytest.raises(ConfigErrors) as caught:
        load_environment(env, repo)
    errors = caught.value.errors
    assert any(e.key == key and words in e.problem for e in errors), messages(caught.value)
    assert all(e.source.startswith(f"environments/Pulumi.{env}.yaml") for e in errors)


def test_line_number_points_at_the_key(repo: Path) -> None:
    edit(repo, "dev", setter("network", "azCount", value=9))
    with pytest.raises(ConfigErrors) as caught:
        load_environment("dev", repo)
    (error,) = caught.value.errors
    line = int(error.source.rsplit(":", 1)[1])
    text = (repo / "environments" / "Pulumi.dev.yaml").read_text().splitlines()
    assert text[line - 1].strip().startswith("azCount:")


def test_unknown_environment_lists_known_ones(repo: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_environment("prdo", repo)
    assert "unknown environment 'prdo'" in str(caught.value)
    assert "dev, perf, prod, staging" in str(caught.value)
    assert "did you mean 'prod'" in str(caught.value)


def test_unparsable_yaml_names_file_and_line(repo: Path) -> None:
    path = repo / "environments" / "Pulumi.dev.yaml"
    path.write_text("config:\n  platform:network: {cidr: [unclosed\n")
    with pytest.raises(ConfigErrors) as caught:
        load_environment("dev", repo)
    assert str(caught.value).startswith("environments/Pulumi.dev.yaml:")
    assert "not valid YAML" in str(caught.value)


@pytest.mark.parametrize("text", ["[]\n", "just a string\n", "config: [1, 2]\n"])
def test_file_of_the_wrong_shape(repo: Path, text: str) -> None:
    (repo / "environments" / "Pulumi.dev.yaml").write_text(text)
    with pytest.raises(ConfigErrors, match=r"environments/Pulumi\.dev\.yaml"):
        load_environment("dev", repo)


def test_every_problem_in_a_file_is_reported_at_once(repo: Path) -> None:
    edit(repo, "dev", rename("network", "natGateways", "natGatways"))
    edit(repo, "dev", setter("database", "backupRetentionDays", value=99))
    with pytest.raises(ConfigErrors) as caught:
        load_environment("dev", repo)
    keys = {e.key for e in caught.value.errors}
    assert {"platform:network.natGatways", "platform:database.backupRetentionDays"} <= keys


def test_load_all_reports_every_broken_file(repo: Path) -> None:
    edit(repo, "dev", setter("network", "azCount", value=9))
    edit(repo, "staging", setter("database", "instanceClass", value="r7g.large"))
    with pytest.raises(ConfigErrors) as caught:
        load_all(repo)
    sources = {e.source.split(":")[0] for e in caught.value.errors}
    assert sources == {"environments/Pulumi.dev.yaml", "environments/Pulumi.staging.yaml"}


def test_cli_prints_one_clear_message_without_traceback(repo: Path) -> None:
    edit(repo, "dev", rename("network", "natGateways", "natGatways"))
    done = subprocess.run(
        [sys.executable, "-m", "platformkit.cli", "plan", "dev"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "PLATFORM_ROOT": str(repo)},
        check=False,
    )
    assert done.returncode == 2
    assert "environments/Pulumi.dev.yaml:" in done.stderr
    assert "platform:network.natGatways: unknown key; did you mean 'natGateways'" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
