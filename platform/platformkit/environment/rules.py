"""Rules that relate several settings, or several environments, to each other.

Each rule returns ``Finding``s naming the exact key, so the loader can report
``<file>: platform:<section>.<key>: <problem>``. Rules read the model's fields (``tier``,
``shapeOf``), never an environment's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .model import EnvironmentConfig


@dataclass(frozen=True)
class Finding:
    """One broken rule: the dotted key (camelCase, as written in the file) and what is wrong."""

    key: str
    problem: str


def check_environment(env: EnvironmentConfig) -> list[Finding]:
    """Rules within one environment."""
    return [*_scale_to_zero(env), *_production_safeguards(env)]


def _scale_to_zero(env: EnvironmentConfig) -> Iterator[Finding]:
    if env.cost.allow_scale_to_zero:
        return
    for group, ng in env.cluster.node_groups.items():
        if ng.min_size == 0:
            yield Finding(
                f"cluster.nodeGroups.{group}.minSize",
                "is 0 but cost.allowScaleToZero is false; set minSize >= 1, or allow scale-to-zero explicitly",
            )


def _production_safeguards(env: EnvironmentConfig) -> Iterator[Finding]:
    if env.tier != "production":
        return
    why = "tier 'production' requires it"
    if not env.database.deletion_protection:
        yield Finding("database.deletionProtection", f"must be true: {why}")
    if not env.database.multi_az:
        yield Finding("database.multiAz", f"must be true: {why}")
    if env.database.backup_retention_days < 7:
        yield Finding("database.backupRetentionDays", f"must be >= 7 (got {env.database.backup_retention_days}): {why}")
    if env.cost.allow_scale_to_zero:
        yield Finding("cost.allowScaleToZero", f"must be false: {why}")
    if env.network.nat_gateways != "perAz":
        yield Finding("network.natGateways", f"must be 'perAz' (got '{env.network.nat_gateways}'): {why}")
    if env.network.az_count < 3:
        yield Finding("network.azCount", f"must be >= 3 (got {env.network.az_count}): {why}")
    if not env.operations.confirm_execute:
        yield Finding(
            "operations.confirmExecute", f"must be true: runbooks acting on production need a typed confirmation; {why}"
        )


def check_shape(env: EnvironmentConfig, reference: EnvironmentConfig) -> list[Finding]:
    """``env`` declared ``shapeOf: reference``: everything that makes up the shape must be equal."""
    return list(_shape_differences(env, reference))


def _shape_differences(env: EnvironmentConfig, ref: EnvironmentConfig) -> Iterator[Finding]:
    def differ(key: str, mine: object, theirs: object) -> Iterator[Finding]:
        if mine != theirs:
            yield Finding(
                key, f"must keep {ref.name}'s shape (shapeOf: {ref.name}): {ref.name} has {theirs!r}, {env.name} has {mine!r}"
            )

    yield from differ("network.azCount", env.network.az_count, ref.network.az_count)
    yield from differ("network.natGateways", env.network.nat_gateways, ref.network.nat_gateways)
    yield from differ("cluster.version", env.cluster.version, ref.cluster.version)
    yield from differ("cluster.nodeGroups", sorted(env.cluster.node_groups), sorted(ref.cluster.node_groups))
    for group in sorted(set(env.cluster.node_groups) & set(ref.cluster.node_groups)):
        mine, theirs = env.cluster.node_groups[group], ref.cluster.node_groups[group]
        for field in ("instance_types", "capacity_type", "disk_size_gib", "min_size", "desired_size", "max_size"):
            key = f"cluster.nodeGroups.{group}.{_camel(field)}"
            yield from differ(key, getattr(mine, field), getattr(theirs, field))
    for field in ("engine_version", "instance_class", "allocated_storage_gib", "max_allocated_storage_gib", "multi_az"):
        yield from differ(f"database.{_camel(field)}", getattr(env.database, field), getattr(ref.database, field))
    yield from differ("kubernetes.namespaces", env.kubernetes.namespaces, ref.kubernetes.namespaces)


def check_cidr_overlaps(envs: Iterable[EnvironmentConfig], subject: EnvironmentConfig) -> list[Finding]:
    """The subject's VPC CIDR must not overlap any other environment's."""
    return [
        Finding(
            "network.cidr",
            f"{subject.network.cidr} overlaps {other.name}'s {other.network.cidr}; give each environment its own range",
        )
        for other in envs
        if other.name != subject.name and subject.network.cidr.overlaps(other.network.cidr)
    ]


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(p.title() for p in rest)
