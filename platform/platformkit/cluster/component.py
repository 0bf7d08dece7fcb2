"""Cluster: the environment's EKS cluster, its managed node groups, IRSA and core add-ons.

Creates, all parented to the component:

- IAM roles for the control plane (``AmazonEKSClusterPolicy``) and for the nodes
  (``AmazonEKSWorkerNodePolicy``, ``AmazonEC2ContainerRegistryPullOnly``); the VPC CNI gets its own
  IRSA role with ``AmazonEKS_CNI_Policy`` instead of borrowing the node role, as AWS recommends;
- the control-plane log group ``/aws/eks/<cluster>/cluster``, encrypted with the logs key, created
  before the cluster so EKS never creates an unencrypted one with unlimited retention;
- the cluster: Kubernetes secrets envelope-encrypted with the secrets key, all five control-plane
  log types, the private endpoint always on, the public endpoint only when CIDRs are listed,
  authentication through EKS access entries only (no aws-auth ConfigMap);
- access entries with ``AmazonEKSClusterAdminPolicy`` for each admin role;
- per node group a launch template (IMDSv2 only, hop limit 1, encrypted gp3 root volume with the
  data key, detailed monitoring, tagged instances/volumes/ENIs) and a managed node group;
- the IAM OIDC provider for IRSA and the managed add-ons vpc-cni, kube-proxy,
  eks-pod-identity-agent and coredns;
- a Kubernetes provider bound to the cluster, authenticating with ``aws eks get-token``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ..component import child_opts, token
from ..context import Context
from ..environment.model import NodeGroupSettings
from .args import LAUNCH_TEMPLATE_SUFFIX, ClusterArgs, architecture

LOG_TYPES: tuple[str, ...] = ("api", "audit", "authenticator", "controllerManager", "scheduler")
"""Every control-plane log type EKS can export; audit and authenticator logs are what investigations need."""

CLUSTER_POLICIES: dict[str, str] = {"eks-cluster-policy": "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"}
NODE_POLICIES: dict[str, str] = {
    "worker-node-policy": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "ecr-pull-only": "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
}
"""Node permissions. No CNI policy here: the VPC CNI uses its own IRSA role, so pods on the host network
cannot use ENI/IP-management permissions through the node's instance profile."""
CNI_POLICY = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

VPC_CNI_CONFIGURATION: dict[str, str] = {"enableNetworkPolicy": "true"}
"""vpc-cni add-on settings: enforce Kubernetes NetworkPolicy (off by default in the add-on)."""

ADDONS_BEFORE_NODES: tuple[str, ...] = ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")
"""DaemonSet add-ons: installed before the node groups, because nodes only become Ready once the CNI runs."""
ADDONS_AFTER_NODES: tuple[str, ...] = ("coredns",)
"""Deployment add-ons: need nodes to schedule on, so they wait for the node groups."""

OUTPUTS: tuple[str, ...] = (
    "cluster_name",
    "cluster_arn",
    "cluster_endpoint",
    "node_security_group_id",
    "oidc_provider_arn",
    "oidc_issuer_url",
    "vpc_id",
    "kubeconfig",
)
"""Plain outputs registered on the component (the kubeconfig stays secret)."""

VPC_CNI_SERVICE_ACCOUNT = "system:serviceaccount:kube-system:aws-node"

ROOT_DEVICE = "/dev/xvda"
"""Root device of the EKS-optimised Amazon Linux 2023 AMIs."""

METADATA_HOP_LIMIT = 1
"""IMDSv2 responses cannot cross the extra network hop into a pod's network namespace, so pods cannot read
the node role's credentials. Pods get AWS access through IRSA (or EKS Pod Identity) instead; host-network
add-ons (VPC CNI, kube-proxy, pod identity agent) still reach IMDS. Controllers that discover their region
or VPC from IMDS must be given them explicitly (see the ``vpc_id`` output)."""


class Cluster(pulumi.ComponentResource):
    """An encrypted, logged EKS cluster with private-by-default API, managed node groups, IRSA and core add-ons."""

    cluster: aws.eks.Cluster
    cluster_name: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]
    cluster_endpoint: pulumi.Output[str]
    certificate_authority_data: pulumi.Output[str]
    """Base64 PEM of the cluster's CA, as EKS reports it (for clients such as Vault's Kubernetes auth)."""
    node_security_group_id: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    oidc_issuer_url: pulumi.Output[str]
    vpc_id: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    kubernetes_provider: k8s.Provider
    node_groups: dict[str, aws.eks.NodeGroup]
    launch_templates: dict[str, aws.ec2.LaunchTemplate]
    addons: dict[str, aws.eks.Addon]
    log_group: aws.cloudwatch.LogGroup
    cluster_role: aws.iam.Role
    node_role: aws.iam.Role
    oidc_provider: aws.iam.OpenIdConnectProvider

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(token("cluster", "Cluster"), name, None, opts)
        ctx = args.context
        settings = args.settings
        cluster_name = ctx.name("eks")

        self.cluster_role = aws.iam.Role(
            f"{name}-cluster-role",
            name=ctx.name("eks-cluster"),
            description=f"EKS control plane of {cluster_name}",
            assume_role_policy=json.dumps(_service_trust("eks.amazonaws.com")),
            tags=ctx.tags(Name=ctx.name("eks-cluster")),
            opts=child_opts(self),
        )
        cluster_role_policies = _attach(self, f"{name}-cluster-role", self.cluster_role, CLUSTER_POLICIES)

        self.node_role = aws.iam.Role(
            f"{name}-node-role",
            name=ctx.name("eks-node"),
            description=f"EC2 instance role of the managed nodes of {cluster_name}",
            assume_role_policy=json.dumps(_service_trust("ec2.amazonaws.com")),
            tags=ctx.tags(Name=ctx.name("eks-node")),
            opts=child_opts(self),
        )
        node_role_policies = _attach(self, f"{name}-node-role", self.node_role, NODE_POLICIES)

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/aws/eks/{cluster_name}/cluster",
            retention_in_days=settings.log_retention_days,
            kms_key_id=args.logs_key_arn,
            tags=ctx.tags(Name=cluster_name),
            opts=child_opts(self),
        )

        public_cidrs = [str(cidr) for cidr in settings.public_access_cidrs]
        vpc_config: aws.eks.ClusterVpcConfigArgsDict = {
            "subnet_ids": args.subnet_ids,
            "endpoint_private_access": True,
            "endpoint_public_access": bool(public_cidrs),
        }
        if public_cidrs:
            vpc_config["public_access_cidrs"] = public_cidrs

        self.cluster = aws.eks.Cluster(
            f"{name}-eks",
            name=cluster_name,
            version=settings.version,
            role_arn=self.cluster_role.arn,
            access_config={"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": True},
            bootstrap_self_managed_addons=False,
            encryption_config={"provider": {"key_arn": args.secrets_key_arn}, "resources": ["secrets"]},
            enabled_cluster_log_types=list(LOG_TYPES),
            vpc_config=vpc_config,
            upgrade_policy={"support_type": "STANDARD"},
            zonal_shift_config={"enabled": True},
            tags=ctx.tags(Name=cluster_name),
            opts=child_opts(self, depends_on=[self.log_group, *cluster_role_policies]),
        )

        self.cluster_name = self.cluster.name
        self.cluster_arn = self.cluster.arn
        self.cluster_endpoint = self.cluster.endpoint
        self.certificate_authority_data = self.cluster.certificate_authority.apply(_certificate_data)
        self.node_security_group_id = self.cluster.vpc_config.apply(_cluster_security_group)
        self.oidc_issuer_url = self.cluster.identities.apply(_oidc_issuer)
        self.vpc_id = pulumi.Output.from_input(args.vpc_id)

        self.oidc_provider = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc",
            url=self.oidc_issuer_url,
            client_id_lists=["sts.amazonaws.com"],
            tags=ctx.tags(Name=ctx.name("eks-oidc")),
            opts=child_opts(self),
        )
        self.oidc_provider_arn = self.oidc_provider.arn

        cni_role = aws.iam.Role(
            f"{name}-vpc-cni-role",
            name=ctx.name("eks-vpc-cni"),
            description=f"IRSA role of the VPC CNI (kube-system/aws-node) of {cluster_name}",
            assume_role_policy=pulumi.Output.all(self.oidc_provider_arn, self.oidc_issuer_url).apply(
                lambda v: json.dumps(irsa_trust(v[0], v[1], VPC_CNI_SERVICE_ACCOUNT))
            ),
            tags=ctx.tags(Name=ctx.name("eks-vpc-cni")),
            opts=child_opts(self),
        )
        cni_policies = _attach(self, f"{name}-vpc-cni-role", cni_role, {"cni-policy": CNI_POLICY})

        self.addons = {}
        for addon in ADDONS_BEFORE_NODES:
            is_cni = addon == "vpc-cni"
            self.addons[addon] = self._addon(
                name,
                ctx,
                addon,
                service_account_role_arn=cni_role.arn if is_cni else None,
                # Without this the VPC CNI ignores NetworkPolicy objects, and the baseline's
                # default-deny policies would be accepted by the API but never enforced.
                configuration_values=json.dumps(VPC_CNI_CONFIGURATION) if is_cni else None,
                depends_on=cni_policies if is_cni else [],
            )

        self.launch_templates = {}
        self.node_groups = {}
        for group, group_settings in settings.node_groups.items():
            template = self._launch_template(name, ctx, group, group_settings, args.data_key_arn)
            self.launch_templates[group] = template
            self.node_groups[group] = aws.eks.NodeGroup(
                f"{name}-{group}",
                cluster_name=self.cluster.name,
                node_group_name=ctx.name("eks", group),
                node_role_arn=self.node_role.arn,
                subnet_ids=args.subnet_ids,
                version=self.cluster.version,
                ami_type=_ami_type(group_settings),
                capacity_type=group_settings.capacity_type,
                instance_types=list(group_settings.instance_types),
                labels=dict(group_settings.labels),
                scaling_config={
                    "min_size": group_settings.min_size,
                    "desired_size": group_settings.desired_size,
                    "max_size": group_settings.max_size,
                },
                update_config={"max_unavailable": 1},
                node_repair_config={"enabled": True},
                launch_template={"id": template.id, "version": template.latest_version.apply(str)},
                tags=ctx.tags(Name=ctx.name("eks", group), node_group=group),
                opts=child_opts(
                    self,
                    depends_on=[*node_role_policies, *(self.addons[a] for a in ADDONS_BEFORE_NODES)],
                    # The cluster autoscaler owns the node count once the group exists.
                    ignore_changes=["scalingConfig.desiredSize"],
                ),
            )

        for addon in ADDONS_AFTER_NODES:
            self.addons[addon] = self._addon(name, ctx, addon, depends_on=list(self.node_groups.values()))

        for index, role_arn in enumerate(settings.admin_role_arns):
            entry = aws.eks.AccessEntry(
                f"{name}-admin-{index}",
                cluster_name=self.cluster.name,
                principal_arn=role_arn,
                type="STANDARD",
                tags=ctx.tags(Name=ctx.name("eks-admin", str(index))),
                opts=child_opts(self),
            )
            aws.eks.AccessPolicyAssociation(
                f"{name}-admin-{index}-policy",
                cluster_name=self.cluster.name,
                principal_arn=entry.principal_arn,
                policy_arn=ADMIN_POLICY,
                access_scope={"type": "cluster"},
                opts=child_opts(self),
            )

        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(self.cluster.name, self.cluster.endpoint, self.certificate_authority_data).apply(
                lambda v: json.dumps(kubeconfig_document(v[0], v[1], v[2], ctx.region))
            )
        )
        self.kubernetes_provider = k8s.Provider(
            f"{name}-kubernetes",
            kubeconfig=self.kubeconfig,
            enable_server_side_apply=True,
            # Workloads applied through this provider wait until nodes and cluster DNS exist.
            opts=child_opts(self, depends_on=[*self.node_groups.values(), *self.addons.values()]),
        )

        self.register_outputs({key: getattr(self, key) for key in OUTPUTS})

    def _addon(
        self,
        name: str,
        ctx: Context,
        addon: str,
        *,
        service_account_role_arn: pulumi.Input[str] | None = None,
        configuration_values: str | None = None,
        depends_on: Sequence[pulumi.Resource] = (),
    ) -> aws.eks.Addon:
        """One EKS-managed add-on at the default version for the cluster's Kubernetes version."""
        return aws.eks.Addon(
            f"{name}-addon-{addon}",
            cluster_name=self.cluster.name,
            addon_name=addon,
            service_account_role_arn=service_account_role_arn,
            configuration_values=configuration_values,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            tags=ctx.tags(Name=ctx.name("eks", addon)),
            opts=child_opts(self, depends_on=list(depends_on)),
        )

    def _launch_template(
        self, name: str, ctx: Context, group: str, settings: NodeGroupSettings, data_key_arn: pulumi.Input[str]
    ) -> aws.ec2.LaunchTemplate:
        """The node group's launch template: IMDSv2 only, encrypted root volume, monitoring, tagged instances."""
        node_tags = ctx.tags(Name=ctx.name("eks", group), node_group=group)
        return aws.ec2.LaunchTemplate(
            f"{name}-{group}{LAUNCH_TEMPLATE_SUFFIX}",
            name=ctx.name("eks", group),
            description=f"Nodes of group {group} of {ctx.name('eks')}",
            update_default_version=True,
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": METADATA_HOP_LIMIT,
                "instance_metadata_tags": "disabled",
            },
            block_device_mappings=[
                {
                    "device_name": ROOT_DEVICE,
                    "ebs": {
                        "volume_type": "gp3",
                        "volume_size": settings.disk_size_gib,
                        "encrypted": "true",
                        "kms_key_id": data_key_arn,
                        "delete_on_termination": "true",
                    },
                }
            ],
            monitoring={"enabled": True},
            tag_specifications=[
                {"resource_type": resource_type, "tags": node_tags}
                for resource_type in ("instance", "volume", "network-interface")
            ],
            tags=node_tags,
            opts=child_opts(self),
        )


def _attach(parent: pulumi.Resource, prefix: str, role: aws.iam.Role, policies: dict[str, str]) -> list[pulumi.Resource]:
    """Attach AWS-managed policies to ``role`` as ``<prefix>-<key>`` children."""
    return [
        aws.iam.RolePolicyAttachment(f"{prefix}-{key}", role=role.name, policy_arn=arn, opts=child_opts(parent))
        for key, arn in policies.items()
    ]


def _service_trust(service: str) -> dict[str, Any]:
    """Trust policy letting one AWS service principal assume the role."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }


def irsa_trust(oidc_provider_arn: str, issuer_url: str, service_account: str) -> dict[str, Any]:
    """Trust policy letting exactly one Kubernetes service account assume the role through the cluster's OIDC provider."""
    issuer = issuer_url.removeprefix("https://")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": oidc_provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {f"{issuer}:aud": "sts.amazonaws.com", f"{issuer}:sub": service_account}},
            }
        ],
    }


def kubeconfig_document(cluster_name: str, endpoint: str, certificate_data: str, region: str) -> dict[str, Any]:
    """A kubeconfig that authenticates with short-lived tokens from ``aws eks get-token`` (no static credentials)."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": certificate_data}}],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "current-context": cluster_name,
        "preferences": {},
        "users": [
            {
                "name": cluster_name,
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": ["eks", "get-token", "--cluster-name", cluster_name, "--region", region, "--output", "json"],
                        "interactiveMode": "Never",
                    }
                },
            }
        ],
    }


def _ami_type(settings: NodeGroupSettings) -> str:
    """Amazon Linux 2023 for the group's architecture (the args validator ensures a group has only one)."""
    arch = architecture(settings.instance_types[0])
    return "AL2023_ARM_64_STANDARD" if arch == "arm64" else "AL2023_x86_64_STANDARD"


def _field(block: Any, name: str) -> Any:
    """A field of a nested output block, whether the SDK delivered it typed (an output class) or as a raw dict."""
    if not isinstance(block, Mapping):
        return None
    if type(block) is not dict:
        return getattr(block, name, None)
    head, *rest = name.split("_")
    camel = head + "".join(part.title() for part in rest)
    return block.get(name, block.get(camel))


def _cluster_security_group(vpc_config: Any) -> str:
    group_id = _field(vpc_config, "cluster_security_group_id")
    if not group_id:
        raise ValueError("EKS reported no cluster security group")
    return str(group_id)


def _oidc_issuer(identities: Any) -> str:
    for identity in identities or []:
        for oidc in _field(identity, "oidcs") or []:
            issuer = _field(oidc, "issuer")
            if issuer:
                return str(issuer)
    raise ValueError("EKS reported no OIDC issuer")


def _certificate_data(authority: Any) -> str:
    data = _field(authority, "data")
    if not data:
        raise ValueError("EKS reported no certificate authority")
    return str(data)
