"""Evaluate the real stack program for one environment offline and return its resource graph.

``python -m platformkit.graph.evaluate ENV --out FILE`` is what ``graph.runner`` starts, one
process per environment (Pulumi's runtime is global state). Exit codes: 0 written, 2 the
user's input is wrong (message on stderr), 1 a bug (traceback on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pulumi
import yaml

from ..environment import find_root, load_environment
from ..errors import PlatformError
from .model import ResourceGraph
from .recorder import record_program

OFFLINE_PLAN_VARIABLE = "PLATFORMKIT_OFFLINE_PLAN"
"""Set in the evaluating process only; read by stacks/secrets.py."""


def project_name(root: Path) -> str:
    """The project name from ``Pulumi.yaml``."""
    try:
        data = yaml.safe_load((root / "Pulumi.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PlatformError(f"{root / 'Pulumi.yaml'}: cannot read the project file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise PlatformError(f"{root / 'Pulumi.yaml'}: has no project 'name'")
    return str(data["name"])


def evaluate(name: str, root: Path | None = None) -> ResourceGraph:
    """Run ``stacks.program.main`` for environment ``name`` under mocks (in this process)."""
    root = root or find_root()
    env = load_environment(name, root)
    from stacks import program  # imported late: it pulls in the provider SDKs

    # Lets the program plan without a decryption key (secret values are masked in a plan anyway);
    # a real `pulumi up` never sets it, so there a missing key stops the run.
    os.environ[OFFLINE_PLAN_VARIABLE] = "1"

    try:
        return record_program(
            program.main,
            project=project_name(root),
            stack=name,
            account_id=env.account.id,
            region=env.account.region,
            project_root=root,
        )
    except pulumi.RunError as exc:
        raise PlatformError(str(exc)) from None


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m platformkit.graph.evaluate")
    parser.add_argument("environment")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        graph = evaluate(args.environment)
    except PlatformError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    graph.write(args.out)
    return 0


if __name__ == "__main__":
    code = _main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: Pulumi's mock runtime leaves an event loop whose finaliser
    # prints a spurious error at exit. Everything this worker produces is already written.
    os._exit(code)
