"""KubernetesBaselineArgs: refuses namespace lists naming unmanaged namespaces and defaults that exceed the quota."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from platformkit.context import Context
from platformkit.environment import EnvironmentConfig
from platformkit.environment.model import KubernetesSettings, NamespaceSettings
from platformkit.kubernetes_baseline import KubernetesBaselineArgs


def test_every_environments_settings_are_accepted(ctx: Context, environments: dict[str, EnvironmentConfig]) -> None:
    assert environments
    for env in environments.values():
        args = KubernetesBaselineArgs(context=ctx, settings=env.kubernetes)
        assert args.critical_namespaces == ["platform-system"]
        assert args.load_balancer_namespaces == []


def test_load_balancer_namespaces_must_be_managed(ctx: Context) -> None:
    with pytest.raises(ValidationError, match=r"load_balancer_namespaces lists \['ingress'\]"):
        KubernetesBaselineArgs(context=ctx, load_balancer_namespaces=["apps", "ingress"])
    assert KubernetesBaselineArgs(context=ctx, load_balancer_namespaces=["apps"]).load_balancer_namespaces == ["apps"]


def test_critical_namespaces_must_be_managed(ctx: Context) -> None:
    settings = KubernetesSettings(namespaces={"apps": NamespaceSettings()})
    with pytest.raises(ValidationError, match=r"critical_namespaces lists \['platform-system'\]"):
        KubernetesBaselineArgs(context=ctx, settings=settings)
    assert KubernetesBaselineArgs(context=ctx, settings=settings, critical_namespaces=[]).critical_namespaces == []


@pytest.mark.parametrize(
    ("namespace", "message"),
    [
        (NamespaceSettings(cpu="500m", default_cpu="1"), "defaultCpu 1 exceeds the namespace's cpu 500m"),
        (NamespaceSettings(cpu="0.2", default_cpu="250m"), "defaultCpu 250m exceeds the namespace's cpu 0.2"),
        (NamespaceSettings(memory="1Gi", default_memory="1025Mi"), "defaultMemory 1025Mi exceeds the namespace's memory 1Gi"),
    ],
)
def test_container_defaults_must_fit_the_namespace_quota(ctx: Context, namespace: NamespaceSettings, message: str) -> None:
    settings = KubernetesSettings(namespaces={"platform-system": NamespaceSettings(), "small": namespace})
    with pytest.raises(ValidationError, match=f"namespace 'small': {message}"):
        KubernetesBaselineArgs(context=ctx, settings=settings)


def test_defaults_equal_to_the_quota_are_accepted(ctx: Context) -> None:
    equal = NamespaceSettings(cpu="0.25", memory="1024Mi", default_cpu="250m", default_memory="1Gi")
    settings = KubernetesSettings(namespaces={"platform-system": NamespaceSettings(), "tight": equal})
    assert KubernetesBaselineArgs(context=ctx, settings=settings).settings.namespaces["tight"] == equal


def test_unknown_fields_are_refused(ctx: Context) -> None:
    with pytest.raises(ValidationError, match="extra"):
        KubernetesBaselineArgs(context=ctx, namespaces=["apps"])  # type: ignore[call-arg]  # deliberately wrong arguments: validation must refuse them
