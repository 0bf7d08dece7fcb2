"""What ``runbooks/<name>/runbook.yaml`` may say: the runbook's page, its parameters and its steps.

The file is the single source of the runbook's page (``platform runbook docs``), of the
parameter validation done before Ansible starts, and of the step names ``--from-step``
accepts. Keys are snake_case like the playbooks next to them; unknown keys are errors.
"""

from __future__ import annotations

import re
import string
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .lookups import BOUNDS, CHOICES

ParameterType = Literal["string", "integer", "boolean", "datetime", "choice"]
Severity = Literal["critical", "high", "medium", "low"]

GLOB_CHARACTERS = frozenset("*?[]")
"""``ansible-playbook --start-at-task`` matches task names as fnmatch patterns: step names must not contain these."""

_PARAMETER_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_NAME_PART = re.compile(r"^[a-z0-9-]+$")


class Spec(BaseModel):
    """Base of the runbook schema: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ParameterSpec(Spec):
    """One ``-p name=value`` the runbook accepts, validated before Ansible starts."""

    name: str = Field(
        description="Parameter name: lowercase snake_case, at most 40 characters; the playbook reads it as params.<name>."
    )
    type: ParameterType = Field(
        description="'string', 'integer', 'boolean' (true/false), 'datetime' (ISO 8601 with a timezone, passed to the "
        "playbook in UTC as YYYY-MM-DDTHH:MM:SSZ) or 'choice' (one of choices / choices_from)."
    )
    description: str = Field(min_length=1, description="What the value means and what it changes; shown on the page.")
    required: bool = Field(default=False, description="The run is refused without it. Default false.")
    default: str | int | bool | None = Field(
        default=None, description="Value used when the parameter is not given. Default none (the playbook sees null)."
    )
    minimum: int | None = Field(default=None, description="Smallest allowed integer. Default none.")
    maximum: int | None = Field(default=None, description="Largest allowed integer. Default none.")
    bounds_from: str | None = Field(
        default=None,
        description="Name of a lookup in platformkit/runbooks/lookups.py that reads the allowed range from the "
        "environment model (e.g. 'node-group-size'). Default none.",
    )
    choices: list[str] | None = Field(default=None, description="Allowed values of a 'choice'. Default none.")
    choices_from: str | None = Field(
        default=None,
        description="Name of a lookup in platformkit/runbooks/lookups.py that lists the allowed values from the "
        "environment model (e.g. 'node-groups'). Default none.",
    )
    pattern: str | None = Field(
        default=None, description="Regular expression a 'string' must match in full. Default none (any text)."
    )
    secret: bool = Field(
        default=False,
        description="Masked in the audit record and never printed; tasks using it must set no_log: true. Default false.",
    )
    when: dict[str, str] | None = Field(
        default=None,
        description="The parameter applies only when the named earlier parameters have these values, e.g. "
        "{source: snapshot}; giving it otherwise is an error, and 'required' holds only then. Default: always applies.",
    )

    @field_validator("name")
    @classmethod
    def _name_shape(cls, v: str) -> str:
        if not _PARAMETER_NAME.match(v):
            raise ValueError(f"'{v}' must be lowercase snake_case (a-z, 0-9, _), starting with a letter, at most 40 characters")
        return v

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"is not a regular expression: {exc}") from None
        return v

    @field_validator("bounds_from")
    @classmethod
    def _known_bounds(cls, v: str | None) -> str | None:
        if v is not None and v not in BOUNDS:
            raise ValueError(f"'{v}' is not a bounds lookup; known: {', '.join(sorted(BOUNDS))}")
        return v

    @field_validator("choices_from")
    @classmethod
    def _known_choices(cls, v: str | None) -> str | None:
        if v is not None and v not in CHOICES:
            raise ValueError(f"'{v}' is not a choices lookup; known: {', '.join(sorted(CHOICES))}")
        return v

    @model_validator(mode="after")
    def _fits_type(self) -> Self:
        kind = self.type
        if self.required and self.default is not None:
            raise ValueError("a required parameter cannot have a default")
        if (self.minimum is not None or self.maximum is not None) and kind != "integer":
            raise ValueError("minimum/maximum apply to integers only")
        if self.bounds_from is not None:
            needed = BOUNDS[self.bounds_from].kind
            if kind != needed:
                raise ValueError(f"bounds_from '{self.bounds_from}' gives {needed} bounds but the parameter is a {kind}")
        if self.pattern is not None and kind != "string":
            raise ValueError("pattern applies to strings only")
        if kind == "choice":
            if (self.choices is None) == (self.choices_from is None):
                raise ValueError("a choice needs exactly one of choices or choices_from")
            if self.choices is not None and (not self.choices or len(set(self.choices)) != len(self.choices)):
                raise ValueError("choices must be a non-empty list without repeats")
        elif self.choices is not None or self.choices_from is not None:
            raise ValueError("choices/choices_from apply to type 'choice' only")
        if self.secret and self.default is not None:
            raise ValueError("a secret parameter cannot have a default (it would be written in the repository)")
        if self.default is not None:
            self._check_default(self.default)
        return self

    def _check_default(self, value: str | int | bool) -> None:
        expected: dict[str, type | tuple[type, ...]] = {
            "string": str,
            "integer": int,
            "boolean": bool,
            "datetime": str,
            "choice": str,
        }
        wanted = expected[self.type]
        if isinstance(value, bool) and self.type != "boolean":
            raise ValueError(f"default {value!r} is not a {self.type}")
        if not isinstance(value, wanted):
            raise ValueError(f"default {value!r} is not a {self.type}")
        if self.type == "choice" and self.choices is not None and value not in self.choices:
            raise ValueError(f"default {value!r} is not one of the choices {self.choices}")
        if self.type == "integer" and isinstance(value, int):
            if self.minimum is not None and value < self.minimum:
                raise ValueError(f"default {value} is below minimum {self.minimum}")
            if self.maximum is not None and value > self.maximum:
                raise ValueError(f"default {value} is above maximum {self.maximum}")
        if self.type == "string" and self.pattern is not None and not re.fullmatch(self.pattern, str(value)):
            raise ValueError(f"default {value!r} does not match pattern {self.pattern}")


class StepSpec(Spec):
    """One step: exactly one task of the playbook, with the same name, in the same order."""

    name: str = Field(
        min_length=3,
        max_length=80,
        description="The task's name in playbook.yml, which --from-step accepts. Stable: renaming a step breaks the "
        "resume commands people have in incident notes. No '*', '?', '[' or ']' (Ansible matches them as patterns).",
    )
    description: str = Field(min_length=1, description="What the step does, for the page.")
    changes: bool = Field(
        default=False,
        description="The step changes AWS state (it must be idempotent and honour check mode). Default false: read-only.",
    )
    on_failure: str | None = Field(
        default=None,
        description="What the operator should do when this step fails; printed with the failure. Default none.",
    )

    @field_validator("name")
    @classmethod
    def _no_glob(cls, v: str) -> str:
        bad = sorted(GLOB_CHARACTERS & set(v))
        if bad:
            raise ValueError(f"contains {''.join(bad)!r}, which ansible-playbook --start-at-task treats as a pattern")
        if v != v.strip():
            raise ValueError("has leading or trailing spaces")
        return v


class RunbookSpec(Spec):
    """A runbook's metadata: its page, parameters, steps and safeguards."""

    name: str = Field(
        pattern=r"^[a-z][a-z0-9-]{1,40}$", description="Runbook name = its folder name under runbooks/, e.g. 'db-restore'."
    )
    title: str = Field(min_length=3, description="Human title; also the playbook's play name.")
    severity: Severity = Field(
        description="Severity of the incidents the runbook is written for: critical (data loss or outage), high "
        "(degraded service), medium (risk of degradation), low (routine)."
    )
    when_to_use: str = Field(min_length=1, description="One or two sentences: the situation this runbook is for.")
    symptoms: list[str] = Field(min_length=1, description="What the on-call engineer sees (alerts, errors).")
    impact: str = Field(min_length=1, description="Who or what is affected while the problem lasts.")
    investigation: list[str] = Field(min_length=1, description="Checks to make before running it, in order.")
    resolution: list[str] = Field(min_length=1, description="How the runbook resolves the problem, in order.")
    rollback: list[str] = Field(min_length=1, description="How to undo what the runbook did.")
    escalation: list[str] = Field(min_length=1, description="Whom to call, and when.")
    parameters: list[ParameterSpec] = Field(default_factory=list, description="Accepted -p parameters. Default none.")
    names: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Physical names the runbook creates, derived with the environment's Context.name(): key -> name "
        "parts, where '{param}' is replaced by a parameter's value, e.g. restore_target: [postgres, restore, '{label}'] "
        "-> acme-dev-postgres-restore-<label>. The playbook reads them as names.<key>. Default none.",
    )
    steps: list[StepSpec] = Field(min_length=1, description="The playbook's tasks, in order.")
    refuses_production: bool = Field(
        default=False,
        description="Refuse environments of tier 'production' (e.g. a cost-saving sleep). Default false.",
    )
    emulator_gaps: list[str] = Field(
        default_factory=list,
        description="What the AWS emulator (moto) used by the tests cannot emulate, so the tests cannot show it.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        seen: dict[str, ParameterSpec] = {}
        for param in self.parameters:
            if param.name in seen:
                raise ValueError(f"parameter '{param.name}' is declared twice")
            for other, value in (param.when or {}).items():
                target = seen.get(other)
                if target is None:
                    raise ValueError(f"parameter '{param.name}': when names '{other}', which is not an earlier parameter")
                if target.type not in ("choice", "boolean"):
                    raise ValueError(f"parameter '{param.name}': when may only test choice or boolean parameters")
                if target.choices is not None and value not in target.choices:
                    raise ValueError(f"parameter '{param.name}': when {other}={value!r} is not one of {target.choices}")
            if param.bounds_from is not None:
                for needed in BOUNDS[param.bounds_from].needs:
                    if needed not in seen or not seen[needed].required:
                        raise ValueError(
                            f"parameter '{param.name}': bounds_from '{param.bounds_from}' needs an earlier required "
                            f"parameter '{needed}'"
                        )
            seen[param.name] = param
        step_names = [s.name for s in self.steps]
        duplicates = sorted({n for n in step_names if step_names.count(n) > 1})
        if duplicates:
            raise ValueError(f"step names must be unique; repeated: {duplicates}")
        for key, parts in self.names.items():
            if not _PARAMETER_NAME.match(key):
                raise ValueError(f"names: '{key}' must be lowercase snake_case")
            if not parts:
                raise ValueError(f"names.{key}: give at least one name part")
            for part in parts:
                for field in placeholders(part):
                    used = seen.get(field)
                    if used is None:
                        raise ValueError(f"names.{key}: '{{{field}}}' is not a parameter")
                    if used.when is not None or not (used.required or used.default is not None):
                        raise ValueError(f"names.{key}: '{{{field}}}' must be a required parameter or have a default")
                if not placeholders(part) and not _NAME_PART.match(part):
                    raise ValueError(f"names.{key}: '{part}' must be lowercase letters, digits and '-'")
        return self

    def parameter(self, name: str) -> ParameterSpec | None:
        """The parameter called ``name``, if declared."""
        return next((p for p in self.parameters if p.name == name), None)


def placeholders(text: str) -> list[str]:
    """Field names of ``{field}`` placeholders in a name part."""
    return [field for _, field, _, _ in string.Formatter().parse(text) if field]
