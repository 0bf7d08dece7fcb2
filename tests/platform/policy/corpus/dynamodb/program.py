"""DynamoDB: a production table (customer KMS key, point-in-time recovery, deletion protection, secondary indexes) and a careless one."""

import pulumi_aws as aws
from corpus_common import TAGS, account_key_policy


def secure() -> None:
    key = aws.kms.Key(
        "dynamodb-orders",
        description="orders table",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=account_key_policy(),
        tags=TAGS,
    )
    aws.dynamodb.Table(
        "dynamodb-orders",
        name="acme-corpus-orders",
        billing_mode="PAY_PER_REQUEST",
        table_class="STANDARD",
        hash_key="pk",
        range_key="sk",
        attributes=[
            {"name": "pk", "type": "S"},
            {"name": "sk", "type": "S"},
            {"name": "customer_id", "type": "S"},
            {"name": "created_at", "type": "N"},
        ],
        global_secondary_indexes=[
            {
                "name": "by-customer",
                "key_schemas": [
                    {"attribute_name": "customer_id", "key_type": "HASH"},
                    {"attribute_name": "created_at", "key_type": "RANGE"},
                ],
                "projection_type": "INCLUDE",
                "non_key_attributes": ["status", "total"],
            }
        ],
        local_secondary_indexes=[{"name": "by-created", "range_key": "created_at", "projection_type": "KEYS_ONLY"}],
        point_in_time_recovery={"enabled": True, "recovery_period_in_days": 35},
        server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
        deletion_protection_enabled=True,
        stream_enabled=True,
        stream_view_type="NEW_AND_OLD_IMAGES",
        ttl={"attribute_name": "expires_at", "enabled": True},
        tags=TAGS,
    )


def insecure() -> None:
    aws.dynamodb.Table(
        "dynamodb-sessions",
        name="acme-corpus-sessions",
        billing_mode="PROVISIONED",
        read_capacity=20,
        write_capacity=20,
        hash_key="session_id",
        attributes=[{"name": "session_id", "type": "S"}, {"name": "user_id", "type": "S"}],
        global_secondary_indexes=[
            {
                "name": "by-user",
                "key_schemas": [{"attribute_name": "user_id", "key_type": "HASH"}],
                "projection_type": "ALL",
                "read_capacity": 5,
                "write_capacity": 5,
            }
        ],
        point_in_time_recovery={"enabled": False},
        deletion_protection_enabled=False,
    )
