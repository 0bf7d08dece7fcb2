"""Summarise a resource graph by component and type: the data behind ``platform plan``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..graph.model import GraphResource, ResourceGraph

STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass
class ComponentSummary:
    """One top-level component (or the stack's own direct resources) and what it contains."""

    name: str
    type: str
    source_position: str | None
    resources: list[GraphResource] = field(default_factory=list)

    @property
    def counts(self) -> list[tuple[str, int]]:
        """(type, count) of its cloud resources, most frequent first, then by type."""
        counter = Counter(r.type for r in self.resources)
        return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


@dataclass
class PlanSummary:
    """A plan grouped by top-level component."""

    stack: str
    source: str
    components: list[ComponentSummary]
    warnings: list[str]

    @property
    def resource_count(self) -> int:
        """Cloud (custom) resources, providers included."""
        return sum(len(c.resources) for c in self.components)

    def to_json(self) -> dict[str, Any]:
        """Machine-readable summary."""
        return {
            "stack": self.stack,
            "source": self.source,
            "resourceCount": self.resource_count,
            "components": [
                {
                    "name": c.name,
                    "type": c.type,
                    "sourcePosition": c.source_position,
                    "resourceCount": len(c.resources),
                    "types": dict(c.counts),
                }
                for c in self.components
            ],
            "warnings": self.warnings,
        }


def summarise(graph: ResourceGraph) -> PlanSummary:
    """Group every custom resource under its top-level component; stack-level resources under '(stack)'."""
    index = graph.by_urn()
    groups: dict[str, ComponentSummary] = {}
    stack_level = ComponentSummary(name="(stack)", type=STACK_TYPE, source_position=None)
    for resource in graph.resources:
        if not resource.custom:
            continue
        top = _top_component(resource, index)
        if top is None:
            stack_level.resources.append(resource)
            continue
        summary = groups.get(top.urn)
        if summary is None:
            summary = groups[top.urn] = ComponentSummary(top.name, top.type, top.source_position)
        summary.resources.append(resource)
    components = list(groups.values())
    if stack_level.resources:
        components.insert(0, stack_level)
    return PlanSummary(stack=graph.stack, source=graph.source, components=components, warnings=list(graph.warnings))


def _top_component(resource: GraphResource, index: dict[str, GraphResource]) -> GraphResource | None:
    top: GraphResource | None = None
    parent = index.get(resource.parent) if resource.parent else None
    while parent is not None and parent.type != STACK_TYPE:
        if not parent.custom:
            top = parent
        parent = index.get(parent.parent) if parent.parent else None
    return top
