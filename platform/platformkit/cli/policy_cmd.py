"""``platform policy``: Checkov's checks and the organisation's own, on the program, before ``pulumi up``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from ..environment import find_root
from ..errors import PlatformError
from ..graph.model import ResourceGraph
from ..graph.preview import read_preview
from ..graph.runner import evaluate_environments
from ..policy.checkov import DEFAULT_TIMEOUT_SECONDS
from ..policy.gate import GateResult, run_gate, run_repo_scan
from ..policy.junit import to_junit
from ..policy.sarif import to_sarif
from ..policy.verdict import render_verdict
from .options import console, jobs_option, resolve_environments, write_json

_PATH = click.Path(path_type=Path, dir_okay=False, allow_dash=True)


@click.command()
@click.argument("environments", nargs=-1)
@click.option("--all", "all_envs", is_flag=True, help="Check every environment.")
@click.option(
    "--from-preview",
    "previews",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Check 'pulumi preview --json --show-sames' output instead of evaluating offline (repeatable: one file per stack).",
)
@click.option("--repo", is_flag=True, help="Check the repository itself: GitHub workflows, Ansible, Dockerfiles, secrets.")
@click.option("--sarif", "sarif_out", type=_PATH, help="Also write SARIF 2.1.0 (GitHub code scanning) to FILE.")
@click.option("--junit", "junit_out", type=_PATH, help="Also write JUnit XML to FILE.")
@click.option("--json", "json_out", type=_PATH, help="Also write the whole verdict as JSON to FILE ('-': stdout only).")
@click.option(
    "--keep",
    "keep_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Render into DIR and keep it (plan JSON, manifests, bridge-index.json) to inspect or re-run Checkov on.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=DEFAULT_TIMEOUT_SECONDS,
    show_default=True,
    help="Seconds Checkov may run before the gate fails.",
)
@jobs_option
def policy(
    environments: tuple[str, ...],
    all_envs: bool,
    previews: tuple[Path, ...],
    repo: bool,
    sarif_out: Path | None,
    junit_out: Path | None,
    json_out: Path | None,
    keep_dir: Path | None,
    timeout: float,
    jobs: int | None,
) -> None:
    """Check ENVIRONMENTS with Checkov (one call) and print the verdict.

    Failed checks are grouped by severity and resource, each pointing at the Python line that
    declared the resource; accepted failures (policies/suppressions.yaml) are listed with their
    reasons.

    \b
    Exit codes:
      0  every check passed or is suppressed
      1  failed checks, or an expired suppression
      2  bad input (arguments, policies/*.yaml, environment files)
      3  the scan is incomplete: Checkov missing, crashed or timed out, resources it did not
         scan, or a resource type with no mapping that policies/unscannable.yaml does not declare
    """
    modes = sum(bool(m) for m in (environments or all_envs, previews, repo))
    if modes > 1:
        raise click.UsageError("choose one of: environment names / --all, --from-preview FILE, --repo")
    if repo and keep_dir is not None:
        raise click.UsageError("--keep applies to environments (the repository is scanned in place)")

    started = time.perf_counter()
    if repo:
        result = run_repo_scan(find_root(), timeout=timeout)
    else:
        if previews:
            root = find_root()
            graphs = _preview_graphs(previews)
        else:
            root, names = resolve_environments(environments, all_envs)
            graphs = evaluate_environments(names, root, jobs=jobs)
        evaluated = time.perf_counter() - started
        result = run_gate(graphs, root, keep_dir=keep_dir, timeout=timeout)
        result.verdict.seconds = {"evaluate": evaluated, **result.verdict.seconds}
    result.verdict.seconds["total"] = time.perf_counter() - started
    _write_reports(result, root=find_root(), sarif_out=sarif_out, junit_out=junit_out, json_out=json_out)
    if json_out is None or str(json_out) != "-":
        render_verdict(result.verdict, console())
    if result.verdict.exit_code != 0:
        raise click.exceptions.Exit(result.verdict.exit_code)


def _preview_graphs(files: tuple[Path, ...]) -> dict[str, ResourceGraph]:
    graphs: dict[str, ResourceGraph] = {}
    for path in files:
        graph = read_preview(path)
        if graph.stack in graphs:
            raise PlatformError(f"{path}: a second preview of stack '{graph.stack}'; give one file per stack")
        graphs[graph.stack] = graph
    return graphs


def _write_reports(
    result: GateResult, *, root: Path, sarif_out: Path | None, junit_out: Path | None, json_out: Path | None
) -> None:
    if sarif_out is not None:
        _write_text(json.dumps(to_sarif(result.verdict, root), indent=1) + "\n", sarif_out)
    if junit_out is not None:
        _write_text(to_junit(result.verdict), junit_out)
    if json_out is not None:
        write_json(result.verdict.to_json(), json_out)


def _write_text(text: str, target: Path) -> None:
    if str(target) == "-":
        click.echo(text, nl=False)
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PlatformError(f"{target}: cannot write ({exc.strerror})") from None
