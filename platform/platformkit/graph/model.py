"""The resource graph: one record per resource, the format plan, parity and policy read.

It is produced either by evaluating the program offline under Pulumi's mocks
(``graph.evaluate``) or from ``pulumi preview --json --show-sames`` output
(``graph.preview``); both give the same shape, so every consumer works on either.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import PlatformError

FORMAT = "platformkit.resource-graph/v1"
SECRET = "[secret]"
"""What a secret value is replaced with, everywhere a graph is written or shown."""
UNKNOWN = "[unknown]"
"""What a value unknown until apply is replaced with."""

Source = Literal["mocks", "preview"]


@dataclass(frozen=True)
class GraphResource:
    """One resource: identity, place in the tree, inputs (secrets masked) and dependencies."""

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    provider: str | None = None
    source_position: str | None = None
    """``project:///<path>#<line>``, the form the Pulumi engine records."""

    @property
    def is_component(self) -> bool:
        """A component (or the stack) rather than a cloud resource."""
        return not self.custom

    @property
    def is_provider(self) -> bool:
        """A provider instance (``pulumi:providers:<pkg>``)."""
        return self.type.startswith("pulumi:providers:")

    @property
    def package(self) -> str:
        """The package of the type token, e.g. ``aws`` or ``kubernetes``."""
        return self.type.split(":", 1)[0] if not self.is_provider else self.type.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class ResourceGraph:
    """All resources of one stack (environment), in registration order."""

    project: str
    stack: str
    source: Source
    resources: list[GraphResource]
    warnings: list[str] = field(default_factory=list)

    def by_urn(self) -> dict[str, GraphResource]:
        """Resources keyed by URN."""
        return {r.urn: r for r in self.resources}

    def of_type(self, type_token: str) -> list[GraphResource]:
        """Resources of one type token, in registration order."""
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> GraphResource:
        """The one resource with logical name ``name`` (KeyError when absent or ambiguous)."""
        found = [r for r in self.resources if r.name == name]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources named {name!r}")
        return found[0]

    def children(self, urn: str) -> list[GraphResource]:
        """Direct children of ``urn``."""
        return [r for r in self.resources if r.parent == urn]

    def component_of(self, resource: GraphResource) -> GraphResource | None:
        """The nearest enclosing component below the stack, or None for top-level resources."""
        index = self.by_urn()
        parent = index.get(resource.parent) if resource.parent else None
        while parent is not None and parent.type != "pulumi:pulumi:Stack" and parent.custom:
            parent = index.get(parent.parent) if parent.parent else None
        if parent is None or parent.type == "pulumi:pulumi:Stack":
            return None
        return parent

    def to_json(self) -> dict[str, Any]:
        """The JSON document (``format`` first, camelCase keys like Pulumi's own)."""
        return {
            "format": FORMAT,
            "project": self.project,
            "stack": self.stack,
            "source": self.source,
            "warnings": list(self.warnings),
            "resources": [_resource_json(r) for r in self.resources],
        }

    def write(self, path: Path) -> None:
        """Write the graph as JSON."""
        path.write_text(json.dumps(self.to_json(), indent=1, sort_keys=False) + "\n", encoding="utf-8")

    @classmethod
    def from_json(cls, data: Any, *, origin: str = "graph") -> ResourceGraph:
        """Parse a graph document, refusing anything that is not one."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise PlatformError(f'{origin}: not a resource graph (expected "format": "{FORMAT}")')
        try:
            resources = [
                GraphResource(
                    urn=r["urn"],
                    type=r["type"],
                    name=r["name"],
                    parent=r.get("parent"),
                    custom=bool(r["custom"]),
                    inputs=dict(r.get("inputs") or {}),
                    dependencies=list(r.get("dependencies") or []),
                    property_dependencies={k: list(v) for k, v in (r.get("propertyDependencies") or {}).items()},
                    provider=r.get("provider"),
                    source_position=r.get("sourcePosition"),
                )
                for r in data["resources"]
            ]
            return cls(
                project=str(data["project"]),
                stack=str(data["stack"]),
                source=data["source"],
                resources=resources,
                warnings=list(data.get("warnings") or []),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise PlatformError(f"{origin}: malformed resource graph ({exc.__class__.__name__}: {exc})") from None

    @classmethod
    def read(cls, path: Path) -> ResourceGraph:
        """Read a graph file written by ``write`` / ``platform plan --json``."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PlatformError(f"{path}: cannot read ({exc.strerror})") from None
        except json.JSONDecodeError as exc:
            raise PlatformError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
        return cls.from_json(data, origin=str(path))


def _resource_json(r: GraphResource) -> dict[str, Any]:
    raw = asdict(r)
    return {
        "urn": raw["urn"],
        "type": raw["type"],
        "name": raw["name"],
        "parent": raw["parent"],
        "custom": raw["custom"],
        "provider": raw["provider"],
        "inputs": raw["inputs"],
        "dependencies": raw["dependencies"],
        "propertyDependencies": raw["property_dependencies"],
        "sourcePosition": raw["source_position"],
    }
