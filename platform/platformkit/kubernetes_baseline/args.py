"""Arguments of the KubernetesBaseline component."""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from pydantic import Field, model_validator

from ..component import ComponentArgs
from ..environment.model import KubernetesSettings


def millicores(quantity: str) -> Decimal:
    """A CPU quantity of the model (``"8"``, ``"0.5"``, ``"250m"``) in millicores."""
    if quantity.endswith("m"):
        return Decimal(quantity[:-1])
    return Decimal(quantity) * 1000


def mebibytes(quantity: str) -> int:
    """A memory quantity of the model (``"256Mi"``, ``"16Gi"``) in MiB."""
    if quantity.endswith("Gi"):
        return int(quantity[:-2]) * 1024
    if quantity.endswith("Mi"):
        return int(quantity[:-2])
    raise ValueError(f"'{quantity}' is not a memory quantity in Mi or Gi")


class KubernetesBaselineArgs(ComponentArgs):
    """Inputs of ``KubernetesBaseline``: the environment's Kubernetes settings and two exceptions to its defaults."""

    settings: KubernetesSettings = Field(
        default_factory=KubernetesSettings,
        description="Namespaces with their quota and default container limits, from the environment model. "
        "Default: the model's defaults (platform-system, observability, apps).",
    )
    load_balancer_namespaces: list[str] = Field(
        default_factory=list,
        description="Managed namespaces allowed to create Services of type LoadBalancer or NodePort. Default none: "
        "every namespace's quota holds services.loadbalancers and services.nodeports at 0, so nothing is exposed "
        "outside the cluster except through the platform's ingress path. List e.g. the ingress controller's namespace.",
    )
    critical_namespaces: list[str] = Field(
        default_factory=lambda: ["platform-system"],
        description="Managed namespaces whose pods may use the 'platform-critical' priority class. Default "
        "['platform-system']: everywhere else a scoped quota allows 0 such pods, so tenants cannot preempt the "
        "platform. Every name must be a managed namespace; set [] when platform-system is not managed.",
    )

    @model_validator(mode="after")
    def _namespaces_are_managed(self) -> Self:
        managed = set(self.settings.namespaces)
        for field, names in (
            ("load_balancer_namespaces", self.load_balancer_namespaces),
            ("critical_namespaces", self.critical_namespaces),
        ):
            unknown = sorted(set(names) - managed)
            if unknown:
                raise ValueError(
                    f"{field} lists {unknown}, which are not managed namespaces ({sorted(managed)}); "
                    "add them to kubernetes.namespaces or drop them from the list"
                )
        return self

    @model_validator(mode="after")
    def _defaults_fit_quota(self) -> Self:
        # The LimitRange's max is the namespace quota; Kubernetes rejects a LimitRange whose default exceeds its max.
        for name, ns in self.settings.namespaces.items():
            if millicores(ns.default_cpu) > millicores(ns.cpu):
                raise ValueError(
                    f"namespace '{name}': defaultCpu {ns.default_cpu} exceeds the namespace's cpu {ns.cpu}; "
                    "lower defaultCpu or raise cpu"
                )
            if mebibytes(ns.default_memory) > mebibytes(ns.memory):
                raise ValueError(
                    f"namespace '{name}': defaultMemory {ns.default_memory} exceeds the namespace's memory {ns.memory}; "
                    "lower defaultMemory or raise memory"
                )
        return self
