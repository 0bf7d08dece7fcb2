"""The gate's declared exceptions: ``policies/suppressions.yaml`` and ``policies/unscannable.yaml``.

A suppression accepts one failed check on the resources it names, in one environment (or
``*``: every environment; ``repo``: the repository scan), for a reason, owned by someone,
until a date. Every field is required, so even skipping a whole check (``resource: "*"``)
is written down, owned and dated. Plan JSON has no inline skip comments, so suppressions are
applied by the gate after the scan: a matching failed finding becomes "suppressed" and keeps
the reason.

- An expired suppression suppresses nothing and fails the gate, naming the entry.
- A suppression that matched nothing is reported (a warning), so the file cannot rot.
- The file is validated strictly; every problem names the file, line and key.

``policies/unscannable.yaml`` lists resource types the bridge cannot write for Checkov (no
Terraform mapping, Kubernetes patches), each with a reason. A resource of an unlisted type
that was not scanned fails the gate: nothing is skipped silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import ConfigError, ConfigErrors
from ..messages import line_of, problem_of, read_yaml, suggest

SUPPRESSIONS_FILE = "policies/suppressions.yaml"
UNSCANNABLE_FILE = "policies/unscannable.yaml"
ANY_ENVIRONMENT = "*"
REPOSITORY = "repo"
"""The pseudo-environment of ``platform policy --repo`` (workflows, Dockerfiles, Ansible, secrets)."""

_CHECK_ID = r"^CKV2?_[A-Z0-9]+_[0-9]+$"
_ENVIRONMENT = r"^(\*|[a-z][a-z0-9]{1,15})$"
_TYPE_TOKEN = r"^[a-z0-9-]+:[A-Za-z0-9./-]+:[A-Za-z0-9]+$"
_PLACEHOLDERS = {"todo", "tbd", "fixme", "n/a", "na", "none", "later", "temp", "temporary", "wip", "?"}
_MIN_REASON_WORDS = 4


class StrictModel(BaseModel):
    """Immutable, unknown keys rejected: a typo in a policies/*.yaml file is an error, never ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _reason(value: str) -> str:
    text = " ".join(value.split())
    if text.lower().strip(".!") in _PLACEHOLDERS or len(text.split()) < _MIN_REASON_WORDS:
        raise ValueError(f"must say why, in a sentence of at least {_MIN_REASON_WORDS} words (a placeholder accepts nothing)")
    return text


class Suppression(StrictModel):
    """One accepted failure: a check on some resources of an environment, with reason, owner and expiry."""

    environment: str = Field(
        pattern=_ENVIRONMENT,
        description="Environment it applies to ('dev', ...), '*' for every environment, or 'repo' for the repository scan.",
    )
    check: str = Field(pattern=_CHECK_ID, description="The check id, exactly (e.g. CKV_AWS_18). No globs: one check per entry.")
    resource: str = Field(
        min_length=1,
        description="Logical name glob ('storage-logs', 'network-*'), URN glob ('urn:pulumi:*::storage-logs'), or for "
        "'repo' a file path glob. '*' accepts the check on every resource of the environment.",
    )
    reason: str = Field(description="Why the failure is accepted: a real sentence, shown in the verdict and in SARIF.")
    owner: str = Field(min_length=1, description="Who answers for it (a team or person), shown in the verdict.")
    expires: date = Field(
        description="ISO date (YYYY-MM-DD) after which the suppression fails the gate until renewed or removed."
    )

    @field_validator("reason")
    @classmethod
    def _check_reason(cls, v: str) -> str:
        return _reason(v)

    @field_validator("expires", mode="before")
    @classmethod
    def _quoted_date(cls, v: Any) -> Any:
        if isinstance(v, date):
            raise ValueError(
                f"write the date in quotes ('{v.isoformat()}'): Checkov reads every YAML file under policies/ "
                "and crashes on an unquoted date"
            )
        return v

    @field_validator("owner", "resource")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v.strip()

    def matches(self, environment: str, check_id: str, name: str, urn: str | None) -> bool:
        """Whether this entry names the finding (its expiry is not considered here)."""
        if self.check != check_id:
            return False
        if self.environment == ANY_ENVIRONMENT:
            if environment == REPOSITORY:
                return False
        elif self.environment != environment:
            return False
        if self.resource.startswith("urn:"):
            return urn is not None and fnmatchcase(urn, self.resource)
        return fnmatchcase(name, self.resource)


class SuppressionFile(StrictModel):
    """The whole of ``policies/suppressions.yaml``."""

    suppressions: list[Suppression] = Field(default_factory=list, description="Every accepted failure.")

    @model_validator(mode="after")
    def _no_duplicates(self) -> SuppressionFile:
        seen: dict[tuple[str, str, str], int] = {}
        for index, s in enumerate(self.suppressions):
            key = (s.environment, s.check, s.resource)
            if key in seen:
                raise ValueError(
                    f"suppressions[{index}] repeats suppressions[{seen[key]}] ({s.environment}/{s.check}/{s.resource}); merge them"
                )
            seen[key] = index
        return self


class Unscannable(StrictModel):
    """A resource type the gate cannot check, and why that is acceptable."""

    type: str = Field(pattern=_TYPE_TOKEN, description="Pulumi type token, exactly (e.g. 'aws:eks/accessEntry:AccessEntry').")
    reason: str = Field(description="Why it cannot be scanned and why that is acceptable (what covers it instead).")

    @field_validator("reason")
    @classmethod
    def _check_reason(cls, v: str) -> str:
        return _reason(v)


class UnscannableFile(StrictModel):
    """The whole of ``policies/unscannable.yaml``."""

    unscannable: list[Unscannable] = Field(default_factory=list, description="Types the bridge cannot write for Checkov.")

    @model_validator(mode="after")
    def _no_duplicates(self) -> UnscannableFile:
        types = [u.type for u in self.unscannable]
        dupes = sorted({t for t in types if types.count(t) > 1})
        if dupes:
            raise ValueError(f"lists {', '.join(dupes)} more than once")
        return self


# --- loaded forms, with where each entry is ---------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A suppression and where it is written (``policies/suppressions.yaml:12``)."""

    suppression: Suppression
    where: str

    def describe(self) -> str:
        """``CKV_AWS_18 on storage-logs in dev (owner platform-team)``."""
        s = self.suppression
        scope = "every environment" if s.environment == ANY_ENVIRONMENT else s.environment
        return f"{s.check} on {s.resource} in {scope} (owner {s.owner})"


@dataclass(frozen=True)
class Suppressions:
    """Every suppression, in file order."""

    entries: list[Entry]
    source: str = SUPPRESSIONS_FILE

    def find(self, environment: str, check_id: str, name: str, urn: str | None) -> list[Entry]:
        """Entries (expired or not) that name a finding."""
        return [e for e in self.entries if e.suppression.matches(environment, check_id, name, urn)]

    def relevant(self, scanned: Iterable[str]) -> list[Entry]:
        """Entries that could apply to a run over ``scanned`` environments."""
        names = set(scanned)
        return [
            e
            for e in self.entries
            if e.suppression.environment in names or (e.suppression.environment == ANY_ENVIRONMENT and bool(names - {REPOSITORY}))
        ]

    def expired(self, scanned: Iterable[str], today: date) -> list[Entry]:
        """Relevant entries past their expiry date (the day itself still counts)."""
        return [e for e in self.relevant(scanned) if e.suppression.expires < today]

    def unused(self, scanned: Iterable[str], known: Iterable[str], used: set[int]) -> list[Entry]:
        """Entries that matched nothing although everything they could apply to was scanned.

        ``used`` holds ``id()`` of the entries that matched. A '*' entry is only judged unused
        when every known environment was scanned.
        """
        names = set(scanned)
        everything = set(known) <= names
        return [
            e
            for e in self.entries
            if id(e) not in used
            and (e.suppression.environment in names or (e.suppression.environment == ANY_ENVIRONMENT and everything))
        ]


@dataclass(frozen=True)
class UnscannableTypes:
    """Declared unscannable types -> (reason, where)."""

    types: dict[str, tuple[str, str]]
    source: str = UNSCANNABLE_FILE

    def reason(self, type_token: str) -> str | None:
        """The declared reason, or None when the type is not listed."""
        found = self.types.get(type_token)
        return found[0] if found else None


# --- loading -----------------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)


def load_suppressions(path: Path, *, environments: Sequence[str] = (), shown: str | None = None) -> Suppressions:
    """Read and validate the suppressions; a missing file means none.

    ``environments`` are the known environment names: an entry naming another one (a typo
    would suppress nothing, silently) is an error suggesting the closest name.
    """
    shown = shown or str(path)
    if not path.exists():
        return Suppressions([], shown)
    model, node = load_yaml_model(path, SuppressionFile, shown, top_key="suppressions")
    errors: list[ConfigError] = []
    entries: list[Entry] = []
    allowed = [ANY_ENVIRONMENT, REPOSITORY, *environments]
    for index, s in enumerate(model.suppressions):
        line = line_of(node, ["suppressions", index])
        where = f"{shown}:{line}" if line else shown
        if environments and s.environment not in allowed:
            key_line = line_of(node, ["suppressions", index, "environment"]) or line
            errors.append(
                ConfigError(
                    f"{shown}:{key_line}" if key_line else shown,
                    f"suppressions[{index}].environment",
                    f"unknown environment '{s.environment}'{suggest(s.environment, allowed)}",
                )
            )
        entries.append(Entry(s, where))
    if errors:
        raise ConfigErrors(errors)
    return Suppressions(entries, shown)


def load_unscannable(path: Path, *, shown: str | None = None) -> UnscannableTypes:
    """Read and validate the unscannable types; a missing file means none."""
    shown = shown or str(path)
    if not path.exists():
        return UnscannableTypes({}, shown)
    model, node = load_yaml_model(path, UnscannableFile, shown, top_key="unscannable")
    types = {}
    for index, u in enumerate(model.unscannable):
        line = line_of(node, ["unscannable", index])
        types[u.type] = (u.reason, f"{shown}:{line}" if line else shown)
    return UnscannableTypes(types, shown)


def load_yaml_model(path: Path, model: type[M], shown: str, *, top_key: str) -> tuple[M, yaml.Node | None]:
    """Validate a YAML file into ``model``; all problems are reported together as ``file:line: key: problem``."""
    document, node = read_yaml(path, shown)
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigErrors([ConfigError(shown, None, f"must be a mapping with a '{top_key}' list")])
    try:
        return model.model_validate(document), node
    except ValidationError as exc:
        raise ConfigErrors([_error(shown, node, model, err) for err in exc.errors()]) from None


def dotted(loc: Sequence[int | str]) -> str:
    """``('suppressions', 2, 'reason')`` -> ``suppressions[2].reason``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _error(shown: str, node: yaml.Node | None, model: type[BaseModel], err: Any) -> ConfigError:
    loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
    line = line_of(node, loc)
    where = f"{shown}:{line}" if line else shown
    choices = _keys_at(model, loc[:-1]) if err["type"] == "extra_forbidden" else []
    problem = problem_of(err, choices)
    if err["type"] == "string_pattern_mismatch":
        problem = _pattern_problem(loc, err.get("input"))
    return ConfigError(where, dotted(loc) or None, problem)


def _pattern_problem(loc: Sequence[int | str], value: Any) -> str:
    key = loc[-1] if loc else ""
    expected = {
        "check": "a Checkov check id such as CKV_AWS_18, CKV2_AWS_62 or CKV_PLAT_101 (no globs)",
        "environment": "an environment name, '*' or 'repo'",
        "type": "a Pulumi type token such as 'aws:eks/accessEntry:AccessEntry'",
    }.get(str(key), "a value of the documented form")
    return f"must be {expected} (got {value!r})"


def _keys_at(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        inner = next(
            (a for a in getattr(field.annotation, "__args__", ()) if isinstance(a, type) and issubclass(a, BaseModel)), None
        )
        if inner is None:
            return []
        model = inner
    return list(model.model_fields)
