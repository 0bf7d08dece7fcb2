locals {
  tags = {
    environment   = "corpus"
    owner         = "platform-team"
    "cost-centre" = "CC-0000"
    "managed-by"  = "pulumi"
    repository    = "github.com/acme/platform"
  }
}

resource "aws_kms_key" "cache_sessions" {
  description             = "ElastiCache sessions data and logs"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "CacheSessionsKeyAdmin"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::123456789012:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogs"
        Effect    = "Allow"
        Principal = { Service = "logs.eu-west-1.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:aws:logs:eu-west-1:123456789012:log-group:*"
          }
        }
      },
    ]
  })
  tags = local.tags
}

resource "aws_cloudwatch_log_group" "cache_sessions_slow" {
  name              = "/aws/elasticache/acme-corpus-redis-sessions/slow"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.cache_sessions.arn
  tags              = local.tags
}

resource "aws_cloudwatch_log_group" "cache_sessions_engine" {
  name              = "/aws/elasticache/acme-corpus-redis-sessions/engine"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.cache_sessions.arn
  tags              = local.tags
}

resource "aws_elasticache_subnet_group" "sessions" {
  name        = "acme-corpus-redis-sessions-subnets"
  description = "private cache subnets"
  subnet_ids  = ["subnet-0cache0000000000a1", "subnet-0cache0000000000b2", "subnet-0cache0000000000c3"]
  tags        = local.tags
}

resource "aws_security_group" "cache_sessions" {
  name        = "acme-corpus-cache-sessions"
  description = "Redis from the application subnets"
  vpc_id      = "vpc-0cache000000000001"

  ingress {
    description = "Redis TLS from the application subnets"
    protocol    = "tcp"
    from_port   = 6379
    to_port     = 6379
    cidr_blocks = ["10.30.0.0/16"]
  }

  egress {
    description = "replies inside the VPC"
    protocol    = "tcp"
    from_port   = 1024
    to_port     = 65535
    cidr_blocks = ["10.30.0.0/16"]
  }

  tags = local.tags
}

resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "acme-corpus-redis-sessions"
  description                = "web sessions"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = "cache.r7g.large"
  num_cache_clusters         = 3
  port                       = 6379
  parameter_group_name       = "default.redis7"
  subnet_group_name          = aws_elasticache_subnet_group.sessions.name
  security_group_ids         = [aws_security_group.cache_sessions.id]
  automatic_failover_enabled = true
  multi_az_enabled           = true
  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.cache_sessions.arn
  transit_encryption_enabled = true
  transit_encryption_mode    = "required"
  snapshot_retention_limit   = 7
  snapshot_window            = "03:00-04:00"
  maintenance_window         = "sun:05:00-sun:06:00"
  auto_minor_version_upgrade = true
  apply_immediately          = false
  final_snapshot_identifier  = "acme-corpus-redis-sessions-final"

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.cache_sessions_slow.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.cache_sessions_engine.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "engine-log"
  }

  tags = local.tags
}
