# ruff: noqa: N999  (Checkov convention: a check file is named after its class)
"""CKV_PLAT_001: the organisation's mandatory tags on every taggable AWS resource."""

from __future__ import annotations

from typing import Any

from checkov.common.bridgecrew.severities import BcSeverities, Severities
from checkov.common.checks_infra.resources_types import resources_types
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from platcheck_aws import REQUIRED_TAGS, tag

TAGGABLE_TYPES: frozenset[str] = frozenset(resources_types["aws_taggable"]) | {"aws_autoscaling_group"}
"""Checkov's own list of AWS Terraform types with a ``tags`` argument (from the provider schema), plus
``aws_autoscaling_group`` (``tag`` blocks)."""


class MandatoryTags(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure every taggable AWS resource carries the tags environment, owner, cost-centre, managed-by and repository",
            id="CKV_PLAT_001",
            categories=[CheckCategories.CONVENTION],
            # Every AWS type; scan_resource_conf decides which are taggable.
            supported_resources=["aws_*"],
            guideline="policies/README.md#ckv_plat_001",
        )
        self.severity = Severities[BcSeverities.LOW]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        resource_type = self.entity_type
        if resource_type not in TAGGABLE_TYPES and not any(key in conf for key in ("tags", "tags_all")):
            return CheckResult.UNKNOWN  # not taggable: not reported
        self.evaluated_keys = ["tags", "tags_all", "tag"]
        missing = [key for key in REQUIRED_TAGS if tag(conf, key) is None]
        if missing:
            self.details.append(f"missing or empty tags: {', '.join(missing)}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = MandatoryTags()
