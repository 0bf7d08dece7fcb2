"""The stack program, evaluated for every environment exactly as `platform plan` does."""

from __future__ import annotations

import importlib
import inspect
import json
from functools import cache
from pathlib import Path

import pytest

from platformkit.context import REQUIRED_TAG_KEYS
from platformkit.environment import EnvironmentConfig
from platformkit.graph.model import SECRET, GraphResource, ResourceGraph
from platformkit.graph.runner import evaluate_environments
from platformkit.policy.bridge import render
from platformkit.policy.mapping import load_mapping

ENVIRONMENTS = ["dev", "perf", "prod", "staging"]
COMPONENTS = {
    "platform:keys:Keys",
    "platform:network:Network",
    "platform:storage:Storage",
    "platform:cluster:Cluster",
    "platform:kubernetes_baseline:KubernetesBaseline",
    "platform:database:Database",
    "platform:vault_aws:VaultAws",
    "platform:vault:Vault",
    "platform:external_secrets:ExternalSecrets",
    "platform:secrets_manager:SecretsManager",
}


@cache
def takes_tags(type_token: str) -> bool:
    """Whether the pulumi-aws class behind ``type_token`` accepts ``tags``."""
    _, module_path, class_name = type_token.split(":")
    module = importlib.import_module(f"pulumi_aws.{module_path.split('/')[0]}")
    cls = getattr(module, class_name)
    return "tags" in inspect.signature(cls._internal_init).parameters


def aws_resources(graph: ResourceGraph) -> list[GraphResource]:
    return [r for r in graph.resources if r.custom and r.type.startswith("aws:")]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_environment_builds_all_components_without_warnings(env_graphs: dict[str, ResourceGraph], env: str) -> None:
    graph = env_graphs[env]
    assert graph.warnings == [], "deprecation or other warnings are bugs"
    assert {r.type for r in graph.resources if not r.custom} - {"pulumi:pulumi:Stack"} == COMPONENTS
    assert len([r for r in graph.resources if r.custom]) > 100


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_everything_but_the_providers_lives_in_a_component(env_graphs: dict[str, ResourceGraph], env: str) -> None:
    graph = env_graphs[env]
    loose = sorted(r.type for r in graph.resources if r.custom and graph.component_of(r) is None)
    assert loose == ["pulumi:providers:aws", "pulumi:providers:vault"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_taggable_aws_resource_carries_the_required_tags(
    env_graphs: dict[str, ResourceGraph], environments: dict[str, EnvironmentConfig], env: str
) -> None:
    config = environments[env]
    expected = {"environment": env, "owner": config.tags.owner, "cost-centre": config.tags.cost_centre, "managed-by": "pulumi"}
    taggable = [r for r in aws_resources(env_graphs[env]) if takes_tags(r.type)]
    assert len(taggable) > 30
    for resource in taggable:
        tags = resource.inputs.get("tags", {})
        missing = [k for k in REQUIRED_TAG_KEYS if k not in tags]
        assert not missing, f"{resource.urn} lacks tags {missing}"
        assert {k: tags[k] for k in expected} == expected, resource.urn


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_kubernetes_object_carries_the_environment_labels(env_graphs: dict[str, ResourceGraph], env: str) -> None:
    objects = [r for r in env_graphs[env].resources if r.custom and r.type.startswith("kubernetes:")]
    assert objects
    for obj in objects:
        labels = obj.inputs["metadata"]["labels"]
        assert labels["acme.platform/environment"] == env, obj.urn
        assert labels["app.kubernetes.io/managed-by"] == "pulumi"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_resources_use_the_environment_account_only(
    env_graphs: dict[str, ResourceGraph], environments: dict[str, EnvironmentConfig], env: str
) -> None:
    graph = env_graphs[env]
    provider = graph.named("aws")
    assert json.loads(provider.inputs["allowedAccountIds"]) == [environments[env].account.id]
    assert all(r.provider == provider.urn for r in aws_resources(graph))


def test_kubernetes_objects_use_the_clusters_provider(env_graphs: dict[str, ResourceGraph]) -> None:
    graph = env_graphs["dev"]
    (k8s_provider,) = graph.of_type("pulumi:providers:kubernetes")
    assert k8s_provider.inputs["kubeconfig"] == SECRET
    assert all(r.provider == k8s_provider.urn for r in graph.resources if r.type.startswith("kubernetes:"))


def test_database_accepts_only_the_cluster_nodes(env_graphs: dict[str, ResourceGraph]) -> None:
    graph = env_graphs["prod"]
    (rds,) = graph.of_type("aws:rds/instance:Instance")
    assert rds.inputs["publiclyAccessible"] is False and rds.inputs["storageEncrypted"] is True
    rules = [
        r
        for r in graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if graph.component_of(r).type == "platform:database:Database"
    ]  # type: ignore[union-attr]  # the element exists, the assertion fails otherwise
    assert [r.inputs["fromPort"] for r in rules] == [5432]
    assert "cidrIpv4" not in rules[0].inputs
    cluster = graph.named("cluster-eks")
    assert rules[0].property_dependencies["referencedSecurityGroupId"] == [cluster.urn]


def test_environment_sizes_reach_the_resources(
    env_graphs: dict[str, ResourceGraph], environments: dict[str, EnvironmentConfig]
) -> None:
    for env, graph in env_graphs.items():
        config = environments[env]
        (rds,) = graph.of_type("aws:rds/instance:Instance")
        assert rds.inputs["instanceClass"] == config.database.instance_class
        assert rds.inputs["deletionProtection"] is config.database.deletion_protection
        assert rds.inputs["multiAz"] is config.database.multi_az
        assert len(graph.of_type("aws:ec2/natGateway:NatGateway")) == (
            config.network.az_count if config.network.nat_gateways == "perAz" else 1
        )
        assert len(graph.of_type("aws:ec2/subnet:Subnet")) == 3 * config.network.az_count
        groups = {g.name.removeprefix("cluster-"): g for g in graph.of_type("aws:eks/nodeGroup:NodeGroup")}
        for name, settings in config.cluster.node_groups.items():
            scaling = groups[name].inputs["scalingConfig"]
            assert (scaling["minSize"], scaling["maxSize"]) == (settings.min_size, settings.max_size)


def test_the_graph_and_what_the_gate_renders_of_it_are_byte_for_byte_repeatable(
    env_graphs: dict[str, ResourceGraph], repo_root: Path, secrets_readable: None, tmp_path: Path
) -> None:
    # Another process: inputs arrive in another order each time (protobuf maps); the text must not change.
    again = evaluate_environments(["staging"], repo_root)["staging"]
    assert json.dumps(again.to_json()) == json.dumps(env_graphs["staging"].to_json())
    first, second = (
        render({"staging": g}, tmp_path / name, load_mapping()) for name, g in (("a", env_graphs["staging"]), ("b", again))
    )
    assert [p.name for p in first.files()] == [p.name for p in second.files()]
    for a, b in zip(first.files(), second.files(), strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_source_positions_point_into_the_repository(env_graphs: dict[str, ResourceGraph], repo_root: Path) -> None:
    for resource in env_graphs["dev"].resources:
        if resource.type == "pulumi:pulumi:Stack":
            continue
        assert resource.source_position, resource.urn
        path, _, line = resource.source_position.removeprefix("project:///").partition("#")
        assert (repo_root / path).is_file() and int(line) > 0, resource.source_position


def test_stack_exports_are_the_contract() -> None:
    source = (Path(__file__).resolve().parents[2] / "stacks" / "exports.py").read_text()
    names = [
        "dataKeyArn", "logsKeyArn", "secretsKeyArn", "vpcId", "privateSubnetIds", "isolatedSubnetIds",
        "artifactsBucketName", "logsBucketName", "backupsBucketName", "clusterName", "clusterEndpoint",
        "oidcProviderArn", "kubeconfig", "namespaces", "databaseEndpoint", "databaseMasterUserSecretArn",
    ]  # fmt: skip
    assert [n for n in names if f'"{n}":' not in source] == []
