"""AWS resources of a resource graph as a Terraform plan JSON document that Checkov's ``terraform_plan`` framework reads.

What Checkov 3.3 reads (``checkov/terraform/plan_parser.py``, ``context_parsers/tf_plan``), and so what we write:

- A file is a plan only when it has ``terraform_version`` and ``planned_values`` at the top level; anything
  else is skipped *without an error*. Each ``planned_values.root_module.resources[]`` entry is scanned only
  with ``mode: "managed"``; its ``address`` becomes the resource id in results (``<type>.<name>``), ``type``
  selects the checks, ``values`` are the attributes.
- ``configuration.root_module.resources[]`` is matched to a planned resource by ``type`` + ``name`` (so a
  name is unique per type). Of its ``expressions`` only top-level entries with ``references`` are read:
  the reference strings are added to the resource's ``references_`` attribute, which Checkov's graph
  builder scans like any other attribute (in 3.3.30 its reserved-name list holds the constants' Python
  names, not their values), so they become the edges graph checks (CKV2_*) follow, whether or not the
  attribute's value is known: verified with CKV2_AWS_6 (bucket <-> public access block). When the value is absent or null (unknown at plan time), Checkov
  also puts the first reference in its place, as it does for a real plan.
- ``resource_changes`` is optional: Checkov uses it only to drop resources being "forgotten" and, with
  ``EVAL_TF_PLAN_AFTER_UNKNOWN`` set, to mark unknown attributes. We do not write it: whether a resource is
  created, updated or unchanged is not in the graph, and an invented action would be a claim we cannot make.
- ``configuration.provider_config`` would add an ``aws`` provider block that provider checks (CKV_AWS_41)
  would pass on values we never saw (provider credentials are not in the graph): not written.

Values (``plan_values``):

- An unknown value (``[unknown]``) comes from another resource's output. When the property it sits in
  depends on exactly one resource, the value becomes a reference to that resource
  (``kms_key_id = "aws_kms_key.keys-logs.id"``, also inside blocks and lists): what Checkov sees for the
  same attribute in HCL, and what it substitutes itself for a top-level unknown in a Terraform plan. So
  existence checks pass (the value will be there) and value checks see a reference, not a wrong value;
  the path is recorded (``referenced`` in the bridge index), since a reference is not the document a
  policy attribute will hold.
  Any other unknown is written the way Terraform writes it in ``planned_values`` (omitted from objects,
  ``null`` in lists), and its path is recorded (``unknown`` in the bridge index): Checkov treats it as
  absent, so a check requiring it fails and a check forbidding a value passes; the recorded paths let
  the gate tell such a pass (``evaluated_keys`` of the result) from a real one.
- Secrets stay the string ``[secret]``: the attribute is set, its value is not shown.
- Integral floats (Pulumi sends every number as a float) become ints; JSON documents (IAM and resource
  policies) stay JSON strings, as in a Terraform plan; Checkov parses them itself.

Addresses: ``<terraform type>.<name>`` where the name is the Pulumi logical name with every character
outside ``[A-Za-z0-9_-]`` replaced by ``_`` (and a leading ``_`` if it would start with a digit or ``-``).
When two resources of one type in a stack get the same name, each of them gets ``_<8 hex>`` from the
SHA-256 of its URN. So an address depends only on the URN and on which other URNs share its name: it is
the same in every run and for both graph sources (mocks and ``pulumi preview``), whose URNs are equal.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from ..graph.model import UNKNOWN, GraphResource, ResourceGraph

FORMAT_VERSION = "1.2"
TERRAFORM_VERSION = "1.9.8"
"""Written as ``terraform_version``: Checkov ignores a plan without one (silently)."""
PROVIDER_NAME = "registry.terraform.io/hashicorp/aws"

_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_HASH_LENGTH = 8


class AwsMappingLike(Protocol):
    """What the bridge needs from ``platformkit.policy.mapping.AwsMapping``."""

    def terraform_type(self, token: str) -> str | None:
        """The Terraform resource type of a Pulumi type token, or None when it has no mapping."""
        ...

    def to_terraform(self, token: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """``inputs`` (Pulumi names) with every property renamed to its Terraform name."""
        ...


@dataclass(frozen=True)
class PlannedResource:
    """One resource of the plan, with what the bridge index records about it."""

    address: str
    terraform_type: str
    name: str
    resource: GraphResource
    values: dict[str, Any]
    references: dict[str, list[str]]
    """Terraform attribute -> reference strings (``<address>.<attr>``, ``<address>``, per dependency)."""
    unknown: tuple[str, ...]
    """Paths (Terraform names, ``a.b[0].c``) of values unknown until apply that Checkov does not see."""
    referenced: tuple[str, ...] = ()
    """Paths of values unknown until apply that Checkov sees as a reference to the resource they come from."""


@dataclass(frozen=True)
class StackPlan:
    """The plan document of one stack and the AWS resources that could not be mapped."""

    document: dict[str, Any]
    resources: list[PlannedResource]
    unmapped: list[GraphResource]


def is_aws_resource(resource: GraphResource) -> bool:
    """An AWS cloud resource: custom, not a provider, package ``aws``."""
    return resource.custom and not resource.is_provider and resource.type.startswith("aws:")


def sanitise_name(logical_name: str) -> str:
    """A Terraform resource name from a Pulumi logical name: ``[A-Za-z0-9_-]`` only, not starting with a digit or ``-``."""
    name = _NAME_UNSAFE.sub("_", logical_name)
    if not name or not (name[0].isalpha() or name[0] == "_"):
        name = "_" + name
    return name


def urn_hash(urn: str, length: int = _HASH_LENGTH) -> str:
    """A short, stable hash of a URN, used to tell colliding names apart."""
    return hashlib.sha256(urn.encode("utf-8")).hexdigest()[:length]


def assign_names(resources: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """URN -> unique name, for ``(urn, terraform type, logical name)`` triples of one stack.

    Names are unique per Terraform type (Checkov matches a resource to its configuration by type + name).
    Every member of a group that would share a name gets a hash suffix of its own URN, so which one is
    "first" never matters.
    """
    items = list(resources)
    groups: dict[tuple[str, str], list[str]] = {}
    for urn, tf_type, logical in items:
        groups.setdefault((tf_type, sanitise_name(logical)), []).append(urn)
    names: dict[str, str] = {}
    taken: set[tuple[str, str]] = {key for key, urns in groups.items() if len(urns) == 1}
    for (tf_type, base), urns in groups.items():
        if len(urns) == 1:
            names[urns[0]] = base
            continue
        for urn in urns:
            length = _HASH_LENGTH
            candidate = f"{base}_{urn_hash(urn, length)}"
            while (tf_type, candidate) in taken:
                length += 4
                candidate = f"{base}_{urn_hash(urn, length)}"
            taken.add((tf_type, candidate))
            names[urn] = candidate
    return names


def plan_values(value: Any, substitutes: dict[str, str] | None = None) -> tuple[Any, list[str], list[str]]:
    """Values as Terraform's ``planned_values`` writes them; paths of the unknowns left out, and of those referenced.

    An unknown inside top-level attribute ``a`` becomes ``substitutes[a]`` with the leaf's attribute
    (``<address>.arn`` or ``<address>.id``) when ``a`` depends on exactly one resource: that resource's
    output is where the value comes from, and a reference is what Checkov shows for it in HCL and in a
    Terraform plan. Other unknowns are omitted from objects and ``null`` in lists, and their paths
    returned. Integral floats become ints. Everything else (``[secret]``, JSON strings) is kept.
    """
    unknown: list[str] = []
    referenced: list[str] = []
    out = _plan_value(value, "", "", None, substitutes or {}, (unknown, referenced))
    return out, unknown, referenced


_OMIT = object()


def _plan_value(
    value: Any, path: str, leaf: str, top: str | None, substitutes: dict[str, str], found: tuple[list[str], list[str]]
) -> Any:
    if value == UNKNOWN:
        target = substitutes.get(top or "")
        if target is not None:
            found[1].append(path)
            return f"{target}.{reference_attribute(leaf, None)}"
        found[0].append(path)
        return _OMIT
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            converted = _plan_value(item, sub, str(key), top if top is not None else str(key), substitutes, found)
            if converted is not _OMIT:
                out[key] = converted
        return out
    if isinstance(value, list):
        items = [_plan_value(item, f"{path}[{i}]", leaf, top, substitutes, found) for i, item in enumerate(value)]
        return [None if item is _OMIT else item for item in items]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _is_arn(value: Any) -> bool:
    if isinstance(value, str):
        return value.startswith("arn:")
    if isinstance(value, list):
        return any(_is_arn(v) for v in value)
    return False


def reference_attribute(attribute: str, value: Any) -> str:
    """The attribute a reference names: ``arn`` when the value is (or the attribute names) an ARN, else ``id``.

    Checkov finds the referenced resource from ``<type>.<name>`` whatever the attribute; the attribute
    only shows in place of an unknown value (``principal_arn = aws_eks_access_entry.x.arn``).
    """
    if _is_arn(value) or attribute.endswith(("_arn", "_arns")) or attribute == "arn":
        return "arn"
    return "id"


def _terraform_property_name(mapping: AwsMappingLike, token: str, prop: str, resource: GraphResource) -> str | None:
    converted = mapping.to_terraform(token, {prop: resource.inputs.get(prop)})
    return next(iter(converted)) if len(converted) == 1 else None


def build_stack_plan(graph: ResourceGraph, mapping: AwsMappingLike) -> StackPlan:
    """The Terraform plan document of ``graph``'s AWS resources (see the module docstring)."""
    aws = [r for r in graph.resources if is_aws_resource(r)]
    types = {r.urn: mapping.terraform_type(r.type) for r in aws}
    mapped = [r for r in aws if types[r.urn]]
    unmapped = [r for r in aws if not types[r.urn]]
    names = assign_names((r.urn, types[r.urn] or "", r.name) for r in mapped)
    addresses = {r.urn: f"{types[r.urn]}.{names[r.urn]}" for r in mapped}

    planned: list[PlannedResource] = []
    for r in mapped:
        tf_type = types[r.urn] or ""
        converted = mapping.to_terraform(r.type, dict(r.inputs))
        targets: dict[str, list[str]] = {}
        for prop, urns in r.property_dependencies.items():
            found = [addresses[u] for u in dict.fromkeys(urns) if u in addresses and u != r.urn]
            attribute = _terraform_property_name(mapping, r.type, prop, r) if found else None
            if attribute is not None:
                known = targets.setdefault(attribute, [])
                known += [t for t in found if t not in known]
        values, unknown, referenced = plan_values(converted, {a: t[0] for a, t in targets.items() if len(t) == 1})
        references: dict[str, list[str]] = {}
        for attribute, found in targets.items():
            suffix = reference_attribute(attribute, converted.get(attribute))
            references[attribute] = [ref for target in found for ref in (f"{target}.{suffix}", target)]
        planned.append(
            PlannedResource(
                address=addresses[r.urn],
                terraform_type=tf_type,
                name=names[r.urn],
                resource=r,
                values=values,
                references=references,
                unknown=tuple(unknown),
                referenced=tuple(referenced),
            )
        )
    return StackPlan(document=plan_document(planned), resources=planned, unmapped=unmapped)


def plan_document(resources: list[PlannedResource]) -> dict[str, Any]:
    """The JSON document: ``planned_values`` and ``configuration`` of the root module."""
    return {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": p.address,
                        "mode": "managed",
                        "type": p.terraform_type,
                        "name": p.name,
                        "provider_name": PROVIDER_NAME,
                        "values": p.values,
                    }
                    for p in resources
                ]
            }
        },
        "configuration": {
            "root_module": {
                "resources": [
                    {
                        "address": p.address,
                        "mode": "managed",
                        "type": p.terraform_type,
                        "name": p.name,
                        "provider_config_key": "aws",
                        "expressions": {attr: {"references": refs} for attr, refs in p.references.items()},
                    }
                    for p in resources
                ]
            }
        },
    }
