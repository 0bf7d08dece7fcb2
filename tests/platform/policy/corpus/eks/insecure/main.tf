locals {
  public_subnets = ["subnet-0eks0000000000pa1", "subnet-0eks0000000000pb2"]
}

resource "aws_iam_role" "eks_legacy_cluster" {
  name = "acme-corpus-eks-legacy-cluster"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "eks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "eks_legacy_cluster_policy" {
  role       = aws_iam_role.eks_legacy_cluster.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
}

resource "aws_iam_role" "eks_legacy_nodes" {
  name = "acme-corpus-eks-legacy-nodes"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "eks_legacy_nodes_admin" {
  role       = aws_iam_role.eks_legacy_nodes.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_eks_cluster" "legacy" {
  name     = "acme-corpus-legacy"
  role_arn = aws_iam_role.eks_legacy_cluster.arn
  version  = "1.27"

  vpc_config {
    subnet_ids              = local.public_subnets
    endpoint_private_access = false
    endpoint_public_access  = true
    public_access_cidrs     = ["0.0.0.0/0"]
  }
}

resource "aws_eks_node_group" "legacy_ssh" {
  cluster_name    = aws_eks_cluster.legacy.name
  node_group_name = "acme-corpus-legacy-ssh"
  node_role_arn   = aws_iam_role.eks_legacy_nodes.arn
  subnet_ids      = local.public_subnets
  instance_types  = ["t3.large"]
  disk_size       = 100

  scaling_config {
    desired_size = 1
    min_size     = 1
    max_size     = 2
  }

  remote_access {
    ec2_ssh_key = "acme-corpus-legacy-admin"
  }
}

resource "aws_launch_template" "eks_legacy_nodes" {
  name = "acme-corpus-eks-legacy-nodes"

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "optional"
    http_put_response_hop_limit = 3
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size = 100
      volume_type = "gp2"
      encrypted   = "false"
    }
  }

  network_interfaces {
    associate_public_ip_address = "true"
    delete_on_termination       = "true"
  }
}

resource "aws_eks_node_group" "legacy_templated" {
  cluster_name    = aws_eks_cluster.legacy.name
  node_group_name = "acme-corpus-legacy-templated"
  node_role_arn   = aws_iam_role.eks_legacy_nodes.arn
  subnet_ids      = local.public_subnets

  scaling_config {
    desired_size = 2
    min_size     = 1
    max_size     = 4
  }

  launch_template {
    id      = aws_launch_template.eks_legacy_nodes.id
    version = aws_launch_template.eks_legacy_nodes.latest_version
  }
}
