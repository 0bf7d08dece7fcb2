#!/usr/bin/env python3
"""Benchmark the offline plan: wall time, resources and peak memory per environment, all four
at once, and a synthetic environment scaled to thousands of resources to show how cost grows.

Run: uv run --frozen python scripts/bench_plan.py [--repeat N] [--scale 1000,2000,4000]
Targets (issue #2): all four environments <= 5 s wall on 2 cores, <= 400 MB peak each,
2,000 resources <= 15 s, doubling the resources at most ~doubles the time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SYNTHETIC = r"""
import json, resource, sys, time
from pathlib import Path
import pulumi, pulumi_aws as aws
from platformkit.graph.recorder import record_program

count = int(sys.argv[1])
def program():
    for i in range(count // 4):
        key = aws.kms.Key(f"key-{i}", enable_key_rotation=True, tags={"environment": "bench"})
        bucket = aws.s3.Bucket(f"bucket-{i}", bucket=f"bench-{i}", tags={"environment": "bench"})
        aws.s3.BucketServerSideEncryptionConfiguration(f"sse-{i}", bucket=bucket.id, rules=[{
            "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}])
        aws.s3.BucketVersioning(f"ver-{i}", bucket=bucket.id, versioning_configuration={"status": "Enabled"})
start = time.perf_counter()
graph = record_program(program, project="bench", stack="synthetic", account_id="123456789012",
                       region="eu-west-1", project_root=Path("."))
elapsed = time.perf_counter() - start
print(json.dumps({"resources": sum(1 for r in graph.resources if r.custom), "seconds": elapsed,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_env(name: str, out: Path) -> dict[str, float]:
    """Evaluate one environment in a fresh process; wall time, resources, child peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "platformkit.graph.evaluate", name, "--out", str(out)],
        cwd=ROOT,
        check=True,
        env={**os.environ, "PLATFORM_ROOT": str(ROOT)},
    )
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    graph = json.loads(out.read_text())
    custom = sum(1 for r in graph["resources"] if r["custom"])
    return {"wall_s": wall, "resources": custom, "peak_mb": max(peak, before) / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="Runs per measurement; the median is printed.")
    parser.add_argument("--scale", default="1000,2000,4000", help="Synthetic resource counts.")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "platform"))
    from platformkit.environment import known_environments

    names = known_environments(ROOT)
    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}  repeat: {args.repeat} (median)")
    print(f"{'environment':<12}{'resources':>10}{'wall s':>9}{'peak MB':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            runs = [run_env(name, Path(tmp) / f"{name}.json") for _ in range(args.repeat)]
            print(
                f"{name:<12}{runs[0]['resources']:>10.0f}{statistics.median(r['wall_s'] for r in runs):>9.2f}"
                f"{max(r['peak_mb'] for r in runs):>9.0f}"
            )

        walls = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "platformkit.cli", "plan", "--all", "--json", str(Path(tmp) / "all")],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            walls.append(time.perf_counter() - start)
        print(f"{'all four':<12}{'':>10}{statistics.median(walls):>9.2f}{'':>9}   (platform plan --all, parallel)")

    print(f"\n{'synthetic':<12}{'resources':>10}{'eval s':>9}{'peak MB':>9}{'s/1k res':>10}")
    previous = None
    for count in (int(c) for c in args.scale.split(",")):
        runs = []
        for _ in range(args.repeat):
            done = subprocess.run(
                [sys.executable, "-c", SYNTHETIC, str(count)], cwd=ROOT, check=True, capture_output=True, text=True
            )
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        secs = statistics.median(r["seconds"] for r in runs)
        growth = f"  x{secs / previous[1]:.2f} time for x{count / previous[0]:.1f} resources" if previous else ""
        print(
            f"{'':<12}{runs[0]['resources']:>10}{secs:>9.2f}{max(r['peak_mb'] for r in runs):>9.0f}"
            f"{secs / runs[0]['resources'] * 1000:>10.2f}{growth}"
        )
        previous = (count, secs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
