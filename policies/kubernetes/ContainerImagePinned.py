# ruff: noqa: N999  (Checkov convention: a check file is named after its class)
"""CKV_PLAT_015: every container image is pinned: a tag other than latest, or a digest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checkov.common.bridgecrew.severities import BcSeverities
from platcheck_k8s import WORKLOAD_KINDS, image_problem
from platcheck_k8s_base import WorkloadContainerCheck


class ContainerImagePinned(WorkloadContainerCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure every container image of a Kubernetes workload has a tag other than latest or a digest",
            check_id="CKV_PLAT_015",
            severity=BcSeverities.MEDIUM,
            supported_entities=WORKLOAD_KINDS,
            evaluated_container_keys=["image"],
        )

    def problem(self, spec: Mapping[str, Any], container: Mapping[str, Any]) -> str | None:
        return image_problem(container.get("image"))


check = ContainerImagePinned()
