"""Storage: the environment's three S3 buckets, private, versioned, encrypted and lifecycled.

- ``artifacts``: build artifacts; SSE-KMS with the data key; access-logged to ``logs``.
- ``backups``: backup exports; SSE-KMS with the data key; access-logged to ``logs``.
- ``logs``: S3 server access logs of the two others; SSE-S3 (see ``LOGS_ENCRYPTION``).

Every bucket gets its own ownership controls (ACLs disabled), public access block, versioning,
default encryption, lifecycle and a bucket policy that refuses plain-HTTP requests. Buckets live
in the account's regional namespace (``<prefix>-<account>-<region>-an``), so no other account
can ever create, or re-create after a deletion, a bucket with one of these names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from ..component import StrInput, child_opts, token
from ..context import Context
from ..environment.model import BucketLifecycle
from .args import StorageArgs

ROLES: tuple[str, ...] = ("artifacts", "logs", "backups")
"""Every bucket, in creation order."""

LOGS = "logs"
"""The bucket that receives the server access logs of the others (and does not log itself)."""

LOGGED: tuple[str, ...] = tuple(role for role in ROLES if role != LOGS)
"""Buckets whose server access logs go to the ``logs`` bucket, each under the prefix ``<role>/``."""

NAMESPACE = "account-regional"
"""S3 bucket namespace. The account regional namespace reserves ``*-<account>-<region>-an`` names for this
account (AWS S3 User Guide, "Namespaces for general purpose buckets"), which rules out bucket squatting
and name collisions with other organisations; not offered in me-south-1 and me-central-1."""

MAX_BUCKET_NAME = 63
ABORT_INCOMPLETE_UPLOADS_DAYS = 7
BLOCKED_ENCRYPTION_TYPES: tuple[str, ...] = ("SSE-C",)
"""Customer-provided keys are refused: S3 would store objects this platform cannot audit or rotate."""

LOGS_ENCRYPTION = "AES256"
"""Default encryption of the ``logs`` bucket: SSE-S3. The S3 User Guide ("Enabling Amazon S3 server access
logging") states that a server access logging target bucket may use default encryption only with SSE-S3
(AES-256); default SSE-KMS is not supported, so access logs would silently stop arriving."""

LOGGING_SERVICE = "logging.s3.amazonaws.com"


def bucket_name(ctx: Context, role: str) -> str:
    """Physical name ``<org>-<env>-<role>-<account>-<region>-an`` (the account regional namespace format).

    The ``ctx.name`` part is shortened (with its hash) so the whole name stays within S3's 63 characters
    while the suffix S3 requires stays intact.
    """
    suffix = f"-{ctx.account_id}-{ctx.region}-an"
    return f"{ctx.name(role, max_length=MAX_BUCKET_NAME - len(suffix))}{suffix}"


class Storage(pulumi.ComponentResource):
    """Three private, versioned, encrypted buckets with lifecycles from the environment and access logging."""

    buckets: dict[str, aws.s3.Bucket]
    artifacts_bucket_name: pulumi.Output[str]
    artifacts_bucket_arn: pulumi.Output[str]
    logs_bucket_name: pulumi.Output[str]
    logs_bucket_arn: pulumi.Output[str]
    backups_bucket_name: pulumi.Output[str]
    backups_bucket_arn: pulumi.Output[str]

    def __init__(self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(token("storage", "Storage"), name, None, opts)
        ctx = args.context
        self.buckets = {
            role: aws.s3.Bucket(
                f"{name}-{role}",
                bucket=bucket_name(ctx, role),
                bucket_namespace=NAMESPACE,
                tags=ctx.tags(Name=bucket_name(ctx, role), purpose=role),
                opts=child_opts(self),
            )
            for role in ROLES
        }
        logs = self.buckets[LOGS]
        policies: dict[str, aws.s3.BucketPolicy] = {}
        for role, bucket in self.buckets.items():
            kms_key = None if role == LOGS else args.data_key_arn
            ownership = aws.s3.BucketOwnershipControls(
                f"{name}-{role}-ownership",
                bucket=bucket.id,
                rule={"object_ownership": "BucketOwnerEnforced"},
                opts=child_opts(self),
            )
            public_access = aws.s3.BucketPublicAccessBlock(
                f"{name}-{role}-public-access",
                bucket=bucket.id,
                block_public_acls=True,
                block_public_policy=True,
                ignore_public_acls=True,
                restrict_public_buckets=True,
                opts=child_opts(self),
            )
            versioning = aws.s3.BucketVersioning(
                f"{name}-{role}-versioning",
                bucket=bucket.id,
                versioning_configuration={"status": "Enabled"},
                opts=child_opts(self),
            )
            aws.s3.BucketServerSideEncryptionConfiguration(
                f"{name}-{role}-encryption",
                bucket=bucket.id,
                rules=[encryption_rule(kms_key)],
                opts=child_opts(self),
            )
            aws.s3.BucketLifecycleConfiguration(
                f"{name}-{role}-lifecycle",
                bucket=bucket.id,
                rules=lifecycle_rules(getattr(args.settings, role)),
                # Noncurrent-version rules need versioning in place first (provider guidance).
                opts=child_opts(self, depends_on=[versioning]),
            )
            if role == LOGS:
                sources = {source: self.buckets[source].arn for source in LOGGED}
                document = logs_bucket_policy(ctx, bucket.arn, sources)
            else:
                document = data_bucket_policy(bucket.arn, args.data_key_arn)
            policies[role] = aws.s3.BucketPolicy(
                f"{name}-{role}-policy",
                bucket=bucket.id,
                policy=pulumi.Output.json_dumps(document),
                # Ownership and the public access block first: S3 evaluates a new policy against them.
                opts=child_opts(self, depends_on=[ownership, public_access]),
            )
        for role in LOGGED:
            aws.s3.BucketLogging(
                f"{name}-{role}-logging",
                bucket=self.buckets[role].id,
                target_bucket=logs.id,
                target_prefix=f"{role}/",
                target_object_key_format={"partitioned_prefix": {"partition_date_source": "EventTime"}},
                # The logs bucket must let the logging service write before logging is switched on.
                opts=child_opts(self, depends_on=[policies[LOGS]]),
            )
        artifacts, backups = self.buckets["artifacts"], self.buckets["backups"]
        self.artifacts_bucket_name, self.artifacts_bucket_arn = artifacts.bucket, artifacts.arn
        self.logs_bucket_name, self.logs_bucket_arn = logs.bucket, logs.arn
        self.backups_bucket_name, self.backups_bucket_arn = backups.bucket, backups.arn
        self.register_outputs(
            {f"{role}_bucket_{attr}": getattr(self, f"{role}_bucket_{attr}") for role in ROLES for attr in ("name", "arn")}
        )


def encryption_rule(kms_key_arn: StrInput | None) -> aws.s3.BucketServerSideEncryptionConfigurationRuleArgsDict:
    """Default encryption: SSE-KMS with ``kms_key_arn`` and an S3 bucket key, or SSE-S3 when no key is given."""
    if kms_key_arn is None:
        return {
            "apply_server_side_encryption_by_default": {"sse_algorithm": LOGS_ENCRYPTION},
            "blocked_encryption_types": list(BLOCKED_ENCRYPTION_TYPES),
        }
    return {
        "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key_arn},
        # One data key per bucket instead of one KMS call per object: cheaper, fewer KMS throttles.
        "bucket_key_enabled": True,
        "blocked_encryption_types": list(BLOCKED_ENCRYPTION_TYPES),
    }


def lifecycle_rules(lifecycle: BucketLifecycle) -> list[aws.s3.BucketLifecycleConfigurationRuleArgsDict]:
    """One rule over the whole bucket, straight from the environment's ``BucketLifecycle``.

    Without a current-object expiry, delete markers left alone after their versions expired are removed;
    with one, S3 does that itself once they are old enough (and refuses both in one rule).
    """
    expiration: aws.s3.BucketLifecycleConfigurationRuleExpirationArgsDict = (
        {"days": lifecycle.expire_after_days}
        if lifecycle.expire_after_days is not None
        else {"expired_object_delete_marker": True}
    )
    rule: aws.s3.BucketLifecycleConfigurationRuleArgsDict = {
        "id": "retention",
        "status": "Enabled",
        "filter": {},
        "expiration": expiration,
        "noncurrent_version_expiration": {"noncurrent_days": lifecycle.noncurrent_version_expire_days},
        "abort_incomplete_multipart_upload": {"days_after_initiation": ABORT_INCOMPLETE_UPLOADS_DAYS},
    }
    if lifecycle.transition_to_infrequent_access_days is not None:
        rule["transitions"] = [{"days": lifecycle.transition_to_infrequent_access_days, "storage_class": "STANDARD_IA"}]
    return [rule]


def deny_insecure_transport(bucket_arn: pulumi.Output[str]) -> dict[str, Any]:
    """Refuse every request to the bucket or its objects that does not use TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def data_bucket_policy(bucket_arn: pulumi.Output[str], kms_key_arn: StrInput) -> dict[str, Any]:
    """TLS only; uploads that ask for another encryption than SSE-KMS, or another key than ``kms_key_arn``, are refused.

    Uploads without encryption headers are allowed: default encryption applies the data key to them. The
    ``Null`` test keeps the header checks to requests that carry the header (a negated operator alone would
    also match requests without it and refuse every plain upload).
    """
    objects = pulumi.Output.concat(bucket_arn, "/*")
    return {
        "Version": "2012-10-17",
        "Statement": [
            deny_insecure_transport(bucket_arn),
            {
                "Sid": "DenyEncryptionOtherThanKms",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": objects,
                "Condition": {
                    "Null": {"s3:x-amz-server-side-encryption": "false"},
                    "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
                },
            },
            {
                "Sid": "DenyKmsKeyOtherThanDataKey",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": objects,
                "Condition": {
                    "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"},
                    "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": kms_key_arn},
                },
            },
        ],
    }


def logs_bucket_policy(ctx: Context, bucket_arn: pulumi.Output[str], sources: Mapping[str, pulumi.Output[str]]) -> dict[str, Any]:
    """TLS only, and the S3 logging service may write each source bucket's logs under that bucket's prefix only.

    ACLs are disabled (BucketOwnerEnforced), so the bucket policy is the only way to grant log delivery.
    ``aws:SourceArn`` and ``aws:SourceAccount`` stop the service writing here on behalf of anyone else.
    """
    statements: list[dict[str, Any]] = [deny_insecure_transport(bucket_arn)]
    statements.extend(
        {
            "Sid": f"ServerAccessLogsFrom{role.capitalize()}",
            "Effect": "Allow",
            "Principal": {"Service": LOGGING_SERVICE},
            "Action": "s3:PutObject",
            "Resource": pulumi.Output.concat(bucket_arn, f"/{role}/*"),
            "Condition": {
                "ArnLike": {"aws:SourceArn": source_arn},
                "StringEquals": {"aws:SourceAccount": ctx.account_id},
            },
        }
        for role, source_arn in sources.items()
    )
    return {"Version": "2012-10-17", "Statement": statements}
