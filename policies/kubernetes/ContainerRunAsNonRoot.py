# ruff: noqa: N999  (Checkov convention: a check file is named after its class)
"""CKV_PLAT_013: every container runs as non-root (runAsNonRoot true on the container, or on the pod and not overridden)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checkov.common.bridgecrew.severities import BcSeverities
from platcheck_k8s import WORKLOAD_KINDS, is_true, security_context
from platcheck_k8s_base import WorkloadContainerCheck


class ContainerRunAsNonRoot(WorkloadContainerCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure every container of a Kubernetes workload runs with runAsNonRoot true (pod or container securityContext)",
            check_id="CKV_PLAT_013",
            severity=BcSeverities.HIGH,
            supported_entities=WORKLOAD_KINDS,
            evaluated_container_keys=["securityContext/runAsNonRoot"],
        )

    def problem(self, spec: Mapping[str, Any], container: Mapping[str, Any]) -> str | None:
        own = security_context(container).get("runAsNonRoot")
        effective = own if own is not None else security_context(spec).get("runAsNonRoot")
        return None if is_true(effective) else "runAsNonRoot is not true (container or pod securityContext)"


check = ContainerRunAsNonRoot()
