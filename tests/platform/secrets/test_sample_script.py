"""scripts/make_sample_secrets.py re-creates sample files exactly as .sops.yaml prescribes, and is re-runnable."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from platformkit.secrets import Sops, check_repository

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "make_sample_secrets.py"


def run_script(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), "--root", str(root), *args], capture_output=True, text=True, check=False)


def test_script_keeps_existing_files_and_replaces_them_with_force(repo_copy: Path, sops_for: Callable[..., Sops]) -> None:
    target = repo_copy / "environments" / "secrets" / "prod.enc.yaml"
    before = target.read_text()
    kept = run_script(repo_copy, "prod")
    assert kept.returncode == 0, kept.stderr
    assert "exists, kept" in kept.stdout and target.read_text() == before

    old = sops_for("prod").decrypt(target)
    replaced = run_script(repo_copy, "prod", "--force")
    assert replaced.returncode == 0, replaced.stderr
    new = sops_for("prod").decrypt(target)
    assert new.keys() == old.keys()
    assert new.get("grafana.admin_password", str) != old.get("grafana.admin_password", str)  # fresh random values
    assert new.metadata.recipients == old.metadata.recipients
    report = check_repository(repo_copy, sops_for("dev", "perf", "prod", "staging"))
    assert report.ok, report.render()
    assert new.get("grafana.admin_password", str) not in replaced.stdout + replaced.stderr


def test_script_refuses_unknown_environments(repo_copy: Path) -> None:
    done = run_script(repo_copy, "qa")
    assert done.returncode == 2 and "unknown environment(s): qa" in done.stderr
