"""What every platform component shares: its args base class, input types and child options.

Conventions (checked by tests): a component is ``Thing(name, args: ThingArgs, opts=None)``,
its type token is ``platform:<package>:<ClassName>``, children are named ``f"{name}-<role>"``
with ``child_opts(self)`` (never the caller's ``opts``), and ``register_outputs`` comes last.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pulumi
from pydantic import BaseModel, ConfigDict, Field

from .context import Context

StrInput = str | pulumi.Output[str]
"""A string known now or later (e.g. another resource's ARN)."""

StrListInput = Sequence[StrInput] | pulumi.Output[list[str]]
"""A list of strings known now or later (e.g. subnet IDs)."""

TOKEN_PREFIX = "platform"

KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")


def require_kms_key_arn(value: StrInput, why: str) -> StrInput:
    """``value`` unchanged when it is a KMS key ARN or not known yet (an Output); else a ValueError.

    ``why`` ends the message: why the consumer needs the ARN rather than a key ID or alias.
    """
    if isinstance(value, str) and not KMS_KEY_ARN.match(value):
        raise ValueError(f"'{value}' is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); {why}")
    return value


class ComponentArgs(BaseModel):
    """Base of every component's args: immutable, unknown fields rejected, carries the naming context."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    context: Context = Field(description="Naming and tagging context of the environment; names and tags come only from it.")


def token(package: str, class_name: str) -> str:
    """The type token ``platform:<package>:<ClassName>``."""
    return f"{TOKEN_PREFIX}:{package}:{class_name}"


def child_opts(
    parent: pulumi.Resource,
    *,
    depends_on: Sequence[pulumi.Resource] | None = None,
    provider: pulumi.ProviderResource | None = None,
    ignore_changes: list[str] | None = None,
    delete_before_replace: bool | None = None,
) -> pulumi.ResourceOptions:
    """Options for a component's child: parented to the component, plus only the extras it needs."""
    return pulumi.ResourceOptions(
        parent=parent,
        depends_on=list(depends_on) if depends_on is not None else None,
        provider=provider,
        ignore_changes=ignore_changes,
        delete_before_replace=delete_before_replace,
    )
