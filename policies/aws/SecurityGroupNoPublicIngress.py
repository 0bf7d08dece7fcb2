# ruff: noqa: N999  (Checkov convention: a check file is named after its class)
"""CKV_PLAT_008: no inline security-group ingress from anywhere, except on the public load balancer's group."""

from __future__ import annotations

from typing import Any

from checkov.common.bridgecrew.severities import BcSeverities, Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from platcheck_aws import PUBLIC_LOAD_BALANCER_TAG, blocks, is_open_to_world, strings, tag


class SecurityGroupNoPublicIngress(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure security groups allow no inline ingress from 0.0.0.0/0 or ::/0 unless tagged exposure=public-load-balancer",
            id="CKV_PLAT_008",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_security_group", "aws_default_security_group"],
            guideline="policies/README.md#ckv_plat_008",
        )
        self.severity = Severities[BcSeverities.HIGH]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["tags", "ingress/[*]/cidr_blocks", "ingress/[*]/ipv6_cidr_blocks"]
        key, wanted = PUBLIC_LOAD_BALANCER_TAG
        if tag(conf, key) == wanted:
            return CheckResult.PASSED
        for index, rule in enumerate(blocks(conf, "ingress")):
            open_cidrs = [c for c in strings(rule, "cidr_blocks") + strings(rule, "ipv6_cidr_blocks") if is_open_to_world(c)]
            if open_cidrs:
                self.details.append(f"ingress[{index}] allows {', '.join(open_cidrs)}")
                return CheckResult.FAILED
        return CheckResult.PASSED


check = SecurityGroupNoPublicIngress()
