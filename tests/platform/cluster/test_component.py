"""Cluster: encrypted, logged, private-by-default EKS with hardened node groups, IRSA and a bound provider."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from platformkit.cluster import Cluster, ClusterArgs
from platformkit.context import Context
from platformkit.environment.model import ClusterSettings
from platformkit.graph.model import ResourceGraph

CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ADMIN_ROLE = "arn:aws:iam::123456789012:role/platform-admin"
BREAKGLASS_ROLE = "arn:aws:iam::123456789012:role/breakglass"
KEYS = {
    "secrets_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/secrets",
    "logs_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/logs",
    "data_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/data",
}
UNTAGGABLE = {"aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"}
"""AWS resource types whose constructors take no ``tags``; every other AWS resource must be tagged."""


def settings(**overrides: Any) -> ClusterSettings:
    data: dict[str, Any] = {
        "nodeGroups": {
            "system": {"instanceTypes": ["m7i.large"], "minSize": 2, "desiredSize": 3, "maxSize": 5},
            "workloads": {
                "instanceTypes": ["m7g.xlarge", "c7g.xlarge"],
                "capacityType": "SPOT",
                "diskSizeGib": 120,
                "minSize": 0,
                "desiredSize": 1,
                "maxSize": 10,
                "labels": {"workload": "batch"},
            },
        },
        "adminRoleArns": [ADMIN_ROLE, BREAKGLASS_ROLE],
        "logRetentionDays": 90,
    }
    data.update(overrides)
    return ClusterSettings.model_validate(data)


def make(ctx: Context, cluster_settings: ClusterSettings) -> Cluster:
    return Cluster(
        "cluster",
        ClusterArgs(context=ctx, settings=cluster_settings, vpc_id="vpc-0abc", subnet_ids=["subnet-a", "subnet-b"], **KEYS),
    )


@pytest.fixture
def graph(record, ctx: Context) -> ResourceGraph:
    return record(lambda: make(ctx, settings()))


def test_secrets_are_encrypted_with_the_given_key(graph: ResourceGraph) -> None:
    (cluster,) = graph.of_type(CLUSTER)
    assert cluster.inputs["encryptionConfig"] == {"provider": {"keyArn": KEYS["secrets_key_arn"]}, "resources": ["secrets"]}


def test_every_control_plane_log_type_is_enabled(graph: ResourceGraph) -> None:
    (cluster,) = graph.of_type(CLUSTER)
    assert sorted(cluster.inputs["enabledClusterLogTypes"]) == [
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
    ]


def test_log_group_is_encrypted_retained_and_created_before_the_cluster(graph: ResourceGraph) -> None:
    logs = graph.named("cluster-logs")
    assert logs.inputs["name"] == "/aws/eks/acme-test-eks/cluster"
    assert logs.inputs["kmsKeyId"] == KEYS["logs_key_arn"]
    assert logs.inputs["retentionInDays"] == 90
    cluster = graph.named("cluster-eks")
    assert cluster.inputs["name"] == "acme-test-eks"
    assert logs.urn in cluster.dependencies


def test_public_endpoint_is_off_without_cidrs_and_private_endpoint_always_on(record, ctx: Context) -> None:
    graph = record(lambda: make(ctx, settings()))
    vpc = graph.named("cluster-eks").inputs["vpcConfig"]
    assert vpc["endpointPrivateAccess"] is True
    assert vpc["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in vpc
    assert vpc["subnetIds"] == ["subnet-a", "subnet-b"]


def test_public_endpoint_is_limited_to_the_listed_cidrs(record, ctx: Context) -> None:
    cidrs = ["203.0.113.0/24", "198.51.100.7/32"]
    graph = record(lambda: make(ctx, settings(publicAccessCidrs=cidrs)))
    vpc = graph.named("cluster-eks").inputs["vpcConfig"]
    assert vpc["endpointPrivateAccess"] is True
    assert vpc["endpointPublicAccess"] is True
    assert vpc["publicAccessCidrs"] == cidrs


def test_cluster_uses_access_entries_and_the_settings_version(record, ctx: Context) -> None:
    graph = record(lambda: make(ctx, settings(version="1.32")))
    cluster = graph.named("cluster-eks").inputs
    assert cluster["version"] == "1.32"
    assert cluster["accessConfig"] == {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": True}
    assert cluster["roleArn"] == "arn:aws:iam::123456789012:role/acme-test-eks-cluster"
    for group in graph.of_type(NODE_GROUP):
        assert group.inputs["version"] == "1.32"


def test_node_groups_follow_settings(graph: ResourceGraph) -> None:
    system = graph.named("cluster-system").inputs
    assert system["scalingConfig"] == {"minSize": 2, "desiredSize": 3, "maxSize": 5}
    assert system["instanceTypes"] == ["m7i.large"]
    assert system["capacityType"] == "ON_DEMAND"
    assert system["amiType"] == "AL2023_x86_64_STANDARD"
    workloads = graph.named("cluster-workloads").inputs
    assert workloads["scalingConfig"] == {"minSize": 0, "desiredSize": 1, "maxSize": 10}
    assert workloads["instanceTypes"] == ["m7g.xlarge", "c7g.xlarge"]
    assert workloads["capacityType"] == "SPOT"
    assert workloads["amiType"] == "AL2023_ARM_64_STANDARD"
    assert workloads["labels"] == {"workload": "batch"}
    for group in (system, workloads):
        assert group["subnetIds"] == ["subnet-a", "subnet-b"]
        assert group["updateConfig"] == {"maxUnavailable": 1}
        assert group["nodeRoleArn"] == "arn:aws:iam::123456789012:role/acme-test-eks-node"
        assert group["clusterName"] == "acme-test-eks"
        assert "diskSize" not in group, "disk size comes from the launch template"


def test_node_groups_use_their_launch_template(graph: ResourceGraph) -> None:
    for group in ("system", "workloads"):
        node_group = graph.named(f"cluster-{group}")
        template = graph.named(f"cluster-{group}-launch-template")
        assert node_group.inputs["launchTemplate"]["version"] == "1"
        assert node_group.property_dependencies["launchTemplate"] == [template.urn]


def test_launch_templates_require_imdsv2_and_encrypt_root_volumes_with_the_data_key(graph: ResourceGraph) -> None:
    templates = {t.name: t.inputs for t in graph.of_type(LAUNCH_TEMPLATE)}
    assert set(templates) == {"cluster-system-launch-template", "cluster-workloads-launch-template"}
    for name, template in templates.items():
        assert template["metadataOptions"]["httpTokens"] == "required"
        assert template["metadataOptions"]["httpEndpoint"] == "enabled"
        assert template["metadataOptions"]["httpPutResponseHopLimit"] == 1
        assert template["monitoring"] == {"enabled": True}
        (root,) = template["blockDeviceMappings"]
        assert root["deviceName"] == "/dev/xvda"
        assert root["ebs"]["encrypted"] == "true"
        assert root["ebs"]["kmsKeyId"] == KEYS["data_key_arn"]
        assert root["ebs"]["volumeType"] == "gp3"
        expected_size = 120 if name == "cluster-workloads-launch-template" else 50
        assert root["ebs"]["volumeSize"] == expected_size
        tagged = {spec["resourceType"]: spec["tags"] for spec in template["tagSpecifications"]}
        assert set(tagged) == {"instance", "volume", "network-interface"}
        assert all(tags["environment"] == "test" for tags in tagged.values())


def test_desired_size_is_left_to_the_autoscaler(record, ctx: Context) -> None:
    ignored: dict[str, list[str] | None] = {}

    def program() -> None:
        def capture(args: pulumi.ResourceTransformationArgs) -> None:
            ignored[args.name] = args.opts.ignore_changes

        pulumi.runtime.register_stack_transformation(capture)
        make(ctx, settings())

    record(program)
    assert ignored["cluster-system"] == ["scalingConfig.desiredSize"]
    assert ignored["cluster-workloads"] == ["scalingConfig.desiredSize"]
    assert not ignored["cluster-eks"]


def test_oidc_provider_is_wired_to_the_cluster_issuer(graph: ResourceGraph) -> None:
    cluster = graph.named("cluster-eks")
    oidc = graph.named("cluster-oidc")
    assert oidc.inputs["url"].startswith("https://oidc.eks.eu-west-1.amazonaws.com/id/")
    assert oidc.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    assert oidc.property_dependencies["url"] == [cluster.urn]


def test_vpc_cni_uses_its_own_irsa_role_not_the_node_role(graph: ResourceGraph) -> None:
    oidc = graph.named("cluster-oidc")
    issuer = oidc.inputs["url"].removeprefix("https://")
    trust = json.loads(graph.named("cluster-vpc-cni-role").inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"]["Federated"] == f"arn:aws:iam::123456789012:oidc-provider/{issuer}"
    assert statement["Condition"]["StringEquals"] == {
        f"{issuer}:aud": "sts.amazonaws.com",
        f"{issuer}:sub": "system:serviceaccount:kube-system:aws-node",
    }
    cni = graph.named("cluster-addon-vpc-cni")
    assert cni.inputs["serviceAccountRoleArn"] == "arn:aws:iam::123456789012:role/acme-test-eks-vpc-cni"
    node_role = graph.named("cluster-node-role")
    node_policies = {
        a.inputs["policyArn"]
        for a in graph.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.property_dependencies.get("role") == [node_role.urn]
    }
    assert node_policies == {
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
    }


def test_roles_trust_only_their_service(graph: ResourceGraph) -> None:
    for role, service in (("cluster-cluster-role", "eks.amazonaws.com"), ("cluster-node-role", "ec2.amazonaws.com")):
        (statement,) = json.loads(graph.named(role).inputs["assumeRolePolicy"])["Statement"]
        assert statement == {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    cluster_role = graph.named("cluster-cluster-role")
    attachment = graph.named("cluster-cluster-role-eks-cluster-policy")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
    assert attachment.property_dependencies["role"] == [cluster_role.urn]
    assert attachment.urn in graph.named("cluster-eks").dependencies


def test_addons_overwrite_conflicts_and_coredns_waits_for_nodes(graph: ResourceGraph) -> None:
    addons = {a.inputs["addonName"]: a for a in graph.of_type("aws:eks/addon:Addon")}
    assert set(addons) == {"vpc-cni", "kube-proxy", "eks-pod-identity-agent", "coredns"}
    node_groups = {g.urn for g in graph.of_type(NODE_GROUP)}
    for addon in addons.values():
        assert addon.inputs["resolveConflictsOnUpdate"] == "OVERWRITE"
        assert addon.inputs["clusterName"] == "acme-test-eks"
    assert node_groups <= set(addons["coredns"].dependencies)
    for node_group in graph.of_type(NODE_GROUP):
        assert addons["vpc-cni"].urn in node_group.dependencies, "nodes only become Ready once the CNI runs"


def test_access_entry_and_cluster_admin_policy_per_admin_role(graph: ResourceGraph) -> None:
    entries = {e.name: e for e in graph.of_type("aws:eks/accessEntry:AccessEntry")}
    assert {name: e.inputs["principalArn"] for name, e in entries.items()} == {
        "cluster-admin-0": ADMIN_ROLE,
        "cluster-admin-1": BREAKGLASS_ROLE,
    }
    assert all(e.inputs["type"] == "STANDARD" for e in entries.values())
    associations = graph.of_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert sorted(a.name for a in associations) == ["cluster-admin-0-policy", "cluster-admin-1-policy"]
    for association in associations:
        entry = entries[association.name.removesuffix("-policy")]
        assert association.inputs["principalArn"] == entry.inputs["principalArn"]
        assert association.property_dependencies["principalArn"] == [entry.urn]
        assert association.inputs["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
        assert association.inputs["accessScope"] == {"type": "cluster"}


def test_no_admin_roles_means_no_access_entries(record, ctx: Context) -> None:
    graph = record(lambda: make(ctx, settings(adminRoleArns=[])))
    assert graph.of_type("aws:eks/accessEntry:AccessEntry") == []
    assert graph.of_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation") == []


def test_kubeconfig_is_secret_in_the_provider_inputs(graph: ResourceGraph) -> None:
    provider = graph.named("cluster-kubernetes")
    assert provider.type == "pulumi:providers:kubernetes"
    assert provider.inputs["kubeconfig"] == "[secret]"
    assert provider.inputs["enableServerSideApply"] == "true"
    assert {g.urn for g in graph.of_type(NODE_GROUP)} <= set(provider.dependencies)


def test_kubeconfig_authenticates_with_aws_eks_get_token(record, ctx: Context) -> None:
    seen: dict[str, Any] = {}

    def program() -> None:
        cluster = make(ctx, settings())
        cluster.kubeconfig.apply(lambda text: seen.update(config=json.loads(text)))
        cluster.cluster_endpoint.apply(lambda endpoint: seen.update(endpoint=endpoint))
        cluster.node_security_group_id.apply(lambda sg: seen.update(sg=sg))
        cluster.oidc_provider_arn.apply(lambda arn: seen.update(oidc=arn))

    record(program)
    config = seen["config"]
    assert config["current-context"] == "acme-test-eks"
    (cluster,) = config["clusters"]
    assert cluster["cluster"]["server"] == seen["endpoint"]
    assert cluster["cluster"]["certificate-authority-data"]
    (user,) = config["users"]
    assert user["user"]["exec"]["command"] == "aws"
    assert user["user"]["exec"]["args"][:6] == ["eks", "get-token", "--cluster-name", "acme-test-eks", "--region", "eu-west-1"]
    assert "token" not in user["user"]
    assert seen["sg"].startswith("sg-")
    assert seen["oidc"].startswith("arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/")


def test_every_aws_resource_that_takes_tags_is_tagged(graph: ResourceGraph) -> None:
    aws_resources = [r for r in graph.resources if r.custom and r.type.startswith("aws:")]
    assert aws_resources
    for resource in aws_resources:
        if resource.type in UNTAGGABLE:
            assert "tags" not in resource.inputs
            continue
        tags = resource.inputs.get("tags")
        assert tags, f"{resource.name} ({resource.type}) is untagged"
        assert tags["environment"] == "test"
        assert tags["managed-by"] == "pulumi"
        assert tags["Name"].startswith("acme-test-")


def test_every_child_is_parented_to_the_component(graph: ResourceGraph) -> None:
    (component,) = graph.of_type("platform:cluster:Cluster")
    children = [r for r in graph.resources if r.type not in {"pulumi:pulumi:Stack", "platform:cluster:Cluster"}]
    assert len(children) > 20
    for child in children:
        assert child.parent == component.urn, child.name
        assert child.name.startswith("cluster-")


def test_no_deprecation_warnings(graph: ResourceGraph) -> None:
    assert graph.warnings == []


def test_vpc_cni_enforces_network_policies(graph: ResourceGraph) -> None:
    cni = next(a for a in graph.of_type("aws:eks/addon:Addon") if a.inputs["addonName"] == "vpc-cni")
    assert json.loads(cni.inputs["configurationValues"]) == {"enableNetworkPolicy": "true"}
    others = [a for a in graph.of_type("aws:eks/addon:Addon") if a.inputs["addonName"] != "vpc-cni"]
    assert others and all("configurationValues" not in a.inputs for a in others)
