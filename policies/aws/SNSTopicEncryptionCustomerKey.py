# ruff: noqa: N999  (Checkov convention: a check file is named after its class)
"""CKV_PLAT_006: SNS topics are encrypted with a customer-managed KMS key."""

from __future__ import annotations

from typing import Any

from checkov.common.bridgecrew.severities import BcSeverities, Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from platcheck_aws import is_customer_managed_key, value


class SNSTopicEncryptionCustomerKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure SNS topics are encrypted with a customer-managed KMS key, not alias/aws/sns",
            id="CKV_PLAT_006",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_sns_topic"],
            guideline="policies/README.md#ckv_plat_006",
        )
        self.severity = Severities[BcSeverities.MEDIUM]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["kms_master_key_id"]
        if not is_customer_managed_key(value(conf, "kms_master_key_id")):
            self.details.append("kms_master_key_id is missing or the AWS-managed alias/aws/sns")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = SNSTopicEncryptionCustomerKey()
