"""CKV_PLAT_016: every namespace has a ResourceQuota, a LimitRange and a default-deny NetworkPolicy.

A relation between objects, which Checkov's Kubernetes framework cannot express: its graph links
objects only by label selectors (``spec.selector.matchLabels``), RoleBinding/ClusterRoleBinding names,
NetworkPolicy pod selectors (to Pods only) and service accounts, never by namespace, and a Python check
sees one object at a time. So this check is a pure function the policy gate calls itself, on the
manifests of one stack (one ``<stack>.k8s.yaml``), and reports like a Checkov check.

No Checkov import: the gate (platformkit) and the tests import this module by path. Checkov also
executes it when it loads the external checks directory, which is harmless (it defines no check).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

CHECK_ID = "CKV_PLAT_016"
CHECK_NAME = (
    "Ensure every namespace (except kube-system, kube-public, kube-node-lease and default) has a ResourceQuota, "
    "a LimitRange and a default-deny NetworkPolicy for ingress and egress"
)
SEVERITY = "MEDIUM"
GUIDELINE = "policies/README.md#ckv_plat_016"

SYSTEM_NAMESPACES: frozenset[str] = frozenset({"kube-system", "kube-public", "kube-node-lease", "default"})
"""Namespaces the cluster owns: not checked."""


@dataclass(frozen=True)
class Finding:
    """The result of the check for one Namespace object, shaped like a Checkov record."""

    check_id: str
    check_name: str
    severity: str
    guideline: str
    resource: str
    """Checkov's resource id of the Namespace object: ``Namespace.default.<name>``."""
    namespace: str
    passed: bool
    missing: tuple[str, ...]
    """What the namespace lacks, e.g. ``("ResourceQuota", "default-deny egress NetworkPolicy")``; () when passed."""


def _mapping(raw: Any) -> Mapping[str, Any]:
    return raw if isinstance(raw, Mapping) else {}


def _objects(manifests: Iterable[Any]) -> list[Mapping[str, Any]]:
    """Every object, ``kind: List`` items spread; anything that is not a mapping is ignored."""
    found: list[Mapping[str, Any]] = []
    for item in manifests:
        if not isinstance(item, Mapping):
            continue
        if item.get("kind") == "List" and isinstance(item.get("items"), list):
            found += _objects(item["items"])
        else:
            found.append(item)
    return found


def _namespace_of(obj: Mapping[str, Any]) -> str:
    namespace = _mapping(obj.get("metadata")).get("namespace")
    return namespace if isinstance(namespace, str) and namespace else "default"


def _selects_every_pod(selector: Any) -> bool:
    """``podSelector: {}`` (no labels, no expressions) selects every pod of the namespace."""
    if not isinstance(selector, Mapping):
        return False
    return not selector.get("matchLabels") and not selector.get("matchExpressions")


def _is_quota(obj: Mapping[str, Any]) -> bool:
    """A quota that caps the whole namespace: some ``hard`` limits and no ``scopes``/``scopeSelector``."""
    spec = _mapping(obj.get("spec"))
    return bool(_mapping(spec.get("hard"))) and not spec.get("scopes") and not spec.get("scopeSelector")


def _is_limit_range(obj: Mapping[str, Any]) -> bool:
    limits = _mapping(obj.get("spec")).get("limits")
    return isinstance(limits, list) and bool(limits)


def _denied_directions(obj: Mapping[str, Any]) -> set[str]:
    """``Ingress``/``Egress`` that a NetworkPolicy denies by default: every pod selected, the type listed, no rules."""
    spec = _mapping(obj.get("spec"))
    if not _selects_every_pod(spec.get("podSelector")):
        return set()
    types = spec.get("policyTypes")
    if not isinstance(types, list) or not types:
        # Kubernetes' default: Ingress, plus Egress when egress rules are given.
        types = ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]
    denied = set()
    for direction, rules in (("Ingress", "ingress"), ("Egress", "egress")):
        if direction in types and not spec.get(rules):
            denied.add(direction)
    return denied


def namespace_guardrails(manifests: Iterable[Any]) -> list[Finding]:
    """One finding per Namespace object declared in ``manifests`` (parsed YAML documents of ONE stack).

    Namespaces only referenced by other objects (created elsewhere) are not judged. A default-deny
    policy may be one NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules) or two
    (one per direction).
    """
    objects = _objects(manifests)
    quotas: set[str] = set()
    limit_ranges: set[str] = set()
    denied: dict[str, set[str]] = {}
    for obj in objects:
        kind, namespace = obj.get("kind"), _namespace_of(obj)
        if kind == "ResourceQuota" and _is_quota(obj):
            quotas.add(namespace)
        elif kind == "LimitRange" and _is_limit_range(obj):
            limit_ranges.add(namespace)
        elif kind == "NetworkPolicy":
            denied.setdefault(namespace, set()).update(_denied_directions(obj))

    findings: list[Finding] = []
    for obj in objects:
        name = _mapping(obj.get("metadata")).get("name")
        if obj.get("kind") != "Namespace" or not isinstance(name, str) or name in SYSTEM_NAMESPACES:
            continue
        missing: list[str] = []
        if name not in quotas:
            missing.append("ResourceQuota (unscoped, with hard limits)")
        if name not in limit_ranges:
            missing.append("LimitRange")
        missing += [f"default-deny {d.lower()} NetworkPolicy" for d in ("Ingress", "Egress") if d not in denied.get(name, set())]
        findings.append(
            Finding(
                check_id=CHECK_ID,
                check_name=CHECK_NAME,
                severity=SEVERITY,
                guideline=GUIDELINE,
                resource=f"Namespace.{_namespace_of(obj)}.{name}",
                namespace=name,
                passed=not missing,
                missing=tuple(missing),
            )
        )
    return findings
