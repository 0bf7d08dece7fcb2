# ruff: noqa: N999  (Checkov convention: a check file is named after its class)
"""CKV_PLAT_002: S3 default encryption uses SSE-KMS with a customer-managed key."""

from __future__ import annotations

from typing import Any

from checkov.common.bridgecrew.severities import BcSeverities, Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from platcheck_aws import blocks, is_customer_managed_key, value

KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})


class S3EncryptionCustomerKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure S3 server-side encryption configurations use SSE-KMS with a customer-managed KMS key",
            id="CKV_PLAT_002",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket"],
            guideline="policies/README.md#ckv_plat_002",
        )
        self.severity = Severities[BcSeverities.MEDIUM]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        keys = [
            "rule/[*]/apply_server_side_encryption_by_default/[*]/sse_algorithm",
            "rule/[*]/apply_server_side_encryption_by_default/[*]/kms_master_key_id",
        ]
        if self.entity_type == "aws_s3_bucket":
            inline = blocks(conf, "server_side_encryption_configuration")
            if not inline:
                return CheckResult.UNKNOWN  # split configuration: checked on its own resource; existence: CKV2_PLAT_003
            self.evaluated_keys = [f"server_side_encryption_configuration/[*]/{key}" for key in keys]
            rules = [rule for item in inline for rule in blocks(item, "rule")]
        else:
            self.evaluated_keys = keys
            rules = blocks(conf, "rule")
        if not rules:
            self.details.append("no encryption rule")
            return CheckResult.FAILED
        for rule in rules:
            defaults = blocks(rule, "apply_server_side_encryption_by_default")
            if not defaults:
                self.details.append("a rule has no apply_server_side_encryption_by_default")
                return CheckResult.FAILED
            for default in defaults:
                algorithm = value(default, "sse_algorithm")
                if algorithm not in KMS_ALGORITHMS:
                    self.details.append(f"sse_algorithm is {algorithm!r}, not aws:kms")
                    return CheckResult.FAILED
                if not is_customer_managed_key(value(default, "kms_master_key_id")):
                    self.details.append("kms_master_key_id is missing or an AWS-managed key (alias/aws/s3)")
                    return CheckResult.FAILED
        return CheckResult.PASSED


check = S3EncryptionCustomerKey()
