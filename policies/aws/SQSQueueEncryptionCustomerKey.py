# ruff: noqa: N999  (Checkov convention: a check file is named after its class)
"""CKV_PLAT_007: SQS queues are encrypted with a customer-managed KMS key (SQS-managed SSE is not enough)."""

from __future__ import annotations

from typing import Any

from checkov.common.bridgecrew.severities import BcSeverities, Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from platcheck_aws import is_customer_managed_key, value


class SQSQueueEncryptionCustomerKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure SQS queues are encrypted with a customer-managed KMS key, not SQS-managed SSE or alias/aws/sqs",
            id="CKV_PLAT_007",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_sqs_queue"],
            guideline="policies/README.md#ckv_plat_007",
        )
        self.severity = Severities[BcSeverities.MEDIUM]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["kms_master_key_id"]
        if not is_customer_managed_key(value(conf, "kms_master_key_id")):
            self.details.append(
                "kms_master_key_id is missing or the AWS-managed alias/aws/sqs (sqs_managed_sse_enabled is not enough)"
            )
            return CheckResult.FAILED
        return CheckResult.PASSED


check = SQSQueueEncryptionCustomerKey()
