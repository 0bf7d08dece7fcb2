# ruff: noqa: N999  (Checkov convention: a check file is named after its class)
"""CKV_PLAT_005: CloudWatch log groups are encrypted with a customer-managed KMS key."""

from __future__ import annotations

from typing import Any

from checkov.common.bridgecrew.severities import BcSeverities, Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from platcheck_aws import is_customer_managed_key, value


class LogGroupEncryptionCustomerKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure CloudWatch log groups are encrypted with a customer-managed KMS key",
            id="CKV_PLAT_005",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_cloudwatch_log_group"],
            guideline="policies/README.md#ckv_plat_005",
        )
        self.severity = Severities[BcSeverities.MEDIUM]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["kms_key_id"]
        if not is_customer_managed_key(value(conf, "kms_key_id")):
            self.details.append("kms_key_id is missing: the log group uses CloudWatch's own service key")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = LogGroupEncryptionCustomerKey()
