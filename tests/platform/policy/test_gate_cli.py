"""`platform policy` (the click command in cli/policy_cmd.py): modes, reports, exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from platformkit.cli.policy_cmd import policy
from platformkit.policy.checkov import CheckovMissing

REPO = Path(__file__).resolve().parents[3]
PREVIEW = REPO / "tests" / "platform" / "graph" / "fixtures" / "preview-dev.json"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("PLATFORM_ROOT", str(REPO))
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.setenv("NO_COLOR", "1")
    return CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "name an environment"),
        (["dev", "--repo"], "choose one of"),
        (["--all", "--from-preview", str(PREVIEW)], "choose one of"),
        (["--repo", "--keep", "/tmp/x"], "--keep applies to environments"),
        (["dev", "--all"], "give environment names or --all, not both"),
    ],
)
def test_bad_arguments_exit_2(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(policy, args)
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_environment_is_a_config_error(runner: CliRunner) -> None:
    result = runner.invoke(policy, ["deve"])
    assert result.exception is not None and "unknown environment 'deve'" in str(result.exception)


def test_missing_checkov_stops_the_gate(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_CHECKOV", str(tmp_path / "no-checkov-here"))
    result = runner.invoke(policy, ["--from-preview", str(PREVIEW)])
    assert isinstance(result.exception, CheckovMissing)
    assert result.exception.exit_code == 3 and "scripts/setup" in str(result.exception)


def test_preview_run_writes_every_report_and_exits_with_the_verdict(runner: CliRunner, tmp_path: Path) -> None:
    sarif, junit, report, keep = tmp_path / "out.sarif", tmp_path / "junit.xml", tmp_path / "verdict.json", tmp_path / "keep"
    result = runner.invoke(
        policy,
        [
            "--from-preview",
            str(PREVIEW),
            "--sarif",
            str(sarif),
            "--junit",
            str(junit),
            "--json",
            str(report),
            "--keep",
            str(keep),
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    verdict = json.loads(report.read_text())
    assert result.exit_code == verdict["exitCode"]
    assert verdict["environments"] == ["dev"] and verdict["resourcesScanned"]["terraform_plan"] > 0
    assert set(verdict["seconds"]) >= {"evaluate", "bridge", "checkov", "verdict", "total"}
    assert result.output.startswith("policy gate: dev")
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert ET.fromstring(junit.read_text()).find("testsuite").get("name") == "dev"  # type: ignore[union-attr]  # the element exists, the assertion fails otherwise
    assert sorted(p.name for p in keep.iterdir()) == ["bridge-index.json", "dev.tfplan.json"]


def test_json_to_stdout_replaces_the_text(runner: CliRunner) -> None:
    result = runner.invoke(policy, ["--from-preview", str(PREVIEW), "--json", "-"])
    document = json.loads(result.output)
    assert document["format"] == "platformkit.policy-verdict/v1"
