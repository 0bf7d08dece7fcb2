# ruff: noqa: N999  (Checkov convention: a check file is named after its class)
"""CKV_PLAT_009: the EKS API endpoint is private, or public only to declared CIDRs."""

from __future__ import annotations

from typing import Any

from checkov.common.bridgecrew.severities import BcSeverities, Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from platcheck_aws import blocks, is_open_to_world, strings, value


class EKSEndpointNotPublic(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure EKS cluster API endpoints are private or public only to declared CIDRs other than 0.0.0.0/0",
            id="CKV_PLAT_009",
            categories=[CheckCategories.KUBERNETES],
            supported_resources=["aws_eks_cluster"],
            guideline="policies/README.md#ckv_plat_009",
        )
        self.severity = Severities[BcSeverities.HIGH]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["vpc_config/[0]/endpoint_public_access", "vpc_config/[0]/public_access_cidrs"]
        vpc_configs = blocks(conf, "vpc_config")
        if not vpc_configs:
            self.details.append("no vpc_config: the endpoint is public to 0.0.0.0/0 by default")
            return CheckResult.FAILED
        vpc_config = vpc_configs[0]
        public = value(vpc_config, "endpoint_public_access")
        # The provider's default is true (public), so only an explicit false makes it private.
        if public is False or (isinstance(public, str) and public.strip().lower() == "false"):
            return CheckResult.PASSED
        cidrs = strings(vpc_config, "public_access_cidrs")
        if not cidrs:
            self.details.append("endpoint_public_access is not false and public_access_cidrs is empty (0.0.0.0/0 by default)")
            return CheckResult.FAILED
        open_cidrs = [c for c in cidrs if is_open_to_world(c)]
        if open_cidrs:
            self.details.append(f"public_access_cidrs allows {', '.join(open_cidrs)}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = EKSEndpointNotPublic()
