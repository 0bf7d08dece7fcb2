"""Audit: a CloudTrail trail with its S3 bucket, KMS key, CloudWatch Logs delivery, SNS notifications and an alarm.

Secure: a multi-region, KMS-encrypted trail with log file validation, CloudWatch Logs integration (log
group encrypted with the same key, kept for a year), advanced event selectors for S3 data events and
insights; a locked-down, versioned, KMS-encrypted bucket; an alarm that notifies. Insecure: a
single-region trail without validation, encryption or CloudWatch Logs, logging turned off, legacy
event selectors, a bucket without protection, a log group without key or retention, a KMS key without
rotation and with a wildcard policy, an alarm with its actions disabled.
"""

import pulumi_aws as aws
from corpus_common import ACCOUNT, REGION, TAGS, deny_insecure_transport, key_admin_statement, logs_key_statement, policy_document

_TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/acme-corpus-audit"
_OPEN_TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/acme-corpus-audit-open"


def _key_policy() -> str:
    return policy_document(
        key_admin_statement(),
        {
            "Sid": "CloudTrailEncrypt",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceArn": _TRAIL_ARN}},
        },
        logs_key_statement(
            "CloudWatchLogsEncrypt", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/cloudtrail/acme-corpus-audit"
        ),
    )


def _trail_bucket_policy(bucket: str, trail_arn: str) -> str:
    return policy_document(
        {
            "Sid": "CloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": f"arn:aws:s3:::{bucket}",
            "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
        },
        {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/cloudtrail/AWSLogs/{ACCOUNT}/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}},
        },
        deny_insecure_transport("s3:*", [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]),
    )


def secure() -> None:
    key = aws.kms.Key(
        "audit-trail",
        description="CloudTrail, its log group and its notifications",
        enable_key_rotation=True,
        rotation_period_in_days=180,
        deletion_window_in_days=30,
        policy=_key_policy(),
        tags=TAGS,
    )
    bucket = aws.s3.Bucket("audit-trail", bucket="acme-corpus-audit-trail", tags=TAGS)
    aws.s3.BucketPublicAccessBlock(
        "audit-trail",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketVersioning("audit-trail", bucket=bucket.id, versioning_configuration={"status": "Enabled"})
    aws.s3.BucketServerSideEncryptionConfiguration(
        "audit-trail",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
                "bucket_key_enabled": True,
            }
        ],
    )
    aws.s3.BucketLifecycleConfiguration(
        "audit-trail",
        bucket=bucket.id,
        rules=[
            {
                "id": "archive",
                "status": "Enabled",
                "filter": {"prefix": "cloudtrail/"},
                "transitions": [
                    {"days": 90, "storage_class": "STANDARD_IA"},
                    {"days": 365, "storage_class": "GLACIER"},
                ],
                "noncurrent_version_expiration": {"noncurrent_days": 365},
            },
            {
                "id": "tidy",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
            },
        ],
    )
    aws.s3.BucketNotification("audit-trail", bucket=bucket.id, eventbridge=True)
    aws.s3.BucketPolicy("audit-trail", bucket=bucket.id, policy=_trail_bucket_policy("acme-corpus-audit-trail", _TRAIL_ARN))
    log_group = aws.cloudwatch.LogGroup(
        "audit-trail",
        name="/aws/cloudtrail/acme-corpus-audit",
        kms_key_id=key.arn,
        retention_in_days=365,
        tags=TAGS,
    )
    role = aws.iam.Role(
        "audit-trail-logs",
        name="acme-corpus-audit-trail-logs",
        assume_role_policy=policy_document(
            {
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceArn": _TRAIL_ARN}},
            }
        ),
        tags=TAGS,
    )
    aws.iam.RolePolicy(
        "audit-trail-logs",
        role=role.id,
        policy=policy_document(
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/cloudtrail/acme-corpus-audit:log-stream:*",
            }
        ),
    )
    topic = aws.sns.Topic("audit-trail", name="acme-corpus-audit-trail", kms_master_key_id=key.id, tags=TAGS)
    aws.cloudtrail.Trail(
        "audit-trail",
        name="acme-corpus-audit",
        s3_bucket_name=bucket.id,
        s3_key_prefix="cloudtrail",
        enable_logging=True,
        include_global_service_events=True,
        is_multi_region_trail=True,
        enable_log_file_validation=True,
        kms_key_id=key.arn,
        cloud_watch_logs_group_arn=log_group.arn.apply(lambda arn: f"{arn}:*"),
        cloud_watch_logs_role_arn=role.arn,
        sns_topic_name=topic.name,
        advanced_event_selectors=[
            {"name": "Management events", "field_selectors": [{"field": "eventCategory", "equals": ["Management"]}]},
            {
                "name": "S3 object events",
                "field_selectors": [
                    {"field": "eventCategory", "equals": ["Data"]},
                    {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                    {"field": "resources.ARN", "not_starts_withs": ["arn:aws:s3:::acme-corpus-audit-trail/"]},
                ],
            },
        ],
        insight_selectors=[{"insight_type": "ApiCallRateInsight"}, {"insight_type": "ApiErrorRateInsight"}],
        tags=TAGS,
    )
    aws.cloudwatch.MetricAlarm(
        "audit-root-usage",
        name="acme-corpus-audit-root-usage",
        alarm_description="The root user signed in or made an API call",
        namespace="CloudTrailMetrics",
        metric_name="RootAccountUsage",
        statistic="Sum",
        period=300,
        evaluation_periods=1,
        threshold=1,
        comparison_operator="GreaterThanOrEqualToThreshold",
        treat_missing_data="notBreaching",
        actions_enabled=True,
        alarm_actions=[topic.arn],
        ok_actions=[topic.arn],
        tags=TAGS,
    )


def insecure() -> None:
    aws.kms.Key(
        "audit-open",
        description="audit key, shared with everyone",
        enable_key_rotation=False,
        deletion_window_in_days=7,
        policy=policy_document({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}),
    )
    bucket = aws.s3.Bucket("audit-open", bucket="acme-corpus-audit-open", force_destroy=True)
    aws.s3.BucketPolicy("audit-open", bucket=bucket.id, policy=_trail_bucket_policy("acme-corpus-audit-open", _OPEN_TRAIL_ARN))
    aws.cloudwatch.LogGroup("audit-open", name="/aws/cloudtrail/acme-corpus-audit-open")
    aws.cloudtrail.Trail(
        "audit-open",
        name="acme-corpus-audit-open",
        s3_bucket_name=bucket.id,
        enable_logging=False,
        include_global_service_events=False,
        is_multi_region_trail=False,
        enable_log_file_validation=False,
        event_selectors=[
            {
                "read_write_type": "WriteOnly",
                "include_management_events": True,
                "exclude_management_event_sources": ["kms.amazonaws.com", "rdsdata.amazonaws.com"],
                "data_resources": [
                    {"type": "AWS::S3::Object", "values": ["arn:aws:s3:::acme-corpus-audit-open-data/"]},
                ],
            }
        ],
    )
    aws.cloudwatch.MetricAlarm(
        "audit-open-trail-silence",
        name="acme-corpus-audit-open-trail-silence",
        comparison_operator="LessThanThreshold",
        evaluation_periods=3,
        threshold=1,
        actions_enabled=False,
        metric_queries=[
            {
                "id": "events",
                "return_data": True,
                "metric": {
                    "namespace": "AWS/Logs",
                    "metric_name": "IncomingLogEvents",
                    "dimensions": {"LogGroupName": "/aws/cloudtrail/acme-corpus-audit-open"},
                    "period": 3600,
                    "stat": "Sum",
                },
            }
        ],
    )
