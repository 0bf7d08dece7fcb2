resource "aws_elasticache_subnet_group" "sessions_legacy" {
  description = "Managed by Pulumi" # the pulumi-aws SDK default the program gets
  name       = "acme-corpus-redis-sessions-legacy-subnets"
  subnet_ids = ["subnet-0cache000000000pa1", "subnet-0cache000000000pb2"]
}

resource "aws_security_group" "cache_sessions_legacy" {
  name        = "acme-corpus-cache-sessions-legacy"
  description = "legacy sessions cache"
  vpc_id      = "vpc-0cache000000000001"

  ingress {
    protocol    = "tcp"
    from_port   = 6379
    to_port     = 6379
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_elasticache_replication_group" "sessions_legacy" {
  replication_group_id       = "acme-corpus-redis-sessions-legacy"
  description                = "legacy web sessions"
  engine                     = "redis"
  engine_version             = "6.2"
  node_type                  = "cache.t3.micro"
  num_cache_clusters         = 1
  subnet_group_name          = aws_elasticache_subnet_group.sessions_legacy.name
  security_group_ids         = [aws_security_group.cache_sessions_legacy.id]
  automatic_failover_enabled = false
  at_rest_encryption_enabled = false
  transit_encryption_enabled = false
  snapshot_retention_limit   = 0
  apply_immediately          = true
}
