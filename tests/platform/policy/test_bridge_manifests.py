"""The bridge's Kubernetes side: manifests from pulumi-kubernetes resources, and Checkov's ids for them."""

from __future__ import annotations

import base64
from dataclasses import replace
from pathlib import Path
from typing import Any

import kubernetes_validate
import pulumi
import pulumi_kubernetes as k8s
import pytest
import yaml

from platformkit.graph.model import SECRET, UNKNOWN, GraphResource, ResourceGraph
from platformkit.policy.bridge import render
from platformkit.policy.kubernetes_manifests import (
    SECRET_NOTE,
    api_version_and_kind,
    build_stack_manifests,
    checkov_resource_ids,
    dump_documents,
)

P = "urn:pulumi:dev::platform::"
STACK = P + "pulumi:pulumi:Stack::platform-dev"
PROVIDER = P + "pulumi:providers:kubernetes::cluster"
NAMESPACED_PROVIDER = P + "pulumi:providers:kubernetes::team"
NAMESPACE = P + "kubernetes:core/v1:Namespace::apps-namespace"


class NoAws:
    """A mapping that maps nothing: these graphs have no AWS resources."""

    def terraform_type(self, token: str) -> str | None:
        return None

    def to_terraform(self, token: str, inputs: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError("no AWS resource expected")


def k8s_res(
    type_token: str,
    name: str,
    inputs: dict[str, Any],
    *,
    deps: dict[str, list[str]] | None = None,
    provider: str = PROVIDER,
) -> GraphResource:
    return GraphResource(
        urn=f"{P}{type_token}::{name}",
        type=type_token,
        name=name,
        parent=STACK,
        custom=True,
        inputs=inputs,
        property_dependencies=deps or {},
        provider=provider,
        source_position="project:///platform/platformkit/kubernetes_baseline/component.py#5",
    )


def graph(*resources: GraphResource) -> ResourceGraph:
    base = [
        GraphResource(urn=STACK, type="pulumi:pulumi:Stack", name="platform-dev", parent=None, custom=False, inputs={}),
        GraphResource(
            urn=PROVIDER,
            type="pulumi:providers:kubernetes",
            name="cluster",
            parent=STACK,
            custom=True,
            inputs={"kubeconfig": SECRET},
        ),
        GraphResource(
            urn=NAMESPACED_PROVIDER,
            type="pulumi:providers:kubernetes",
            name="team",
            parent=STACK,
            custom=True,
            inputs={"kubeconfig": SECRET, "namespace": "team-a"},
        ),
    ]
    return ResourceGraph(project="platform", stack="dev", source="mocks", resources=base + list(resources))


def documents(*resources: GraphResource) -> dict[str, dict[str, Any]]:
    return {m.resource.name: m.document for m in build_stack_manifests(graph(*resources)).manifests}


DEPLOYMENT = {
    "metadata": {"name": "web", "namespace": "apps"},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web", "tier": "front"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
        },
    },
}


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("kubernetes:core/v1:Namespace", ("v1", "Namespace")),
        ("kubernetes:networking.k8s.io/v1:NetworkPolicy", ("networking.k8s.io/v1", "NetworkPolicy")),
        ("kubernetes:apps/v1:Deployment", ("apps/v1", "Deployment")),
        ("kubernetes:scheduling.k8s.io/v1:PriorityClass", ("scheduling.k8s.io/v1", "PriorityClass")),
        ("kubernetes:apiextensions.k8s.io:CustomResource", (None, "CustomResource")),
    ],
)
def test_api_version_and_kind_come_from_the_type_token(token: str, expected: tuple[str | None, str]) -> None:
    assert api_version_and_kind(token) == expected


def test_the_token_wins_over_the_inputs_and_goes_first() -> None:
    docs = documents(
        k8s_res(
            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            "deny",
            {"metadata": {"name": "deny", "namespace": "apps"}, "spec": {"podSelector": {}}},
        )
    )
    assert list(docs["deny"])[:3] == ["apiVersion", "kind", "metadata"]
    assert (docs["deny"]["apiVersion"], docs["deny"]["kind"]) == ("networking.k8s.io/v1", "NetworkPolicy")


def test_a_custom_resource_keeps_its_own_api_version_and_kind() -> None:
    docs = documents(
        k8s_res(
            "kubernetes:apiextensions.k8s.io:CustomResource",
            "cert",
            {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "c", "namespace": "apps"}},
        )
    )
    assert (docs["cert"]["apiVersion"], docs["cert"]["kind"]) == ("cert-manager.io/v1", "Certificate")


def test_auto_named_objects_get_their_logical_name() -> None:
    docs = documents(
        k8s_res("kubernetes:core/v1:ConfigMap", "settings", {"metadata": {"namespace": "apps"}, "data": {"a": "1"}}),
        k8s_res("kubernetes:core/v1:ConfigMap", "generated", {"metadata": {"generateName": "gen-", "namespace": "apps"}}),
        k8s_res("kubernetes:core/v1:ConfigMap", "late", {"metadata": {"name": UNKNOWN, "namespace": "apps"}}),
        k8s_res("kubernetes:core/v1:ConfigMap", "named", {"metadata": {"name": "explicit", "namespace": "apps"}}),
    )
    assert docs["settings"]["metadata"]["name"] == "settings"
    assert docs["generated"]["metadata"] == {"generateName": "gen-", "namespace": "apps", "name": "generated"}
    assert docs["late"]["metadata"]["name"] == "late"
    assert docs["named"]["metadata"]["name"] == "explicit"


def test_an_unknown_namespace_is_taken_from_the_namespace_it_depends_on() -> None:
    namespace = k8s_res("kubernetes:core/v1:Namespace", "apps-namespace", {"metadata": {"name": "apps"}})
    quota = k8s_res(
        "kubernetes:core/v1:ResourceQuota",
        "quota",
        {"metadata": {"name": "q", "namespace": UNKNOWN}, "spec": {"hard": {"pods": "10"}}},
        deps={"metadata": [NAMESPACE]},
    )
    orphan = k8s_res("kubernetes:core/v1:ResourceQuota", "orphan", {"metadata": {"name": "o", "namespace": UNKNOWN}})
    manifests = {m.resource.name: m for m in build_stack_manifests(graph(namespace, quota, orphan)).manifests}
    assert manifests["quota"].document["metadata"]["namespace"] == "apps"
    assert manifests["quota"].unknown == ()
    assert "namespace" not in manifests["orphan"].document["metadata"]
    assert manifests["orphan"].unknown == ("metadata.namespace",)


def test_the_provider_namespace_applies_to_namespaced_kinds_only() -> None:
    docs = documents(
        k8s_res("kubernetes:core/v1:ConfigMap", "cm", {"metadata": {"name": "cm"}}, provider=NAMESPACED_PROVIDER),
        k8s_res(
            "kubernetes:core/v1:ConfigMap", "own", {"metadata": {"name": "own", "namespace": "x"}}, provider=NAMESPACED_PROVIDER
        ),
        k8s_res(
            "kubernetes:scheduling.k8s.io/v1:PriorityClass",
            "pc",
            {"metadata": {"name": "pc"}, "value": 5},
            provider=NAMESPACED_PROVIDER,
        ),
        k8s_res("kubernetes:core/v1:ConfigMap", "plain", {"metadata": {"name": "plain"}}),
    )
    assert docs["cm"]["metadata"]["namespace"] == "team-a"
    assert docs["own"]["metadata"]["namespace"] == "x"
    assert "namespace" not in docs["pc"]["metadata"]
    assert "namespace" not in docs["plain"]["metadata"]


def test_unknown_values_are_left_out_and_recorded() -> None:
    manifest = build_stack_manifests(
        graph(
            k8s_res(
                "kubernetes:core/v1:ConfigMap",
                "cm",
                {
                    "metadata": {"name": "cm", "namespace": "a", "labels": {"x": UNKNOWN}},
                    "data": {"k": UNKNOWN, "j": "1"},
                    "list": ["a", UNKNOWN],
                    "n": 3.0,
                },
            )
        )
    ).manifests[0]
    assert manifest.document["data"] == {"j": "1"}
    assert manifest.document["metadata"]["labels"] == {}
    assert manifest.document["list"] == ["a"]
    assert manifest.document["n"] == 3 and isinstance(manifest.document["n"], int)
    assert set(manifest.unknown) == {"metadata.labels.x", "data.k", "list[1]"}


def test_secret_values_are_never_written_only_placeholders_and_a_note() -> None:
    secret = k8s_res(
        "kubernetes:core/v1:Secret",
        "creds",
        {
            "metadata": {"name": "creds", "namespace": "apps"},
            "data": {"user": "YWRtaW4=", "password": SECRET},
            "stringData": {"token": "plain"},
        },
    )
    opaque = k8s_res(
        "kubernetes:core/v1:Secret",
        "opaque",
        {"metadata": {"name": "opaque", "namespace": "apps"}, "data": SECRET, "type": "Opaque"},
    )
    manifests = build_stack_manifests(graph(secret, opaque)).manifests
    docs = {m.resource.name: m.document for m in manifests}
    assert set(docs["creds"]["data"]) == {"user", "password"}
    assert {base64.b64decode(v).decode() for v in docs["creds"]["data"].values()} == {"REDACTED"}
    assert docs["creds"]["stringData"] == {"token": "REDACTED"}
    assert "data" not in docs["opaque"]
    assert all(m.redacted for m in manifests)
    text = dump_documents(manifests)
    assert SECRET not in text and "YWRtaW4=" not in text and "plain" not in text
    assert text.count(f"# {SECRET_NOTE}") == 2


def test_patches_are_not_rendered_but_reported() -> None:
    patch = k8s_res(
        "kubernetes:apps/v1:DeploymentPatch", "scale", {"metadata": {"name": "web", "namespace": "apps"}, "spec": {"replicas": 3}}
    )
    stack = build_stack_manifests(graph(patch))
    assert stack.manifests == []
    assert [r.urn for r in stack.unmapped] == [patch.urn]


def test_kubernetes_components_without_their_objects_are_reported() -> None:
    chart = GraphResource(
        urn=P + "kubernetes:helm.sh/v4:Chart::ingress",
        type="kubernetes:helm.sh/v4:Chart",
        name="ingress",
        parent=STACK,
        custom=False,
        inputs={},
    )
    group = GraphResource(
        urn=P + "kubernetes:yaml/v2:ConfigGroup::crds",
        type="kubernetes:yaml/v2:ConfigGroup",
        name="crds",
        parent=STACK,
        custom=False,
        inputs={},
    )
    child = k8s_res("kubernetes:core/v1:ConfigMap", "crds:apps/cm", {"metadata": {"name": "cm", "namespace": "apps"}})
    stack = build_stack_manifests(graph(chart, group, replace(child, parent=group.urn)))
    assert [r.urn for r in stack.unmapped] == [chart.urn]
    assert [m.resource.name for m in stack.manifests] == ["crds:apps/cm"]


def test_checkov_ids_name_kind_namespace_and_name_and_add_the_pod_template() -> None:
    assert checkov_resource_ids({"kind": "Namespace", "metadata": {"name": "apps"}}) == ("Namespace.default.apps",)
    assert checkov_resource_ids({"kind": "Deployment", **DEPLOYMENT}) == (
        "Deployment.apps.web",
        "Pod.apps.web.app-web.tier-front",
    )
    named = {"kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"metadata": {"name": "p"}, "spec": {}}}}
    assert checkov_resource_ids(named) == ("Job.default.j", "Pod.default.p")
    no_template_labels = {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"metadata": {}, "spec": {}}}}
    assert checkov_resource_ids(no_template_labels) == ("Deployment.default.d",)
    assert checkov_resource_ids(
        {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"template": {"metadata": {"labels": {"a": "b"}}, "spec": {}}}}
    ) == ("CronJob.default.c",)


def test_objects_checkov_would_name_alike_go_to_separate_files(tmp_path: Path) -> None:
    first = k8s_res("kubernetes:core/v1:Namespace", "apps-a", {"metadata": {"name": "apps"}})
    second = k8s_res("kubernetes:core/v1:Namespace", "apps-b", {"metadata": {"name": "apps"}})
    other = k8s_res("kubernetes:core/v1:Namespace", "web", {"metadata": {"name": "web"}})
    result = render({"dev": graph(first, second, other)}, tmp_path, NoAws())
    assert result.written == {"dev.k8s.yaml": {"kubernetes": 2}, "dev.k8s.2.yaml": {"kubernetes": 1}}
    entry_a = result.index.lookup("/dev.k8s.yaml", "Namespace.default.apps")
    entry_b = result.index.lookup("/dev.k8s.2.yaml", "Namespace.default.apps")
    assert entry_a is not None and entry_b is not None
    assert (entry_a.name, entry_b.name) == ("apps-a", "apps-b")


def test_a_workload_counts_twice_and_its_pod_template_points_back(tmp_path: Path) -> None:
    web = k8s_res("kubernetes:apps/v1:Deployment", "web", DEPLOYMENT)
    result = render({"dev": graph(web)}, tmp_path, NoAws())
    assert result.written == {"dev.k8s.yaml": {"kubernetes": 2}}
    pod = result.index.lookup("dev.k8s.yaml", "Pod.apps.web.app-web.tier-front")
    assert pod is not None and pod.urn == web.urn and pod.pod_template_of == "Deployment.apps.web"
    assert pod.checkov_type == "Pod"


def test_the_yaml_holds_one_document_per_object_each_under_its_urn(tmp_path: Path) -> None:
    web = k8s_res("kubernetes:apps/v1:Deployment", "web", DEPLOYMENT)
    namespace = k8s_res("kubernetes:core/v1:Namespace", "apps-namespace", {"metadata": {"name": "apps"}})
    render({"dev": graph(namespace, web)}, tmp_path, NoAws())
    text = (tmp_path / "dev.k8s.yaml").read_text()
    assert [d["kind"] for d in yaml.safe_load_all(text)] == ["Namespace", "Deployment"]
    assert f"# {namespace.urn}\n" in text and f"# {web.urn}\n" in text
    for doc in yaml.safe_load_all(text):
        kubernetes_validate.validate(doc, "1.33", strict=True)


def test_a_recorded_program_renders_to_valid_manifests(record: Any) -> None:
    def program() -> None:
        provider = k8s.Provider("cluster", kubeconfig="{}")
        opts = pulumi.ResourceOptions(provider=provider)
        ns = k8s.core.v1.Namespace("apps", metadata={"name": "apps"}, opts=opts)
        k8s.core.v1.ConfigMap("settings", metadata={"namespace": ns.metadata.name}, data={"replicas": "2"}, opts=opts)
        k8s.apps.v1.Deployment(
            "web",
            metadata={"namespace": ns.metadata.name},
            spec={
                "replicas": 2,
                "selector": {"match_labels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"container_port": 8080}]}]},
                },
            },
            opts=opts,
        )

    manifests = {m.resource.name: m for m in build_stack_manifests(record(program)).manifests}
    assert manifests["settings"].document["metadata"] == {"namespace": "apps", "name": "settings"}
    web = manifests["web"].document
    assert web["spec"]["replicas"] == 2 and isinstance(web["spec"]["replicas"], int)
    assert web["spec"]["template"]["spec"]["containers"][0]["ports"] == [{"containerPort": 8080}]
    assert manifests["web"].resource_ids == ("Deployment.apps.web", "Pod.apps.web.app-web")
    for manifest in manifests.values():
        kubernetes_validate.validate(manifest.document, "1.33", strict=True)
