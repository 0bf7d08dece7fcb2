"""pulumi-kubernetes resources of a resource graph as plain Kubernetes manifests for Checkov's ``kubernetes`` framework.

A pulumi-kubernetes resource's inputs already are its manifest; what the bridge adds or changes:

- ``apiVersion`` and ``kind`` come from the type token (``kubernetes:core/v1:Namespace`` -> ``v1`` /
  ``Namespace``; ``kubernetes:networking.k8s.io/v1:NetworkPolicy`` -> ``networking.k8s.io/v1``), which is
  what the provider sends; ``CustomResource`` tokens carry no version and keep the inputs' own.
- Objects without ``metadata.name`` (auto-named by Pulumi as ``<logical name>-<random>``, or named by the
  API server from ``generateName``) get the logical name: Checkov drops an object without a name from its
  graph without saying so, and the name must not change between runs.
- ``metadata.namespace``: when unknown (the namespace is created in the same run) it is taken from the one
  ``Namespace`` resource the metadata depends on; when absent on a namespaced kind, the provider's
  ``namespace`` setting applies (as pulumi-kubernetes does); otherwise it stays absent (Checkov and the API
  server both read that as ``default``).
- Unknown values (``[unknown]``) are left out (objects) or dropped (lists); their paths are recorded.
- ``Secret``: the values of ``data`` and ``stringData`` are replaced by a placeholder (``data``: base64 of
  ``REDACTED``), keys kept, and the document carries a comment saying so. No secret value, masked or
  not, is ever written.
- ``...Patch`` types (server-side apply patches) are partial objects: checks on them would judge fields
  they do not set. They are not rendered, and reported as unmapped.
- pulumi-kubernetes components (Helm ``Chart`` v4, ``yaml/v2`` ``ConfigGroup``/``ConfigFile``, Kustomize
  ``Directory``) are remote components: under mocks none of the objects they deploy is registered. One
  without children in the graph is reported as unmapped; with children (a ``pulumi preview`` graph) its
  objects are rendered like any other.

Checkov's resource id of an object is ``<kind>.<namespace or "default">.<name>`` (cluster-scoped objects
too, e.g. ``Namespace.default.apps``); a workload (Deployment, StatefulSet, DaemonSet, Job, ReplicaSet,
ReplicationController) also yields its Pod template as a second resource
(``Pod.<namespace>.<workload name>.<label>-<value>...`` unless the template is named).
``checkov_resource_ids`` reproduces that (``checkov/kubernetes/kubernetes_utils.py``,
``graph_builder/local_graph.py``), so the written count can be compared with Checkov's.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ..graph.model import SECRET, UNKNOWN, GraphResource, ResourceGraph

SECRET_PLACEHOLDER = "REDACTED"
"""What every value of a Secret's ``stringData`` becomes (``data``: its base64)."""
SECRET_NOTE = "Secret values replaced by placeholders by the policy bridge; keys are the program's."

POD_TEMPLATE_KINDS = frozenset(
    {"Deployment", "DeploymentConfig", "DaemonSet", "Job", "ReplicaSet", "ReplicationController", "StatefulSet"}
)
"""Kinds whose ``spec.template`` Checkov scans as a Pod of its own."""

CLUSTER_SCOPED_KINDS = frozenset(
    {
        "APIService",
        "CertificateSigningRequest",
        "ClusterRole",
        "ClusterRoleBinding",
        "ClusterTrustBundle",
        "ComponentStatus",
        "CSIDriver",
        "CSINode",
        "CustomResourceDefinition",
        "DeviceClass",
        "FlowSchema",
        "IngressClass",
        "IPAddress",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "RuntimeClass",
        "ServiceCIDR",
        "StorageClass",
        "StorageVersionMigration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
        "VolumeAttributesClass",
    }
)
"""Built-in kinds that have no namespace (a provider's default namespace does not apply to them)."""

_DEFAULT_NAMESPACE = "default"


@dataclass(frozen=True)
class Manifest:
    """One rendered object and what the bridge index records about it."""

    resource: GraphResource
    document: dict[str, Any]
    resource_ids: tuple[str, ...]
    """Checkov's ids for it: the object's, then its Pod template's if Checkov scans one."""
    unknown: tuple[str, ...]
    redacted: bool
    """A Secret whose values were replaced by placeholders."""


@dataclass(frozen=True)
class StackManifests:
    """The manifests of one stack, in registration order, and the resources that cannot be rendered."""

    manifests: list[Manifest]
    unmapped: list[GraphResource]


def is_kubernetes_resource(resource: GraphResource) -> bool:
    """A pulumi-kubernetes object: custom, not a provider, package ``kubernetes``."""
    return resource.custom and not resource.is_provider and resource.type.startswith("kubernetes:")


def is_unexpanded_component(resource: GraphResource, parents: set[str]) -> bool:
    """A pulumi-kubernetes component (``helm.sh/v4:Chart``, ``yaml/v2:ConfigGroup``...) with no children in the graph.

    These are remote components: under mocks only the component is registered, never the objects it
    deploys, so nothing of it would reach Checkov.
    """
    return not resource.custom and resource.type.startswith("kubernetes:") and resource.urn not in parents


def api_version_and_kind(token: str) -> tuple[str | None, str]:
    """``(apiVersion, kind)`` of a type token; apiVersion None when the token has none (``CustomResource``)."""
    _, module, kind = token.split(":", 2)
    if "/" not in module:
        return None, kind
    group, version = module.split("/", 1)
    return (version if group == "core" else f"{group}/{version}"), kind


def is_renderable(token: str) -> bool:
    """False for server-side apply patches (``...Patch`` kinds), which are partial objects."""
    _, kind = api_version_and_kind(token)
    return not kind.endswith("Patch")


def _drop_unknowns(value: Any, path: str, unknown: list[str]) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if item == UNKNOWN:
                unknown.append(sub)
                continue
            out[key] = _drop_unknowns(item, sub, unknown)
        return out
    if isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            if item == UNKNOWN:
                unknown.append(f"{path}[{index}]")
                continue
            items.append(_drop_unknowns(item, f"{path}[{index}]", unknown))
        return items
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _redact_secret(document: dict[str, Any]) -> None:
    placeholder = {"data": base64.b64encode(SECRET_PLACEHOLDER.encode()).decode(), "stringData": SECRET_PLACEHOLDER}
    for field, replacement in placeholder.items():
        values = document.get(field)
        if isinstance(values, dict):
            document[field] = dict.fromkeys(values, replacement)
        elif field in document:
            # the whole map is a secret ("[secret]"): its keys are not known either
            del document[field]


def _namespace_of_dependency(resource: GraphResource, by_urn: Mapping[str, GraphResource]) -> str | None:
    names = {
        str(dep.inputs.get("metadata", {}).get("name"))
        for urn in resource.property_dependencies.get("metadata", [])
        if (dep := by_urn.get(urn)) is not None
        and dep.type == "kubernetes:core/v1:Namespace"
        and isinstance(dep.inputs.get("metadata"), dict)
        and isinstance(dep.inputs["metadata"].get("name"), str)
        and dep.inputs["metadata"]["name"] not in (UNKNOWN, SECRET)
    }
    return names.pop() if len(names) == 1 else None


def _provider_namespace(resource: GraphResource, by_urn: Mapping[str, GraphResource]) -> str | None:
    provider = by_urn.get(resource.provider) if resource.provider else None
    namespace = provider.inputs.get("namespace") if provider is not None else None
    return namespace if isinstance(namespace, str) and namespace not in (UNKNOWN, SECRET, "") else None


def render_manifest(resource: GraphResource, by_urn: Mapping[str, GraphResource]) -> Manifest:
    """The manifest of one pulumi-kubernetes resource (see the module docstring)."""
    unknown: list[str] = []
    inputs = _drop_unknowns(dict(resource.inputs), "", unknown)
    api_version, kind = api_version_and_kind(resource.type)
    if api_version is None:
        api_version = str(inputs.get("apiVersion", ""))
        kind = str(inputs.get("kind", kind))
    metadata = inputs.get("metadata")
    metadata = dict(metadata) if isinstance(metadata, dict) else {}
    if not isinstance(metadata.get("name"), str) or not metadata["name"]:
        metadata["name"] = resource.name
    if "metadata.namespace" in unknown:
        namespace = _namespace_of_dependency(resource, by_urn)
        if namespace is not None:
            metadata["namespace"] = namespace
            unknown.remove("metadata.namespace")
    if "namespace" not in metadata and kind not in CLUSTER_SCOPED_KINDS:
        namespace = _provider_namespace(resource, by_urn)
        if namespace is not None:
            metadata["namespace"] = namespace
    document: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
    document.update({k: v for k, v in inputs.items() if k not in document})
    redacted = kind == "Secret" and api_version == "v1"
    if redacted:
        _redact_secret(document)
    return Manifest(
        resource=resource,
        document=document,
        resource_ids=checkov_resource_ids(document),
        unknown=tuple(unknown),
        redacted=redacted,
    )


def checkov_resource_ids(document: Mapping[str, Any]) -> tuple[str, ...]:
    """The ids Checkov gives ``document`` in its results, in the order it creates them."""
    own = _resource_id(document, parent=None)
    ids = [own] if own else []
    pod = _pod_template(document)
    if pod is not None:
        pod_id = _resource_id(pod, parent=str(document["metadata"].get("name", "")))
        if pod_id:
            ids.append(pod_id)
    return tuple(ids)


def _pod_template(document: Mapping[str, Any]) -> dict[str, Any] | None:
    spec = document.get("spec")
    if document.get("kind") not in POD_TEMPLATE_KINDS or not isinstance(spec, dict):
        return None
    template = spec.get("template")
    if not isinstance(template, dict):
        return None
    metadata = template.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(template.get("spec"), (dict, list)):
        return None
    if metadata.get("name") is None and metadata.get("labels") is None:
        return None
    namespace = metadata.get("namespace", document["metadata"].get("namespace"))
    pod_metadata = dict(metadata)
    if namespace is not None:
        pod_metadata["namespace"] = namespace
    return {"kind": template.get("kind", "Pod"), "metadata": pod_metadata}


def _resource_id(document: Mapping[str, Any], *, parent: str | None) -> str | None:
    kind = document.get("kind", "Pod")
    metadata = document.get("metadata") or {}
    namespace = metadata.get("namespace", _DEFAULT_NAMESPACE)
    name = metadata.get("name")
    if name:
        return f"{kind}.{namespace}.{name}"
    labels = metadata.get("labels")
    if not labels:
        return None
    labels_string = ".".join(f"{key}-{value}" for key, value in labels.items()) or "default"
    return f"{kind}.{namespace}.{parent}.{labels_string}" if parent else f"{kind}.{namespace}.{labels_string}"


def build_stack_manifests(graph: ResourceGraph) -> StackManifests:
    """The manifests of ``graph``'s pulumi-kubernetes resources."""
    by_urn = graph.by_urn()
    parents = {r.parent for r in graph.resources if r.parent}
    manifests: list[Manifest] = []
    unmapped: list[GraphResource] = []
    for resource in graph.resources:
        if is_unexpanded_component(resource, parents):
            unmapped.append(resource)
            continue
        if not is_kubernetes_resource(resource):
            continue
        if not is_renderable(resource.type):
            unmapped.append(resource)
            continue
        manifests.append(render_manifest(resource, by_urn))
    return StackManifests(manifests=manifests, unmapped=unmapped)


def dump_documents(manifests: list[Manifest]) -> str:
    """One multi-document YAML text; each document is preceded by a comment naming its URN."""
    parts = []
    for manifest in manifests:
        comments = [f"# {manifest.resource.urn}"]
        if manifest.redacted:
            comments.append(f"# {SECRET_NOTE}")
        body = yaml.safe_dump(manifest.document, sort_keys=False, default_flow_style=False, allow_unicode=True)
        parts.append("---\n" + "\n".join(comments) + "\n" + body)
    return "".join(parts)
