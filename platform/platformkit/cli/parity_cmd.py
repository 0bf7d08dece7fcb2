"""``platform parity``: are all environments built alike, apart from the declared differences?"""

from __future__ import annotations

from pathlib import Path

import click

from ..environment import find_root, load_all
from ..environment.loader import environments_dir
from ..errors import PlatformError
from ..graph.model import ResourceGraph
from ..graph.runner import evaluate_environments
from ..parity import compare, load_allowlist, render_text
from .options import jobs_option, write_json

ALLOWLIST_FILE = "parity.yaml"


@click.command()
@click.option(
    "--allowlist",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help=f"Declared differences (default: environments/{ALLOWLIST_FILE}).",
)
@click.option(
    "--graphs",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Read <env>.json graphs from this folder (e.g. written by 'platform plan --all --json DIR') instead of evaluating.",
)
@click.option("--json", "json_out", type=click.Path(path_type=Path, allow_dash=True), help="Write the report as JSON.")
@jobs_option
def parity(allowlist: Path | None, graphs: Path | None, json_out: Path | None, jobs: int | None) -> None:
    """Compare every environment's resource graph; exit 1 on any undeclared difference (a snowflake)."""
    root = find_root()
    environments = load_all(root)
    rules = load_allowlist(allowlist or environments_dir(root) / ALLOWLIST_FILE)
    names = sorted(environments)
    resource_graphs = _read_graphs(graphs, names) if graphs else evaluate_environments(names, root, jobs=jobs)
    report = compare(resource_graphs, environments, rules)
    if json_out is not None:
        write_json(report.to_json(), json_out)
    if json_out is None or str(json_out) != "-":
        click.echo(render_text(report))
    if not report.ok:
        raise click.exceptions.Exit(1)


def _read_graphs(folder: Path, names: list[str]) -> dict[str, ResourceGraph]:
    if not folder.is_dir():
        raise PlatformError(f"{folder}: not a folder of resource graphs")
    missing = [n for n in names if not (folder / f"{n}.json").is_file()]
    if missing:
        raise PlatformError(
            f"{folder}: no graph for {', '.join(missing)}", hint="write them with 'platform plan --all --json <folder>'"
        )
    return {n: ResourceGraph.read(folder / f"{n}.json") for n in names}
