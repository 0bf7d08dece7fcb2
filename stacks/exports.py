"""The stack's contract: the outputs downstream stacks and tools may read, defined in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from platformkit.keys import Keys


@dataclass(frozen=True)
class PlatformLayers:
    """The components one environment is made of."""

    keys: Keys


def exports(layers: PlatformLayers) -> dict[str, Any]:
    """Stack outputs, by name. Renaming one breaks readers: add, never rename."""
    return {
        "dataKeyArn": layers.keys.data_key_arn,
        "logsKeyArn": layers.keys.logs_key_arn,
        "secretsKeyArn": layers.keys.secrets_key_arn,
    }
