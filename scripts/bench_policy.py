#!/usr/bin/env python3
"""Benchmark the policy gate: wall time of `platform policy --all` and the cost of its Checkov phase.

Prints, as the median of N runs:
  1. the gate's wall time for all four environments, evaluation included (a fresh process,
     as a user runs it), with its phases (evaluate, bridge, checkov, relations, verdict);
  2. the ratio of the gate's Checkov phase (running Checkov, parsing its report, checking it
     scanned everything) to Checkov alone, run with the same arguments on the same
     pre-rendered folder (kept with --keep).

Run: uv run --frozen python scripts/bench_policy.py [--repeat N]
Targets (issue #3): gate <= 10 s on 2 cores; Checkov phase / Checkov alone <= 1.3.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GATE_TARGET_S = 10.0
RATIO_TARGET = 1.3

# `platform policy` as a user runs it; until the command is registered in cli/main.py, the
# same click command is called directly (identical work, same process start-up).
RUN_POLICY = """
import sys
from platformkit.cli import main as cli_main
if "policy" in cli_main.cli.commands:
    sys.argv = ["platform", "policy", *sys.argv[1:]]
    cli_main.main()
else:
    from platformkit.cli.policy_cmd import policy
    sys.exit(policy.main(sys.argv[1:], prog_name="platform policy", standalone_mode=True))
"""


def run_gate(keep: Path, report: Path) -> tuple[float, dict[str, float]]:
    """One `platform policy --all`: wall seconds and the phases it reports."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUN_POLICY, "--all", "--keep", str(keep), "--json", str(report)],
        cwd=ROOT,
        env={**os.environ, "PLATFORM_ROOT": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"platform policy --all failed (exit {done.returncode}):\n{done.stderr}")
    seconds = json.loads(report.read_text())["seconds"]
    return wall, {k: float(v) for k, v in seconds.items()}


def run_checkov_alone(rendered: Path) -> float:
    """Checkov with the gate's exact arguments on the folder the gate rendered."""
    from platformkit.policy.checkov import checkov_command, checkov_environment, external_checks_view, find_checkov
    from platformkit.policy.gate import ENVIRONMENT_FRAMEWORKS, GATE_FILES, POLICIES_DIR

    with tempfile.TemporaryDirectory() as tmp:
        checks = external_checks_view(ROOT / POLICIES_DIR, Path(tmp), exclude=GATE_FILES)
        command = checkov_command(find_checkov(), rendered, ENVIRONMENT_FRAMEWORKS, external_checks_dir=checks)
        start = time.perf_counter()
        done = subprocess.run(command, cwd=rendered, env=checkov_environment(), capture_output=True, check=False)
        seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"checkov failed (exit {done.returncode}): {done.stderr.decode()[-2000:]}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="Runs per measurement; the median is printed (default 5).")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "platform"))
    from platformkit.policy.checkov import CHECKOV_VERSION

    print(
        f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}  checkov: {CHECKOV_VERSION}  repeat: {args.repeat} (median)"
    )
    walls: list[float] = []
    phases: dict[str, list[float]] = {}
    alone: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        keep, report = Path(tmp) / "rendered", Path(tmp) / "verdict.json"
        for _ in range(args.repeat):
            wall, seconds = run_gate(keep, report)
            walls.append(wall)
            for phase, value in seconds.items():
                phases.setdefault(phase, []).append(value)
            # Interleaved with the gate runs so both see the same machine load.
            alone.append(run_checkov_alone(keep))
        resources = json.loads(report.read_text())["resourcesScanned"]

    gate_wall = statistics.median(walls)
    checkov_phase = statistics.median(phases["checkov"])
    checkov_alone = statistics.median(alone)
    ratio = checkov_phase / checkov_alone
    print(f"resources scanned: {', '.join(f'{n} {fw}' for fw, n in sorted(resources.items()))}")
    print("gate phases (s):  " + "  ".join(f"{k} {statistics.median(v):.2f}" for k, v in phases.items()))
    print(f"gate wall time, all four environments incl. evaluation: {gate_wall:.2f} s  (target <= {GATE_TARGET_S:g} s)")
    print(f"checkov phase {checkov_phase:.2f} s / checkov alone {checkov_alone:.2f} s = {ratio:.2f}  (target <= {RATIO_TARGET})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
