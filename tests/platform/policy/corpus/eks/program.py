"""EKS: a cluster, its IAM roles, a managed node group and the node launch template (pulumi-aws 7 style).

Secure: private API endpoint, secrets envelope-encrypted with a customer KMS key, every control-plane
log type, IMDSv2-only nodes with KMS-encrypted root volumes. Insecure: a public endpoint open to
0.0.0.0/0, no encryption, no logging, an unsupported Kubernetes version, SSH from anywhere, IMDSv1,
unencrypted volumes, public IPs and AdministratorAccess on the node role.
"""

import pulumi_aws as aws
from corpus_common import TAGS, account_key_policy, assume_role_policy

PRIVATE_SUBNETS = ["subnet-0eks00000000000a1", "subnet-0eks00000000000b2", "subnet-0eks00000000000c3"]
PUBLIC_SUBNETS = ["subnet-0eks0000000000pa1", "subnet-0eks0000000000pb2"]
LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]


def _role(name: str, role_name: str, service: str, policies: dict[str, str], tags: dict[str, str] | None) -> aws.iam.Role:
    role = aws.iam.Role(name, name=role_name, assume_role_policy=assume_role_policy(service), tags=tags)
    for attachment, policy in policies.items():
        aws.iam.RolePolicyAttachment(attachment, role=role.name, policy_arn=f"arn:aws:iam::aws:policy/{policy}")
    return role


def secure() -> None:
    secrets_key = aws.kms.Key(
        "eks_secrets",
        description="EKS secrets envelope encryption",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=account_key_policy("EksSecretsKeyAdmin"),
        tags=TAGS,
    )
    volumes_key = aws.kms.Key(
        "eks_node_volumes",
        description="EKS node root volumes",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=account_key_policy("EksNodeVolumesKeyAdmin"),
        tags=TAGS,
    )
    cluster_role = _role(
        "eks_cluster",
        "acme-corpus-eks-cluster",
        "eks.amazonaws.com",
        {"eks_cluster_policy": "AmazonEKSClusterPolicy"},
        TAGS,
    )
    node_role = _role(
        "eks_nodes",
        "acme-corpus-eks-nodes",
        "ec2.amazonaws.com",
        {
            "eks_nodes_worker": "AmazonEKSWorkerNodePolicy",
            "eks_nodes_cni": "AmazonEKS_CNI_Policy",
            "eks_nodes_ecr": "AmazonEC2ContainerRegistryReadOnly",
        },
        TAGS,
    )
    cluster = aws.eks.Cluster(
        "payments",
        name="acme-corpus-payments",
        role_arn=cluster_role.arn,
        version="1.33",
        vpc_config={
            "subnet_ids": PRIVATE_SUBNETS,
            "endpoint_private_access": True,
            "endpoint_public_access": False,
        },
        encryption_config={"provider": {"key_arn": secrets_key.arn}, "resources": ["secrets"]},
        enabled_cluster_log_types=LOG_TYPES,
        access_config={"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": False},
        kubernetes_network_config={"ip_family": "ipv4", "service_ipv4_cidr": "172.20.0.0/16"},
        upgrade_policy={"support_type": "STANDARD"},
        deletion_protection=True,
        tags=TAGS,
    )
    template = aws.ec2.LaunchTemplate(
        "eks_payments_nodes",
        name="acme-corpus-eks-payments-nodes",
        description="EKS payments nodes",
        update_default_version=True,
        ebs_optimized="true",
        metadata_options={
            "http_endpoint": "enabled",
            "http_tokens": "required",
            "http_put_response_hop_limit": 1,
            "instance_metadata_tags": "disabled",
        },
        block_device_mappings=[
            {
                "device_name": "/dev/xvda",
                "ebs": {
                    "volume_size": 50,
                    "volume_type": "gp3",
                    "encrypted": "true",
                    "kms_key_id": volumes_key.arn,
                    "delete_on_termination": "true",
                },
            }
        ],
        monitoring={"enabled": True},
        tag_specifications=[
            {"resource_type": "instance", "tags": TAGS},
            {"resource_type": "volume", "tags": TAGS},
        ],
        tags=TAGS,
    )
    aws.eks.NodeGroup(
        "payments_general",
        cluster_name=cluster.name,
        node_group_name="acme-corpus-payments-general",
        node_role_arn=node_role.arn,
        subnet_ids=PRIVATE_SUBNETS,
        ami_type="AL2023_x86_64_STANDARD",
        capacity_type="ON_DEMAND",
        instance_types=["m6i.large"],
        scaling_config={"desired_size": 3, "min_size": 3, "max_size": 6},
        update_config={"max_unavailable": 1},
        launch_template={"id": template.id, "version": template.latest_version.apply(str)},
        labels={"workload": "payments"},
        taints=[{"key": "dedicated", "value": "payments", "effect": "NO_SCHEDULE"}],
        tags=TAGS,
    )


def insecure() -> None:
    cluster_role = _role(
        "eks_legacy_cluster",
        "acme-corpus-eks-legacy-cluster",
        "eks.amazonaws.com",
        {"eks_legacy_cluster_policy": "AmazonEKSClusterPolicy"},
        None,
    )
    node_role = _role(
        "eks_legacy_nodes",
        "acme-corpus-eks-legacy-nodes",
        "ec2.amazonaws.com",
        {"eks_legacy_nodes_admin": "AdministratorAccess"},
        None,
    )
    cluster = aws.eks.Cluster(
        "legacy",
        name="acme-corpus-legacy",
        role_arn=cluster_role.arn,
        version="1.27",
        vpc_config={
            "subnet_ids": PUBLIC_SUBNETS,
            "endpoint_private_access": False,
            "endpoint_public_access": True,
            "public_access_cidrs": ["0.0.0.0/0"],
        },
    )
    aws.eks.NodeGroup(
        "legacy_ssh",
        cluster_name=cluster.name,
        node_group_name="acme-corpus-legacy-ssh",
        node_role_arn=node_role.arn,
        subnet_ids=PUBLIC_SUBNETS,
        instance_types=["t3.large"],
        disk_size=100,
        scaling_config={"desired_size": 1, "min_size": 1, "max_size": 2},
        remote_access={"ec2_ssh_key": "acme-corpus-legacy-admin"},
    )
    template = aws.ec2.LaunchTemplate(
        "eks_legacy_nodes",
        name="acme-corpus-eks-legacy-nodes",
        metadata_options={"http_endpoint": "enabled", "http_tokens": "optional", "http_put_response_hop_limit": 3},
        block_device_mappings=[
            {
                "device_name": "/dev/xvda",
                "ebs": {"volume_size": 100, "volume_type": "gp2", "encrypted": "false"},
            }
        ],
        network_interfaces=[{"associate_public_ip_address": "true", "delete_on_termination": "true"}],
    )
    aws.eks.NodeGroup(
        "legacy_templated",
        cluster_name=cluster.name,
        node_group_name="acme-corpus-legacy-templated",
        node_role_arn=node_role.arn,
        subnet_ids=PUBLIC_SUBNETS,
        scaling_config={"desired_size": 2, "min_size": 1, "max_size": 4},
        launch_template={"id": template.id, "version": template.latest_version.apply(str)},
    )
