"""Helpers shared by the organisation's Kubernetes checks: where a workload keeps its pod and containers.

This module imports nothing from Checkov, so the repository's tests can read its constants.
Checkov loads every ``.py`` file of the external checks directory as a module named after the
file (and puts each folder on ``sys.path``), so the checks import it as ``platcheck_k8s``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

WORKLOAD_KINDS: tuple[str, ...] = ("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob")
"""Kinds whose containers the workload checks inspect."""

RUN_TO_COMPLETION_KINDS: tuple[str, ...] = ("Job", "CronJob")
"""Workloads that run to completion: exempt from the probe check (nothing to route to or restart)."""


def _mapping(raw: Any) -> Mapping[str, Any] | None:
    return raw if isinstance(raw, Mapping) else None


def pod_spec_path(kind: Any) -> tuple[str, ...]:
    """Where a workload of ``kind`` keeps its pod spec."""
    if kind == "Pod":
        return ("spec",)
    if kind == "CronJob":
        return ("spec", "jobTemplate", "spec", "template", "spec")
    return ("spec", "template", "spec")


def pod_spec(conf: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pod spec of a workload manifest (None when the manifest has none)."""
    node: Any = conf
    for key in pod_spec_path(conf.get("kind")):
        mapping = _mapping(node)
        node = mapping.get(key) if mapping is not None else None
    return _mapping(node)


def containers(spec: Mapping[str, Any], *, include_init: bool = True) -> list[tuple[str, Mapping[str, Any]]]:
    """``(label, container)`` for every container (and init container) of a pod spec, label like ``containers[0] app``."""
    found: list[tuple[str, Mapping[str, Any]]] = []
    for field in ("containers", "initContainers") if include_init else ("containers",):
        items = spec.get(field)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            container = _mapping(item) or {}
            found.append((f"{field}[{index}] {container.get('name', '?')}", container))
    return found


def is_true(raw: Any) -> bool:
    """True for ``true`` and ``"true"`` (any case) only."""
    return raw is True or (isinstance(raw, str) and raw.strip().lower() == "true")


def security_context(owner: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``securityContext`` of a pod spec or container ({} when absent)."""
    return _mapping(owner.get("securityContext")) or {}


def image_problem(image: Any) -> str | None:
    """Why an image reference is not pinned (None when it is): no image, no tag, or the tag ``latest``.

    A digest (``name@sha256:...``) pins the image whatever the tag. A ``:`` before the last ``/`` is a
    registry port, not a tag.
    """
    if not isinstance(image, str) or not image.strip():
        return "no image"
    reference = image.strip()
    if "@" in reference:
        digest = reference.split("@", 1)[1]
        return None if ":" in digest and digest.split(":", 1)[1] else f"malformed digest in {reference!r}"
    last = reference.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"untagged image {reference!r} (means :latest)"
    tag = last.split(":", 1)[1]
    if not tag or tag.lower() == "latest":
        return f"image {reference!r} uses the latest tag"
    return None
