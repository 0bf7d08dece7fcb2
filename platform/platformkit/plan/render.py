"""Print a plan summary as a tree: component -> resource types with counts (-> resources with --details)."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from ..graph.model import GraphResource
from .summary import PlanSummary


def render_plan(summary: PlanSummary, console: Console, *, details: bool = False) -> None:
    """Write ``summary`` to ``console``; secrets are already masked as ``[secret]`` in the graph."""
    title = (
        f"[bold]{escape(summary.stack)}[/bold]: {summary.resource_count} resources "
        f"in {sum(1 for c in summary.components if c.type != 'pulumi:pulumi:Stack')} components "
        f"[dim](source: {summary.source})[/dim]"
    )
    tree = Tree(title)
    for component in summary.components:
        where = f" [dim]{escape(_short_position(component.source_position))}[/dim]" if component.source_position else ""
        branch = tree.add(
            f"[cyan]{escape(component.name)}[/cyan] [dim]{escape(component.type)}[/dim] - {len(component.resources)}{where}"
        )
        for type_token, count in component.counts:
            type_branch = branch.add(f"{count:>3}  {escape(type_token)}")
            if details:
                for resource in (r for r in component.resources if r.type == type_token):
                    type_branch.add(_resource_line(resource))
    console.print(tree)
    for warning in summary.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")


def _resource_line(resource: GraphResource) -> str:
    inputs = json.dumps(resource.inputs, sort_keys=True)
    if len(inputs) > 400:
        inputs = inputs[:397] + "..."
    return f"[green]+[/green] {escape(resource.name)} [dim]{escape(inputs)}[/dim]"


def _short_position(position: str | None) -> str:
    return (position or "").removeprefix("project:///")
