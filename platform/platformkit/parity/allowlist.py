"""The parity allow-list (``environments/parity.yaml``): every declared, reasoned difference.

An environment may differ from the baseline only where this file says so, each time with a
reason. The file is validated strictly (unknown keys, missing reasons and malformed type
tokens are errors naming the file, line and key), so a typo can never silently widen what
is allowed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from ..errors import ConfigError, ConfigErrors
from ..messages import line_of, problem_of, read_yaml

DEFAULT_SOURCE = "environments/parity.yaml"
"""Where the allow-list lives, relative to the repository root."""

_ENV_NAME = r"^[a-z][a-z0-9]{1,15}$"
_TYPE_GLOB = re.compile(r"^(\*|[A-Za-z0-9*?_.-]+:[A-Za-z0-9*?_./:$-]*)$")
_PATH_GLOB = re.compile(r"^[^\s.\[\]][^\s]*$")


class _Model(BaseModel):
    """Immutable, unknown keys rejected, camelCase keys in the file."""

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)


def _reason(value: str) -> str:
    if not value.strip():
        raise ValueError("must say why the difference is intended (an empty reason allows nothing)")
    return value.strip()


def _type_glob(value: str) -> str:
    if not _TYPE_GLOB.match(value):
        raise ValueError(f"'{value}' is not a resource type token or glob such as 'aws:rds/instance:Instance' or 'kubernetes:*'")
    return value


class CountEntry(_Model):
    """A resource type whose number of instances may differ (per-AZ resources and the like)."""

    type: str = Field(description="Type token or glob, e.g. 'aws:ec2/subnet:Subnet'. Matched against each resource's type.")
    reason: str = Field(description="Why the number may differ. Required and non-empty.")
    allow_absent: bool = Field(
        default=False,
        description="Also allow the type to be missing entirely from one side (e.g. an access entry only prod has). "
        "Default false: a resource present in one environment only is a violation.",
    )

    @field_validator("type")
    @classmethod
    def _check_type(cls, v: str) -> str:
        return _type_glob(v)

    @field_validator("reason")
    @classmethod
    def _check_reason(cls, v: str) -> str:
        return _reason(v)


class PropertyEntry(_Model):
    """Properties of one resource type whose values may differ."""

    type: str = Field(description="Type token or glob, e.g. 'aws:rds/instance:Instance'. Use a specific type; '*' only for tags.")
    paths: list[str] = Field(
        min_length=1,
        description="Property path globs, e.g. 'instanceClass', 'scalingConfig.*', 'rules[*].expiration.days'. '*' and "
        "'?' are wildcards, '[' is literal; a path also covers everything inside it.",
    )
    reason: str = Field(description="Why the values may differ. Required and non-empty.")

    @field_validator("type")
    @classmethod
    def _check_type(cls, v: str) -> str:
        return _type_glob(v)

    @field_validator("reason")
    @classmethod
    def _check_reason(cls, v: str) -> str:
        return _reason(v)

    @field_validator("paths")
    @classmethod
    def _check_paths(cls, v: list[str]) -> list[str]:
        for path in v:
            if not _PATH_GLOB.match(path):
                raise ValueError(f"'{path}' is not a property path glob such as 'tags.owner' or 'scalingConfig.*'")
        if len(set(v)) != len(v):
            raise ValueError("lists a path twice")
        return v


class ShapeEntry(_Model):
    """A stricter pair: ``environment`` must equal ``reference`` except for these entries alone."""

    environment: str = Field(pattern=_ENV_NAME, description="The environment that must keep the reference's shape.")
    reference: str = Field(pattern=_ENV_NAME, description="The environment whose shape it keeps (its shapeOf).")
    counts: list[CountEntry] = Field(
        default_factory=list, description="Types whose number may differ in this pair. Default none; global counts never apply."
    )
    properties: list[PropertyEntry] = Field(
        default_factory=list, description="Properties that may differ in this pair. Default none; global properties never apply."
    )

    @model_validator(mode="after")
    def _distinct(self) -> ShapeEntry:
        if self.environment == self.reference:
            raise ValueError(f"environment and reference are both '{self.environment}'; name two different environments")
        return self


class AllowList(_Model):
    """The whole allow-list."""

    baseline: str = Field(pattern=_ENV_NAME, description="Environment every other one is compared with, e.g. 'dev'.")
    counts: list[CountEntry] = Field(default_factory=list, description="Types whose number may differ from the baseline.")
    properties: list[PropertyEntry] = Field(
        default_factory=list, description="Properties whose values may differ from the baseline."
    )
    shapes: list[ShapeEntry] = Field(default_factory=list, description="Stricter pairs (e.g. perf keeps prod's shape).")

    _source: str = PrivateAttr(default=DEFAULT_SOURCE)

    @property
    def source(self) -> str:
        """The file the list was read from, for messages."""
        return self._source

    @model_validator(mode="after")
    def _one_shape_per_environment(self) -> AllowList:
        seen: set[str] = set()
        for shape in self.shapes:
            if shape.environment in seen:
                raise ValueError(f"environment '{shape.environment}' has two shapes entries; merge them into one")
            seen.add(shape.environment)
        return self

    def shape_for(self, environment: str) -> tuple[int, ShapeEntry] | None:
        """The index and shape entry whose ``environment`` is ``environment``, if any."""
        for index, shape in enumerate(self.shapes):
            if shape.environment == environment:
                return index, shape
        return None


def with_source(allowlist: AllowList, source: str) -> AllowList:
    """``allowlist`` remembering the file it came from (used in messages)."""
    allowlist._source = source
    return allowlist


# --- globs -------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _glob_regex(glob: str) -> re.Pattern[str]:
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob]
    return re.compile("".join(parts))


def type_matches(glob: str, type_token: str) -> bool:
    """Whether a type glob matches a type token (case-sensitive; ``*`` and ``?`` wildcards)."""
    return _glob_regex(glob).fullmatch(type_token) is not None


def path_matches(glob: str, path: str) -> bool:
    """Whether a path glob matches ``path`` or an enclosing property of it.

    ``*`` matches anything (dots included), ``?`` one character, ``[`` is literal so that
    ``rules[0].expiration.days`` or ``rules[*].expiration.days`` can be written. A glob
    naming a property also covers everything inside it: ``vpcConfig`` covers
    ``vpcConfig.publicAccessCidrs``.
    """
    pattern = _glob_regex(glob)
    if pattern.fullmatch(path):
        return True
    return any(pattern.fullmatch(path[:i]) for i, c in enumerate(path) if c in ".[" and i > 0)


# --- loading -----------------------------------------------------------------------------


def load_allowlist(path: Path) -> AllowList:
    """Read and validate the allow-list; every problem of the file is reported together.

    Messages name the file (relative to the current directory when inside it), the line and the
    key, e.g. ``environments/parity.yaml:12: properties[2].reason: is required but missing``.
    """
    shown = _display(path)
    document, node = read_yaml(path, shown)
    if not isinstance(document, dict):
        raise ConfigErrors(
            [ConfigError(shown, None, "must be a mapping with 'baseline', 'counts', 'properties' and 'shapes' keys")]
        )
    try:
        allowlist = AllowList.model_validate(document)
    except ValidationError as exc:
        raise ConfigErrors([_error(shown, node, err) for err in exc.errors()]) from None
    return with_source(allowlist, shown)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (OSError, ValueError):
        return str(path)


def dotted(loc: tuple[int | str, ...] | list[int | str]) -> str:
    """``('properties', 2, 'reason')`` -> ``properties[2].reason``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _error(shown: str, node: yaml.Node | None, err: Any) -> ConfigError:
    loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
    key = dotted(loc) or None
    line = line_of(node, loc)
    where = f"{shown}:{line}" if line else shown
    choices = _keys_at(loc[:-1]) if err["type"] == "extra_forbidden" else []
    return ConfigError(where, key, problem_of(err, choices))


def _keys_at(loc: list[int | str]) -> list[str]:
    """Allowed keys of the mapping at ``loc`` (for suggestions)."""
    model: type[BaseModel] = AllowList
    for part in loc:
        if isinstance(part, int):
            continue
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return []
        inner = next(
            (a for a in getattr(field.annotation, "__args__", ()) if isinstance(a, type) and issubclass(a, BaseModel)), None
        )
        if inner is None:
            return []
        model = inner
    return [f.alias or n for n, f in model.model_fields.items()]
