"""The bridge: resource graphs -> files Checkov scans, plus an index from Checkov's names back to the program.

``render(graphs, out_dir, mapping)`` writes into one folder, for each stack (environment):

- ``<stack>.tfplan.json``: its AWS resources as a Terraform plan (``terraform_plan.py`` says what Checkov
  reads and how values, unknowns, secrets, references and addresses are written);
- ``<stack>.k8s.yaml``: its pulumi-kubernetes objects as one multi-document manifest
  (``kubernetes_manifests.py``). Two objects that Checkov would name alike (same kind, namespace and name,
  e.g. one per cluster) cannot share a file, so the second goes to ``<stack>.k8s.2.yaml``, and so on;
- ``bridge-index.json``: for every file, Checkov's resource id (Terraform address, or Kubernetes
  ``<kind>.<namespace>.<name>``) -> stack, URN, type, logical name, file, source position, and the
  paths of values unknown at plan time. Ids repeat across stacks (every environment has
  ``aws_s3_bucket.storage-artifacts``), so the index is keyed by file first: ``BridgeIndex.lookup`` takes
  the ``file_path`` and ``resource`` of a Checkov result.

Providers, components and the stack are not resources Checkov knows and are not written. AWS resources
whose type has no Terraform mapping, Kubernetes patches, and Kubernetes components whose objects are not
in the graph (Helm charts and YAML config groups under mocks) are never dropped silently: they are in
``BridgeResult.unmapped`` (and the index's ``unmapped``), for the gate to fail on unless declared.

``BridgeResult.written`` gives, per file, how many resources Checkov must report for it
(``resource_count``): one per plan resource; for manifests, one per object plus one per workload Pod
template, which Checkov scans as a resource of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Literal, NamedTuple

from ..errors import PlatformError
from ..graph.model import GraphResource, ResourceGraph
from .kubernetes_manifests import Manifest, build_stack_manifests, dump_documents
from .terraform_plan import AwsMappingLike, PlannedResource, build_stack_plan

INDEX_FORMAT = "platformkit.policy-bridge-index/v1"
INDEX_FILE = "bridge-index.json"
PLAN_SUFFIX = ".tfplan.json"
MANIFEST_SUFFIX = ".k8s.yaml"

Framework = Literal["terraform_plan", "kubernetes"]
FRAMEWORKS: tuple[Framework, ...] = ("terraform_plan", "kubernetes")
"""Checkov's names of the frameworks the bridge writes for (``--framework``)."""

_STACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_OWN_OUTPUT = re.compile(r"^(bridge-index\.json|.+\.tfplan\.json|.+\.k8s(\.\d+)?\.yaml)$")
_SCANNED_SUFFIXES = (".json", ".yaml", ".yml", ".tf", ".hcl")


class UnmappedResource(NamedTuple):
    """A resource the bridge could not write: an AWS type without mapping, a Kubernetes patch or unexpanded component."""

    stack: str
    urn: str
    type: str


@dataclass(frozen=True)
class IndexEntry:
    """Where a Checkov resource comes from."""

    stack: str
    urn: str
    type: str
    """The Pulumi type token."""
    name: str
    """The Pulumi logical name."""
    file: str
    """The file (in the output folder) it was written to."""
    source_position: str | None
    """``project:///<path>#<line>`` of the declaration, when the graph has it."""
    framework: Framework
    checkov_type: str
    """The Terraform resource type, or the Kubernetes kind."""
    unknown: tuple[str, ...] = ()
    """Paths (Terraform / manifest names) of values unknown until apply, left out of what Checkov saw."""
    referenced: tuple[str, ...] = ()
    """Paths of values unknown until apply that Checkov saw as a reference to the resource they come from."""
    pod_template_of: str | None = None
    """For the Pod Checkov makes of a workload's template: the workload's Checkov id."""
    redacted: bool = False
    """A Secret whose values were replaced by placeholders."""

    def to_json(self) -> dict[str, Any]:
        """The entry as written in ``bridge-index.json`` (camelCase, like the graph)."""
        data: dict[str, Any] = {
            "stack": self.stack,
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "file": self.file,
            "sourcePosition": self.source_position,
            "framework": self.framework,
            "checkovType": self.checkov_type,
            "unknown": list(self.unknown),
            "referenced": list(self.referenced),
        }
        if self.pod_template_of is not None:
            data["podTemplateOf"] = self.pod_template_of
        if self.redacted:
            data["redacted"] = True
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IndexEntry:
        """Parse one entry written by ``to_json``."""
        return cls(
            stack=str(data["stack"]),
            urn=str(data["urn"]),
            type=str(data["type"]),
            name=str(data["name"]),
            file=str(data["file"]),
            source_position=data.get("sourcePosition"),
            framework=data["framework"],
            checkov_type=str(data["checkovType"]),
            unknown=tuple(data.get("unknown") or ()),
            referenced=tuple(data.get("referenced") or ()),
            pod_template_of=data.get("podTemplateOf"),
            redacted=bool(data.get("redacted", False)),
        )


@dataclass(frozen=True)
class BridgeIndex:
    """Checkov's (file, resource id) -> ``IndexEntry``; written as ``bridge-index.json``."""

    files: dict[str, dict[str, IndexEntry]]
    """File name -> Checkov resource id -> entry."""
    unmapped: list[UnmappedResource] = field(default_factory=list)

    def lookup(self, file_path: str, resource: str) -> IndexEntry | None:
        """The entry of a Checkov result, from its ``file_path`` (``/dev.tfplan.json``, absolute, or bare) and ``resource``."""
        name = PureWindowsPath(file_path).name if "\\" in file_path else PurePosixPath(file_path).name
        return self.files.get(name, {}).get(resource)

    def entries(self) -> list[IndexEntry]:
        """Every entry, file by file."""
        return [entry for resources in self.files.values() for entry in resources.values()]

    def to_json(self) -> dict[str, Any]:
        """The JSON document (``format`` first)."""
        return {
            "format": INDEX_FORMAT,
            "files": {
                file: {
                    "stack": next(iter(resources.values())).stack if resources else None,
                    "framework": next(iter(resources.values())).framework if resources else None,
                    "resources": {rid: entry.to_json() for rid, entry in resources.items()},
                }
                for file, resources in self.files.items()
            },
            "unmapped": [u._asdict() for u in self.unmapped],
        }

    def write(self, path: Path) -> None:
        """Write the index as JSON."""
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> BridgeIndex:
        """Read an index written by ``write``, refusing anything else."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise PlatformError(f"{path}: cannot read the bridge index ({exc})") from None
        if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
            raise PlatformError(f'{path}: not a bridge index (expected "format": "{INDEX_FORMAT}")')
        try:
            files = {
                file: {rid: IndexEntry.from_json(entry) for rid, entry in body["resources"].items()}
                for file, body in data["files"].items()
            }
            unmapped = [UnmappedResource(u["stack"], u["urn"], u["type"]) for u in data.get("unmapped") or []]
        except (KeyError, TypeError, AttributeError) as exc:
            raise PlatformError(f"{path}: malformed bridge index ({exc.__class__.__name__}: {exc})") from None
        return cls(files=files, unmapped=unmapped)


@dataclass(frozen=True)
class BridgeResult:
    """What ``render`` wrote."""

    out_dir: Path
    written: dict[str, dict[str, int]]
    """File name -> framework -> number of resources Checkov must count for it (files with none are not written)."""
    index: BridgeIndex
    unmapped: list[UnmappedResource]

    def expected_resource_count(self, framework: Framework) -> int:
        """The ``resource_count`` Checkov's report for ``framework`` must show for the whole folder."""
        return sum(counts.get(framework, 0) for counts in self.written.values())

    def files(self) -> list[Path]:
        """Every file written for Checkov (not the index), in writing order."""
        return [self.out_dir / name for name in self.written]


def render(graphs: Mapping[str, ResourceGraph], out_dir: Path, mapping: AwsMappingLike) -> BridgeResult:
    """Write the Checkov input of every stack in ``graphs`` (stack name -> graph) and the index to ``out_dir``.

    ``out_dir`` is created if needed. Files this function wrote before are replaced; any other file
    Checkov would scan there is refused, since its resources would be counted and reported as ours.
    """
    for stack in graphs:
        if not _STACK_NAME.match(stack):
            raise PlatformError(f"stack name {stack!r} cannot name a file", hint="use letters, digits, '-', '_' and '.'")
    _prepare(out_dir)
    written: dict[str, dict[str, int]] = {}
    files: dict[str, dict[str, IndexEntry]] = {}
    unmapped: list[UnmappedResource] = []
    for stack, graph in graphs.items():
        plan = build_stack_plan(graph, mapping)
        unmapped += [UnmappedResource(stack, r.urn, r.type) for r in plan.unmapped]
        if plan.resources:
            name = f"{stack}{PLAN_SUFFIX}"
            (out_dir / name).write_text(json.dumps(plan.document, indent=1) + "\n", encoding="utf-8")
            written[name] = {"terraform_plan": len(plan.resources)}
            files[name] = {p.address: _plan_entry(stack, name, p) for p in plan.resources}

        manifests = build_stack_manifests(graph)
        unmapped += [UnmappedResource(stack, r.urn, r.type) for r in manifests.unmapped]
        for name, group in _manifest_files(stack, manifests.manifests).items():
            (out_dir / name).write_text(dump_documents(group), encoding="utf-8")
            written[name] = {"kubernetes": sum(len(m.resource_ids) for m in group)}
            files[name] = {rid: entry for m in group for rid, entry in _manifest_entries(stack, name, m)}
    index = BridgeIndex(files=files, unmapped=unmapped)
    index.write(out_dir / INDEX_FILE)
    return BridgeResult(out_dir=out_dir, written=written, index=index, unmapped=unmapped)


def _prepare(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise PlatformError(f"{out_dir}: not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    stale = [p for p in out_dir.iterdir() if p.is_file() and _OWN_OUTPUT.match(p.name)]
    foreign = [p.name for p in out_dir.iterdir() if p not in stale and (p.is_dir() or p.suffix.lower() in _SCANNED_SUFFIXES)]
    if foreign:
        raise PlatformError(
            f"{out_dir}: holds files Checkov would scan along with the bridge's: {', '.join(sorted(foreign))}",
            hint="use an empty folder (or one the bridge wrote before)",
        )
    for path in stale:
        path.unlink()


def _manifest_files(stack: str, manifests: list[Manifest]) -> dict[str, list[Manifest]]:
    """Manifests per file: the first file that has none of a manifest's Checkov ids yet takes it."""
    groups: list[tuple[set[str], list[Manifest]]] = []
    for manifest in manifests:
        ids = set(manifest.resource_ids)
        for taken, group in groups:
            if not ids & taken:
                taken.update(ids)
                group.append(manifest)
                break
        else:
            groups.append((ids, [manifest]))
    return {
        (f"{stack}{MANIFEST_SUFFIX}" if i == 0 else f"{stack}.k8s.{i + 1}.yaml"): group for i, (_, group) in enumerate(groups)
    }


def _plan_entry(stack: str, file: str, planned: PlannedResource) -> IndexEntry:
    return _entry(
        stack, file, planned.resource, "terraform_plan", planned.terraform_type, planned.unknown, referenced=planned.referenced
    )


def _manifest_entries(stack: str, file: str, manifest: Manifest) -> list[tuple[str, IndexEntry]]:
    kind = str(manifest.document["kind"])
    own, *templates = manifest.resource_ids
    entries = [(own, _entry(stack, file, manifest.resource, "kubernetes", kind, manifest.unknown, redacted=manifest.redacted))]
    entries += [
        (rid, _entry(stack, file, manifest.resource, "kubernetes", "Pod", manifest.unknown, pod_template_of=own))
        for rid in templates
    ]
    return entries


def _entry(
    stack: str,
    file: str,
    resource: GraphResource,
    framework: Framework,
    checkov_type: str,
    unknown: tuple[str, ...],
    *,
    pod_template_of: str | None = None,
    redacted: bool = False,
    referenced: tuple[str, ...] = (),
) -> IndexEntry:
    return IndexEntry(
        stack=stack,
        urn=resource.urn,
        type=resource.type,
        name=resource.name,
        file=file,
        source_position=resource.source_position,
        framework=framework,
        checkov_type=checkov_type,
        unknown=unknown,
        referenced=referenced,
        pod_template_of=pod_template_of,
        redacted=redacted,
    )
