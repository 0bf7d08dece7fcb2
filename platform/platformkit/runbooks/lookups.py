"""Values runbook parameters are checked against, read from the environment model.

A parameter says ``choices_from: <name>`` or ``bounds_from: <name>`` in runbook.yaml; the
name is a key of ``CHOICES`` or ``BOUNDS`` below. Each lookup reads only the validated
``EnvironmentConfig`` (never a second copy of settings) and says which setting it read, so a
refusal can point the operator at the file to change. Add a lookup here when a new runbook
needs one; the schema rejects unknown names when runbook.yaml is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from ..environment.model import EnvironmentConfig

ParameterValue = str | int | bool | None


@dataclass(frozen=True)
class Bounds:
    """An inclusive range and the setting it came from (camelCase, as written in the environment file)."""

    minimum: int | datetime
    maximum: int | datetime
    source: str


@dataclass(frozen=True)
class BoundsLookup:
    """A named range lookup: the kind of value it bounds and the earlier parameters it needs."""

    kind: Literal["integer", "datetime"]
    needs: tuple[str, ...]
    read: Callable[[EnvironmentConfig, Mapping[str, ParameterValue], datetime], Bounds]
    description: str


@dataclass(frozen=True)
class ChoicesLookup:
    """A named list of allowed values."""

    read: Callable[[EnvironmentConfig], list[str]]
    source: str


def _node_group_size(env: EnvironmentConfig, params: Mapping[str, ParameterValue], now: datetime) -> Bounds:
    group = str(params["group"])
    settings = env.cluster.node_groups[group]
    return Bounds(settings.min_size, settings.max_size, f"cluster.nodeGroups.{group}.minSize..maxSize")


def _backup_window(env: EnvironmentConfig, params: Mapping[str, ParameterValue], now: datetime) -> Bounds:
    days = env.database.backup_retention_days
    return Bounds(now - timedelta(days=days), now, f"database.backupRetentionDays ({days} days back from now)")


def _noncurrent_version_window(env: EnvironmentConfig, params: Mapping[str, ParameterValue], now: datetime) -> Bounds:
    """Versions overwritten or deleted after a point within this window still exist (the lifecycle expires older ones)."""
    bucket = str(params["bucket"])
    days = getattr(env.storage, bucket).noncurrent_version_expire_days
    return Bounds(now - timedelta(days=days), now, f"storage.{bucket}.noncurrentVersionExpireDays ({days} days back from now)")


BOUNDS: dict[str, BoundsLookup] = {
    "node-group-size": BoundsLookup(
        kind="integer",
        needs=("group",),
        read=_node_group_size,
        description="the node group's minSize..maxSize (needs parameter 'group')",
    ),
    "backup-window": BoundsLookup(
        kind="datetime",
        needs=(),
        read=_backup_window,
        description="within the database's point-in-time recovery window (backupRetentionDays back from now)",
    ),
    "noncurrent-version-window": BoundsLookup(
        kind="datetime",
        needs=("bucket",),
        read=_noncurrent_version_window,
        description="within the bucket's noncurrentVersionExpireDays back from now (needs parameter 'bucket')",
    ),
}
"""Range lookups by name (``bounds_from``)."""

CHOICES: dict[str, ChoicesLookup] = {
    "node-groups": ChoicesLookup(read=lambda env: sorted(env.cluster.node_groups), source="cluster.nodeGroups"),
}
"""Choice lookups by name (``choices_from``)."""


def utc_now() -> datetime:
    """The current time, timezone-aware (one place, so tests and callers agree)."""
    return datetime.now(UTC)
