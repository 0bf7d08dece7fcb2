"""ElastiCache: Redis replication groups with their subnet and security groups (pulumi-aws 7 style).

Secure: encryption at rest with a customer KMS key and in transit (TLS required; no AUTH token:
a literal token would be a secret in the program), three nodes across AZs with automatic failover,
7-day snapshots, slow and engine logs to a KMS-encrypted CloudWatch log group. Insecure: one
unencrypted node without failover or snapshots, Redis reachable from 0.0.0.0/0.
"""

import pulumi_aws as aws
from corpus_common import ACCOUNT, REGION, TAGS, key_admin_statement, logs_key_statement, policy_document

VPC = "vpc-0cache000000000001"
PRIVATE_SUBNETS = ["subnet-0cache0000000000a1", "subnet-0cache0000000000b2", "subnet-0cache0000000000c3"]


def secure() -> None:
    key = aws.kms.Key(
        "cache_sessions",
        description="ElastiCache sessions data and logs",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=policy_document(
            key_admin_statement("CacheSessionsKeyAdmin"),
            logs_key_statement("CloudWatchLogs", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"),
        ),
        tags=TAGS,
    )
    slow_log = aws.cloudwatch.LogGroup(
        "cache_sessions_slow",
        name="/aws/elasticache/acme-corpus-redis-sessions/slow",
        retention_in_days=365,
        kms_key_id=key.arn,
        tags=TAGS,
    )
    engine_log = aws.cloudwatch.LogGroup(
        "cache_sessions_engine",
        name="/aws/elasticache/acme-corpus-redis-sessions/engine",
        retention_in_days=365,
        kms_key_id=key.arn,
        tags=TAGS,
    )
    subnets = aws.elasticache.SubnetGroup(
        "sessions",
        name="acme-corpus-redis-sessions-subnets",
        description="private cache subnets",
        subnet_ids=PRIVATE_SUBNETS,
        tags=TAGS,
    )
    firewall = aws.ec2.SecurityGroup(
        "cache_sessions",
        name="acme-corpus-cache-sessions",
        description="Redis from the application subnets",
        vpc_id=VPC,
        ingress=[
            {
                "description": "Redis TLS from the application subnets",
                "protocol": "tcp",
                "from_port": 6379,
                "to_port": 6379,
                "cidr_blocks": ["10.30.0.0/16"],
            }
        ],
        egress=[
            {
                "description": "replies inside the VPC",
                "protocol": "tcp",
                "from_port": 1024,
                "to_port": 65535,
                "cidr_blocks": ["10.30.0.0/16"],
            }
        ],
        tags=TAGS,
    )
    aws.elasticache.ReplicationGroup(
        "sessions",
        replication_group_id="acme-corpus-redis-sessions",
        description="web sessions",
        engine="redis",
        engine_version="7.1",
        node_type="cache.r7g.large",
        num_cache_clusters=3,
        port=6379,
        parameter_group_name="default.redis7",
        subnet_group_name=subnets.name,
        security_group_ids=[firewall.id],
        automatic_failover_enabled=True,
        multi_az_enabled=True,
        at_rest_encryption_enabled=True,
        kms_key_id=key.arn,
        transit_encryption_enabled=True,
        transit_encryption_mode="required",
        snapshot_retention_limit=7,
        snapshot_window="03:00-04:00",
        maintenance_window="sun:05:00-sun:06:00",
        auto_minor_version_upgrade=True,
        apply_immediately=False,
        final_snapshot_identifier="acme-corpus-redis-sessions-final",
        log_delivery_configurations=[
            {
                "destination": slow_log.name,
                "destination_type": "cloudwatch-logs",
                "log_format": "json",
                "log_type": "slow-log",
            },
            {
                "destination": engine_log.name,
                "destination_type": "cloudwatch-logs",
                "log_format": "json",
                "log_type": "engine-log",
            },
        ],
        tags=TAGS,
    )


def insecure() -> None:
    subnets = aws.elasticache.SubnetGroup(
        "sessions_legacy",
        name="acme-corpus-redis-sessions-legacy-subnets",
        subnet_ids=["subnet-0cache000000000pa1", "subnet-0cache000000000pb2"],
    )
    firewall = aws.ec2.SecurityGroup(
        "cache_sessions_legacy",
        name="acme-corpus-cache-sessions-legacy",
        description="legacy sessions cache",
        vpc_id=VPC,
        ingress=[{"protocol": "tcp", "from_port": 6379, "to_port": 6379, "cidr_blocks": ["0.0.0.0/0"]}],
        egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
    )
    aws.elasticache.ReplicationGroup(
        "sessions_legacy",
        replication_group_id="acme-corpus-redis-sessions-legacy",
        description="legacy web sessions",
        engine="redis",
        engine_version="6.2",
        node_type="cache.t3.micro",
        num_cache_clusters=1,
        subnet_group_name=subnets.name,
        security_group_ids=[firewall.id],
        automatic_failover_enabled=False,
        at_rest_encryption_enabled=False,
        transit_encryption_enabled=False,
        snapshot_retention_limit=0,
        apply_immediately=True,
    )
