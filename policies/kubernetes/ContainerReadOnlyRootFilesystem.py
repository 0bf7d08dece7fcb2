# ruff: noqa: N999  (Checkov convention: a check file is named after its class)
"""CKV_PLAT_014: every container has a read-only root filesystem (a container-level setting only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checkov.common.bridgecrew.severities import BcSeverities
from platcheck_k8s import WORKLOAD_KINDS, is_true, security_context
from platcheck_k8s_base import WorkloadContainerCheck


class ContainerReadOnlyRootFilesystem(WorkloadContainerCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure every container of a Kubernetes workload sets readOnlyRootFilesystem true",
            check_id="CKV_PLAT_014",
            severity=BcSeverities.MEDIUM,
            supported_entities=WORKLOAD_KINDS,
            evaluated_container_keys=["securityContext/readOnlyRootFilesystem"],
        )

    def problem(self, spec: Mapping[str, Any], container: Mapping[str, Any]) -> str | None:
        if is_true(security_context(container).get("readOnlyRootFilesystem")):
            return None
        return "securityContext.readOnlyRootFilesystem is not true"


check = ContainerReadOnlyRootFilesystem()
