"""Arguments of the Keys component."""

from __future__ import annotations

from pydantic import Field

from ..component import ComponentArgs
from ..environment.model import KeySettings


class KeysArgs(ComponentArgs):
    """Inputs of ``Keys``: the environment's key settings."""

    settings: KeySettings = Field(
        default_factory=KeySettings, description="Deletion window etc. from the environment model. Default: model defaults."
    )
