"""S3: a data bucket and its split configuration resources (pulumi-aws 7 style), with a separate access-log bucket."""

import pulumi
import pulumi_aws as aws
from corpus_common import TAGS, deny_insecure_transport, policy_document


def secure() -> None:
    key = aws.kms.Key("data", description="data bucket", enable_key_rotation=True, deletion_window_in_days=30, tags=TAGS)
    logs = aws.s3.Bucket("logs", bucket="acme-corpus-logs", tags=TAGS)
    bucket = aws.s3.Bucket("data", bucket="acme-corpus-data", tags=TAGS)
    aws.s3.BucketPublicAccessBlock(
        "data",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketOwnershipControls("data", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"})
    aws.s3.BucketVersioning("data", bucket=bucket.id, versioning_configuration={"status": "Enabled"})
    aws.s3.BucketServerSideEncryptionConfiguration(
        "data",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
                "bucket_key_enabled": True,
            }
        ],
    )
    aws.s3.BucketLogging("data", bucket=bucket.id, target_bucket=logs.id, target_prefix="data/")
    aws.s3.BucketLifecycleConfiguration(
        "data",
        bucket=bucket.id,
        rules=[
            {
                "id": "tidy",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "noncurrent_version_expiration": {"noncurrent_days": 90},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
            }
        ],
    )
    aws.s3.BucketNotification("data", bucket=bucket.id, eventbridge=True)
    aws.s3.BucketPolicy(
        "data",
        bucket=bucket.id,
        policy=policy_document(
            deny_insecure_transport("s3:*", ["arn:aws:s3:::acme-corpus-data", "arn:aws:s3:::acme-corpus-data/*"])
        ),
    )
    pulumi.export("bucket", bucket.id)


def insecure() -> None:
    bucket = aws.s3.Bucket("public", bucket="acme-corpus-public", force_destroy=True)
    aws.s3.BucketPublicAccessBlock(
        "public",
        bucket=bucket.id,
        block_public_acls=False,
        block_public_policy=False,
        ignore_public_acls=False,
        restrict_public_buckets=False,
    )
    aws.s3.BucketOwnershipControls("public", bucket=bucket.id, rule={"object_ownership": "ObjectWriter"})
    aws.s3.BucketAcl("public", bucket=bucket.id, acl="public-read-write")
    aws.s3.BucketVersioning("public", bucket=bucket.id, versioning_configuration={"status": "Suspended"})
    aws.s3.BucketServerSideEncryptionConfiguration(
        "public", bucket=bucket.id, rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]
    )
    aws.s3.BucketPolicy(
        "public",
        bucket=bucket.id,
        policy=policy_document(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::acme-corpus-public", "arn:aws:s3:::acme-corpus-public/*"],
            }
        ),
    )
