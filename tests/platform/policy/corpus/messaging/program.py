"""Messaging: an SNS topic fanning out to an SQS queue with a dead-letter queue, their policies and the subscription.

Secure: topic and queues encrypted with a customer KMS key (with a key policy), a redrive policy to a
dead-letter queue that only accepts that source queue, a topic policy and a queue policy that allow
one service principal under a source-ARN condition and deny insecure transport, a raw-delivery SQS
subscription with a filter policy. Insecure: an unencrypted topic whose policy lets anyone publish and
subscribe, a queue with SQS-managed SSE turned off and a policy granting `sqs:*` to `*`, a plain-HTTP
subscription.
"""

import json

import pulumi_aws as aws
from corpus_common import ACCOUNT, REGION, TAGS, deny_insecure_transport, key_admin_statement, policy_document

_TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:acme-corpus-order-events"
_QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:acme-corpus-order-events"
_PUBLIC_TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:acme-corpus-public-events"
_PUBLIC_QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:acme-corpus-public-events"


def secure() -> None:
    key = aws.kms.Key(
        "messaging-order-events",
        description="order events topic and queues",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=policy_document(
            key_admin_statement(),
            {
                "Sid": "SnsToEncryptedQueue",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
                "Condition": {"ArnEquals": {"aws:SourceArn": _TOPIC_ARN}},
            },
        ),
        tags=TAGS,
    )
    topic = aws.sns.Topic(
        "messaging-order-events",
        name="acme-corpus-order-events",
        display_name="Order events",
        kms_master_key_id=key.arn,
        signature_version=2,
        tracing_config="Active",
        tags=TAGS,
    )
    aws.sns.TopicPolicy(
        "messaging-order-events",
        arn=topic.arn,
        policy=policy_document(
            {
                "Sid": "EventBridgePublish",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": _TOPIC_ARN,
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            },
            deny_insecure_transport("sns:Publish", _TOPIC_ARN),
        ),
    )
    dlq = aws.sqs.Queue(
        "messaging-order-events-dlq",
        name="acme-corpus-order-events-dlq",
        kms_master_key_id=key.arn,
        kms_data_key_reuse_period_seconds=300,
        message_retention_seconds=1209600,
        redrive_allow_policy=json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [_QUEUE_ARN]}),
        tags=TAGS,
    )
    queue = aws.sqs.Queue(
        "messaging-order-events",
        name="acme-corpus-order-events",
        kms_master_key_id=key.arn,
        kms_data_key_reuse_period_seconds=300,
        visibility_timeout_seconds=60,
        message_retention_seconds=345600,
        receive_wait_time_seconds=20,
        redrive_policy=dlq.arn.apply(lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})),
        tags=TAGS,
    )
    aws.sqs.QueuePolicy(
        "messaging-order-events",
        queue_url=queue.id,
        policy=policy_document(
            {
                "Sid": "OrderEventsTopic",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": _QUEUE_ARN,
                "Condition": {"ArnEquals": {"aws:SourceArn": _TOPIC_ARN}},
            },
            deny_insecure_transport("sqs:*", _QUEUE_ARN),
        ),
    )
    aws.sns.TopicSubscription(
        "messaging-order-events",
        topic=topic.arn,
        protocol="sqs",
        endpoint=queue.arn,
        raw_message_delivery=True,
        filter_policy_scope="MessageAttributes",
        filter_policy=json.dumps({"eventType": ["OrderPlaced", "OrderCancelled"]}),
    )


def insecure() -> None:
    topic = aws.sns.Topic("messaging-public-events", name="acme-corpus-public-events")
    aws.sns.TopicPolicy(
        "messaging-public-events",
        arn=topic.arn,
        policy=policy_document(
            {"Effect": "Allow", "Principal": "*", "Action": ["sns:Publish", "sns:Subscribe"], "Resource": _PUBLIC_TOPIC_ARN}
        ),
    )
    queue = aws.sqs.Queue(
        "messaging-public-events",
        name="acme-corpus-public-events",
        sqs_managed_sse_enabled=False,
        message_retention_seconds=86400,
    )
    aws.sqs.QueuePolicy(
        "messaging-public-events",
        queue_url=queue.id,
        policy=policy_document({"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": _PUBLIC_QUEUE_ARN}),
    )
    aws.sns.TopicSubscription(
        "messaging-public-events",
        topic=topic.arn,
        protocol="http",
        endpoint="http://hooks.example.com/acme-corpus-public-events",
        endpoint_auto_confirms=True,
    )
