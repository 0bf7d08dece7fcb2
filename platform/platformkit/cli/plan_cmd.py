"""``platform plan``: what an environment would create, evaluated offline from the real program."""

from __future__ import annotations

from pathlib import Path

import click

from ..graph.model import ResourceGraph
from ..graph.preview import read_preview
from ..graph.runner import evaluate_environments
from ..plan.render import render_plan
from ..plan.summary import summarise
from .options import console, jobs_option, resolve_environments, write_json


@click.command()
@click.argument("environments", nargs=-1)
@click.option("--all", "all_envs", is_flag=True, help="Plan every environment.")
@click.option(
    "--json",
    "json_out",
    type=click.Path(path_type=Path, allow_dash=True),
    help="Write the resource graph: a file for one environment ('-' for stdout), a folder for several.",
)
@click.option(
    "--from-preview",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read 'pulumi preview --json --show-sames' output instead of evaluating offline.",
)
@click.option("--details", is_flag=True, help="List every resource with its inputs (secrets show as [secret]).")
@jobs_option
def plan(
    environments: tuple[str, ...],
    all_envs: bool,
    json_out: Path | None,
    from_preview: Path | None,
    details: bool,
    jobs: int | None,
) -> None:
    """Show every resource ENVIRONMENTS would create, grouped by component.

    Runs the real Pulumi program under Pulumi's mocks: no cloud account, no Pulumi CLI.
    """
    if from_preview is not None:
        if environments or all_envs:
            raise click.UsageError("--from-preview reads one preview file; do not name environments")
        graphs = {"preview": read_preview(from_preview)}
    else:
        root, names = resolve_environments(environments, all_envs)
        graphs = evaluate_environments(names, root, jobs=jobs)

    if json_out is not None:
        _write_graphs(graphs, json_out)
        if str(json_out) == "-":
            return
    out = console()
    for graph in graphs.values():
        render_plan(summarise(graph), out, details=details)


def _write_graphs(graphs: dict[str, ResourceGraph], target: Path) -> None:
    if len(graphs) == 1:
        write_json(next(iter(graphs.values())).to_json(), target)
        return
    if str(target) == "-":
        write_json({"graphs": [g.to_json() for g in graphs.values()]}, target)
        return
    for name, graph in graphs.items():
        write_json(graph.to_json(), target / f"{name}.json")
