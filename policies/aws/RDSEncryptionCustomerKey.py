# ruff: noqa: N999  (Checkov convention: a check file is named after its class)
"""CKV_PLAT_003: RDS storage is encrypted with a customer-managed KMS key."""

from __future__ import annotations

from typing import Any

from checkov.common.bridgecrew.severities import BcSeverities, Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from platcheck_aws import is_customer_managed_key, is_true, value


class RDSEncryptionCustomerKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure RDS DB instances and clusters encrypt storage with a customer-managed KMS key",
            id="CKV_PLAT_003",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_db_instance", "aws_rds_cluster"],
            guideline="policies/README.md#ckv_plat_003",
        )
        self.severity = Severities[BcSeverities.MEDIUM]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["storage_encrypted", "kms_key_id"]
        if not is_true(value(conf, "storage_encrypted")):
            self.details.append("storage_encrypted is not true")
            return CheckResult.FAILED
        if not is_customer_managed_key(value(conf, "kms_key_id")):
            self.details.append("kms_key_id is missing or an AWS-managed key (alias/aws/rds)")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = RDSEncryptionCustomerKey()
