"""`platform plan` as a user runs it: a subprocess, readable output, meaningful exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PREVIEW_FIXTURE = REPO / "tests" / "platform" / "graph" / "fixtures" / "preview-dev.json"


IDENTITIES = sorted((REPO / "tests" / "fixtures" / "age").glob("*.agekey"))


def platform(*args: str, cwd: Path = REPO, decrypt: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the CLI; ``decrypt`` gives it the TEST-ONLY identities of the sample secrets, as an operator would have."""
    env = {**os.environ, "COLUMNS": "160", "NO_COLOR": "1"}
    env.pop("PLATFORM_ROOT", None)
    env.pop("SOPS_AGE_KEY_FILE", None)
    env.pop("SOPS_AGE_KEY", None)
    if decrypt:
        env["SOPS_AGE_KEY"] = "\n".join(
            line for p in IDENTITIES for line in p.read_text().splitlines() if line.startswith("AGE-SECRET-KEY-")
        )
    return subprocess.run(
        [sys.executable, "-m", "platformkit.cli", *args], cwd=cwd, capture_output=True, text=True, env=env, check=False
    )


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "platform"
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    for command in ("plan", "parity", "policy", "secrets", "runbook"):
        assert command in done.stdout


def test_plan_groups_resources_by_component_with_counts() -> None:
    done = platform("plan", "dev")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.splitlines()[0].startswith("dev: ")
    for component in ("keys platform:keys:Keys", "network platform:network:Network", "database platform:database:Database"):
        assert component in out
    assert "3  aws:kms/key:Key" in out
    assert "1  aws:ec2/natGateway:NatGateway" in out  # dev declares a single NAT gateway


def test_plan_without_a_key_uses_placeholders_and_says_so() -> None:
    done = platform("plan", "dev", decrypt=False)
    assert done.returncode == 0, done.stderr
    assert "warning: secrets of dev not decrypted" in done.stdout
    assert "vault:kv/secretV2:SecretV2" in done.stdout


def test_plan_details_masks_secrets() -> None:
    done = platform("plan", "dev", "--details")
    assert done.returncode == 0, done.stderr
    provider_line = next(line for line in done.stdout.splitlines() if "cluster-kubernetes" in line)
    assert '"kubeconfig": "[secret]"' in provider_line
    assert "certificate-authority-data" not in done.stdout


def test_plan_json_writes_the_resource_graph(tmp_path: Path) -> None:
    target = tmp_path / "dev.json"
    done = platform("plan", "dev", "--json", str(target))
    assert done.returncode == 0, done.stderr
    graph = json.loads(target.read_text())
    assert graph["format"] == "platformkit.resource-graph/v1" and graph["stack"] == "dev" and graph["source"] == "mocks"
    record = next(r for r in graph["resources"] if r["name"] == "keys-data")
    assert set(record) == {
        "urn", "type", "name", "parent", "custom", "provider", "inputs", "dependencies", "propertyDependencies", "sourcePosition",
    }  # fmt: skip
    assert record["urn"] == "urn:pulumi:dev::platform::platform:keys:Keys$aws:kms/key:Key::keys-data"


def test_plan_all_writes_one_graph_per_environment(tmp_path: Path) -> None:
    done = platform("plan", "--all", "--json", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dev.json", "perf.json", "prod.json", "staging.json"]
    assert [line.split(":")[0] for line in done.stdout.splitlines() if not line.startswith(("├", "│", "└", " "))] == [
        "dev", "perf", "prod", "staging",
    ]  # fmt: skip


def test_plan_from_preview_renders_the_same_view() -> None:
    done = platform("plan", "--from-preview", str(PREVIEW_FIXTURE))
    assert done.returncode == 0, done.stderr
    assert "(source: preview)" in done.stdout
    assert "keys platform:keys:Keys" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("plan", "qa"), "unknown environment 'qa'; known environments: dev, perf, prod, staging"),
        (("plan",), "name an environment"),
        (("plan", "dev", "--all"), "not both"),
        (("plan", "--from-preview", "/nonexistent/preview.json"), "/nonexistent/preview.json"),
        (("plan", "dev", "--from-preview", str(PREVIEW_FIXTURE)), "do not name environments"),
    ],
)
def test_bad_arguments_exit_2_with_one_clear_message(args: tuple[str, ...], message: str) -> None:
    done = platform(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_root_without_environments_says_so(tmp_path: Path) -> None:
    env = {**os.environ, "PLATFORM_ROOT": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "platformkit.cli", "plan", "dev"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 2
    assert "unknown environment 'dev'; known environments: none" in done.stderr
