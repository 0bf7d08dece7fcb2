"""``-p key=value`` -> typed, checked parameter values, before Ansible starts.

Every problem (unknown, missing, malformed, out of bounds, not applicable) is collected and
reported as one error (exit 2), naming the parameter, the value received and, for bounds
read from the environment model, the setting and file they came from.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ..environment.model import EnvironmentConfig
from ..errors import PlatformError
from .lookups import BOUNDS, CHOICES, Bounds, ParameterValue
from .spec import ParameterSpec, RunbookSpec

MASK = "***"
"""What a secret parameter's value becomes in the audit record."""

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""How datetimes reach the playbook: UTC, second precision (what AWS APIs accept)."""

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})
_INTEGER = re.compile(r"^-?\d+$")


class ParameterError(PlatformError):
    """Parameters that cannot be used; the message lists every problem."""


@dataclass(frozen=True)
class Parameters:
    """Checked parameter values (JSON-ready) and which of them are secret."""

    values: dict[str, ParameterValue]
    secret_names: frozenset[str]

    def masked(self) -> dict[str, ParameterValue]:
        """The values with every given secret replaced by ``***`` (for the audit record and output)."""
        return {k: (MASK if k in self.secret_names and v is not None else v) for k, v in self.values.items()}


def parse_assignments(pairs: Sequence[str]) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` -> ``{"a": "1", "b": "x=y"}``; malformed or repeated keys are errors."""
    given: dict[str, str] = {}
    problems: list[str] = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(f"-p takes key=value; got {pair!r}")
        elif key in given:
            problems.append(f"parameter '{key}' is given twice")
        else:
            given[key] = value
    if problems:
        raise ParameterError("\n".join(problems))
    return given


def resolve(spec: RunbookSpec, env: EnvironmentConfig, given: Mapping[str, str], *, now: datetime, env_file: str) -> Parameters:
    """Check ``given`` against the runbook's parameters and the environment; every declared parameter gets a value."""
    problems: list[str] = []
    declared = [p.name for p in spec.parameters]
    for key in given:
        if key not in declared:
            close = difflib.get_close_matches(key, declared, n=1)
            listing = ", ".join(declared) or "none"
            problems.append(
                f"unknown parameter '{key}'" + (f"; did you mean '{close[0]}'?" if close else "") + f" (parameters: {listing})"
            )
    values: dict[str, ParameterValue] = {}
    failed: set[str] = set()
    for param in spec.parameters:
        applies = _applies(param, values)
        raw = given.get(param.name)
        if not applies:
            if raw is not None:
                condition = ", ".join(f"{k}={v}" for k, v in (param.when or {}).items())
                problems.append(f"parameter '{param.name}' applies only when {condition}; leave it out or change them")
            values[param.name] = None
            continue
        if raw is None:
            if param.required:
                problems.append(f"parameter '{param.name}' is required: {param.description} (pass -p {param.name}=<value>)")
                failed.add(param.name)
                values[param.name] = None
                continue
            values[param.name] = _default(param)
            continue
        try:
            value = _convert(param, raw, env)
            _check_bounds(param, value, env, values, now, env_file)
        except ValueError as exc:
            problems.append(f"parameter '{param.name}' {exc}")
            failed.add(param.name)
            values[param.name] = None
            continue
        values[param.name] = _json_value(value)
    if problems:
        raise ParameterError(
            f"runbook '{spec.name}' on '{env.name}': " + ("\n  ".join(["", *problems]) if len(problems) > 1 else problems[0])
        )
    return Parameters(values=values, secret_names=frozenset(p.name for p in spec.parameters if p.secret))


def _applies(param: ParameterSpec, values: Mapping[str, ParameterValue]) -> bool:
    return all(_text(values.get(k)) == v for k, v in (param.when or {}).items())


def _text(value: ParameterValue) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def _default(param: ParameterSpec) -> ParameterValue:
    if param.default is None:
        return None
    if param.type == "datetime":
        return _json_value(_parse_datetime(str(param.default)))
    return param.default


def _convert(param: ParameterSpec, raw: str, env: EnvironmentConfig) -> int | bool | str | datetime:
    shown = repr(raw) if param.secret is False else "(secret value)"
    if param.type == "integer":
        if not _INTEGER.match(raw.strip()):
            raise ValueError(f"must be a whole number; got {shown}")
        return int(raw.strip())
    if param.type == "boolean":
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"must be true or false; got {shown}")
    if param.type == "datetime":
        return _parse_datetime(raw)
    if param.type == "choice":
        allowed = param.choices if param.choices is not None else CHOICES[str(param.choices_from)].read(env)
        if raw not in allowed:
            close = difflib.get_close_matches(raw, allowed, n=1)
            source = "" if param.choices is not None else f" (from {CHOICES[str(param.choices_from)].source})"
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ValueError(f"must be one of {', '.join(allowed)}{source}; got {shown}{hint}")
        return raw
    if param.pattern is not None and not re.fullmatch(param.pattern, raw):
        raise ValueError(f"must match {param.pattern}; got {shown}")
    return raw


def _parse_datetime(raw: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"must be an ISO 8601 date and time such as 2026-01-31T14:05:00Z; got {raw!r}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"must include a timezone (e.g. a trailing Z for UTC) so it cannot be misread; got {raw!r}")
    return parsed.astimezone(UTC)


def _check_bounds(
    param: ParameterSpec,
    value: int | bool | str | datetime,
    env: EnvironmentConfig,
    earlier: Mapping[str, ParameterValue],
    now: datetime,
    env_file: str,
) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        if param.minimum is not None and value < param.minimum:
            raise ValueError(f"must be at least {param.minimum}; got {value}")
        if param.maximum is not None and value > param.maximum:
            raise ValueError(f"must be at most {param.maximum}; got {value}")
    if param.bounds_from is None:
        return
    lookup = BOUNDS[param.bounds_from]
    if any(earlier.get(n) is None for n in lookup.needs):
        return  # the parameter it depends on already failed and was reported
    bounds = lookup.read(env, earlier, now)
    if not _within(value, bounds):
        raise ValueError(
            f"is out of bounds: allowed {_show(bounds.minimum)} to {_show(bounds.maximum)} "
            f"({bounds.source} in {env_file}); got {_show(value)}"
        )


def _within(value: object, bounds: Bounds) -> bool:
    if isinstance(value, datetime) and isinstance(bounds.minimum, datetime) and isinstance(bounds.maximum, datetime):
        return bounds.minimum <= value <= bounds.maximum
    if isinstance(value, int) and isinstance(bounds.minimum, int) and isinstance(bounds.maximum, int):
        return bounds.minimum <= value <= bounds.maximum
    return False


def _show(value: object) -> str:
    return value.strftime(DATETIME_FORMAT) if isinstance(value, datetime) else str(value)


def _json_value(value: int | bool | str | datetime) -> ParameterValue:
    return value.strftime(DATETIME_FORMAT) if isinstance(value, datetime) else value
