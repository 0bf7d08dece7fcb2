"""The runbook pages are generated from runbook.yaml and must not go stale; list and show read them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from platformkit.cli.runbook_cmd import runbook
from platformkit.runbooks.docs import GENERATED, render_page, stale_pages, write_pages
from platformkit.runbooks.registry import load_all, load_runbook

REPO = Path(__file__).resolve().parents[2]


def test_pages_are_up_to_date() -> None:
    stale = [str(p.relative_to(REPO)) for p in stale_pages(REPO)]
    assert stale == [], f"stale runbook pages {stale}: regenerate them with 'platform runbook docs'"


@pytest.mark.parametrize("name", [r.name for r in load_all(REPO)])
def test_each_page_has_the_whole_runbook(name: str) -> None:
    runbook_ = load_runbook(REPO, name)
    page = runbook_.page.read_text()
    assert page.startswith(GENERATED)
    for heading in (
        "## When to use",
        "## Symptoms",
        "## Impact",
        "## Investigation",
        "## Resolution",
        "## Run it",
        "## Parameters",
        "## Steps",
        "## Rollback",
        "## Escalation",
        "## What the tests cannot show (AWS emulator gaps)",
    ):
        assert heading in page
    for step in runbook_.steps:
        assert f"| {step.index + 1} | {step.name} |" in page
    for param in runbook_.spec.parameters:
        assert f"| `{param.name}` | {param.type} |" in page
    for gap in runbook_.spec.emulator_gaps:
        assert " ".join(gap.split()) in page
    index = (REPO / "runbooks" / "README.md").read_text()
    assert f"[`{name}`]({name}/README.md)" in index


def test_a_changed_runbook_makes_its_page_stale(tmp_path: Path) -> None:
    shutil.copytree(REPO / "runbooks", tmp_path / "runbooks", ignore=shutil.ignore_patterns("__pycache__"))
    spec = tmp_path / "runbooks" / "capacity-scale" / "runbook.yaml"
    spec.write_text(spec.read_text().replace("severity: high", "severity: medium"))
    assert {p.relative_to(tmp_path) for p in stale_pages(tmp_path)} == {
        Path("runbooks/README.md"),
        Path("runbooks/capacity-scale/README.md"),
    }
    assert len(write_pages(tmp_path)) == 2
    assert stale_pages(tmp_path) == []


def test_list_shows_name_severity_title_and_when_to_use() -> None:
    result = CliRunner().invoke(runbook, ["list"])
    assert result.exit_code == 0, result.output
    for item in load_all(REPO):
        line = next(line for line in result.output.splitlines() if line.startswith(item.name))
        assert item.spec.severity in line and item.spec.title in line
    assert result.output.count("when: ") == len(load_all(REPO))


def test_show_prints_the_page() -> None:
    result = CliRunner().invoke(runbook, ["show", "db-restore"])
    assert result.exit_code == 0
    assert result.output == render_page(load_runbook(REPO, "db-restore"))


def test_docs_check_passes_on_the_repository() -> None:
    result = CliRunner().invoke(runbook, ["docs", "--check"])
    assert result.exit_code == 0, result.output
