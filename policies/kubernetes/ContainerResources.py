# ruff: noqa: N999  (Checkov convention: a check file is named after its class)
"""CKV_PLAT_011: every container sets CPU and memory requests and limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checkov.common.bridgecrew.severities import BcSeverities
from platcheck_k8s import WORKLOAD_KINDS
from platcheck_k8s_base import WorkloadContainerCheck


class ContainerResources(WorkloadContainerCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure every container of a Kubernetes workload sets CPU and memory requests and limits",
            check_id="CKV_PLAT_011",
            severity=BcSeverities.MEDIUM,
            supported_entities=WORKLOAD_KINDS,
            evaluated_container_keys=[
                "resources/requests/cpu",
                "resources/requests/memory",
                "resources/limits/cpu",
                "resources/limits/memory",
            ],
        )

    def problem(self, spec: Mapping[str, Any], container: Mapping[str, Any]) -> str | None:
        resources = container.get("resources")
        resources = resources if isinstance(resources, Mapping) else {}
        missing = []
        for section in ("requests", "limits"):
            amounts = resources.get(section)
            amounts = amounts if isinstance(amounts, Mapping) else {}
            missing += [f"{section}.{name}" for name in ("cpu", "memory") if amounts.get(name) in (None, "")]
        return f"missing resources {', '.join(missing)}" if missing else None


check = ContainerResources()
