"""Every playbook passes ansible-playbook --syntax-check, ansible-lint (production profile) and Checkov's Ansible scan."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from platformkit.runbooks.registry import load_all

REPO = Path(__file__).resolve().parents[2]
RUNBOOKS = REPO / "runbooks"
BIN = Path(sys.executable).parent


def tool_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(
        {
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "ANSIBLE_CONFIG": str(RUNBOOKS / "ansible.cfg"),
            "ANSIBLE_HOME": str(tmp_path / "ansible-home"),  # keeps ~/.ansible and the repository clean
            "NO_COLOR": "1",
        }
    )
    return env


@pytest.mark.parametrize("playbook", [r.playbook for r in load_all(REPO)], ids=lambda p: p.parent.name)
def test_syntax_check(playbook: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [str(BIN / "ansible-playbook"), "--syntax-check", "-i", "localhost,", str(playbook)],
        env=tool_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr, done.stderr


def test_ansible_lint_production_profile(tmp_path: Path) -> None:
    # --offline: no Galaxy, and the cache goes to ANSIBLE_HOME instead of a .ansible/ folder in the repository.
    done = subprocess.run(
        [str(BIN / "ansible-lint"), "--offline", "--profile", "production", "--nocolor"],
        cwd=RUNBOOKS,
        env=tool_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Profile 'production' was required, and it passed" in done.stdout + done.stderr
    assert not (REPO / ".ansible").exists() and not (RUNBOOKS / ".ansible").exists()


def checkov() -> Path:
    found = shutil.which("checkov")
    if found:
        return Path(found)
    uv = shutil.which("uv")
    if uv:
        folder = subprocess.run([uv, "tool", "dir", "--bin"], capture_output=True, text=True, check=False).stdout.strip()
        if folder and (Path(folder) / "checkov").is_file():
            return Path(folder) / "checkov"
    pytest.fail("Checkov is not installed; scripts/setup installs it (uv tool install checkov)")


def test_checkov_ansible_scan_passes(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(checkov()), "-d", str(RUNBOOKS), "--framework", "ansible", "--skip-download", "--compact", "--quiet", "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")},
    )
    report = json.loads(done.stdout)
    summary = report.get("summary", report)
    assert summary["failed"] == 0 and summary["parsing_errors"] == 0, done.stdout
