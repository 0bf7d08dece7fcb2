"""Arguments of the Cluster component."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from ..component import ComponentArgs, StrInput, StrListInput
from ..environment.model import ClusterSettings

RESERVED_GROUP_NAMES: frozenset[str] = frozenset(
    {"eks", "logs", "oidc", "kubernetes", "cluster-role", "node-role", "vpc-cni-role"}
)
"""Node group names that would collide with the component's own child names (``<name>-<role>``)."""

RESERVED_GROUP_PREFIXES: tuple[str, ...] = ("admin-", "addon-", "cluster-role-", "node-role-", "vpc-cni-role-")
"""Prefixes of child names the component numbers or derives (access entries, add-ons, policy attachments)."""

LAUNCH_TEMPLATE_SUFFIX = "-launch-template"
"""A group's launch template is ``<name>-<group>-launch-template``; no group name may end like that."""


def architecture(instance_type: str) -> str:
    """``arm64`` for Graviton types (a ``g`` after the generation digit: m7g, c7gn, t4g, im4gn), else ``x86_64``."""
    family = instance_type.partition(".")[0]
    digits = [i for i, ch in enumerate(family) if ch.isdigit()]
    suffix = family[digits[0] + 1 :] if digits else ""
    return "arm64" if "g" in suffix else "x86_64"


class ClusterArgs(ComponentArgs):
    """Inputs of ``Cluster``: the environment's cluster settings, where it lives and the keys it encrypts with."""

    settings: ClusterSettings = Field(
        description="Version, public endpoint CIDRs, node groups, admin roles and log retention from the environment "
        "model. Required: a cluster without node groups cannot run anything."
    )
    vpc_id: StrInput = Field(
        description="VPC the cluster's subnets belong to. Required. EKS derives the VPC from the subnets; the ID is "
        "passed on as an output because in-cluster controllers cannot discover it (instance metadata is closed to pods)."
    )
    subnet_ids: StrListInput = Field(
        description="Private subnets (at least two AZs) for the control-plane network interfaces and the nodes. "
        "Required. Never public subnets: nodes get no public IPs."
    )
    secrets_key_arn: StrInput = Field(
        description="KMS key that envelope-encrypts Kubernetes secrets in etcd. Required: secrets are never stored with "
        "the AWS-owned key only."
    )
    logs_key_arn: StrInput = Field(
        description="KMS key that encrypts the control-plane log group. Required: logs (audit) are never unencrypted."
    )
    data_key_arn: StrInput = Field(
        description="KMS key that encrypts the nodes' root volumes. Required: node disks hold images and emptyDir data."
    )

    @model_validator(mode="after")
    def _node_groups_fit(self) -> Self:
        for group, settings in self.settings.node_groups.items():
            if (
                group in RESERVED_GROUP_NAMES
                or group.startswith(RESERVED_GROUP_PREFIXES)
                or group.endswith(LAUNCH_TEMPLATE_SUFFIX)
            ):
                reserved = ", ".join([*sorted(RESERVED_GROUP_NAMES), *(f"{p}*" for p in RESERVED_GROUP_PREFIXES)])
                raise ValueError(
                    f"node group name '{group}' collides with the cluster's own resources; avoid {reserved} "
                    f"and names ending in {LAUNCH_TEMPLATE_SUFFIX}"
                )
            arches = {architecture(t) for t in settings.instance_types}
            if len(arches) > 1:
                raise ValueError(
                    f"node group '{group}' mixes arm64 and x86_64 instance types {settings.instance_types}; "
                    "one group runs one AMI, so split them into two groups"
                )
        return self
