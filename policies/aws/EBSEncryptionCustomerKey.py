# ruff: noqa: N999  (Checkov convention: a check file is named after its class)
"""CKV_PLAT_004: EBS volumes (standalone, launch template and instance block devices) use a customer-managed KMS key."""

from __future__ import annotations

from typing import Any

from checkov.common.bridgecrew.severities import BcSeverities, Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from platcheck_aws import blocks, is_customer_managed_key, is_true, value


def _volume_problem(volume: dict[str, Any]) -> str | None:
    """Why one EBS volume definition is not encrypted with a customer-managed key (None when it is)."""
    if not is_true(value(volume, "encrypted")):
        return "encrypted is not true"
    if not is_customer_managed_key(value(volume, "kms_key_id")):
        return "kms_key_id is missing or an AWS-managed key (alias/aws/ebs)"
    return None


class EBSEncryptionCustomerKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure EBS volumes, launch template and instance block devices are encrypted with a customer-managed KMS key",
            id="CKV_PLAT_004",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_ebs_volume", "aws_launch_template", "aws_instance"],
            guideline="policies/README.md#ckv_plat_004",
        )
        self.severity = Severities[BcSeverities.MEDIUM]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = {
            "aws_ebs_volume": ["encrypted", "kms_key_id"],
            "aws_launch_template": [
                "block_device_mappings/[*]/ebs/[*]/encrypted",
                "block_device_mappings/[*]/ebs/[*]/kms_key_id",
            ],
        }.get(
            self.entity_type,
            [
                "root_block_device/[0]/encrypted",
                "root_block_device/[0]/kms_key_id",
                "ebs_block_device/[*]/encrypted",
                "ebs_block_device/[*]/kms_key_id",
            ],
        )
        if self.entity_type == "aws_ebs_volume":
            volumes = [("volume", conf)]
        elif self.entity_type == "aws_launch_template":
            # Without an EBS block device mapping the AMI's root volume is used, encrypted (or not) by the
            # account default: not with our key. Instance-store mappings (virtual_name) have no EBS volume.
            volumes = [
                (f"block_device_mappings {value(mapping, 'device_name')}", ebs)
                for mapping in blocks(conf, "block_device_mappings")
                for ebs in blocks(mapping, "ebs")
            ]
        else:
            roots = blocks(conf, "root_block_device")
            volumes = [("root_block_device", roots[0] if roots else {})]
            volumes += [(f"ebs_block_device {value(d, 'device_name')}", d) for d in blocks(conf, "ebs_block_device")]
        if not volumes:
            self.details.append("no EBS block device mapping: the root volume is not encrypted with our key")
            return CheckResult.FAILED
        for where, volume in volumes:
            problem = _volume_problem(volume)
            if problem:
                self.details.append(f"{where}: {problem}")
                return CheckResult.FAILED
        return CheckResult.PASSED


check = EBSEncryptionCustomerKey()
