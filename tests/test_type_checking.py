"""The type checker really guards resource arguments: a misspelt keyword to a pulumi-aws resource fails mypy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROBE = """\
import pulumi_aws as aws

aws.rds.Instance("ok", instance_class="db.t4g.micro", publicly_accessible=False)
aws.rds.Instance("typo", instance_class="db.t4g.micro", publicly_accesible=False)
"""


def test_mypy_rejects_a_misspelt_resource_argument(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(REPO / ".mypy_cache"), "--no-error-summary", str(probe)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    # mypy's cache may replay errors under an earlier temporary path: compare file name and line only.
    errors = [line.split(": error:")[0] for line in done.stdout.splitlines() if ": error:" in line]
    assert done.returncode == 1
    assert errors and all(location.endswith("probe.py:4") for location in errors), done.stdout
