locals {
  tags = {
    environment   = "corpus"
    owner         = "platform-team"
    "cost-centre" = "CC-0000"
    "managed-by"  = "pulumi"
    repository    = "github.com/acme/platform"
  }
}

resource "aws_kms_key" "core-flow-logs" {
  description             = "core VPC flow logs"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::123456789012:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsFlowLogs"
        Effect    = "Allow"
        Principal = { Service = "logs.eu-west-1.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnEquals = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:aws:logs:eu-west-1:123456789012:log-group:/acme/corpus/vpc/core-flow-logs"
          }
        }
      },
    ]
  })
  tags = local.tags
}

resource "aws_cloudwatch_log_group" "core-flow-logs" {
  name              = "/acme/corpus/vpc/core-flow-logs"
  kms_key_id        = aws_kms_key.core-flow-logs.arn
  retention_in_days = 365
  tags              = local.tags
}

resource "aws_vpc" "core" {
  cidr_block           = "10.20.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = local.tags
}

resource "aws_flow_log" "core" {
  vpc_id                   = aws_vpc.core.id
  traffic_type             = "ALL"
  log_destination_type     = "cloud-watch-logs"
  log_destination          = aws_cloudwatch_log_group.core-flow-logs.arn
  iam_role_arn             = "arn:aws:iam::123456789012:role/acme-corpus-core-flow-logs"
  max_aggregation_interval = 60
  tags                     = local.tags
}

# The default security group of the VPC, adopted with every rule removed.
resource "aws_default_security_group" "core" {
  vpc_id                 = aws_vpc.core.id
  revoke_rules_on_delete = true
  tags                   = local.tags
}

resource "aws_subnet" "core-private-a" {
  vpc_id                  = aws_vpc.core.id
  cidr_block              = "10.20.0.0/20"
  availability_zone       = "eu-west-1a"
  map_public_ip_on_launch = false
  tags                    = local.tags
}

resource "aws_subnet" "core-private-b" {
  vpc_id                  = aws_vpc.core.id
  cidr_block              = "10.20.16.0/20"
  availability_zone       = "eu-west-1b"
  map_public_ip_on_launch = false
  tags                    = local.tags
}

resource "aws_subnet" "core-data-a" {
  vpc_id                  = aws_vpc.core.id
  cidr_block              = "10.20.128.0/24"
  availability_zone       = "eu-west-1a"
  map_public_ip_on_launch = false
  tags                    = local.tags
}

# Interface endpoints: HTTPS from inside the VPC only, inline rules.
resource "aws_security_group" "core-endpoints" {
  name        = "acme-corpus-core-endpoints"
  description = "Interface VPC endpoints of the core VPC"
  vpc_id      = aws_vpc.core.id
  ingress {
    description = "HTTPS from the core VPC"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.20.0.0/16"]
  }
  egress {
    description = "Responses within the core VPC"
    from_port   = 1024
    to_port     = 65535
    protocol    = "tcp"
    cidr_blocks = ["10.20.0.0/16"]
  }
  tags = local.tags
}

resource "aws_vpc_endpoint" "core-ssm" {
  vpc_id              = aws_vpc.core.id
  service_name        = "com.amazonaws.eu-west-1.ssm"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [aws_subnet.core-private-a.id]
  security_group_ids  = [aws_security_group.core-endpoints.id]
  tags                = local.tags
}

# Application servers: rules as separate resources (v5+ per-rule resources and one legacy rule).
resource "aws_security_group" "core-app" {
  name        = "acme-corpus-core-app"
  description = "Application servers of the core VPC"
  vpc_id      = aws_vpc.core.id
  tags        = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "core-app-https" {
  security_group_id = aws_security_group.core-app.id
  description       = "HTTPS from the private subnets"
  ip_protocol       = "tcp"
  from_port         = 8443
  to_port           = 8443
  cidr_ipv4         = "10.20.0.0/19"
  tags              = local.tags
}

resource "aws_vpc_security_group_egress_rule" "core-app-endpoints" {
  security_group_id            = aws_security_group.core-app.id
  description                  = "HTTPS to the interface endpoints"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.core-endpoints.id
  tags                         = local.tags
}

resource "aws_security_group_rule" "core-app-postgres" {
  type              = "egress"
  security_group_id = aws_security_group.core-app.id
  description       = "PostgreSQL in the data subnet"
  protocol          = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_blocks       = ["10.20.128.0/24"]
}

resource "aws_kms_key" "core-app-ebs" {
  description             = "core application volumes"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountAdministration"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
  tags = local.tags
}

resource "aws_launch_template" "core-app" {
  name                   = "acme-corpus-core-app"
  description            = "Application servers of the core VPC"
  image_id               = "ami-0c1c30571d2dae5c9"
  instance_type          = "m7g.large"
  vpc_security_group_ids = [aws_security_group.core-app.id]
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = 30
      volume_type           = "gp3"
      encrypted             = "true"
      kms_key_id            = aws_kms_key.core-app-ebs.arn
      delete_on_termination = "true"
    }
  }
  tags = local.tags
}

# Private subnets: inline NACL rules; the data subnet: NACL rules as separate resources.
resource "aws_network_acl" "core-private" {
  vpc_id     = aws_vpc.core.id
  subnet_ids = [aws_subnet.core-private-a.id, aws_subnet.core-private-b.id]
  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "10.20.0.0/16"
    from_port  = 443
    to_port    = 443
  }
  ingress {
    rule_no    = 110
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "10.20.0.0/16"
    from_port  = 1024
    to_port    = 65535
  }
  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "10.20.0.0/16"
    from_port  = 0
    to_port    = 65535
  }
  tags = local.tags
}

resource "aws_network_acl" "core-data" {
  vpc_id     = aws_vpc.core.id
  subnet_ids = [aws_subnet.core-data-a.id]
  tags       = local.tags
}

resource "aws_network_acl_rule" "core-data-postgres-in" {
  network_acl_id = aws_network_acl.core-data.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.20.0.0/19"
  from_port      = 5432
  to_port        = 5432
}

resource "aws_network_acl_rule" "core-data-ephemeral-out" {
  network_acl_id = aws_network_acl.core-data.id
  rule_number    = 100
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.20.0.0/19"
  from_port      = 1024
  to_port        = 65535
}
