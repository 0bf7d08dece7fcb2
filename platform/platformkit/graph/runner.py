"""Evaluate several environments at once, one subprocess each (Pulumi's runtime is per process)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import PlatformError
from .model import ResourceGraph

EVALUATE_TIMEOUT_SECONDS = 300


class EvaluationError(PlatformError):
    """Evaluating an environment's program failed."""


def evaluate_environments(names: list[str], root: Path, *, jobs: int | None = None) -> dict[str, ResourceGraph]:
    """Resource graphs of ``names``, evaluated in parallel (``jobs`` processes, default: CPU count).

    All environments are attempted; every failure is reported together.
    """
    workers = max(1, min(jobs or os.cpu_count() or 1, len(names)))
    with tempfile.TemporaryDirectory(prefix="platform-plan-") as tmp, ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda n: _evaluate_one(n, root, Path(tmp)), names))
    failures = [r for r in results if isinstance(r, EvaluationError)]
    if failures:
        raise EvaluationError("\n".join(f.message for f in failures), hint=failures[0].hint)
    return {name: result for name, result in zip(names, results, strict=True) if isinstance(result, ResourceGraph)}


def _evaluate_one(name: str, root: Path, tmp: Path) -> ResourceGraph | EvaluationError:
    out = tmp / f"{name}.json"
    env = {**os.environ, "PLATFORM_ROOT": str(root)}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "platformkit.graph.evaluate", name, "--out", str(out)],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=EVALUATE_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return EvaluationError(f"{name}: evaluating the program took longer than {EVALUATE_TIMEOUT_SECONDS} s")
    if done.returncode == 2:
        return EvaluationError(done.stderr.strip() or f"{name}: invalid input")
    if done.returncode != 0 or not out.is_file():
        tail = "\n".join(done.stderr.strip().splitlines()[-25:])
        return EvaluationError(
            f"{name}: the program failed under the offline plan (exit {done.returncode}):\n{tail}",
            hint="this is a bug in the program or the platform library, not in your input",
        )
    return ResourceGraph.read(out)
