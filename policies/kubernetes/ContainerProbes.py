# ruff: noqa: N999  (Checkov convention: a check file is named after its class)
"""CKV_PLAT_012: containers of long-running workloads have liveness and readiness probes.

Jobs and CronJobs run to completion (no traffic to gate, nothing to restart), and init containers
finish before the pod is ready: both are exempt.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checkov.common.bridgecrew.severities import BcSeverities
from platcheck_k8s import RUN_TO_COMPLETION_KINDS, WORKLOAD_KINDS
from platcheck_k8s_base import WorkloadContainerCheck


class ContainerProbes(WorkloadContainerCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure every container of a long-running Kubernetes workload (not Job or CronJob) has liveness and readiness probes",
            check_id="CKV_PLAT_012",
            severity=BcSeverities.LOW,
            supported_entities=[kind for kind in WORKLOAD_KINDS if kind not in RUN_TO_COMPLETION_KINDS],
            evaluated_container_keys=["livenessProbe", "readinessProbe"],
            include_init=False,
        )

    def problem(self, spec: Mapping[str, Any], container: Mapping[str, Any]) -> str | None:
        missing = [
            probe
            for probe in ("livenessProbe", "readinessProbe")
            if not isinstance(container.get(probe), Mapping) or not container.get(probe)
        ]
        return f"missing {', '.join(missing)}" if missing else None


check = ContainerProbes()
