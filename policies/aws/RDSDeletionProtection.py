# ruff: noqa: N999  (Checkov convention: a check file is named after its class)
"""CKV_PLAT_010: RDS databases of strict environments (prod, perf) have deletion protection."""

from __future__ import annotations

from typing import Any

from checkov.common.bridgecrew.severities import BcSeverities, Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from platcheck_aws import STRICT_ENVIRONMENTS, is_true, tag, value


class RDSDeletionProtection(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure RDS DB instances and clusters of strict environments (environment tag prod or perf, or none) have deletion protection",
            id="CKV_PLAT_010",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_db_instance", "aws_rds_cluster"],
            guideline="policies/README.md#ckv_plat_010",
        )
        self.severity = Severities[BcSeverities.HIGH]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["tags", "tags_all", "deletion_protection"]
        environment = tag(conf, "environment")
        # No environment tag: the environment is unknown, so the strict rule applies (fail closed).
        if environment is not None and environment not in STRICT_ENVIRONMENTS:
            return CheckResult.PASSED
        if not is_true(value(conf, "deletion_protection")):
            self.details.append(f"deletion_protection is not true in environment {environment or '(no environment tag)'}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = RDSDeletionProtection()
