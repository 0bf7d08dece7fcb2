"""KubernetesBaseline: the guard rails every managed namespace and the cluster's scheduling start from.

Cluster-scoped, created once:

- four ``PriorityClass`` objects (``platform-critical``, ``workload-high``, ``workload-default`` as the one
  ``globalDefault``, ``batch-low`` that never preempts).

Per managed namespace (from ``KubernetesSettings.namespaces``):

- the ``Namespace``, enforcing the ``restricted`` Pod Security Standard (also audited and warned);
- a ``ResourceQuota`` capping CPU and memory requests and limits, pods, and (by default) LoadBalancer and
  NodePort Services at 0;
- a ``LimitRange`` giving containers without resources a default limit and request, capped at the quota;
- a ``default-deny`` ``NetworkPolicy`` isolating every pod in both directions, and ``allow-dns-egress`` letting
  every pod reach CoreDNS (``k8s-app=kube-dns`` in ``kube-system``) on port 53 UDP and TCP;
- outside ``critical_namespaces``: a scoped ``ResourceQuota`` allowing 0 pods of class ``platform-critical``.

Every object has an explicit ``metadata.name`` and the context's labels. The Kubernetes provider comes from the
caller's ``opts`` (``providers={"kubernetes": ...}``) and reaches every child through ``parent=self``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_kubernetes as k8s

from ..component import child_opts, token
from ..environment.model import NamespaceSettings
from .args import KubernetesBaselineArgs, millicores

COMPONENT = "kubernetes-baseline"
"""Value of the ``app.kubernetes.io/component`` label on every object."""

POD_SECURITY_LABELS: dict[str, str] = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
}
"""Pod Security Admission labels of every managed namespace: the ``restricted`` level, enforced."""

DNS_NAMESPACE = "kube-system"
DNS_POD_LABELS: dict[str, str] = {"k8s-app": "kube-dns"}
"""Labels of the cluster DNS pods (EKS's CoreDNS add-on keeps the upstream ``k8s-app=kube-dns``)."""
DNS_PORT = 53

QUOTA_NAME = "namespace-quota"
CRITICAL_QUOTA_NAME = "deny-platform-critical-priority"
LIMIT_RANGE_NAME = "container-defaults"
DEFAULT_DENY_NAME = "default-deny"
DNS_EGRESS_NAME = "allow-dns-egress"

CRITICAL_PRIORITY_CLASS = "platform-critical"


@dataclass(frozen=True)
class PriorityClassSpec:
    """One cluster-wide priority class."""

    name: str
    value: int
    preemption_policy: Literal["PreemptLowerPriority", "Never"]
    global_default: bool
    description: str


PRIORITY_CLASSES: tuple[PriorityClassSpec, ...] = (
    PriorityClassSpec(
        CRITICAL_PRIORITY_CLASS,
        1_000_000,
        "PreemptLowerPriority",
        False,
        "Platform services every workload depends on (ingress, DNS add-ons, observability). "
        "Below Kubernetes' own system-* classes; only pods in the platform's critical namespaces may use it.",
    ),
    PriorityClassSpec(
        "workload-high",
        10_000,
        "PreemptLowerPriority",
        False,
        "User-facing workloads that must keep running when the cluster is full; preempts default and batch pods.",
    ),
    PriorityClassSpec(
        "workload-default",
        1_000,
        "PreemptLowerPriority",
        True,
        "Default for pods that name no priority class.",
    ),
    PriorityClassSpec(
        "batch-low",
        100,
        "Never",
        False,
        "Interruptible batch work: scheduled last, never preempts other pods, preempted first.",
    ),
)
"""The priority classes, highest first. Exactly one is ``globalDefault``."""


class KubernetesBaseline(pulumi.ComponentResource):
    """Namespaces with restricted pod security, quotas, default limits and default-deny networking; priority classes."""

    namespaces: dict[str, k8s.core.v1.Namespace]
    resource_quotas: dict[str, k8s.core.v1.ResourceQuota]
    limit_ranges: dict[str, k8s.core.v1.LimitRange]
    default_deny_policies: dict[str, k8s.networking.v1.NetworkPolicy]
    dns_egress_policies: dict[str, k8s.networking.v1.NetworkPolicy]
    priority_classes: dict[str, k8s.scheduling.v1.PriorityClass]
    namespace_names: list[str]
    priority_class_names: list[str]

    def __init__(self, name: str, args: KubernetesBaselineArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(token("kubernetes_baseline", "KubernetesBaseline"), name, None, opts)
        self._labels = args.context.labels(COMPONENT)

        self.priority_classes = {
            spec.name: k8s.scheduling.v1.PriorityClass(
                f"{name}-priority-{spec.name}",
                metadata={"name": spec.name, "labels": self._labels},
                value=spec.value,
                global_default=spec.global_default,
                preemption_policy=spec.preemption_policy,
                description=spec.description,
                opts=child_opts(self),
            )
            for spec in PRIORITY_CLASSES
        }

        self.namespaces = {}
        self.resource_quotas = {}
        self.limit_ranges = {}
        self.default_deny_policies = {}
        self.dns_egress_policies = {}
        for ns_name, settings in args.settings.namespaces.items():
            namespace = k8s.core.v1.Namespace(
                f"{name}-{ns_name}-namespace",
                metadata={"name": ns_name, "labels": {**self._labels, **POD_SECURITY_LABELS}},
                opts=child_opts(self),
            )
            # The namespace's own output, so every object in it waits for the namespace to exist.
            in_namespace: pulumi.Output[str] = namespace.metadata.name
            prefix = f"{name}-{ns_name}"
            self.namespaces[ns_name] = namespace
            self.resource_quotas[ns_name] = k8s.core.v1.ResourceQuota(
                f"{prefix}-quota",
                metadata=self._metadata(QUOTA_NAME, in_namespace),
                spec={"hard": quota_hard(settings, allow_load_balancers=ns_name in args.load_balancer_namespaces)},
                opts=child_opts(self),
            )
            self.limit_ranges[ns_name] = k8s.core.v1.LimitRange(
                f"{prefix}-limits",
                metadata=self._metadata(LIMIT_RANGE_NAME, in_namespace),
                spec={
                    "limits": [
                        {
                            "type": "Container",
                            "default": {"cpu": settings.default_cpu, "memory": settings.default_memory},
                            "default_request": default_requests(settings),
                            "max": {"cpu": settings.cpu, "memory": settings.memory},
                        }
                    ]
                },
                opts=child_opts(self),
            )
            self.default_deny_policies[ns_name] = k8s.networking.v1.NetworkPolicy(
                f"{prefix}-default-deny",
                metadata=self._metadata(DEFAULT_DENY_NAME, in_namespace),
                spec={"pod_selector": {}, "policy_types": ["Ingress", "Egress"]},
                opts=child_opts(self),
            )
            self.dns_egress_policies[ns_name] = k8s.networking.v1.NetworkPolicy(
                f"{prefix}-allow-dns-egress",
                metadata=self._metadata(DNS_EGRESS_NAME, in_namespace),
                spec={
                    "pod_selector": {},
                    "policy_types": ["Egress"],
                    "egress": [
                        {
                            "to": [
                                {
                                    "namespace_selector": {"match_labels": {"kubernetes.io/metadata.name": DNS_NAMESPACE}},
                                    "pod_selector": {"match_labels": DNS_POD_LABELS},
                                }
                            ],
                            "ports": [{"protocol": "UDP", "port": DNS_PORT}, {"protocol": "TCP", "port": DNS_PORT}],
                        }
                    ],
                },
                opts=child_opts(self),
            )
            if ns_name not in args.critical_namespaces:
                k8s.core.v1.ResourceQuota(
                    f"{prefix}-critical-priority-quota",
                    metadata=self._metadata(CRITICAL_QUOTA_NAME, in_namespace),
                    spec={
                        "hard": {"pods": "0"},
                        "scope_selector": {
                            "match_expressions": [
                                {"scope_name": "PriorityClass", "operator": "In", "values": [CRITICAL_PRIORITY_CLASS]}
                            ]
                        },
                    },
                    opts=child_opts(self),
                )

        self.namespace_names = list(args.settings.namespaces)
        self.priority_class_names = [spec.name for spec in PRIORITY_CLASSES]
        self.register_outputs({"namespace_names": self.namespace_names, "priority_class_names": self.priority_class_names})

    def _metadata(self, object_name: str, namespace: pulumi.Output[str]) -> k8s.meta.v1.ObjectMetaArgsDict:
        return {"name": object_name, "namespace": namespace, "labels": self._labels}


def quota_hard(settings: NamespaceSettings, *, allow_load_balancers: bool) -> dict[str, str]:
    """The namespace quota: CPU and memory requests and limits, pods, and no LoadBalancer/NodePort Services unless allowed.

    LoadBalancer Services also allocate node ports, so allowing them lifts both caps.
    """
    hard = {
        "requests.cpu": settings.cpu,
        "limits.cpu": settings.cpu,
        "requests.memory": settings.memory,
        "limits.memory": settings.memory,
        "pods": str(settings.pods),
    }
    if not allow_load_balancers:
        hard |= {"services.loadbalancers": "0", "services.nodeports": "0"}
    return hard


def default_requests(settings: NamespaceSettings) -> dict[str, str]:
    """Requests of containers that set none: half the default CPU limit (rounded up to a millicore), the full memory limit.

    CPU is compressible, so requesting half lets containers burst into idle CPU; memory is not, so its request
    equals its limit and the scheduler never places more memory than nodes have.
    """
    cpu = max(1, math.ceil(millicores(settings.default_cpu) / 2))
    return {"cpu": f"{cpu}m", "memory": settings.default_memory}
