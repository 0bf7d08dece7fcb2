"""Base class of the organisation's Kubernetes container checks (imports Checkov; see platcheck_k8s for the rules)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Mapping
from typing import Any

from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from platcheck_k8s import containers, pod_spec, pod_spec_path


class WorkloadContainerCheck(BaseK8Check):
    """A check of every container of a workload; a workload without a pod spec or containers fails."""

    def __init__(
        self,
        *,
        name: str,
        check_id: str,
        severity: str,
        supported_entities: Iterable[str],
        evaluated_container_keys: Iterable[str],
        include_init: bool = True,
    ) -> None:
        super().__init__(
            name=name,
            id=check_id,
            categories=[CheckCategories.KUBERNETES],
            supported_entities=list(supported_entities),
            guideline=f"policies/README.md#{check_id.lower()}",
        )
        self.severity = Severities[severity]
        self.include_init = include_init
        self.evaluated_container_keys = list(evaluated_container_keys)

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        prefix = "/".join(pod_spec_path(conf.get("kind")))
        fields = ("containers", "initContainers") if self.include_init else ("containers",)
        self.evaluated_keys = [f"{prefix}/{field}/[*]/{key}" for field in fields for key in self.evaluated_container_keys]
        spec = pod_spec(conf)
        if spec is None:
            self.details.append("no pod spec")
            return CheckResult.FAILED
        items = containers(spec, include_init=self.include_init)
        if not items:
            self.details.append("no containers")
            return CheckResult.FAILED
        problems = [f"{label}: {problem}" for label, container in items if (problem := self.problem(spec, container))]
        if problems:
            self.details.extend(problems)
            return CheckResult.FAILED
        return CheckResult.PASSED

    @abstractmethod
    def problem(self, spec: Mapping[str, Any], container: Mapping[str, Any]) -> str | None:
        """Why one container breaks the rule (None when it does not); ``spec`` is its pod spec."""
