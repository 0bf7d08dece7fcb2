"""KubernetesBaseline: restricted namespaces with quota, default limits and default-deny networking; priority classes."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from platformkit.context import Context
from platformkit.environment.model import KubernetesSettings, NamespaceSettings
from platformkit.graph.model import GraphResource, ResourceGraph
from platformkit.kubernetes_baseline import KubernetesBaseline, KubernetesBaselineArgs

COMPONENT = "platform:kubernetes_baseline:KubernetesBaseline"
NAMESPACE = "kubernetes:core/v1:Namespace"
QUOTA = "kubernetes:core/v1:ResourceQuota"
LIMIT_RANGE = "kubernetes:core/v1:LimitRange"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
PRIORITY_CLASS = "kubernetes:scheduling.k8s.io/v1:PriorityClass"

PSA_LABELS = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
}

SETTINGS = KubernetesSettings(
    namespaces={
        "platform-system": NamespaceSettings(),
        "team-a": NamespaceSettings(cpu="4", memory="8Gi", pods=30, default_cpu="1", default_memory="512Mi"),
        "batch": NamespaceSettings(cpu="1500m", memory="2048Mi", pods=7, default_cpu="333m", default_memory="1Gi"),
    }
)


def build(record: Any, ctx: Context, settings: KubernetesSettings = SETTINGS, **extra: Any) -> tuple[ResourceGraph, list[Any]]:
    """Record the component under an explicit Kubernetes provider; also return the component object."""
    made: list[Any] = []

    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        made.append(
            KubernetesBaseline(
                "base",
                KubernetesBaselineArgs(context=ctx, settings=settings, **extra),
                opts=pulumi.ResourceOptions(providers={"kubernetes": provider}),
            )
        )

    return record(program), made


def in_namespace(graph: ResourceGraph, type_token: str, namespace: str) -> list[GraphResource]:
    return [r for r in graph.of_type(type_token) if r.inputs["metadata"]["namespace"] == namespace]


def test_each_namespace_enforces_the_restricted_pod_security_standard(record, ctx: Context) -> None:
    graph, _ = build(record, ctx)
    namespaces = {r.inputs["metadata"]["name"]: r for r in graph.of_type(NAMESPACE)}
    assert set(namespaces) == set(SETTINGS.namespaces)
    for name, namespace in namespaces.items():
        assert namespace.name == f"base-{name}-namespace"
        labels = namespace.inputs["metadata"]["labels"]
        assert {k: v for k, v in labels.items() if k.startswith("pod-security.kubernetes.io/")} == PSA_LABELS


def test_quota_takes_cpu_memory_and_pods_from_settings_and_blocks_external_services(record, ctx: Context) -> None:
    graph, _ = build(record, ctx)
    hard = graph.named("base-team-a-quota").inputs["spec"]["hard"]
    assert hard == {
        "requests.cpu": "4",
        "limits.cpu": "4",
        "requests.memory": "8Gi",
        "limits.memory": "8Gi",
        "pods": "30",
        "services.loadbalancers": "0",
        "services.nodeports": "0",
    }
    batch = graph.named("base-batch-quota").inputs["spec"]["hard"]
    assert (batch["requests.cpu"], batch["limits.memory"], batch["pods"]) == ("1500m", "2048Mi", "7")
    assert graph.named("base-batch-quota").inputs["metadata"]["name"] == "namespace-quota"


def test_load_balancer_namespaces_lift_the_service_caps_only_there(record, ctx: Context) -> None:
    graph, _ = build(record, ctx, load_balancer_namespaces=["platform-system"])
    allowed = graph.named("base-platform-system-quota").inputs["spec"]["hard"]
    assert "services.loadbalancers" not in allowed
    assert "services.nodeports" not in allowed
    assert allowed["pods"] == "50"
    other = graph.named("base-team-a-quota").inputs["spec"]["hard"]
    assert other["services.loadbalancers"] == "0"
    assert other["services.nodeports"] == "0"


def test_limit_range_defaults_requests_and_max(record, ctx: Context) -> None:
    graph, _ = build(record, ctx)
    expected = {
        # default CPU request: half the default limit, rounded up to a millicore; memory request = limit
        "platform-system": {"default": ("250m", "256Mi"), "defaultRequest": ("125m", "256Mi"), "max": ("8", "16Gi")},
        "team-a": {"default": ("1", "512Mi"), "defaultRequest": ("500m", "512Mi"), "max": ("4", "8Gi")},
        "batch": {"default": ("333m", "1Gi"), "defaultRequest": ("167m", "1Gi"), "max": ("1500m", "2048Mi")},
    }
    for namespace, want in expected.items():
        limit_range = graph.named(f"base-{namespace}-limits")
        assert limit_range.inputs["metadata"]["name"] == "container-defaults"
        limits = limit_range.inputs["spec"]["limits"]
        assert limits == [{"type": "Container", **{key: {"cpu": cpu, "memory": memory} for key, (cpu, memory) in want.items()}}]


def test_default_deny_isolates_every_pod_in_both_directions(record, ctx: Context) -> None:
    graph, _ = build(record, ctx)
    for namespace in SETTINGS.namespaces:
        policy = graph.named(f"base-{namespace}-default-deny")
        assert policy.inputs["metadata"]["name"] == "default-deny"
        assert policy.inputs["metadata"]["namespace"] == namespace
        # empty podSelector = every pod; both policy types and no rules = nothing allowed either way
        assert policy.inputs["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_dns_egress_reaches_only_cluster_dns_on_port_53(record, ctx: Context) -> None:
    graph, _ = build(record, ctx)
    for namespace in SETTINGS.namespaces:
        policy = graph.named(f"base-{namespace}-allow-dns-egress")
        assert policy.inputs["metadata"]["name"] == "allow-dns-egress"
        assert policy.inputs["spec"] == {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [
                        {
                            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                        }
                    ],
                    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                }
            ],
        }


def test_no_policy_opens_ingress(record, ctx: Context) -> None:
    graph, _ = build(record, ctx)
    for policy in graph.of_type(NETWORK_POLICY):
        assert "ingress" not in policy.inputs["spec"]


def test_objects_in_a_namespace_depend_on_it(record, ctx: Context) -> None:
    graph, _ = build(record, ctx)
    for namespace in SETTINGS.namespaces:
        ns = graph.named(f"base-{namespace}-namespace")
        members = [r for t in (QUOTA, LIMIT_RANGE, NETWORK_POLICY) for r in in_namespace(graph, t, namespace)]
        assert len(members) >= 4
        for member in members:
            assert member.name.startswith(f"base-{namespace}-")
            assert member.property_dependencies["metadata"] == [ns.urn]


def test_platform_critical_priority_is_refused_outside_critical_namespaces(record, ctx: Context) -> None:
    graph, _ = build(record, ctx)
    scoped = {r.inputs["metadata"]["namespace"]: r for r in graph.of_type(QUOTA) if "scopeSelector" in r.inputs["spec"]}
    assert set(scoped) == {"team-a", "batch"}
    for namespace, quota in scoped.items():
        assert quota.name == f"base-{namespace}-critical-priority-quota"
        assert quota.inputs["spec"] == {
            "hard": {"pods": "0"},
            "scopeSelector": {
                "matchExpressions": [{"scopeName": "PriorityClass", "operator": "In", "values": ["platform-critical"]}]
            },
        }
    graph, _ = build(record, ctx, critical_namespaces=["platform-system", "batch"])
    scoped_names = {r.inputs["metadata"]["namespace"] for r in graph.of_type(QUOTA) if "scopeSelector" in r.inputs["spec"]}
    assert scoped_names == {"team-a"}


def test_priority_classes_have_exactly_one_global_default(record, ctx: Context) -> None:
    graph, _ = build(record, ctx)
    ranked = sorted(graph.of_type(PRIORITY_CLASS), key=lambda r: -r.inputs["value"])
    classes = {r.inputs["metadata"]["name"]: r.inputs for r in ranked}
    assert list(classes) == ["platform-critical", "workload-high", "workload-default", "batch-low"]
    defaults = [name for name, inputs in classes.items() if inputs.get("globalDefault") is True]
    assert defaults == ["workload-default"]
    values = [inputs["value"] for inputs in classes.values()]
    assert all(isinstance(v, int) for v in values)
    assert values == sorted(values, reverse=True)
    assert len(set(values)) == len(values)
    assert max(values) <= 1_000_000_000  # above that is reserved for Kubernetes' system-* classes
    assert classes["batch-low"]["preemptionPolicy"] == "Never"
    assert {n: c["preemptionPolicy"] for n, c in classes.items() if n != "batch-low"} == dict.fromkeys(
        ["platform-critical", "workload-high", "workload-default"], "PreemptLowerPriority"
    )
    assert all(inputs["description"] for inputs in classes.values())


def test_every_object_carries_the_context_labels(record, ctx: Context) -> None:
    graph, _ = build(record, ctx)
    expected = ctx.labels("kubernetes-baseline")
    objects = [r for r in graph.resources if r.type.startswith("kubernetes:")]
    assert len(objects) == 4 + 3 * 5 + 2
    for obj in objects:
        labels = obj.inputs["metadata"]["labels"]
        assert {k: labels.get(k) for k in expected} == expected, obj.name


def test_names_are_explicit_and_stable(record, ctx: Context) -> None:
    graph, _ = build(record, ctx)
    names = {
        (r.type, r.name, r.inputs["metadata"]["name"], r.inputs["metadata"].get("namespace"))
        for r in graph.resources
        if r.type.startswith("kubernetes:")
    }
    expected: set[tuple[str, str, str, str | None]] = {
        (PRIORITY_CLASS, "base-priority-platform-critical", "platform-critical", None),
        (PRIORITY_CLASS, "base-priority-workload-high", "workload-high", None),
        (PRIORITY_CLASS, "base-priority-workload-default", "workload-default", None),
        (PRIORITY_CLASS, "base-priority-batch-low", "batch-low", None),
    }
    for ns in ("platform-system", "team-a", "batch"):
        expected |= {
            (NAMESPACE, f"base-{ns}-namespace", ns, None),
            (QUOTA, f"base-{ns}-quota", "namespace-quota", ns),
            (LIMIT_RANGE, f"base-{ns}-limits", "container-defaults", ns),
            (NETWORK_POLICY, f"base-{ns}-default-deny", "default-deny", ns),
            (NETWORK_POLICY, f"base-{ns}-allow-dns-egress", "allow-dns-egress", ns),
        }
        if ns != "platform-system":
            expected.add((QUOTA, f"base-{ns}-critical-priority-quota", "deny-platform-critical-priority", ns))
    assert names == expected
    again, _ = build(record, ctx)
    assert sorted(r.urn.split("::", 1)[1] for r in again.resources if r.type.startswith("kubernetes:")) == sorted(
        r.urn.split("::", 1)[1] for r in graph.resources if r.type.startswith("kubernetes:")
    )


def test_every_child_is_parented_to_the_component_and_uses_its_provider(record, ctx: Context) -> None:
    graph, _ = build(record, ctx)
    (component,) = graph.of_type(COMPONENT)
    provider = next(r for r in graph.resources if r.type == "pulumi:providers:kubernetes" and r.name == "k8s")
    objects = [r for r in graph.resources if r.type.startswith("kubernetes:")]
    assert objects
    for obj in objects:
        assert obj.parent == component.urn, obj.name
        assert obj.provider == provider.urn, obj.name
    assert [r.type for r in graph.children(component.urn) if not r.type.startswith("kubernetes:")] == []


def test_outputs_name_the_namespaces_and_priority_classes(record, ctx: Context) -> None:
    _, made = build(record, ctx)
    (baseline,) = made
    assert baseline.namespace_names == ["platform-system", "team-a", "batch"]
    assert baseline.priority_class_names == ["platform-critical", "workload-high", "workload-default", "batch-low"]
    assert set(baseline.namespaces) == set(SETTINGS.namespaces)
    assert all(isinstance(ns, k8s.core.v1.Namespace) for ns in baseline.namespaces.values())


def test_model_default_namespaces(record, ctx: Context) -> None:
    graph, _ = build(record, ctx, settings=KubernetesSettings())
    assert {r.inputs["metadata"]["name"] for r in graph.of_type(NAMESPACE)} == {"platform-system", "observability", "apps"}
    assert graph.named("base-apps-quota").inputs["spec"]["hard"]["pods"] == "100"
    assert graph.named("base-observability-quota").inputs["spec"]["hard"]["limits.memory"] == "32Gi"
